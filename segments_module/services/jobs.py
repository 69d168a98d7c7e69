"""Merge and delivery jobs: a row a client can poll, and a runner for long ones.

A job of at most INLINE_LETTER_LIMIT letters runs in the request that starts it
and is finished when the request returns. A longer one runs on a worker thread of
the process, so the request returns at once with the job queued, and the job row
records its progress (done, total, failures) as it goes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine, Select, select, update

from ..config import Settings
from ..contact_store import ContactStore, EmbeddedContactStore
from ..db import session_scope
from ..models import Job
from .attachments import delete_attachments
from .env import Actor, Env

logger = logging.getLogger(__name__)

# Letters a job may have and still run inside the request that starts it.
INLINE_LETTER_LIMIT = 200
# Progress is written at most this often, so a fast job does not spend its time
# on progress rows.
PROGRESS_INTERVAL_SECONDS = 0.5

# A queued or running job without progress for this long counts as cut off, so
# resendInteractions(includeUnconfirmed) may take its entries. Longer than any
# single SMTP wait (SEGMENTS_SMTP_TIMEOUT is at most 3600 s).
STALE_JOB_SECONDS = 2 * 3600

REPLACED_MESSAGE = (
    "A later merge of the segment replaced this merge's documents, so they were "
    "deleted."
)

# Job kinds and states.
MERGE = "merge"
DELIVERY = "delivery"
QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"


@dataclass
class Workspace:
    """The engine, settings and store with which a job opens its own transactions."""

    engine: Engine
    settings: Settings = field(default_factory=Settings)
    store: ContactStore = field(default_factory=EmbeddedContactStore)
    # Overrides the SEGMENTS_SMTP_* variables; tests point it at their server.
    smtp_settings: object | None = None

    def env(self, session, actor: Actor) -> Env:
        return Env(session, actor, self.settings, self.store)


def create_job(
    env: Env,
    kind: str,
    total: int,
    *,
    segment_no: str = "",
    logged_segment_entry_no: int | None = None,
) -> Job:
    job = Job(
        kind=kind,
        status=QUEUED,
        total=total,
        segment_no=segment_no,
        logged_segment_entry_no=logged_segment_entry_no,
        user_id=env.actor.user_id,
        created_at=env.settings.now().replace(tzinfo=None),
        heartbeat_at=env.settings.now().replace(tzinfo=None),
    )
    env.session.add(job)
    env.session.flush()
    return job


class Progress:
    """Counts a job's letters and writes the counts to its row now and then.

    `callback`, when given, is called with (done, total, failures) after every
    letter: the CLI draws its progress bar with it.
    """

    def __init__(
        self,
        workspace: Workspace,
        job_id: int,
        total: int,
        callback: Callable[[int, int, int], None] | None = None,
    ):
        self.workspace = workspace
        self.job_id = job_id
        self.total = total
        self.done = 0
        self.failures = 0
        self.callback = callback
        self._written_at = 0.0

    def start(self) -> None:
        self._write(status=RUNNING)

    def advance(self, failed: bool = False) -> None:
        self.done += 1
        if failed:
            self.failures += 1
        if self.callback is not None:
            self.callback(self.done, self.total, self.failures)
        if time.monotonic() - self._written_at >= PROGRESS_INTERVAL_SECONDS:
            self._write()

    def finish(self, message: str = "", **values) -> None:
        self._write(
            status=DONE,
            message=message[:250],
            finished_at=self.workspace.settings.now().replace(tzinfo=None),
            **values,
        )

    def fail(self, message: str) -> None:
        self._write(
            status=FAILED,
            message=message[:250],
            finished_at=self.workspace.settings.now().replace(tzinfo=None),
        )

    def _write(self, **values) -> None:
        self._written_at = time.monotonic()
        now = self.workspace.settings.now().replace(tzinfo=None)
        with session_scope(self.workspace.engine, write=True) as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(
                    done=self.done, failures=self.failures, heartbeat_at=now, **values
                )
            )


def run_inline(job_id: int, work: Callable[[], None]) -> None:
    """Run a job in the calling thread; an unexpected error ends up on the job only.

    The work marks its job as failed with the reason, so the caller reports the
    job rather than an error of its own.
    """
    try:
        work()
    except Exception:
        logger.exception("job %s failed", job_id)


class JobRunner:
    """Runs long jobs on worker threads of this process.

    NOTE: a job that is running when the process stops stays "running", and its
    interaction log entries stay In Progress. resendInteractions does not pick
    them up, because the SMTP server may have accepted their messages already.
    """

    def __init__(self, max_workers: int = 2):
        self._executor = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="segments-job"
        )
        self._lock = threading.Lock()
        self._futures: dict[int, Future] = {}

    def submit(self, job_id: int, work: Callable[[], None]) -> None:
        def run() -> None:
            try:
                work()
            except Exception:
                # The work marks its job as failed; this keeps the worker alive.
                logger.exception("job %s failed", job_id)
            finally:
                with self._lock:
                    self._futures.pop(job_id, None)

        with self._lock:
            self._futures[job_id] = self._executor.submit(run)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every submitted job, e.g. before the process stops."""
        with self._lock:
            futures = list(self._futures.values())
        for future in futures:
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


def active_job_ids(env: Env) -> Select:
    """Select the ids of jobs that are queued or running and still make progress."""
    cutoff = env.settings.now().replace(tzinfo=None) - timedelta(
        seconds=STALE_JOB_SECONDS
    )
    return select(Job.id).where(
        Job.status.in_((QUEUED, RUNNING)), Job.heartbeat_at >= cutoff
    )


def delete_review_outputs(
    env: Env, segment_no: str, before_job_id: int | None = None
) -> int:
    """Delete the documents of the segment's review merges, or of those before one.

    A segment keeps the outputs of its latest merge only, and none once it is
    logged or deleted, so review merges do not pile up in the attachment store.
    The jobs stay, without their documents and saying so. Returns the number of
    documents deleted.
    """
    output_columns = (
        Job.result_attachment_no,
        Job.zip_attachment_no,
        Job.pdf_attachment_no,
    )
    conditions = [Job.kind == MERGE, Job.segment_no == segment_no]
    if before_job_id is not None:
        conditions.append(Job.id < before_job_id)
    rows = env.session.execute(select(*output_columns).where(*conditions)).all()
    nos = [no for row in rows for no in row if no is not None]
    if not nos:
        return 0
    env.session.execute(
        update(Job)
        .where(*conditions)
        .values(
            result_attachment_no=None,
            zip_attachment_no=None,
            pdf_attachment_no=None,
            message=REPLACED_MESSAGE
            if before_job_id is not None
            else "The segment was logged or deleted, so its review documents were "
            "deleted.",
        )
        .execution_options(synchronize_session=False)
    )
    return delete_attachments(env, nos)
