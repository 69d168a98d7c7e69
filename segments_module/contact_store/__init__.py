"""How the module reaches the host's contacts: the store interface and the default."""

from .base import CONTACT_COLUMNS, RELATED_SOURCES, ContactStore
from .embedded import EmbeddedContactStore

__all__ = ["CONTACT_COLUMNS", "RELATED_SOURCES", "ContactStore", "EmbeddedContactStore"]
