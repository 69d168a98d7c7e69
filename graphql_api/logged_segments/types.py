"""GraphQL type of a logged segment."""

from __future__ import annotations

from datetime import date

import strawberry

from ..context import Info
from ..dataloaders import load_child_connection
from ..interactions.types import InteractionLogEntry
from ..pagination import Connection, PageArgs
from ..types import model_values


@strawberry.type(description="A segment that was logged as interaction log entries.")
class LoggedSegment:
    entry_no: int
    segment_no: str
    description: str
    creation_date: date
    user_id: str
    campaign_no: str
    canceled: bool

    @classmethod
    def from_model(cls, logged) -> LoggedSegment:
        return cls(**model_values(cls, logged))

    @strawberry.field(
        description=(
            "Number of its log entries whose Canceled equals the logged segment's."
        )
    )
    def no_of_interactions(self, info: Info) -> int:
        counts = info.context.loaders.log_entry_counts.get(self.entry_no)
        return counts.get(self.canceled, 0)

    @strawberry.field(description="Its interaction log entries, by entry no.")
    def interaction_log_entries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InteractionLogEntry]:
        loaders = info.context.loaders
        page = PageArgs.parse(
            first, after, last, before, info.context.settings.max_page_size
        )

        def count_total() -> int:
            counts = loaders.log_entry_counts.get(self.entry_no)
            return sum(counts.values())

        return load_child_connection(
            loaders.log_entry_page,
            self.entry_no,
            page,
            InteractionLogEntry.converter(info),
            count_total,
        )
