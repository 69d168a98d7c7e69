"""Declarative base, naming convention and the option values shared by the models."""

from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic create, compare and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = 20  # length of a code or number field, as in Business Central
TEXT = 100
LONG_TEXT = 250


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {Decimal: Numeric(18, 2)}

    # The Odoo-style dotted model name, e.g. "segment.header".
    __model_name__: str = ""


class OptionEnum(str, enum.Enum):
    """An option field stored as its display value, blank being the empty string."""

    def __str__(self) -> str:
        return self.value


class ContactType(OptionEnum):
    COMPANY = "Company"
    PERSON = "Person"


class CorrespondenceType(OptionEnum):
    BLANK = ""
    HARD_COPY = "Hard Copy"
    EMAIL = "Email"


class InformationFlow(OptionEnum):
    BLANK = ""
    OUTBOUND = "Outbound"
    INBOUND = "Inbound"


class InitiatedBy(OptionEnum):
    BLANK = ""
    US = "Us"
    THEM = "Them"


class Evaluation(OptionEnum):
    BLANK = ""
    VERY_POSITIVE = "Very Positive"
    POSITIVE = "Positive"
    NEUTRAL = "Neutral"
    NEGATIVE = "Negative"
    VERY_NEGATIVE = "Very Negative"


class DeliveryStatus(OptionEnum):
    BLANK = ""
    IN_PROGRESS = "In Progress"
    ERROR = "Error"


class CriteriaAction(OptionEnum):
    ADD = "Add Contacts"
    REDUCE = "Remove Contacts - Reduce"
    REFINE = "Remove Contacts - Refine"


class CriteriaLineType(OptionEnum):
    ACTION = "Action"
    FILTER = "Filter"


class HistoryKind(OptionEnum):
    INSERT = "Insert"
    DELETE = "Delete"
