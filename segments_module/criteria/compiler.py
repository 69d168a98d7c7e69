"""Turn a criteria tree into one SQL condition over a contacts row.

Contact fields filter the row itself. Every other source becomes a correlated EXISTS
on its rows, with all the field filters of that source applied to the same row.
Mailing groups, job responsibilities, profile answers and interactions belong to the
contact; industry groups and business relations belong to the contact's company, so
a person matches through the rows of its company. Suppression (Exclude from Segment,
Privacy Blocked) is applied on top of this condition by the services.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    not_,
    or_,
    select,
    true,
)

from ..contact_store import ContactStore
from ..errors import ErrorCode, FieldError, ServiceError
from ..models import InteractionLogEntry
from .filters import (
    MAX_FILTER_LENGTH,
    FilterSyntaxError,
    describe_filter,
    filter_condition,
    parse_filter,
)
from .model import (
    CODE_SOURCES,
    CONTACT_FIELDS,
    INTERACTION_FIELDS,
    PROFILE_ANSWER_FIELDS,
    ContactCriteria,
    FieldInfo,
)

# Nodes in one criteria tree, the root and every allOf, anyOf and not child.
MAX_CRITERIA_NODES = 200
# Levels of allOf, anyOf and not below the root. Each level nests the SQL one or two
# groups deeper, and SQLite before 3.46 fails with "parser stack overflow" at about
# 20 nested EXISTS. At this depth, with a filter at MAX_FILTER_DEPTH, Add Contacts
# and Refine ran on SQLite 3.40, but at 12 levels they failed.
MAX_CRITERIA_DEPTH = 8
# Characters of all filters of one tree together. It bounds the parsing time and the
# bound parameters of one statement, which SQLite limits to 32,766 from 3.32 on.
MAX_CRITERIA_LENGTH = 10_000
# Characters of a filter value quoted in an error message.
_SHOWN_LENGTH = 100

# Sources whose filters are a dict of field name -> filter, with their fields.
_FIELD_SOURCES: dict[str, dict[str, FieldInfo]] = {
    "contact": CONTACT_FIELDS,
    "profile_answer": PROFILE_ANSWER_FIELDS,
    "interaction": INTERACTION_FIELDS,
}


@dataclass(frozen=True)
class FilterDescription:
    """One filter of a criteria tree, as stored on a Filter criteria line.

    `path` locates the node ("" for the root, "anyOf[1].not"), `source` is a key of
    SOURCE_CAPTIONS, `field` the Python field name (for single-field sources, the
    column name such as "mailing_group_code"), `filter` the text the user wrote and
    `view` the readable text.
    """

    path: str
    source: str
    field: str
    filter: str
    view: str


@dataclass(frozen=True)
class _Leaf:
    """One non-empty filter in the tree and where it sits."""

    path: tuple[str, ...]
    source: str
    key: str  # the dict key, or the source name for single-field sources
    info: FieldInfo
    text: str

    @property
    def input_field(self) -> str:
        """Return the GraphQL input path below the criteria root."""
        parts = [*self.path, graphql_field_name(self.source)]
        if self.source in _FIELD_SOURCES:
            parts.append(graphql_field_name(self.key))
        return ".".join(parts)


def graphql_field_name(name: str) -> str:
    """Return the GraphQL spelling of a Python name: "country_code" -> "countryCode"."""
    first, *rest = name.rstrip("_").split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


# --- Walking the tree --------------------------------------------------------------


def _filter_text(value: object) -> str | None:
    """Return the filter text of a criteria value, or None when it filters nothing."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def _children(
    node: ContactCriteria, path: tuple[str, ...]
) -> Iterator[tuple[ContactCriteria, tuple[str, ...]]]:
    for index, child in enumerate(node.all_of):
        yield child, (*path, f"allOf[{index}]")
    for index, child in enumerate(node.any_of):
        yield child, (*path, f"anyOf[{index}]")
    if node.not_ is not None:
        yield node.not_, (*path, "not")


def _node_leaves(
    node: ContactCriteria, path: tuple[str, ...], errors: list[FieldError], prefix: str
) -> list[_Leaf]:
    """Return the filters of one node (not its children), in a fixed order.

    Unknown field keys and values that are not text are added to `errors`.
    """
    leaves = _field_leaves(node, "contact", path, errors, prefix)
    for source, (info, _held_by_company) in CODE_SOURCES.items():
        value = getattr(node, source)
        if _is_not_text(value):
            errors.append(_not_text_error(prefix, path, source, source, value))
        elif (text := _filter_text(value)) is not None:
            leaves.append(_Leaf(path, source, source, info, text))
    leaves += _field_leaves(node, "profile_answer", path, errors, prefix)
    leaves += _field_leaves(node, "interaction", path, errors, prefix)
    return leaves


