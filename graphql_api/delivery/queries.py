"""Queries of merge and delivery jobs."""

from __future__ import annotations

import strawberry

from ..context import Info
from .mutations import load_job
from .types import Job


@strawberry.type
class DeliveryQueries:
    @strawberry.field(description="A merge or delivery job, to follow its progress.")
    def job(self, info: Info, id: int) -> Job | None:
        return load_job(info, id)
