"""Helpers shared by the domain types."""

from __future__ import annotations

import dataclasses
from enum import Enum
from functools import cache
from typing import Any

import strawberry


@cache
def _public_field_names(type_class: type) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in dataclasses.fields(type_class)
        if field.init and not field.name.startswith("_")
    )


def model_values(type_class: type, model: Any) -> dict[str, Any]:
    """Return the public fields of a Strawberry type read from a model or row."""
    return {name: getattr(model, name) for name in _public_field_names(type_class)}


def input_values(data: Any) -> dict[str, Any]:
    """Return the fields an input object sets, with options as their stored strings.

    Fields left out of the request (UNSET) are not in the result, so an update
    changes only what the client sent. An explicit null is kept as None.
    """
    values: dict[str, Any] = {}
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if value is strawberry.UNSET:
            continue
        if isinstance(value, Enum):
            value = value.value
        values[field.name] = value
    return values