def _field_leaves(
    node: ContactCriteria,
    source: str,
    path: tuple[str, ...],
    errors: list[FieldError],
    prefix: str,
) -> list[_Leaf]:
    fields = _FIELD_SOURCES[source]
    values = getattr(node, source) or {}
    for key in values:
        if key not in fields:
            location = ".".join([prefix, *path, graphql_field_name(source)])
            errors.append(_unknown_field_error(location, source, key, fields))

    leaves = []
    for key, info in fields.items():
        value = values.get(key)
        if _is_not_text(value):
            errors.append(_not_text_error(prefix, path, source, key, value))
        elif (text := _filter_text(value)) is not None:
            leaves.append(_Leaf(path, source, key, info, text))
    return leaves


def _is_not_text(value: object) -> bool:
    """Tell whether a criteria value is neither None, text nor a whole number."""
    if value is None or isinstance(value, str):
        return False
    return isinstance(value, bool) or not isinstance(value, int)


def _walk(
    criteria: ContactCriteria, errors: list[FieldError], prefix: str
) -> Iterator[_Leaf]:
    """Yield every filter of the tree: a node's own filters, then its children's."""
    pending = [(criteria, ())]
    while pending:
        node, path = pending.pop()
        yield from _node_leaves(node, path, errors, prefix)
        pending.extend(reversed(list(_children(node, path))))


def _unknown_field_error(
    location: str, source: str, key: str, fields: dict[str, FieldInfo]
) -> FieldError:
    known = ", ".join(graphql_field_name(name) for name in fields)
    return FieldError(
        location,
        ErrorCode.INVALID_FILTER,
        f'Unknown {source.replace("_", " ")} field "{key}" in {location}.'
        f" Use one of: {known}.",
    )


def _not_text_error(
    prefix: str, path: tuple[str, ...], source: str, key: str, value: object
) -> FieldError:
    leaf = _Leaf(path, source, key, FieldInfo(key, key), "")
    location = f"{prefix}.{leaf.input_field}"
    return FieldError(
        location,
        ErrorCode.INVALID_FILTER,
        f"Invalid filter {value!r} in {location}: a filter must be text."
        ' Write it as a string, e.g. "10000..20000".',
    )


# --- Size limits -------------------------------------------------------------------


def _size_errors(criteria: ContactCriteria, prefix: str) -> list[FieldError]:
    """Check the tree against the MAX_* limits without parsing any filter."""
    errors: list[FieldError] = []
    nodes = 0
    deepest: tuple[str, ...] = ()
    pending: list[tuple[ContactCriteria, tuple[str, ...]]] = [(criteria, ())]
    while pending:
        node, path = pending.pop()
        nodes += 1
        if len(path) > len(deepest):
            deepest = path
        pending.extend(_children(node, path))

    if nodes > MAX_CRITERIA_NODES:
        errors.append(
            FieldError(
                prefix,
                ErrorCode.INVALID_FILTER,
                f"The criteria tree {prefix} has {nodes:,} nodes, more than the"
                f" maximum of {MAX_CRITERIA_NODES}. Combine values in one filter,"
                " e.g. GB|US, instead of one anyOf node per value.",
            )
        )
    if len(deepest) > MAX_CRITERIA_DEPTH:
        location = ".".join([prefix, *deepest[: MAX_CRITERIA_DEPTH + 1]])
        errors.append(
            FieldError(
                location,
                ErrorCode.INVALID_FILTER,
                f"The criteria tree {prefix} is nested {len(deepest)} levels deep"
                f" at {location}, more than the maximum of {MAX_CRITERIA_DEPTH}."
                " Join nested allOf nodes into one, and write not(not(X)) as X.",
            )
        )
    if errors:
        # A tree with too many nodes is rejected without walking its filters.
        return errors

    total = 0
    for leaf in _walk(criteria, [], prefix):
        total += len(leaf.text)
        if len(leaf.text) > MAX_FILTER_LENGTH:
            location = f"{prefix}.{leaf.input_field}"
            errors.append(
                FieldError(
                    location,
                    ErrorCode.INVALID_FILTER,
                    f'The filter "{_shown(leaf.text)}" in {location} is'
                    f" {len(leaf.text):,} characters long, more than the maximum of"
                    f" {MAX_FILTER_LENGTH:,}. Shorten it, or use a range or a"
                    " wildcard such as CT1000* in place of a long list.",
                )
            )
    if total > MAX_CRITERIA_LENGTH and not errors:
        # A filter over MAX_FILTER_LENGTH is reported alone, being the one to shorten.
        errors.append(
            FieldError(
                prefix,
                ErrorCode.INVALID_FILTER,
                f"The filters of {prefix} are {total:,} characters long together,"
                f" more than the maximum of {MAX_CRITERIA_LENGTH:,}. Use ranges or"
                " wildcards in place of long lists of values.",
            )
        )
    return errors


def _shown(text: str) -> str:
    """Return a filter for an error message: control characters escaped, cut short."""
    escaped = "".join(
        char if char == "\t" or char.isprintable() else f"\\u{ord(char):04x}"
        for char in text[: _SHOWN_LENGTH + 1]
    )
    if len(text) > _SHOWN_LENGTH:
        return escaped[:_SHOWN_LENGTH] + "..."
    return escaped


