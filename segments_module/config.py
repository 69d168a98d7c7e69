"""Settings read from the environment, with the embedded SQLite file as the default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

DEFAULT_DATABASE_URL = "sqlite:///segments.sqlite"


@dataclass(frozen=True)
class Settings:
    """Runtime settings of the module."""

    database_url: str = DEFAULT_DATABASE_URL
    # Dates ("today", a log entry's date) are local dates in this time zone.
    time_zone: str = "UTC"
    max_page_size: int = 500
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def today(self) -> date:
        return self.now().date()


def load_settings(database_url: str | None = None) -> Settings:
    """Build settings from arguments, then SEGMENTS_* variables, then defaults."""
    return Settings(
        database_url=database_url
        or os.environ.get("SEGMENTS_DATABASE_URL")
        or DEFAULT_DATABASE_URL,
        time_zone=os.environ.get("SEGMENTS_TIME_ZONE", "UTC"),
    )
