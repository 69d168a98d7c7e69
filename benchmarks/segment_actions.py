"""Time Add Contacts, Reduce and Log Segment against hand-written SQL, per database.

For each database (a fresh SQLite file and a fresh PostgreSQL database) the script
generates N contacts, then repeats a round: create two identical segments, one for
the product and one for the baseline, and run on each in turn

1. Add Contacts with Country/Region Code GB (about half of the contacts),
2. Reduce with Language Code FRA (about a quarter of the lines),
3. Log Segment.

Every measured step runs in a fresh child process (multiprocessing "spawn"), so its
peak resident memory (getrusage ru_maxrss) is its own. The time covers one
session_scope: the statements and the commit. After each step the script counts
the rows in the database and compares product and baseline column by column. The
figures are medians over the rounds; the ratio is product time / baseline time.

    python -m benchmarks.segment_actions                # 1,000,000 contacts
    python -m benchmarks.segment_actions --contacts 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from segments_module.config import Settings
from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.services.env import Actor, Env
from segments_module.services.logged_segments import log_segment
from segments_module.services.segments import (
    add_contacts,
    create_segment,
    reduce_contacts,
)

from . import baselines
from .databases import (
    BACKENDS,
    RESULTS_DIR,
    database_version,
    fresh_database,
    open_engine,
    settle,
)
from .generate import DEFAULT_CONTACTS, TEMPLATE_CODE, generate
from .row_checks import same_rows, written_rows

logger = logging.getLogger(__name__)

STEPS = ("add_contacts", "reduce_contacts", "log_segment")
IMPLEMENTATIONS = ("product", "baseline")
ADD_COUNTRY = "GB"
REDUCE_LANGUAGE = "FRA"
USER_ID = "bench.user"
MAX_RATIO = 1.5
MAX_PEAK_MB = 300.0


@dataclass(frozen=True)
class StepRun:
    """One measured step: its time, the child's peak RSS and the count it returned."""

    seconds: float
    peak_mb: float
    returned_rows: int


@dataclass
class StepSummary:
    database: str
    step: str
    rows: int = 0
    product_seconds: float = float("nan")
    baseline_seconds: float = float("nan")
    peak_mb: float = float("nan")
    same_rows: bool = False
    # False when the service's returned count differs from the rows in the database.
    returned_count_right: bool = False
    error: str = ""
    product_runs: list[float] = field(default_factory=list)
    baseline_runs: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.product_seconds / self.baseline_seconds

    @property
    def passed(self) -> bool:
        return (
            not self.error
            and self.same_rows
            and self.ratio <= MAX_RATIO
            and self.peak_mb < MAX_PEAK_MB
        )


# Steps, as run inside the child process --------------------------------------------


def _env(session: Session) -> Env:
    return Env(session=session, actor=Actor(user_id=USER_ID), settings=Settings())


def _product_add(session: Session, segment_no: str) -> int:
    criteria = ContactCriteria(contact={"country_code": ADD_COUNTRY})
    return add_contacts(_env(session), segment_no, criteria).affected_lines


def _product_reduce(session: Session, segment_no: str) -> int:
    criteria = ContactCriteria(contact={"language_code": REDUCE_LANGUAGE})
    return reduce_contacts(_env(session), segment_no, criteria).affected_lines


def _product_log(session: Session, segment_no: str) -> int:
    return log_segment(_env(session), segment_no).no_of_interactions


def _baseline_add(session: Session, segment_no: str) -> int:
    return baselines.add_contacts_of_country(session, segment_no, ADD_COUNTRY)


def _baseline_reduce(session: Session, segment_no: str) -> int:
    return baselines.reduce_contacts_of_language(session, segment_no, REDUCE_LANGUAGE)


def _baseline_log(session: Session, segment_no: str) -> int:
    return baselines.log_segment(session, segment_no, USER_ID, Settings().now())


STEP_FUNCTIONS: dict[tuple[str, str], Callable[[Session, str], int]] = {
    ("product", "add_contacts"): _product_add,
    ("product", "reduce_contacts"): _product_reduce,
    ("product", "log_segment"): _product_log,
    ("baseline", "add_contacts"): _baseline_add,
    ("baseline", "reduce_contacts"): _baseline_reduce,
    ("baseline", "log_segment"): _baseline_log,
}


def run_step(url: str, implementation: str, step: str, segment_no: str) -> StepRun:
    """Run one step in this process and return its time, peak memory and count."""
    function = STEP_FUNCTIONS[implementation, step]
    engine = open_engine(url)
    with engine.connect():
        pass  # open the pooled connection outside the measurement

    started = time.perf_counter()
    with session_scope(engine, write=True) as session:
        returned_rows = function(session, segment_no)
    seconds = time.perf_counter() - started

    engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return StepRun(
        seconds=seconds, peak_mb=peak_kib / 1024, returned_rows=returned_rows
    )


def run_step_in_child(
    url: str, implementation: str, step: str, segment_no: str
) -> StepRun:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(run_step, url, implementation, step, segment_no).result()


# Set-up and the rounds, in the parent process --------------------------------------


def create_segments(engine: Engine, count: int) -> list[str]:
    """Create `count` identical segments with the benchmark template."""
    numbers = []
    with session_scope(engine, write=True) as session:
        env = _env(session)
        for _ in range(count):
            values = {
                "description": "Benchmark mailing",
                "interaction_template_code": TEMPLATE_CODE,
            }
            numbers.append(create_segment(env, values).no)
    return numbers


