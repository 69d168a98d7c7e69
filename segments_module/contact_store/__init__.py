"""The contact store: the interface to the host's contacts and its default."""

from .base import CONTACT_COLUMNS, RELATED_SOURCES, ContactStore
from .embedded import EmbeddedContactStore

__all__ = ["CONTACT_COLUMNS", "RELATED_SOURCES", "ContactStore", "EmbeddedContactStore"]
