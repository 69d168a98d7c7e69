"""Checks shared by the services: codes that must exist, option values, lengths."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from sqlalchemy import Table, func, select

from ..errors import ErrorCode, FieldError, ServiceError
from ..models import InteractionGroup, InteractionTemplate
from .env import Env


def camel(name: str) -> str:
    """Return the GraphQL spelling of a snake_case field name."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def reference_exists(env: Env, name: str, value: str) -> bool:
    """Return True when the store's reference table `name` has the key `value`."""
    table = env.store.reference(name)
    key = table.c.code if "code" in table.c else table.c.no
    count = env.session.scalar(
        select(func.count()).select_from(table).where(key == value)
    )
    return bool(count)


def row_exists(env: Env, table: Table, column: str, value: object) -> bool:
    count = env.session.scalar(
        select(func.count()).select_from(table).where(table.c[column] == value)
    )
    return bool(count)


def check_codes(env: Env, values: dict[str, Any], prefix: str = "input") -> None:
    """Raise one error per code in `values` that names nothing (blank codes pass)."""
    errors: list[FieldError] = []
    checks = {
        "salesperson_code": ("salesperson", "Salesperson"),
        "campaign_no": ("campaign", "Campaign"),
    }
    for field, (reference, caption) in checks.items():
        value = values.get(field)
        if value and not reference_exists(env, reference, value):
            errors.append(_missing(prefix, field, caption, value))
    template_code = values.get("interaction_template_code")
    if template_code and not row_exists(
        env, InteractionTemplate.__table__, "code", template_code
    ):
        errors.append(
            _missing(
                prefix,
                "interaction_template_code",
                "Interaction template",
                template_code,
            )
        )
    group_code = values.get("interaction_group_code")
    if group_code and not row_exists(
        env, InteractionGroup.__table__, "code", group_code
    ):
        errors.append(
            _missing(prefix, "interaction_group_code", "Interaction group", group_code)
        )
    if errors:
        raise ServiceError(errors)


def _missing(prefix: str, field: str, caption: str, value: str) -> FieldError:
    return FieldError(
        f"{prefix}.{camel(field)}",
        ErrorCode.NOT_FOUND,
        f"{caption} {value!r} was not found. Choose an existing code or leave "
        f"{camel(field)} blank.",
    )


def check_option(
    field: str, value: Any, options: type[Enum], prefix: str = "input"
) -> str:
    """Return the stored string of an option value, or raise naming the allowed ones."""
    if isinstance(value, options):
        return value.value
    allowed = {member.value for member in options}
    if value in allowed:
        return value
    listed = ", ".join(repr(option) for option in sorted(allowed))
    raise ServiceError.single(
        f"{prefix}.{camel(field)}",
        ErrorCode.INVALID,
        f"{camel(field)} {value!r} is not a valid option. Use one of: {listed}.",
    )


def reject_unknown_fields(
    values: dict[str, Any], allowed: Iterable[str], prefix: str = "input"
) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ServiceError(
            [
                FieldError(
                    f"{prefix}.{camel(name)}",
                    ErrorCode.INVALID,
                    f"{camel(name)} cannot be set here. Remove it from the input.",
                )
                for name in unknown
            ]
        )


def check_lengths(table: Table, values: dict[str, Any], prefix: str = "input") -> None:
    """Raise when a text value is longer than its column."""
    errors = []
    for name, value in values.items():
        if not isinstance(value, str) or name not in table.c:
            continue
        length = getattr(table.c[name].type, "length", None)
        if length and len(value) > length:
            errors.append(
                FieldError(
                    f"{prefix}.{camel(name)}",
                    ErrorCode.INVALID,
                    f"{camel(name)} is {len(value)} characters long; the maximum is "
                    f"{length}. Shorten the value.",
                )
            )
    if errors:
        raise ServiceError(errors)
