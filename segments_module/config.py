"""Settings read from the environment, with the embedded SQLite file as the default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///segments.sqlite"
TIME_ZONE_VARIABLE = "SEGMENTS_TIME_ZONE"


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
    """Build settings from arguments, then SEGMENTS_* variables, then defaults.

    Raises ValueError, naming the setting, the value and the fix, when
    SEGMENTS_TIME_ZONE is not a time zone of the IANA database.
    """
    time_zone = os.environ.get(TIME_ZONE_VARIABLE, "UTC")
    _check_time_zone(time_zone)
    return Settings(
        database_url=database_url
        or os.environ.get("SEGMENTS_DATABASE_URL")
        or DEFAULT_DATABASE_URL,
        time_zone=time_zone,
    )


def _check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ZoneInfo raises ValueError for a name that is not a relative path, and
        # IsADirectoryError for a region such as "Europe".
        raise ValueError(
            f"{TIME_ZONE_VARIABLE} {name!r} is not a known time zone. Set it to an "
            "IANA time zone name such as Europe/Berlin, or unset it to use UTC."
        ) from None