# --- Public API ----------------------------------------------------------------------


def validate_criteria(
    criteria: ContactCriteria, field_prefix: str = "criteria"
) -> None:
    """Check the whole tree and raise one ServiceError listing every invalid filter.

    The size limits (MAX_CRITERIA_NODES, MAX_CRITERIA_DEPTH, MAX_FILTER_LENGTH and
    MAX_CRITERIA_LENGTH) are checked first, and a tree that breaks one of them is
    rejected without parsing any filter.
    """
    if size_errors := _size_errors(criteria, field_prefix):
        raise ServiceError(size_errors)

    errors: list[FieldError] = []
    for leaf in _walk(criteria, errors, field_prefix):
        try:
            parse_filter(leaf.text, leaf.info)
        except FilterSyntaxError as error:
            location = f"{field_prefix}.{leaf.input_field}"
            message = (
                f'Invalid filter "{_shown(leaf.text)}" in {location} at position'
                f" {error.position}: {error.reason}."
            )
            if error.hint:
                message += f" {error.hint}"
            errors.append(FieldError(location, ErrorCode.INVALID_FILTER, message))
    if errors:
        raise ServiceError(errors)


def criteria_condition(
    criteria: ContactCriteria,
    store: ContactStore,
    contact: FromClause,
    *,
    today: date,
) -> ColumnElement[bool]:
    """Build the condition that a row of `contact` matches the criteria.

    `contact` is the selectable of `store.contacts()` or an alias of it, and `today`
    is the local date in the configured time zone. Raises ServiceError for invalid
    filters.
    """
    validate_criteria(criteria)
    return _Compiler(store, contact, today).node(criteria)


def matching_contacts(
    criteria: ContactCriteria, store: ContactStore, *, today: date
) -> Select:
    """Return `select(contact.no)` of every contact that matches the criteria."""
    contact = store.contacts()
    condition = criteria_condition(criteria, store, contact, today=today)
    return select(contact.c.no).where(condition)


def describe_criteria(criteria: ContactCriteria) -> list[FilterDescription]:
    """Describe every non-empty filter, node by node in tree order.

    Within a node the order is: contact fields, single-field sources, profile answer
    fields, interaction fields, each in the order of the field tables in model.py.
    Raises ServiceError for invalid filters.
    """
    validate_criteria(criteria)
    return [
        FilterDescription(
            path=".".join(leaf.path),
            source=leaf.source,
            field=leaf.info.column if leaf.source in CODE_SOURCES else leaf.key,
            filter=leaf.text,
            view=describe_filter(leaf.text, leaf.info),
        )
        for leaf in _walk(criteria, [], "criteria")
    ]


# --- SQL -----------------------------------------------------------------------------


class _Compiler:
    def __init__(self, store: ContactStore, contact: FromClause, today: date):
        self.store = store
        self.contact = contact
        self.today = today

    def node(self, node: ContactCriteria) -> ColumnElement[bool]:
        conditions = []
        leaves = _node_leaves(node, (), [], "criteria")

        for leaf in leaves:
            if leaf.source == "contact":
                column = self.contact.c[leaf.info.column]
                conditions.append(self.filter(leaf, column))
        for source, (_info, held_by_company) in CODE_SOURCES.items():
            source_leaves = [leaf for leaf in leaves if leaf.source == source]
            if source_leaves:
                owner = "company_no" if held_by_company else "no"
                rows = self.store.related(source).alias()
                conditions.append(self.exists(rows, owner, source_leaves))
        profile_leaves = [leaf for leaf in leaves if leaf.source == "profile_answer"]
        if profile_leaves:
            rows = self.store.related("profile_answer").alias()
            conditions.append(self.exists(rows, "no", profile_leaves))
        interaction_leaves = [leaf for leaf in leaves if leaf.source == "interaction"]
        if interaction_leaves:
            rows = InteractionLogEntry.__table__.alias()
            conditions.append(self.exists(rows, "no", interaction_leaves))

        conditions.extend(self.node(child) for child in node.all_of)
        if node.any_of:
            conditions.append(or_(*(self.node(child) for child in node.any_of)))
        if node.not_ is not None:
            conditions.append(not_(self.node(node.not_)))
        return and_(*conditions) if conditions else true()

    def filter(self, leaf: _Leaf, column: ColumnElement) -> ColumnElement[bool]:
        return filter_condition(leaf.text, column, leaf.info, today=self.today)

    def exists(
        self, rows: FromClause, owner: str, leaves: list[_Leaf]
    ) -> ColumnElement[bool]:
        """Return EXISTS of a row of `rows`, owned by the contact, passing all leaves.

        `owner` is the contact column the rows' contact_no points to: "no" for rows of
        the contact itself, "company_no" for rows held by its company.
        """
        conditions = [rows.c.contact_no == self.contact.c[owner]]
        conditions.extend(
            self.filter(leaf, rows.c[leaf.info.column]) for leaf in leaves
        )
        return (
            select(rows.c.contact_no)
            .where(*conditions)
            .correlate(self.contact)
            .exists()
        )
