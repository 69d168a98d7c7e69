"""Dates are local dates in the configured time zone, not the server's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from segments_module.config import Settings
from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.models import InteractionLogEntry, SegmentLine
from segments_module.services import segments
from segments_module.services.env import Actor, Env
from tests.factories import load_small_world

NEW_YORK = ZoneInfo("America/New_York")
# 22:00 in New York on 3 December is 03:00 UTC on 4 December.
EVENING_IN_NEW_YORK = datetime(2026, 12, 3, 22, 0, tzinfo=NEW_YORK)


@dataclass(frozen=True)
class EveningInNewYork(Settings):
    time_zone: str = "America/New_York"

    def now(self) -> datetime:
        return EVENING_IN_NEW_YORK


def test_today_is_the_local_date_in_the_configured_zone(engine):
    settings = EveningInNewYork()
    with session_scope(engine, write=True) as session:
        load_small_world(session)
        session.execute(
            insert(InteractionLogEntry),
            [
                {"contact_no": "P11", "date": date(2026, 12, 3)},
                {"contact_no": "P21", "date": date(2026, 12, 4)},
            ],
        )

    with session_scope(engine, write=True) as session:
        env = Env(session, Actor("marketing.user"), settings=settings)
        header = segments.create_segment(env, {"description": "Evening"})
        segments.add_contacts(
            env, header.no, ContactCriteria(interaction={"date": "today"})
        )

    with session_scope(engine) as session:
        contacts = session.scalars(select(SegmentLine.contact_no)).all()
        line_date = session.scalars(select(SegmentLine.date)).first()
    assert EVENING_IN_NEW_YORK.astimezone(ZoneInfo("UTC")).date() == date(2026, 12, 4)
    assert header.date == date(2026, 12, 3)
    assert contacts == ["P11"]
    assert line_date == date(2026, 12, 3)
