"""Reading the packaged CRONUS files: rows, option values, references and dates.

The files and the decisions taken on them are described in data/SOURCES.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from importlib import resources

from ..models import (
    ContactType,
    CorrespondenceType,
    InformationFlow,
    InitiatedBy,
)

# BC's demo tool writes its dates in 1903 and moves them to the current years when it
# creates the demo company.
AL_DEMO_YEAR = 1903
DEMO_COMPANY_COUNTRY = "GB"

# Prefix of the contact no. that stands for a customer, vendor or bank account.
REFERENCE_PREFIXES = {"Customer": "CUST", "Vendor": "VEND", "Bank Account": "BANK"}

# Option fields are stored in the files as their integer values.
CONTACT_TYPES = {"0": ContactType.COMPANY.value, "1": ContactType.PERSON.value}
CORRESPONDENCE_TYPES = {
    "0": CorrespondenceType.BLANK.value,
    "1": CorrespondenceType.HARD_COPY.value,
    "2": CorrespondenceType.EMAIL.value,
    "3": CorrespondenceType.BLANK.value,  # Fax, which the module does not offer
}
INFORMATION_FLOWS = {
    "0": InformationFlow.BLANK.value,
    "1": InformationFlow.OUTBOUND.value,
    "2": InformationFlow.INBOUND.value,
}
INITIATED_BY = {
    "0": InitiatedBy.BLANK.value,
    "1": InitiatedBy.US.value,
    "2": InitiatedBy.THEM.value,
}
QUESTIONNAIRE_CONTACT_TYPES = {
    "0": "",
    "1": ContactType.COMPANY.value,
    "2": ContactType.PERSON.value,
}
QUESTIONNAIRE_LINE_TYPES = {"0": "Question", "1": "Answer"}


def read_rows(name: str, key: Sequence[str]) -> list[dict[str, str]]:
    """Read data/<name>.csv with one row per key, a later row replacing an earlier one.

    Rows of every `_al_section` are read, so a variant set such as
    CreateEvaluationData overrides the standard OnRun row with the same key.
    """
    raw = resources.files(__package__).joinpath("data", f"{name}.csv").read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    for row in reader:
        rows[tuple(row[column] for column in key)] = row
    return list(rows.values())


def read_all_rows(name: str) -> list[dict[str, str]]:
    """Read every row of data/<name>.csv in file order, for files without a key."""
    raw = resources.files(__package__).joinpath("data", f"{name}.csv").read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def contact_no(value: str) -> str:
    """Return the contact no. for a CRONUS no. or a reference like `@Customer:<No>`."""
    if not value.startswith("@"):
        return value

    kind, _, no = value[1:].partition(":")
    prefix = REFERENCE_PREFIXES.get(kind)
    if prefix is None or not no:
        raise ValueError(
            f"Unknown CRONUS reference {value!r}. Expected @Customer:, @Vendor: "
            "or @Bank Account: followed by a no."
        )
    return f"{prefix}-{no}"


def country_code(value: str) -> str:
    return DEMO_COMPANY_COUNTRY if value == "@DemoCompanyCountry" else value


def shift_date(value: str, today: date) -> date | None:
    """Move a 1903-based demo date so that 1903 becomes the year of `today`."""
    if not value:
        return None

    original = date.fromisoformat(value)
    year = original.year + today.year - AL_DEMO_YEAR
    try:
        return original.replace(year=year)
    except ValueError:  # February 29 moved into a common year
        return original.replace(year=year, day=28)


def option(values: dict[str, str], value: str, column: str) -> str:
    """Return the stored value of an option field given as its integer."""
    try:
        return values[value]
    except KeyError:
        raise ValueError(
            f"{column} {value!r} is not one of the known options {sorted(values)}"
        ) from None


def boolean(value: str) -> bool:
    return value.strip().lower() == "true"
