"""GraphQL enums of the option fields.

Each is the model's own enum: the GraphQL names are the upper snake member names
(HARD_COPY, BLANK) and the values are the stored strings ("Hard Copy", ""), so a
resolver can return the stored string as it is.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from segments_module.models.base import (
    ContactType,
    CorrespondenceType,
    CriteriaAction,
    CriteriaLineType,
    DeliveryStatus,
    Evaluation,
    HistoryKind,
    InformationFlow,
    InitiatedBy,
)

strawberry.enum(ContactType, description="Company or person.")
strawberry.enum(CorrespondenceType, description="How a contact receives documents.")
strawberry.enum(InformationFlow, description="Direction of an interaction.")
strawberry.enum(InitiatedBy, description="Who started an interaction.")
strawberry.enum(Evaluation, description="How an interaction went.")
strawberry.enum(
    DeliveryStatus,
    description=(
        "State of delivering a logged letter. BLANK: delivered, or nothing to send "
        "(no delivery asked, or a blank correspondence type). IN_PROGRESS: waiting "
        "for or in a delivery, or unconfirmed because the server failed after it "
        "received the message (see deliveryError; resend with includeUnconfirmed). "
        "ERROR: not delivered, see deliveryError; resendInteractions retries it."
    ),
)
strawberry.enum(CriteriaAction, description="Kind of criteria action.")
strawberry.enum(CriteriaLineType, description="Action line or one of its filters.")
strawberry.enum(
    HistoryKind, description="Whether an action inserted or deleted a line."
)


@strawberry.enum(description="Sort direction of a list.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


OptionType = TypeVar("OptionType", bound=Enum)


def option_or_none(
    enum_class: type[OptionType], value: str | None
) -> OptionType | None:
    """Return the option whose stored value is `value`, or None for an unknown value."""
    if value is None:
        return None
    try:
        return enum_class(value)
    except ValueError:
        return None


def stored_value(value: Enum | None) -> str | None:
    """Return the string that the database stores for an option from an input."""
    return None if value is None else value.value
