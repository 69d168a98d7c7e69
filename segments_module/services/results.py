"""Options and results of the segment actions, shared by the services and the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import LoggedSegment, SegmentHeader


@dataclass(frozen=True)
class AddContactsOptions:
    """Options of Add Contacts; all off by default, as in Business Central."""

    allow_existing_contacts: bool = False
    expand_contact: bool = False
    allow_company_with_persons: bool = False
    ignore_exclusion: bool = False


@dataclass(frozen=True)
class SkippedContact:
    """A contact an action left out, and why (e.g. excluded, privacy blocked)."""

    contact_no: str
    reason: str


@dataclass
class ActionResult:
    """The segment after an action and the number of lines added or removed."""

    segment: SegmentHeader
    affected_lines: int
    skipped_contacts: list[SkippedContact] = field(default_factory=list)


@dataclass
class LogResult:
    logged_segment: LoggedSegment
    follow_up_segment: SegmentHeader | None
    no_of_interactions: int
