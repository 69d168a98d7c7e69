"""Open Packaging Conventions helpers: namespaces, relationships, content types."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES_PART = "[Content_Types].xml"
PACKAGE_RELS_PART = "_rels/.rels"

# The parser reads uploaded files: no entity expansion, no network access.
XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_blank_text=False
)


def w_tag(local: str) -> str:
    return f"{{{W_NS}}}{local}"


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str
    external: bool

    @property
    def kind(self) -> str:
        """The last segment of the type URI ("header", "image", "hyperlink")."""
        return self.type.rsplit("/", 1)[-1]

    def to_xml(self) -> str:
        mode = ' TargetMode="External"' if self.external else ""
        return (
            f"<Relationship Id={quoteattr(self.id)} Type={quoteattr(self.type)}"
            f" Target={quoteattr(self.target)}{mode}/>"
        )


def parse_relationships(data: bytes) -> list[Relationship]:
    root = etree.fromstring(data, XML_PARSER)
    return [
        Relationship(
            id=element.get("Id", ""),
            type=element.get("Type", ""),
            target=element.get("Target", ""),
            external=element.get("TargetMode") == "External",
        )
        for element in root.iter(f"{{{PACKAGE_RELS_NS}}}Relationship")
    ]


def relationships_xml(relationships: list[Relationship]) -> bytes:
    body = "".join(rel.to_xml() for rel in relationships)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<Relationships xmlns="{PACKAGE_RELS_NS}">{body}</Relationships>'
    ).encode()


def rels_part_name(part_name: str) -> str:
    folder, base = posixpath.split(part_name)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve_target(source_part: str, target: str) -> str:
    """Return the part name a relationship target of `source_part` points to."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(folder, target))


def relative_target(source_part: str, part_name: str) -> str:
    return posixpath.relpath(part_name, posixpath.dirname(source_part) or ".")


@dataclass
class ContentTypes:
    """The [Content_Types].xml of a package: defaults by extension, overrides."""

    defaults: dict[str, str]
    overrides: dict[str, str]

    @classmethod
    def parse(cls, data: bytes) -> ContentTypes:
        root = etree.fromstring(data, XML_PARSER)
        defaults = {
            element.get("Extension", "").lower(): element.get("ContentType", "")
            for element in root.iter(f"{{{CONTENT_TYPES_NS}}}Default")
        }
        overrides = {
            element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
            for element in root.iter(f"{{{CONTENT_TYPES_NS}}}Override")
        }
        return cls(defaults, overrides)

    def of(self, part_name: str) -> str | None:
        if part_name in self.overrides:
            return self.overrides[part_name]
        extension = posixpath.splitext(part_name)[1].lstrip(".").lower()
        return self.defaults.get(extension)

    def to_xml(self) -> bytes:
        defaults = "".join(
            f"<Default Extension={quoteattr(ext)} ContentType={quoteattr(kind)}/>"
            for ext, kind in self.defaults.items()
        )
        overrides = "".join(
            f"<Override PartName={quoteattr('/' + name)}"
            f" ContentType={quoteattr(kind)}/>"
            for name, kind in self.overrides.items()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<Types xmlns="{CONTENT_TYPES_NS}">{defaults}{overrides}</Types>'
        ).encode()