@dataclass
class RoundResult:
    """The runs of one round, by (implementation, step)."""

    runs: dict[tuple[str, str], StepRun] = field(default_factory=dict)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    same: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def run_round(engine: Engine, url: str, round_no: int) -> RoundResult:
    """Run the three steps for the product and the baseline on two new segments."""
    result = RoundResult()
    product_no, baseline_no = create_segments(engine, 2)
    segments = {"product": product_no, "baseline": baseline_no}
    # Alternate who goes first, so that the growth of the tables evens out.
    order = IMPLEMENTATIONS if round_no % 2 == 0 else IMPLEMENTATIONS[::-1]

    for step in STEPS:
        for implementation in order:
            settle(engine)
            try:
                run = run_step_in_child(
                    url, implementation, step, segments[implementation]
                )
            except Exception as error:  # noqa: BLE001 - reported in the table
                logger.error("%s %s failed: %s", implementation, step, error)
                result.errors[step] = f"{implementation}: {str(error).splitlines()[0]}"
                return result
            result.runs[implementation, step] = run
            result.rows[implementation, step] = written_rows(
                engine, step, segments[implementation]
            )
            logger.info(
                "round %d %s %s: %.2f s, %.0f MB, %d rows (returned %d)",
                round_no + 1,
                step,
                implementation,
                run.seconds,
                run.peak_mb,
                result.rows[implementation, step],
                run.returned_rows,
            )
        same_count = result.rows["product", step] == result.rows["baseline", step]
        result.same[step] = same_count and same_rows(
            engine, step, product_no, baseline_no
        )
    return result


def summarise(backend: str, rounds: list[RoundResult]) -> list[StepSummary]:
    summaries = []
    for step in STEPS:
        summary = StepSummary(database=backend, step=step)
        errors = [r.errors[step] for r in rounds if step in r.errors]
        complete = [
            r
            for r in rounds
            if ("baseline", step) in r.runs and ("product", step) in r.runs
        ]
        if errors or not complete:
            summary.error = errors[0] if errors else "not run: an earlier step failed"
            summaries.append(summary)
            continue

        product = [r.runs["product", step] for r in complete]
        baseline = [r.runs["baseline", step] for r in complete]
        summary.rows = complete[-1].rows["product", step]
        summary.product_runs = [run.seconds for run in product]
        summary.baseline_runs = [run.seconds for run in baseline]
        summary.product_seconds = statistics.median(summary.product_runs)
        summary.baseline_seconds = statistics.median(summary.baseline_runs)
        summary.peak_mb = max(run.peak_mb for run in product)
        summary.same_rows = all(r.same[step] for r in complete)
        summary.returned_count_right = all(
            r.runs["product", step].returned_rows == r.rows["product", step]
            for r in complete
        )
        summaries.append(summary)
    return summaries


def benchmark_database(
    backend: str, contacts: int, repeat: int
) -> tuple[str, list[StepSummary]]:
    """Generate contacts on a fresh database of `backend` and time every step.

    Return the database version and one summary per step.
    """
    with fresh_database(backend) as url:
        engine = open_engine(url)
        version = database_version(engine)
        generated = generate(engine, contacts)
        logger.info(
            "%s: %d contacts in %.1f s", backend, generated.contacts, generated.seconds
        )

        rounds = []
        for round_no in range(repeat):
            rounds.append(run_round(engine, url, round_no))
            if rounds[-1].errors:
                break
        engine.dispose()
    return version, summarise(backend, rounds)


def format_table(summaries: list[StepSummary]) -> str:
    lines = [
        "| database | step | rows | product s | baseline s | ratio | target |"
        " peak MB | same rows | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for s in summaries:
        if s.error:
            lines.append(
                f"| {s.database} | {s.step} | | | | | {MAX_RATIO} | | |"
                f" FAIL: {s.error} |"
            )
            continue
        lines.append(
            f"| {s.database} | {s.step} | {s.rows:,} | {s.product_seconds:.2f} |"
            f" {s.baseline_seconds:.2f} | {s.ratio:.2f} | {MAX_RATIO} |"
            f" {s.peak_mb:.0f} | {'yes' if s.same_rows else 'NO'} |"
            f" {'pass' if s.passed else 'FAIL'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contacts",
        type=int,
        default=DEFAULT_CONTACTS,
        help="number of generated contacts (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds per database; the table shows medians (default: %(default)s)",
    )
    parser.add_argument(
        "--databases",
        default=",".join(BACKENDS),
        help="comma-separated backends to run (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # One line per created segment or HTTP request would bury the benchmark's own lines.
    for noisy in ("segments_module", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    summaries: list[StepSummary] = []
    versions = {}
    for backend in args.databases.split(","):
        versions[backend], results = benchmark_database(
            backend, args.contacts, args.repeat
        )
        summaries.extend(results)

    print(f"\n{args.contacts:,} contacts, median of {args.repeat} rounds")
    print()
    print(format_table(summaries))
    for s in summaries:
        if not s.error and not s.returned_count_right:
            print(
                f"note: on {s.database}, the product's {s.step} returned a count that "
                "differs from the rows in the database"
            )

    RESULTS_DIR.mkdir(exist_ok=True)
    output = RESULTS_DIR / f"segment_actions_{args.contacts}.json"
    report = {
        "contacts": args.contacts,
        "repeat": args.repeat,
        "versions": versions,
        "steps": [
            asdict(s) | {"ratio": s.ratio, "passed": s.passed} for s in summaries
        ],
    }
    output.write_text(json.dumps(report, indent=2))
    print(f"\nraw figures written to {output}")


if __name__ == "__main__":
    main()
