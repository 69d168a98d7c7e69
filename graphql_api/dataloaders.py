"""Base classes of the per-request dataloaders.

A loader collects keys and loads them with one set-based query on the request's
read session, so a list field never costs one query per row. Resolvers stay
synchronous: a list resolver primes the loaders of its node type with the keys
of its page, and the first `get` loads every primed key at once. A key that was
not primed is loaded together with whatever else is pending, so priming changes
the number of queries, never a result.

A query operation runs on a worker thread (see `Schema.execute`), so loaders may
block on the database without holding up the event loop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from .pagination import (
    Connection,
    PageArgs,
    SortKey,
    build_connection,
    cursor_conditions,
    encode_cursor,
    page_order,
)

if TYPE_CHECKING:
    from .context import Context

KeyType = TypeVar("KeyType", bound=Hashable)
ValueType = TypeVar("ValueType")


class BatchLoader(Generic[KeyType, ValueType]):
    """A loader of one value per key, loading all pending keys in one batch."""

    def __init__(self, context: Context):
        self.context = context
        self._values: dict[KeyType, ValueType] = {}
        # A dict rather than a set keeps the keys in the order they were primed.
        self._pending: dict[KeyType, None] = {}

    def prime(self, keys: Iterable[KeyType]) -> None:
        """Remember keys to load with the next batch."""
        for key in keys:
            if key not in self._values:
                self._pending[key] = None

    def get(self, key: KeyType) -> ValueType:
        if key not in self._values:
            self._pending[key] = None
            keys = list(self._pending)
            self._pending.clear()
            values = self.load_batch(self.context.session, keys)
            self._values.update(zip(keys, values, strict=True))
        return self._values[key]

    def load_batch(self, session: Session, keys: list[KeyType]) -> list[ValueType]:
        """Return the value of each key, in the order of `keys`."""
        raise NotImplementedError


class RowsByKeyLoader(BatchLoader[Any, list[Any]]):
    """Load the rows of `model` whose `key_column` equals a key, in `order_by` order."""

    model: ClassVar[type]
    key_column: ClassVar[str]
    order_by: ClassVar[tuple[str, ...]]

    def load_batch(self, session: Session, keys: list[Any]) -> list[list[Any]]:
        key_attribute = getattr(self.model, self.key_column)
        statement = (
            select(self.model)
            .where(key_attribute.in_(keys))
            .order_by(*(getattr(self.model, name) for name in self.order_by))
        )
        rows_by_key: dict[Any, list[Any]] = defaultdict(list)
        for row in session.scalars(statement):
            rows_by_key[getattr(row, self.key_column)].append(row)
        return [rows_by_key.get(key, []) for key in keys]


class CountByKeyLoader(BatchLoader[Any, int]):
    """Count the rows of `model` per value of `key_column` with one GROUP BY."""

    model: ClassVar[type]
    key_column: ClassVar[str]

    def conditions(self) -> list[ColumnElement[bool]]:
        return []

    def load_batch(self, session: Session, keys: list[Any]) -> list[int]:
        key_attribute = getattr(self.model, self.key_column)
        statement = (
            select(key_attribute, func.count())
            .where(key_attribute.in_(keys), *self.conditions())
            .group_by(key_attribute)
        )
        counts = {key: count for key, count in session.execute(statement)}
        return [counts.get(key, 0) for key in keys]


@dataclass(frozen=True)
class ChildPageKey:
    """One parent and the page of its children that a nested connection requests."""

    parent: Any
    page: PageArgs


class ChildPageLoader:
    """Load one page of children for many parents with one windowed query.

    Children are numbered per parent with ROW_NUMBER() in page order, after the
    keyset condition of the cursors, and only the first limit + 1 of each parent
    are returned (the extra row shows whether another page exists). The first
    request for a page loads it for every primed parent.
    """

    model: ClassVar[type]
    parent_column: ClassVar[str]
    # Columns of the order; together with the parent they identify a child.
    sort_columns: ClassVar[tuple[str, ...]]
    cursor_kind: ClassVar[str]

    def __init__(self, context: Context):
        self.context = context
        self._parents: dict[Any, None] = {}
        self._pages: dict[ChildPageKey, list[Any]] = {}

    @classmethod
    def sort_keys(cls) -> list[SortKey]:
        return [SortKey(getattr(cls.model, name)) for name in cls.sort_columns]

    @classmethod
    def cursor_values(cls, child: Any) -> list[Any]:
        return [getattr(child, name) for name in cls.sort_columns]

    def prime(self, parents: Iterable[Any]) -> None:
        self._parents.update(dict.fromkeys(parents))

    def get(self, parent: Any, page: PageArgs) -> list[Any]:
        """Return up to page.limit + 1 children of `parent`, in page order."""
        key = ChildPageKey(parent, page)
        if key not in self._pages:
            self._parents[parent] = None
            parents = [
                candidate
                for candidate in self._parents
                if ChildPageKey(candidate, page) not in self._pages
            ]
            children = self._load_page(self.context.session, page, parents)
            for candidate in parents:
                self._pages[ChildPageKey(candidate, page)] = children[candidate]
            self.after_load([child for rows in children.values() for child in rows])
        return self._pages[key]

    def after_load(self, children: list[Any]) -> None:
        """Prime the loaders that the children's fields use."""

    def _load_page(
        self, session: Session, page: PageArgs, parents: Sequence[Any]
    ) -> dict[Any, list[Any]]:
        children: dict[Any, list[Any]] = {parent: [] for parent in parents}
        if page.limit == 0:
            return children

        parent_attribute: InstrumentedAttribute = getattr(
            self.model, self.parent_column
        )
        keys = self.sort_keys()
        rank = (
            func.row_number()
            .over(
                partition_by=parent_attribute, order_by=page_order(keys, page.backward)
            )
            .label("page_rank")
        )
        numbered = (
            select(self.model, rank)
            .where(
                parent_attribute.in_(parents),
                *cursor_conditions(self.cursor_kind, keys, page),
            )
            .subquery()
        )
        child_entity = aliased(self.model, numbered)
        statement = (
            select(child_entity)
            .where(numbered.c.page_rank <= page.limit + 1)
            .order_by(numbered.c[self.parent_column], numbered.c.page_rank)
        )
        for child in session.scalars(statement):
            children[getattr(child, self.parent_column)].append(child)
        return children


def load_child_connection(
    loader: ChildPageLoader,
    parent: Any,
    page: PageArgs,
    to_node: Callable[[Any], Any],
    count_total: Callable[[], int],
) -> Connection[Any]:
    """Resolve a nested connection through a ChildPageLoader."""
    # Decode the cursors first so that a bad cursor fails this field alone.
    cursor_conditions(loader.cursor_kind, loader.sort_keys(), page)
    children = loader.get(parent, page)
    return build_connection(
        children,
        page,
        lambda child: encode_cursor(loader.cursor_kind, loader.cursor_values(child)),
        to_node,
        count_total,
    )
