"""Input checks shared by the services.

`clean_input` checks a dict of field values against a table and returns them
normalised, or raises one ServiceError that lists every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from enum import Enum
from typing import Any

from sqlalchemy import Numeric, Table, func, select

from ..errors import ErrorCode, FieldError, ServiceError
from ..models import Attachment, InteractionGroup, InteractionTemplate
from .env import Env

# Control characters other than tab, line feed and carriage return, and lone UTF-16
# surrogates. PostgreSQL rejects NUL in text, no database can store a lone
# surrogate, and none of them belongs in a code or a description.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Fields that become one line of an e-mail header or a list, so a line break in
# them is an error rather than text.
SINGLE_LINE_FIELDS = frozenset({"subject", "subject_default", "description"})
LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


def decoded_header(value: str) -> str:
    """Return `value` as a mail program shows it, with RFC 2047 encoded words decoded.

    A subject such as "=?utf-8?q?Hi=0D=0ABcc:...?=" has no line break itself, but
    gets one when an e-mail library decodes it.
    """
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return value


# Amounts are NUMERIC(18, 2): at most 16 digits before the decimal point.
MAX_AMOUNT = Decimal("9999999999999999.99")
CENT = Decimal("0.01")

# Code fields that must name an existing row: field -> (what, check).
REFERENCES: dict[str, str] = {
    "salesperson_code": "Salesperson",
    "campaign_no": "Campaign",
    "interaction_template_code": "Interaction template",
    "interaction_group_code": "Interaction group",
    "language_code": "Language",
    "language_code_default": "Language",
    "attachment_no": "Attachment",
}


def camel(name: str) -> str:
    """Return the GraphQL spelling of a snake_case field name."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def is_code_field(name: str) -> bool:
    """Return True for BC Code fields (numbers and codes), which are upper case."""
    return (
        name in ("no", "code")
        or name.endswith(("_code", "_no"))
        or name.endswith(("_code_default", "_no_default"))
    )


def _field_path(prefix: str, field: str) -> str:
    return f"{prefix}.{camel(field)}" if prefix else camel(field)


def _reference_exists(env: Env, field: str, value: Any) -> bool:
    if field == "salesperson_code":
        table = env.store.reference("salesperson")
        key = table.c.code
    elif field == "campaign_no":
        table = env.store.reference("campaign")
        key = table.c.no
    elif field in ("language_code", "language_code_default"):
        table = env.store.reference("language")
        key = table.c.code
    elif field == "interaction_template_code":
        key = InteractionTemplate.__table__.c.code
        table = InteractionTemplate.__table__
    elif field == "interaction_group_code":
        key = InteractionGroup.__table__.c.code
        table = InteractionGroup.__table__
    else:
        key = Attachment.__table__.c.no
        table = Attachment.__table__
    count = env.session.scalar(
        select(func.count()).select_from(table).where(key == value)
    )
    return bool(count)


def _clean_amount(
    field: str, value: Any, prefix: str
) -> tuple[Decimal | None, FieldError | None]:
    name = _field_path(prefix, field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        return None, FieldError(
            name,
            ErrorCode.INVALID,
            f"{camel(field)} {str(value)!r} is not a valid amount. Enter a number "
            f"between 0 and {MAX_AMOUNT}.",
        )
    if amount < 0:
        return None, FieldError(
            name,
            ErrorCode.INVALID,
            f"{camel(field)} {str(value)!r} is negative. Enter zero or a positive "
            "amount.",
        )
    # Adding zero turns -0 into 0.
    return amount.quantize(CENT, rounding=ROUND_HALF_UP) + 0, None


def clean_input(
    env: Env,
    values: Mapping[str, Any],
    *,
    table: Table,
    allowed: Iterable[str],
    options: Mapping[str, type[Enum]] | None = None,
    references: Iterable[str] = (),
    prefix: str = "input",
) -> dict[str, Any]:
    """Check and normalise input values; raise one ServiceError listing every problem.

    None means "not given" and is dropped. Text loses control characters' chance to
    reach the database, codes are upper-cased as BC Code fields are, amounts are
    rounded to cents, options must be valid and references must exist.
    """
    allowed = set(allowed)
    options = options or {}
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []

    for field, value in values.items():
        name = _field_path(prefix, field)
        if value is None:
            continue
        if field not in allowed:
            errors.append(
                FieldError(
                    name,
                    ErrorCode.INVALID,
                    f"{camel(field)} cannot be set here. Remove it from the input.",
                )
            )
            continue
        column = table.c.get(field)
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, str):
            match = CONTROL_CHARACTERS.search(value)
            if match is None and field in SINGLE_LINE_FIELDS:
                match = LINE_BREAK.search(value) or LINE_BREAK.search(
                    decoded_header(value)
                )
            if match:
                errors.append(
                    FieldError(
                        name,
                        ErrorCode.INVALID,
                        f"{camel(field)} contains the character "
                        f"U+{ord(match.group()):04X} at position {match.start() + 1}, "
                        "which text cannot contain. Remove it.",
                    )
                )
                continue
            if is_code_field(field):
                value = value.strip().upper()
        if field in options:
            allowed_options = {member.value for member in options[field]}
            if value not in allowed_options:
                listed = ", ".join(repr(option) for option in sorted(allowed_options))
                errors.append(
                    FieldError(
                        name,
                        ErrorCode.INVALID,
                        f"{camel(field)} {value!r} is not a valid option. Use one of: "
                        f"{listed}.",
                    )
                )
                continue
        if (
            column is not None
            and isinstance(column.type, Numeric)
            and not isinstance(value, bool)
        ):
            value, error = _clean_amount(field, value, prefix)
            if error:
                errors.append(error)
                continue
        length = getattr(column.type, "length", None) if column is not None else None
        if isinstance(value, str) and length and len(value) > length:
            errors.append(
                FieldError(
                    name,
                    ErrorCode.INVALID,
                    f"{camel(field)} is {len(value)} characters long; the maximum is "
                    f"{length}. Shorten the value.",
                )
            )
            continue
        cleaned[field] = value

    for field in references:
        value = cleaned.get(field)
        if value in (None, "") or field not in REFERENCES:
            continue
        if not _reference_exists(env, field, value):
            errors.append(
                FieldError(
                    _field_path(prefix, field),
                    ErrorCode.NOT_FOUND,
                    f"{REFERENCES[field]} {value!r} was not found. Choose an existing "
                    f"one or leave {camel(field)} blank.",
                )
            )
    if errors:
        raise ServiceError(errors)
    return cleaned


def clean_text(
    field: str, value: str, *, code: bool = False, max_length: int = 0
) -> str:
    """Check one text argument (not part of an input object); return it normalised."""
    match = CONTROL_CHARACTERS.search(value or "")
    if match:
        raise ServiceError.single(
            field,
            ErrorCode.INVALID,
            f"{field} contains the character U+{ord(match.group()):04X} at position "
            f"{match.start() + 1}, which text cannot contain. Remove it.",
        )
    value = (value or "").strip().upper() if code else value or ""
    if max_length and len(value) > max_length:
        raise ServiceError.single(
            field,
            ErrorCode.INVALID,
            f"{field} is {len(value)} characters long; the maximum is {max_length}. "
            "Shorten the value.",
        )
    return value
