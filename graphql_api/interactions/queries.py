"""Queries of the interaction log, templates and groups."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from segments_module.models import DeliveryStatus
from segments_module.models import InteractionGroup as InteractionGroupModel
from segments_module.models import InteractionLogEntry as InteractionLogEntryModel
from segments_module.models import InteractionTemplate as InteractionTemplateModel
from segments_module.services.validation import camel

from ..context import Info
from ..errors import check_text_argument
from ..pagination import Connection, PageArgs, SortKey, paginate
from .types import InteractionGroup, InteractionLogEntry, InteractionTemplate


@strawberry.input(description="Exact values; every field given must match.")
class InteractionLogEntryFilter:
    contact_no: str | None = None
    logged_segment_entry_no: int | None = None
    segment_no: str | None = None
    delivery_status: DeliveryStatus | None = strawberry.field(
        default=None, description="For example ERROR, to find failed deliveries."
    )
    canceled: bool | None = None


@strawberry.type
class InteractionQueries:
    @strawberry.field(description="Interaction log entries, by entry no.")
    def interaction_log_entries(
        self,
        info: Info,
        filter: InteractionLogEntryFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InteractionLogEntry]:
        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        statement = select(InteractionLogEntryModel)
        to_node = InteractionLogEntry.converter(info)
        if filter is not None:
            for name in (
                "contact_no",
                "logged_segment_entry_no",
                "segment_no",
                "canceled",
                "delivery_status",
            ):
                value = getattr(filter, name)
                if isinstance(value, str):
                    check_text_argument(f"filter.{camel(name)}", value)
                if name == "segment_no" and value is not None:
                    value = value.strip().upper()  # a BC Code value
                if value is not None:
                    column = getattr(InteractionLogEntryModel, name)
                    statement = statement.where(column == value)
        return paginate(
            context.session,
            statement,
            [SortKey(InteractionLogEntryModel.entry_no)],
            page,
            kind="interaction log entry",
            to_node=lambda row: to_node(row[0]),
        )

    @strawberry.field(description="Interaction templates, by code.")
    def interaction_templates(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InteractionTemplate]:
        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        connection = paginate(
            context.session,
            select(InteractionTemplateModel),
            [SortKey(InteractionTemplateModel.code)],
            page,
            kind="interaction template",
            to_node=lambda row: InteractionTemplate.from_model(row[0]),
        )
        context.loaders.prime_templates(edge.node.code for edge in connection.edges)
        return connection

    @strawberry.field(description="Interaction groups, by code.")
    def interaction_groups(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InteractionGroup]:
        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        return paginate(
            context.session,
            select(InteractionGroupModel),
            [SortKey(InteractionGroupModel.code)],
            page,
            kind="interaction group",
            to_node=lambda row: InteractionGroup.from_model(row[0]),
        )
