"""Preview of the contacts that a criteria matches."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from segments_module.errors import ServiceError

from ..context import Info
from ..errors import ClientError
from ..pagination import Connection, PageArgs, SortKey, paginate
from .inputs import ContactCriteriaInput
from .types import Contact


@strawberry.type
class ContactQueries:
    @strawberry.field(
        description=(
            "Contacts that match the criteria, by contact no. Excluded and privacy "
            "blocked contacts are listed too: see excludeFromSegment and "
            "privacyBlocked. Without criteria, every contact."
        )
    )
    def contacts(
        self,
        info: Info,
        criteria: ContactCriteriaInput | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Contact]:
        # Imported here: the compiler is a heavier module that queries do not need.
        from segments_module.criteria.compiler import (
            matching_contacts,
            validate_criteria,
        )

        context = info.context
        page = PageArgs.parse(
            first, after, last, before, context.settings.max_page_size
        )
        contact = context.store.contacts()
        statement = select(contact)
        if criteria is not None:
            contact_criteria = criteria.to_criteria()
            try:
                validate_criteria(contact_criteria)
            except ServiceError as error:
                raise ClientError.from_service_error(error) from error
            matches = matching_contacts(
                contact_criteria, context.store, today=context.settings.today()
            ).subquery()
            statement = statement.where(contact.c.no.in_(select(matches.c.no)))

        return paginate(
            context.session,
            statement,
            [SortKey(contact.c.no)],
            page,
            kind="contact",
            to_node=Contact.from_row,
        )
