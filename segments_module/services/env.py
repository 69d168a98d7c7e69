"""The environment of a service call: session, acting user, settings and store."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..config import Settings
from ..contact_store import ContactStore, EmbeddedContactStore


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a service runs; access rules read `groups`."""

    user_id: str
    groups: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Env:
    session: Session
    actor: Actor
    settings: Settings = field(default_factory=Settings)
    store: ContactStore = field(default_factory=EmbeddedContactStore)
