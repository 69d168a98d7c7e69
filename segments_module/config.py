"""Settings read from the environment, with the embedded SQLite file as the default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///segments.sqlite"
TIME_ZONE_VARIABLE = "SEGMENTS_TIME_ZONE"
ATTACHMENT_FOLDER_VARIABLE = "SEGMENTS_ATTACHMENT_FOLDER"
MAX_UPLOAD_BYTES_VARIABLE = "SEGMENTS_MAX_UPLOAD_BYTES"
MAX_UNPACKED_BYTES_VARIABLE = "SEGMENTS_MAX_UNPACKED_BYTES"
DEFAULT_MAX_UPLOAD_BYTES = 20_000_000
DEFAULT_MAX_UNPACKED_BYTES = 100_000_000


@dataclass(frozen=True)
class Settings:
    """Runtime settings of the module."""

    database_url: str = DEFAULT_DATABASE_URL
    # Dates ("today", a log entry's date) are local dates in this time zone.
    time_zone: str = "UTC"
    max_page_size: int = 500
    # Empty: attachment bytes are stored in the database. Otherwise the absolute
    # path of the folder that contains them, one file per attachment.
    attachment_folder: str = ""
    # Largest uploaded file, in bytes.
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # Largest total of the unpacked sizes of an uploaded .docx's parts, in bytes.
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
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
    SEGMENTS_TIME_ZONE is not a time zone of the IANA database or a byte limit
    is not a positive whole number. A relative SEGMENTS_ATTACHMENT_FOLDER is made
    absolute against the current directory.
    """
    time_zone = os.environ.get(TIME_ZONE_VARIABLE, "UTC")
    _check_time_zone(time_zone)
    folder = os.environ.get(ATTACHMENT_FOLDER_VARIABLE, "").strip()
    return Settings(
        database_url=database_url
        or os.environ.get("SEGMENTS_DATABASE_URL")
        or DEFAULT_DATABASE_URL,
        time_zone=time_zone,
        attachment_folder=str(Path(folder).expanduser().absolute()) if folder else "",
        max_upload_bytes=_byte_limit(
            MAX_UPLOAD_BYTES_VARIABLE, DEFAULT_MAX_UPLOAD_BYTES
        ),
        max_unpacked_bytes=_byte_limit(
            MAX_UNPACKED_BYTES_VARIABLE, DEFAULT_MAX_UNPACKED_BYTES
        ),
    )


def _byte_limit(variable: str, default: int) -> int:
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    digits = value.replace("_", "")
    # isdigit() alone would accept digits of other scripts, such as "²".
    if not (digits.isascii() and digits.isdigit()) or int(digits) == 0:
        raise ValueError(
            f"{variable} {value!r} is not a positive whole number of bytes. Set it "
            f"to a number such as {default}, or unset it to use {default:,} bytes."
        )
    return int(digits)


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
