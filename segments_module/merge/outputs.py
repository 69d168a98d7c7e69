"""Outputs for many letters: one combined .docx, or a zip of one .docx per letter.

Both writers stream to disk. The zip of documents keeps its central directory and
its file names in temporary files, so its memory stays flat however many letters
are added. The combined document keeps small per-letter records in memory:
each letter's copy of a header or footer with fields has a ZipInfo in zipfile,
a relationship and a content-type entry.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from .engine import MergeTemplate, PartTemplate
from .package import (
    CONTENT_TYPES_PART,
    MC_NS,
    XML_PARSER,
    ContentTypes,
    Relationship,
    parse_relationships,
    relationships_xml,
    relative_target,
    rels_part_name,
    resolve_target,
    w_tag,
)
from .zipwriter import StreamingZipWriter

logger = logging.getLogger(__name__)

_COMPRESS_LEVEL = 1
_COPY_BUFFER = 1024 * 1024
# Parts that a package has once; a letter's body never refers to them by id.
_PACKAGE_WIDE_KINDS = {
    "styles",
    "stylesWithEffects",
    "numbering",
    "settings",
    "webSettings",
    "fontTable",
    "theme",
    "footnotes",
    "endnotes",
    "comments",
    "commentsExtended",
    "commentsIds",
    "commentsExtensible",
    "people",
    "customXml",
    "glossaryDocument",
    "customXmlProps",
}


def _open_zip(target: str | Path | BinaryIO) -> zipfile.ZipFile:
    return zipfile.ZipFile(
        target, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL
    )


# Zip of documents ------------------------------------------------------------------


class _NameIndex:
    """The file names in a zip, kept in a temporary SQLite database on disk.

    A Python set of 100,000 names such as "CT0000001.docx" takes 10 MB
    (tracemalloc), while SQLite keeps only its page cache, 2 MB by default, in
    memory.
    """

    def __init__(self) -> None:
        # An empty file name opens a private temporary database, deleted on close.
        # The writer is used from one thread at a time, possibly not the one that
        # created it.
        self._connection = sqlite3.connect("", check_same_thread=False)
        self._connection.execute(
            "CREATE TABLE names (name TEXT PRIMARY KEY) WITHOUT ROWID"
        )

    def add(self, name: str) -> bool:
        """Add `name`; return False when it was added before."""
        try:
            self._connection.execute("INSERT INTO names VALUES (?)", (name,))
        except sqlite3.IntegrityError:
            return False
        return True

    def close(self) -> None:
        self._connection.close()


class ZipOfDocumentsWriter:
    """Write a zip archive with one merged .docx per letter.

    Each letter goes straight to the target and its central directory record to a
    temporary file (see StreamingZipWriter), so memory does not grow with the
    number of letters. The .docx files are STORED because they are compressed
    already: deflating a merged Business Central thank-you note (17 kB) again at
    zlib level 1 saves 7.5 % of its size.
    """

    def __init__(self, target: str | Path | BinaryIO) -> None:
        self._archive = StreamingZipWriter(target)
        self._names = _NameIndex()
        self._started = time.perf_counter()

    def __enter__(self) -> ZipOfDocumentsWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def add(
        self,
        file_name: str,
        template: MergeTemplate,
        values: Mapping[str, object],
        locale: str = "en",
    ) -> list[str]:
        """Merge one letter into the archive as `file_name`; return its warnings.

        Raises ValueError for a file name that is empty, absolute, contains ".."
        or was used before, and after close.
        """
        if self._archive.closed:
            raise ValueError(
                f'Cannot add "{file_name}": the zip is closed. Add every letter'
                " before calling close()."
            )
        name = file_name.replace("\\", "/")
        parts = name.split("/")
        if not name.strip() or name.startswith("/") or ".." in parts:
            raise ValueError(
                f'Invalid file name "{file_name}" for the zip: use a relative name'
                ' such as "CT000123.docx" without ".." or a leading slash.'
            )
        if not self._names.add(name):
            raise ValueError(
                f'The file name "{file_name}" is already in the zip: give each'
                " letter its own file name, for example with the contact no."
            )
        result = template.render(values, locale=locale)
        self._archive.add(name, result.content)
        return result.warnings

    def close(self) -> None:
        if self._archive.closed:
            return
        try:
            self._archive.close()
        finally:
            self._names.close()
        logger.info(
            "wrote zip of %d merged documents in %.1f s",
            self._archive.entries,
            time.perf_counter() - self._started,
        )


# Combined document -----------------------------------------------------------------


@dataclass
class _TemplateState:
    """The per-template state of the combined package: renamed ids and copied parts."""

    template: MergeTemplate
    number: int
    body: PartTemplate
    # Relationship ids of the template -> ids in the combined package.
    shared_ids: dict[str, str] = field(default_factory=dict)
    # Header and footer parts with fields, by relationship id: copied per letter.
    letter_parts: dict[str, str] = field(default_factory=dict)
    imported_parts: dict[str, str] = field(default_factory=dict)


class CombinedDocumentWriter:
    """Write all letters into one .docx, each starting on a new page.

    Each letter is a section with the template's page setup (a "next page"
    section break carrying the template's w:sectPr), and page numbers restart at
    1 in each letter. A header or footer with fields is copied for every letter;
    one without fields is shared. Letters may use different templates: the first
    template's package is the base, and from the others the writer copies the
    images, hyperlinks, headers, footers and the styles the base lacks.
    """

    def __init__(self, target: str | Path | BinaryIO) -> None:
        self._zip = _open_zip(target)
        self._body = tempfile.TemporaryFile()
        self._base: MergeTemplate | None = None
        self._states: dict[int, _TemplateState] = {}
        self._pending: tuple[_TemplateState, list[str], dict[str, str]] | None = None
        self._relationships: list[Relationship] = []
        self._content_types = ContentTypes({}, {})
        self._part_names: set[str] = set()
        self._letters = 0
        self._notes: list[str] = []
        self._started = time.perf_counter()
        self._closed = False

    def __enter__(self) -> CombinedDocumentWriter:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self._abort()

    @property
    def letters(self) -> int:
        return self._letters

    def add(
        self,
        template: MergeTemplate,
        values: Mapping[str, object],
        locale: str = "en",
    ) -> list[str]:
        """Append one letter and return its warnings."""
        texts, warnings = template.field_texts(values, locale)
        if self._base is None:
            self._start(template, texts)
        state = self._state_for(template, warnings)
        self._letters += 1
        ids = dict(state.shared_ids)
        first_base_letter = self._letters == 1
        for rel_id, part_name in state.letter_parts.items():
            if first_base_letter:
                ids[rel_id] = rel_id
                continue
            ids[rel_id] = self._write_letter_part(state, rel_id, part_name, texts)

        if self._pending is not None:
            self._write_body(*self._pending, last=False)
        self._pending = (state, texts, ids)
        return warnings

    # Starting: the base package ------------------------------------------------------

    def _start(self, base: MergeTemplate, texts: list[str]) -> None:
        self._base = base
        self._content_types = ContentTypes(
            dict(base.content_types.defaults), dict(base.content_types.overrides)
        )
        self._part_names = set(base.entries)
        deferred = {
            CONTENT_TYPES_PART,
            base.document_name,
            rels_part_name(base.document_name),
            self._styles_part(base),
        }
        for name, data in base.entries.items():
            if name in deferred:
                continue
            if name in base.parts:
                data = base.render_part(name, texts)
            else:
                data = base.changed_entries.get(name, data)
            self._zip.writestr(self._info(name, base), data)

    def _info(self, name: str, template: MergeTemplate) -> zipfile.ZipInfo:
        date_time = template.entry_dates.get(name, (1980, 1, 1, 0, 0, 0))
        info = zipfile.ZipInfo(name, date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    @staticmethod
    def _styles_part(template: MergeTemplate) -> str:
        for rel in template.document_relationships:
            if rel.kind == "styles" and not rel.external:
                return resolve_target(template.document_name, rel.target)
        return ""

    def _note(self, warnings: list[str], message: str) -> None:
        warnings.append(message)
        if message not in self._notes:
            self._notes.append(message)
            logger.warning("combined document: %s", message)

    # Templates -----------------------------------------------------------------------

    def _state_for(
        self, template: MergeTemplate, warnings: list[str]
    ) -> _TemplateState:
        state = self._states.get(id(template))
        if state is not None:
            return state
        number = len(self._states) + 1
        state = _TemplateState(template, number, template.document.body)
        self._states[id(template)] = state
        section_ids = set(
            re.findall(
                rf'{template.r_prefix}:id="([^"]+)"', template.document.final_section
            )
        )
        is_base = template is self._base
        for rel in template.document_relationships:
            part_name = resolve_target(template.document_name, rel.target)
            per_letter = (
                rel.kind in ("header", "footer")
                and part_name in template.parts
                and rel.id in section_ids
            )
            if per_letter:
                state.letter_parts[rel.id] = part_name
            if is_base:
                continue
            if rel.kind in _PACKAGE_WIDE_KINDS:
                continue
            if rel.external:
                new_id = f"rIdT{number}_{rel.id}"
                self._relationships.append(
                    Relationship(new_id, rel.type, rel.target, True)
                )
                state.shared_ids[rel.id] = new_id
                continue
            if part_name not in template.entries:
                continue
            new_name = self._import_part(state, part_name, warnings)
            new_id = f"rIdT{number}_{rel.id}"
            self._relationships.append(
                Relationship(
                    new_id,
                    rel.type,
                    relative_target(self._base.document_name, new_name),
                    False,
                )
            )
            state.shared_ids[rel.id] = new_id
        if not is_base:
            state.body = self._renamed_body(template, state.shared_ids)
            self._check_carried(template, warnings)
        return state

    def _check_carried(self, template: MergeTemplate, warnings: list[str]) -> None:
        body = "".join(template.document.body.chunks)
        name = template.name
        if "numId " in body or ":numId" in body:
            # NOTE: list definitions (numbering.xml) are not merged across templates.
            self._note(
                warnings,
                f'Lists in "{name}" use the list definitions of the first template'
                f' "{self._base.name}", so their numbering or bullets may differ.',
            )
        if "footnoteReference" in body or "endnoteReference" in body:
            # NOTE: footnotes and endnotes are not copied across templates.
            self._note(
                warnings,
                f'Footnotes and endnotes of "{name}" are not carried into the'
                " combined document: its letters show the first template's notes.",
            )

    def _unique_name(self, requested: str) -> str:
        folder, base = posixpath.split(requested)
        stem, extension = posixpath.splitext(base)
        name, counter = requested, 1
        while name in self._part_names:
            counter += 1
            name = posixpath.join(folder, f"{stem}_{counter}{extension}")
        self._part_names.add(name)
        return name

    def _import_part(
        self, state: _TemplateState, part_name: str, warnings: list[str]
    ) -> str:
        """Copy a part of a non-base template into the package once; return its name."""
        known = state.imported_parts.get(part_name)
        if known is not None:
            return known
        template = state.template
        folder, base = posixpath.split(part_name)
        new_name = self._unique_name(posixpath.join(folder, f"t{state.number}_{base}"))
        state.imported_parts[part_name] = new_name
        self._add_content_type(new_name, template.content_types.of(part_name))
        if part_name in template.parts:
            # A header or footer with fields that no letter section refers to
            # directly: merged once with empty fields.
            data = template.render_part(part_name, [""] * (template.section_slot + 1))
        else:
            data = template.entries[part_name]
        self._zip.writestr(self._info(new_name, template), data)
        self._import_part_relationships(state, part_name, new_name, warnings)
        return new_name

    def _import_part_relationships(
        self, state: _TemplateState, part_name: str, new_name: str, warnings: list[str]
    ) -> None:
        template = state.template
        rels_name = rels_part_name(part_name)
        if rels_name not in template.entries:
            return
        copied = []
        for rel in parse_relationships(template.entries[rels_name]):
            if rel.external:
                copied.append(rel)
                continue
            target = resolve_target(part_name, rel.target)
            if target not in template.entries:
                continue
            if rels_part_name(target) in template.entries:
                # NOTE: only one level of a copied part's relationships is copied.
                self._note(
                    warnings,
                    f'Part "{target}" of "{template.name}" has relationships of its'
                    " own that are not copied, so it may show incomplete.",
                )
            imported = state.imported_parts.get(target)
            if imported is None:
                folder, base = posixpath.split(target)
                imported = self._unique_name(
                    posixpath.join(folder, f"t{state.number}_{base}")
                )
                state.imported_parts[target] = imported
                self._add_content_type(imported, template.content_types.of(target))
                self._zip.writestr(
                    self._info(imported, template), template.entries[target]
                )
            copied.append(
                Relationship(
                    rel.id, rel.type, relative_target(new_name, imported), False
                )
            )
        self._zip.writestr(
            self._info(rels_part_name(new_name), template), relationships_xml(copied)
        )

    def _add_content_type(self, part_name: str, content_type: str | None) -> None:
        if not content_type or self._content_types.of(part_name) == content_type:
            return
        extension = posixpath.splitext(part_name)[1].lstrip(".").lower()
        if extension and extension not in self._content_types.defaults:
            self._content_types.defaults[extension] = content_type
        else:
            self._content_types.overrides[part_name] = content_type

    def _renamed_body(
        self, template: MergeTemplate, ids: dict[str, str]
    ) -> PartTemplate:
        pattern = re.compile(rf'(\s{template.r_prefix}:[A-Za-z]+=")([^"]+)(")')

        def rename(match: re.Match[str]) -> str:
            new_id = ids.get(match.group(2), match.group(2))
            return f"{match.group(1)}{new_id}{match.group(3)}"

        body = template.document.body
        chunks = tuple(pattern.sub(rename, chunk) for chunk in body.chunks)
        return PartTemplate(body.name, chunks, body.slots)

    # Letters -------------------------------------------------------------------------

    def _write_letter_part(
        self, state: _TemplateState, rel_id: str, part_name: str, texts: list[str]
    ) -> str:
        """Write a header or footer with fields for this letter; return its new id."""
        template = state.template
        folder, base = posixpath.split(part_name)
        stem, extension = posixpath.splitext(base)
        new_name = posixpath.join(folder, f"{stem}_letter{self._letters}{extension}")
        new_name = self._unique_name(new_name)

        self._zip.writestr(
            self._info(new_name, template), template.render_part(part_name, texts)
        )
        self._content_types.overrides[new_name] = template.content_types.of(part_name)

        rels_name = rels_part_name(part_name)
        if rels_name in template.entries:
            if template is self._base:
                self._zip.writestr(
                    self._info(rels_part_name(new_name), template),
                    template.entries[rels_name],
                )
            else:
                self._import_part_relationships(state, part_name, new_name, [])

        new_id = f"rIdL{self._letters}_{rel_id}"
        rel_type = next(
            rel.type for rel in template.document_relationships if rel.id == rel_id
        )
        self._relationships.append(
            Relationship(
                new_id,
                rel_type,
                relative_target(self._base.document_name, new_name),
                False,
            )
        )
        return new_id

    def _section_xml(self, state: _TemplateState, ids: dict[str, str]) -> str:
        template = state.template
        pattern = re.compile(rf'({template.r_prefix}:id=")([^"]+)(")')
        return pattern.sub(
            lambda m: f"{m.group(1)}{ids.get(m.group(2), m.group(2))}{m.group(3)}",
            template.document.break_section,
        )

    def _write_body(
        self,
        state: _TemplateState,
        texts: list[str],
        ids: dict[str, str],
        *,
        last: bool,
    ) -> str:
        """Write a letter's body; return its w:sectPr when it is the last letter."""
        document = state.template.document
        section = self._section_xml(state, ids)
        if last:
            texts[state.template.section_slot] = ""
        else:
            texts[state.template.section_slot] = (
                document.section_prefix + section + document.section_suffix
            )
        self._body.write(state.body.render(texts).encode("utf-8"))
        return section

    # Closing -------------------------------------------------------------------------

    def close(self) -> None:
        """Write the document, its relationships, content types and styles."""
        if self._closed:
            return
        self._closed = True
        if self._base is None:
            self._zip.close()
            self._body.close()
            raise ValueError(
                "The combined document has no letters: add at least one letter"
                " before closing it."
            )
        base = self._base
        final_section = self._write_body(*self._pending, last=True)
        head = self._document_head()
        with self._zip.open(self._info(base.document_name, base), "w") as stream:
            stream.write(head.encode("utf-8"))
            self._body.seek(0)
            shutil.copyfileobj(self._body, stream, _COPY_BUFFER)
            stream.write((final_section + base.document.tail).encode("utf-8"))
        self._body.close()

        relationships = list(base.document_relationships) + self._relationships
        self._zip.writestr(
            self._info(rels_part_name(base.document_name), base),
            relationships_xml(relationships),
        )
        styles = self._styles_part(base)
        if styles:
            self._zip.writestr(self._info(styles, base), self._merged_styles(styles))
        self._zip.writestr(
            self._info(CONTENT_TYPES_PART, base), self._content_types.to_xml()
        )
        self._zip.close()
        logger.info(
            "wrote combined document: %d letters from %d templates in %.1f s",
            self._letters,
            len(self._states),
            time.perf_counter() - self._started,
        )

    def _abort(self) -> None:
        self._closed = True
        self._body.close()
        self._zip.close()

    def _document_head(self) -> str:
        """Return the base head, declaring the other templates' namespaces too."""
        base = self._base
        head = base.document.head
        declared = dict(base.root_namespaces)
        extra: dict[str, str] = {}
        ignorable = list(base.ignorable_prefixes)

        for state in self._states.values():
            for prefix, uri in state.template.root_namespaces.items():
                if prefix in declared or prefix in extra:
                    if declared.get(prefix, extra.get(prefix)) != uri:
                        # NOTE: a prefix bound to two namespaces cannot be declared.
                        logger.warning(
                            "combined document: prefix %r of template %r differs from"
                            " the first template's",
                            prefix,
                            state.template.name,
                        )
                    continue
                extra[prefix] = uri
            for prefix in state.template.ignorable_prefixes:
                if prefix not in ignorable:
                    ignorable.append(prefix)

        root_tag = f"<{base.w_prefix}document"
        if extra:
            declarations = "".join(
                f' xmlns:{prefix}="{uri}"' for prefix, uri in extra.items() if prefix
            )
            head = head.replace(root_tag, root_tag + declarations, 1)

        mc_prefix = next(
            (p for p, uri in {**declared, **extra}.items() if uri == MC_NS), None
        )
        if mc_prefix and ignorable != list(base.ignorable_prefixes):
            attribute = f'{mc_prefix}:Ignorable="'
            value = " ".join(ignorable)
            if attribute in head:
                head = re.sub(
                    rf'{re.escape(attribute)}[^"]*"',
                    f'{attribute}{value}"',
                    head,
                    count=1,
                )
        return head

    def _merged_styles(self, styles_name: str) -> bytes:
        """Return the base styles plus the styles of other templates it lacks."""
        base = self._base
        data = base.entries[styles_name]
        others = [s.template for s in self._states.values() if s.template is not base]
        if not others:
            return data
        root = etree.fromstring(data, XML_PARSER)
        style_tag, id_attribute = w_tag("style"), w_tag("styleId")
        known = {style.get(id_attribute) for style in root.iter(style_tag)}
        for template in others:
            name = self._styles_part(template)
            if not name or name not in template.entries:
                continue
            for style in etree.fromstring(template.entries[name], XML_PARSER).iter(
                style_tag
            ):
                if style.get(id_attribute) not in known:
                    known.add(style.get(id_attribute))
                    root.append(style)
        return etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", standalone=True
        )
