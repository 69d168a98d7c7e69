"""Number series for segment numbers (SM10001, SM10002, ...)."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from ..models import LoggedSegment, NumberSeries, SegmentHeader
from .env import Env

SEGMENT_SERIES = "SEGMENT"
SEGMENT_SERIES_START = "SM10000"


def increment_number(value: str) -> str:
    """Increment the last run of digits, keeping its width (SM09 -> SM10)."""
    match = re.search(r"(\d+)(?!.*\d)", value)
    if not match:
        return value + "1"
    digits = match.group(1)
    bumped = str(int(digits) + 1).zfill(len(digits))
    return value[: match.start()] + bumped + value[match.end() :]


def next_segment_no(env: Env) -> str:
    """Take the next free number of the segment series, skipping numbers in use."""
    session = env.session
    series = session.get(NumberSeries, SEGMENT_SERIES, with_for_update=True)
    if series is None:
        series = NumberSeries(code=SEGMENT_SERIES, last_no_used=SEGMENT_SERIES_START)
        session.add(series)
        session.flush()
    candidate = increment_number(series.last_no_used)
    while _segment_no_used(env, candidate):
        candidate = increment_number(candidate)
    session.execute(
        update(NumberSeries)
        .where(NumberSeries.code == SEGMENT_SERIES)
        .values(last_no_used=candidate)
    )
    series.last_no_used = candidate
    return candidate


def _segment_no_used(env: Env, no: str) -> bool:
    return (
        env.session.scalar(select(SegmentHeader.no).where(SegmentHeader.no == no))
        is not None
        or env.session.scalar(
            select(LoggedSegment.entry_no).where(LoggedSegment.segment_no == no)
        )
        is not None
    )
