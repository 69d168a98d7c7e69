"""Interaction groups and templates, with the languages of a template."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from ..errors import ErrorCode, ServiceError, not_found
from ..models import (
    CorrespondenceType,
    InformationFlow,
    InitiatedBy,
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
    SegmentHeader,
)
from .env import Env
from .validation import clean_input, clean_text

logger = logging.getLogger(__name__)

GROUP_FIELDS = frozenset({"code", "description"})
TEMPLATE_FIELDS = frozenset(
    column.name for column in InteractionTemplate.__table__.columns
)
TEMPLATE_OPTIONS = {
    "correspondence_type_default": CorrespondenceType,
    "information_flow": InformationFlow,
    "initiated_by": InitiatedBy,
}
LANGUAGE_FIELDS = frozenset({"description", "subject", "attachment_no"})


def _require_code(values: dict[str, Any], entity: str) -> str:
    code = (values.get("code") or "").strip()
    if not code:
        raise ServiceError.single(
            "input.code",
            ErrorCode.REQUIRED,
            f"A code is required for the {entity}. Enter a code.",
        )
    return code


def _used_by(env: Env, column, value: str) -> int:
    return env.session.scalar(select(func.count()).where(column == value))


# --- Groups ---------------------------------------------------------------------


def create_interaction_group(env: Env, values: dict[str, Any]) -> InteractionGroup:
    values = clean_input(
        env, values, table=InteractionGroup.__table__, allowed=GROUP_FIELDS
    )
    code = _require_code(values, "interaction group")
    if env.session.get(InteractionGroup, code) is not None:
        raise ServiceError.single(
            "input.code",
            ErrorCode.DUPLICATE,
            f"Interaction group {code!r} already exists. Choose another code.",
        )
    group = InteractionGroup(code=code, description=values.get("description") or "")
    env.session.add(group)
    env.session.flush()
    return group


def get_interaction_group(env: Env, code: str) -> InteractionGroup:
    code = clean_text("code", code, code=True)
    group = env.session.get(InteractionGroup, code)
    if group is None:
        raise not_found("code", "Interaction group", code)
    return group


def update_interaction_group(
    env: Env, code: str, values: dict[str, Any]
) -> InteractionGroup:
    values = clean_input(
        env, values, table=InteractionGroup.__table__, allowed=GROUP_FIELDS - {"code"}
    )
    group = get_interaction_group(env, code)
    for key, value in values.items():
        setattr(group, key, value)
    env.session.flush()
    return group


def delete_interaction_group(env: Env, code: str) -> None:
    group = get_interaction_group(env, code)
    templates = _used_by(env, InteractionTemplate.interaction_group_code, code)
    if templates:
        raise ServiceError.single(
            "code",
            ErrorCode.INVALID,
            f"Interaction group {code!r} is used by {templates} interaction templates. "
            "Move or delete those templates first.",
        )
    env.session.delete(group)
    env.session.flush()


# --- Templates ------------------------------------------------------------------


def _clean_template_values(env: Env, values: dict[str, Any]) -> dict[str, Any]:
    return clean_input(
        env,
        values,
        table=InteractionTemplate.__table__,
        allowed=TEMPLATE_FIELDS,
        options=TEMPLATE_OPTIONS,
        references=("interaction_group_code", "campaign_no", "language_code_default"),
    )


def create_interaction_template(
    env: Env, values: dict[str, Any]
) -> InteractionTemplate:
    values = _clean_template_values(env, values)
    code = _require_code(values, "interaction template")
    if not values.get("interaction_group_code"):
        raise ServiceError.single(
            "input.interactionGroupCode",
            ErrorCode.REQUIRED,
            "An interaction group is required for a template. "
            "Choose an existing group.",
        )
    if env.session.get(InteractionTemplate, code) is not None:
        raise ServiceError.single(
            "input.code",
            ErrorCode.DUPLICATE,
            f"Interaction template {code!r} already exists. Choose another code.",
        )
    values["code"] = code
    template = InteractionTemplate(**values)
    env.session.add(template)
    env.session.flush()
    return template


def get_interaction_template(
    env: Env, code: str, field: str = "code"
) -> InteractionTemplate:
    code = clean_text(field, code, code=True)
    template = env.session.get(InteractionTemplate, code)
    if template is None:
        raise not_found(field, "Interaction template", code)
    return template


def update_interaction_template(
    env: Env, code: str, values: dict[str, Any]
) -> InteractionTemplate:
    values = _clean_template_values(env, values)
    values.pop("code", None)
    template = get_interaction_template(env, code)
    if "interaction_group_code" in values and not values["interaction_group_code"]:
        raise ServiceError.single(
            "input.interactionGroupCode",
            ErrorCode.REQUIRED,
            "An interaction group is required for a template. "
            "Choose an existing group.",
        )
    for key, value in values.items():
        setattr(template, key, value)
    env.session.flush()
    return template


def delete_interaction_template(env: Env, code: str) -> None:
    template = get_interaction_template(env, code)
    # The log is a ledger: a template it refers to stays, as in Business Central.
    entries = _used_by(env, InteractionLogEntry.interaction_template_code, code)
    segments = _used_by(env, SegmentHeader.interaction_template_code, code)
    if entries or segments:
        raise ServiceError.single(
            "code",
            ErrorCode.INVALID,
            f"Interaction template {code!r} is used by {entries} interaction log "
            f"entries and {segments} open segments, so it cannot be deleted. Keep it, "
            "or delete those segments first if no log entry uses it.",
        )
    env.session.delete(template)
    env.session.flush()


def set_template_language(
    env: Env, template_code: str, language_code: str, values: dict[str, Any]
) -> InteractionTemplateLanguage:
    """Create or change one language of a template."""
    values = clean_input(
        env,
        values,
        table=InteractionTemplateLanguage.__table__,
        allowed=LANGUAGE_FIELDS,
        references=("attachment_no",),
    )
    template = get_interaction_template(env, template_code, field="templateCode")
    language_code = clean_text("languageCode", language_code, code=True, max_length=10)
    if not language_code:
        raise ServiceError.single(
            "languageCode", ErrorCode.REQUIRED, "A language code is required."
        )
    clean_input(
        env,
        {"language_code": language_code},
        table=InteractionTemplateLanguage.__table__,
        allowed=("language_code",),
        references=("language_code",),
        prefix="",
    )
    row = env.session.get(InteractionTemplateLanguage, (template.code, language_code))
    if row is None:
        row = InteractionTemplateLanguage(
            interaction_template_code=template.code,
            language_code=language_code,
            description="",
            subject="",
        )
        env.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    env.session.flush()
    return row


def delete_template_language(env: Env, template_code: str, language_code: str) -> None:
    template = get_interaction_template(env, template_code, field="templateCode")
    language_code = clean_text("languageCode", language_code, code=True)
    row = env.session.get(InteractionTemplateLanguage, (template.code, language_code))
    if row is None:
        raise ServiceError.single(
            "languageCode",
            ErrorCode.NOT_FOUND,
            f"Template {template.code!r} has no language {language_code!r}. Check the "
            "template's languages.",
        )
    env.session.delete(row)
    env.session.flush()
