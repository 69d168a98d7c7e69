"""Compile a Word template once, then merge one letter with string joins.

`MergeTemplate.from_bytes` parses every part that can hold fields (the main
document, headers, footers, footnotes, endnotes and comments) and replaces each
MERGEFIELD, simple or complex, with one run holding a slot. Each such part is then
stored as literal XML chunks around its slots. Rendering a letter formats each
field once, escapes it and joins the chunks. Parts without fields are compressed
once and copied into every letter unchanged (see zipwriter).
"""

from __future__ import annotations

import copy
import io
import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree

from .fields import MergeField, field_keyword, normalize_values
from .formatting import parse_locale, remove_invalid_xml_chars
from .package import (
    CONTENT_TYPES_PART,
    MC_NS,
    PACKAGE_RELS_PART,
    R_NS,
    W_NS,
    XML_PARSER,
    ContentTypes,
    Relationship,
    parse_relationships,
    rels_part_name,
    resolve_target,
    w_tag,
)
from .zipwriter import PackageWriter

logger = logging.getLogger(__name__)

# Relationship kinds of the parts whose text can hold fields.
FIELD_PART_KINDS = ("header", "footer", "footnotes", "endnotes", "comments")
_DOCUMENT_KIND = "officeDocument"
_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_RANGE_MARKER = re.compile(r"(Start|End)$")

# Slots are marked with an element of a private namespace, found again after
# serialization. lxml writes it exactly in this form because the namespace is not
# declared on any ancestor.
_SLOT_NS = "urn:x-segments-merge-slot"
_SLOT_PATTERN = re.compile(f'<ms:slot xmlns:ms="{_SLOT_NS}" n="([^"]+)"/>')
# Markers of the main document's structure, used by the combined document.
_BODY_START, _SECTION, _FINAL_START, _FINAL_END, _BREAK_START, _BREAK_END = (
    "body",
    "section",
    "final",
    "final-end",
    "break",
    "break-end",
)

_FLD_CHAR = w_tag("fldChar")
_INSTR_TEXT = w_tag("instrText")
_FLD_SIMPLE = w_tag("fldSimple")
_RUN = w_tag("r")
_RUN_PROPERTIES = w_tag("rPr")
_PARAGRAPH = w_tag("p")
_PARAGRAPH_PROPERTIES = w_tag("pPr")
_SECTION_PROPERTIES = w_tag("sectPr")


class TemplateError(ValueError):
    """The file is not a Word document that can be merged."""


@dataclass
class MergeResult:
    """One merged letter: the .docx bytes and the warnings about it."""

    content: bytes
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PartTemplate:
    """A part as literal chunks around slots; slot numbers index the texts list."""

    name: str
    chunks: tuple[str, ...]
    slots: tuple[int, ...]

    def render(self, texts: list[str]) -> str:
        pieces = [""] * (2 * len(self.slots) + 1)
        pieces[::2] = self.chunks
        pieces[1::2] = [texts[slot] for slot in self.slots]
        return "".join(pieces)


@dataclass(frozen=True)
class DocumentTemplate:
    """The main document split for the combined output.

    `head` runs to the opening body tag, `body` contains the letter's content and the
    section-break slot, `final_section` is the body's last w:sectPr and
    `break_section` is a copy of it that starts a new page and restarts page
    numbers. `section_prefix` and `section_suffix` wrap a w:sectPr where the
    section slot sits (inside an existing w:pPr, a new w:pPr or a new paragraph).
    """

    name: str
    head: str
    body: PartTemplate
    final_section: str
    break_section: str
    tail: str
    section_prefix: str
    section_suffix: str
    has_fields: bool

    def render_single(self, texts: list[str]) -> str:
        return self.head + self.body.render(texts) + self.final_section + self.tail


@dataclass
class _OpenField:
    begin_run: etree._Element
    parent: _OpenField | None
    instruction: list[str] = field(default_factory=list)
    separate_run: etree._Element | None = None
    end_run: etree._Element | None = None
    keyword: str = ""


class _FieldRegistry:
    """The distinct MERGEFIELD instructions of a template, in document order."""

    def __init__(self) -> None:
        self.fields: list[MergeField] = []
        self._index: dict[str, int] = {}

    def slot_for(self, merge_field: MergeField) -> int:
        slot = self._index.get(merge_field.instruction)
        if slot is None:
            slot = self._index[merge_field.instruction] = len(self.fields)
            self.fields.append(merge_field)
        return slot


def _slot_marker(name: str | int) -> etree._Element:
    marker = etree.Element(f"{{{_SLOT_NS}}}slot", nsmap={"ms": _SLOT_NS})
    marker.set("n", str(name))
    return marker


def _slot_run(run_properties: etree._Element | None, slot: int) -> etree._Element:
    run = etree.Element(_RUN)
    if run_properties is not None:
        run.append(copy.deepcopy(run_properties))
    run.append(_slot_marker(slot))
    return run


def _is_field_run(element: etree._Element) -> bool:
    return element.find(_FLD_CHAR) is not None or element.find(_INSTR_TEXT) is not None


def _result_run_properties(found: _OpenField) -> etree._Element | None:
    """Return the w:rPr of the first result run, else of the field's first run."""
    separate = found.separate_run
    if separate is not None and separate.getparent() is found.begin_run.getparent():
        sibling = separate.getnext()
        while sibling is not None and sibling is not found.end_run:
            if sibling.tag == _RUN and not _is_field_run(sibling):
                return sibling.find(_RUN_PROPERTIES)
            sibling = sibling.getnext()
    return found.begin_run.find(_RUN_PROPERTIES)


def _replace_range(
    begin: etree._Element, end: etree._Element, replacement: etree._Element | None
) -> None:
    """Remove begin..end (siblings) but keep bookmark and comment range markers."""
    parent = begin.getparent()
    if replacement is not None:
        begin.addprevious(replacement)
    element = begin
    while element is not None:
        following = element.getnext()
        local = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if not _RANGE_MARKER.search(local):
            parent.remove(element)
        if element is end:
            break
        element = following


class _PartCompiler:
    """Find and replace the fields of one part; collects warnings and field names."""

    def __init__(self, part_name: str, registry: _FieldRegistry, warnings: list[str]):
        self.part_name = part_name
        self.registry = registry
        self.warnings = warnings
        self.modified = False
        self.slot_count = 0

    def compile(self, root: etree._Element) -> None:
        self._complex_fields(root)
        self._simple_fields(root)

    def _warn(self, message: str) -> None:
        self.warnings.append(f"{message} (part {self.part_name})")

    def _merge_field(self, instruction: str) -> MergeField | None:
        merge_field = MergeField.parse(instruction)
        if merge_field is None:
            self._warn(
                f'The field "{instruction.strip()}" names no merge field, so it was'
                " left as it is"
            )
        return merge_field

    def _complex_fields(self, root: etree._Element) -> None:
        stack: list[_OpenField] = []
        closed: list[_OpenField] = []
        for element in root.iter(_FLD_CHAR, _INSTR_TEXT):
            if element.tag == _INSTR_TEXT:
                if stack and stack[-1].separate_run is None:
                    stack[-1].instruction.append(element.text or "")
                continue
            kind = element.get(w_tag("fldCharType"))
            run = element.getparent()
            if kind == "begin":
                stack.append(_OpenField(run, stack[-1] if stack else None))
            elif kind == "separate" and stack:
                stack[-1].separate_run = run
            elif kind == "end" and stack:
                found = stack.pop()
                found.end_run = run
                found.keyword = field_keyword("".join(found.instruction))
                closed.append(found)
            else:
                self._warn(f'A field character "{kind}" has no field begin; ignored')
        for unclosed in stack:
            self._warn(
                f'The field "{"".join(unclosed.instruction).strip()}" has no end,'
                " so it was left as it is"
            )
        for found in closed:
            self._apply_complex(found)

    def _apply_complex(self, found: _OpenField) -> None:
        instruction = "".join(found.instruction)
        if found.parent is not None:
            outer = found.parent
            while outer.parent is not None:
                outer = outer.parent
            if found.keyword == "MERGEFIELD" and outer.keyword not in (
                "MERGEFIELD",
                "NEXT",
                "NEXTIF",
            ):
                # NOTE: fields nested in other fields (IF, SET, ...) are not merged.
                self._warn(
                    f'The field "{instruction.strip()}" is inside a'
                    f" {outer.keyword or 'blank'} field and was left as it is"
                )
            return
        if not instruction.strip():
            self._warn("A field has an empty instruction and was left as it is")
            return
        if found.keyword not in ("MERGEFIELD", "NEXT", "NEXTIF"):
            return
        if found.end_run.getparent() is not found.begin_run.getparent():
            self._warn(
                f'The field "{instruction.strip()}" spans several paragraphs, so it'
                " was left as it is"
            )
            return
        replacement = None
        if found.keyword == "MERGEFIELD":
            merge_field = self._merge_field(instruction)
            if merge_field is None:
                return
            slot = self.registry.slot_for(merge_field)
            replacement = _slot_run(_result_run_properties(found), slot)
            self.slot_count += 1
        _replace_range(found.begin_run, found.end_run, replacement)
        self.modified = True

    def _simple_fields(self, root: etree._Element) -> None:
        for element in list(root.iter(_FLD_SIMPLE)):
            if any(a.tag == _FLD_SIMPLE for a in element.iterancestors()):
                continue
            instruction = element.get(w_tag("instr"), "")
            keyword = field_keyword(instruction)
            if not keyword:
                self._warn("A field has an empty instruction and was left as it is")
                continue
            if keyword in ("NEXT", "NEXTIF"):
                element.getparent().remove(element)
                self.modified = True
                continue
            if keyword != "MERGEFIELD":
                continue
            merge_field = self._merge_field(instruction)
            if merge_field is None:
                continue
            slot = self.registry.slot_for(merge_field)
            run_properties = element.find(f".//{_RUN}/{_RUN_PROPERTIES}")
            element.getparent().replace(element, _slot_run(run_properties, slot))
            self.slot_count += 1
            self.modified = True


def _split_serialized(text: str) -> list[str]:
    """Split serialized XML into [chunk, marker, chunk, marker, ..., chunk]."""
    return _SLOT_PATTERN.split(text)


def _serialize(root: etree._Element) -> str:
    tree = root.getroottree()
    standalone = tree.docinfo.standalone
    data = etree.tostring(
        tree,
        xml_declaration=True,
        encoding="UTF-8",
        standalone=standalone if standalone is not None else None,
    )
    return data.decode("utf-8")


def _part_template(name: str, serialized: str) -> PartTemplate:
    pieces = _split_serialized(serialized)
    return PartTemplate(
        name=name,
        chunks=tuple(pieces[::2]),
        slots=tuple(int(slot) for slot in pieces[1::2]),
    )


def _mark_section_break(body: etree._Element) -> tuple[str, str]:
    """Place the section slot at the end of the body's content.

    Return the text that wraps a w:sectPr at that place. The slot goes into the
    last paragraph when it can carry a section break, else into a new paragraph.
    """
    blocks = [child for child in body if child.tag != _SECTION_PROPERTIES]
    last = blocks[-1] if blocks else None
    prefix = body.prefix or ""
    w = f"{prefix}:" if prefix else ""
    if last is not None and last.tag == _PARAGRAPH:
        properties = last.find(_PARAGRAPH_PROPERTIES)
        if properties is None:
            last.insert(0, _slot_marker(_SECTION))
            return f"<{w}pPr>", f"</{w}pPr>"
        if properties.find(_SECTION_PROPERTIES) is None:
            change = properties.find(w_tag("pPrChange"))
            if change is not None:
                change.addprevious(_slot_marker(_SECTION))
            else:
                properties.append(_slot_marker(_SECTION))
            return "", ""
    final = body.find(_SECTION_PROPERTIES)
    if final is not None:
        final.addprevious(_slot_marker(_SECTION))
    else:
        body.append(_slot_marker(_SECTION))
    return f"<{w}p><{w}pPr>", f"</{w}pPr></{w}p>"


def _break_section_copy(final: etree._Element | None) -> etree._Element:
    """Copy the final w:sectPr so that it starts a new page and page number 1."""
    section = (
        copy.deepcopy(final)
        if final is not None
        else etree.Element(_SECTION_PROPERTIES, nsmap={"w": W_NS})
    )
    for old in section.findall(w_tag("type")):
        section.remove(old)
    section_type = etree.Element(w_tag("type"))
    section_type.set(w_tag("val"), "nextPage")
    # w:type follows the header/footer references and footnote/endnote options.
    leading = ("headerReference", "footerReference", "footnotePr", "endnotePr")
    position = sum(
        1
        for child in section
        if isinstance(child.tag, str) and etree.QName(child).localname in leading
    )
    section.insert(position, section_type)
    numbering = section.find(w_tag("pgNumType"))
    if numbering is None:
        numbering = etree.Element(w_tag("pgNumType"))
        anchors = [section.find(w_tag(name)) for name in ("cols", "formProt", "vAlign")]
        anchor = next((a for a in anchors if a is not None), None)
        if anchor is not None:
            anchor.addprevious(numbering)
        else:
            section.append(numbering)
    numbering.set(w_tag("start"), "1")
    return section


def _compile_document(
    name: str, root: etree._Element, compiler: _PartCompiler, section_slot: int
) -> DocumentTemplate:
    body = root.find(w_tag("body"))
    if body is None:
        raise TemplateError(f'The main document "{name}" has no w:body element.')
    body.insert(0, _slot_marker(_BODY_START))
    section_prefix, section_suffix = _mark_section_break(body)
    final = body.find(_SECTION_PROPERTIES)
    break_copy = _break_section_copy(final)
    if final is not None:
        final.addprevious(_slot_marker(_FINAL_START))
        final.addnext(_slot_marker(_FINAL_END))
    else:
        body.append(_slot_marker(_FINAL_START))
        body.append(_slot_marker(_FINAL_END))
    body.append(_slot_marker(_BREAK_START))
    body.append(break_copy)
    body.append(_slot_marker(_BREAK_END))

    pieces = _split_serialized(_serialize(root))
    markers = pieces[1::2]
    position = {marker: index for index, marker in enumerate(markers)}
    for required in (_BODY_START, _FINAL_START, _FINAL_END, _BREAK_START, _BREAK_END):
        if required not in position:
            raise TemplateError(f'The main document "{name}" could not be compiled.')

    def chunk_after(marker: str) -> str:
        return pieces[2 * position[marker] + 2]

    start, stop = position[_BODY_START], position[_FINAL_START]
    body_chunks = pieces[2 * start + 2 : 2 * stop + 1 : 2]
    body_slots = [
        section_slot if marker == _SECTION else int(marker)
        for marker in markers[start + 1 : stop]
    ]
    return DocumentTemplate(
        name=name,
        head=pieces[2 * start],
        body=PartTemplate(name, tuple(body_chunks), tuple(body_slots)),
        final_section=chunk_after(_FINAL_START),
        break_section=chunk_after(_BREAK_START),
        tail=chunk_after(_BREAK_END),
        section_prefix=section_prefix,
        section_suffix=section_suffix,
        has_fields=compiler.modified,
    )


def _run_content(text: str, w: str) -> str:
    """Return the w:t (and w:br, w:tab) elements that show a text in a run."""
    if not text:
        return ""
    text = remove_invalid_xml_chars(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    open_text = f'<{w}t xml:space="preserve">'
    if "\n" in text or "\r" in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        text = f"</{w}t><{w}br/>{open_text}".join(lines)
    if "\t" in text:
        text = text.replace("\t", f"</{w}t><{w}tab/>{open_text}")
    return f"{open_text}{text}</{w}t>"


class MergeTemplate:
    """A compiled Word template: merge one letter per set of values.

    Build one with `from_bytes`. The object is read-only after compiling, so one
    instance may render letters in several threads.
    """

    def __init__(self) -> None:
        self.name = ""
        self.fields: tuple[MergeField, ...] = ()
        self.field_names: tuple[str, ...] = ()
        self.warnings: tuple[str, ...] = ()
        self.entries: dict[str, bytes] = {}
        self.entry_dates: dict[str, tuple[int, ...]] = {}
        self.content_types = ContentTypes({}, {})
        self.document_name = ""
        self.document_relationships: list[Relationship] = []
        self.document: DocumentTemplate | None = None
        self.parts: dict[str, PartTemplate] = {}
        self.root_namespaces: dict[str, str] = {}
        self.ignorable_prefixes: tuple[str, ...] = ()
        self.w_prefix = "w:"
        self.r_prefix = "r"
        self.section_slot = 0
        self._writer: PackageWriter | None = None
        self._varying_order: tuple[str, ...] = ()

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "") -> MergeTemplate:
        """Compile a .docx, .dotx or .docm template; raise TemplateError if invalid."""
        template = cls()
        template.name = name or "template"
        template._load(data)
        template._compile()
        logger.info(
            "compiled merge template %r: %d fields, %d merged parts, %d warnings",
            template.name,
            len(template.fields),
            len(template.parts) + 1,
            len(template.warnings),
        )
        return template

    # Loading and compiling -----------------------------------------------------------

    def _load(self, data: bytes) -> None:
        label = f'"{self.name}"'
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as error:
            raise TemplateError(
                f"{label} is not a Word .docx file ({error}): save the template in"
                " Word as a .docx document and upload it again."
            ) from None
        try:
            with archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    self.entries[info.filename] = archive.read(info)
                    self.entry_dates[info.filename] = info.date_time
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            raise TemplateError(
                f"{label} is a damaged ZIP archive ({error}): save the template in"
                " Word again and upload the new file."
            ) from None
        except (NotImplementedError, RuntimeError) as error:
            raise TemplateError(
                f"{label} uses ZIP features that cannot be read ({error}): save it"
                " in Word without a password and upload it again."
            ) from None

        if CONTENT_TYPES_PART not in self.entries:
            raise TemplateError(
                f"{label} has no [Content_Types].xml, so it is not a Word document:"
                " save the template in Word as a .docx document."
            )
        self.content_types = self._read_package_xml(
            CONTENT_TYPES_PART, ContentTypes.parse
        )
        self.document_name = "word/document.xml"
        if PACKAGE_RELS_PART in self.entries:
            package_rels = self._read_package_xml(
                PACKAGE_RELS_PART, parse_relationships
            )
            for rel in package_rels:
                if rel.kind == _DOCUMENT_KIND and not rel.external:
                    self.document_name = resolve_target("", rel.target)
        if self.document_name not in self.entries:
            raise TemplateError(
                f"{label} has no main document part ({self.document_name}): it is"
                " not a Word document. Save the template in Word as a .docx file."
            )
        rels_name = rels_part_name(self.document_name)
        if rels_name in self.entries:
            self.document_relationships = self._read_package_xml(
                rels_name, parse_relationships
            )

    def _read_package_xml(self, part_name: str, parse):
        try:
            return parse(self.entries[part_name])
        except etree.XMLSyntaxError as error:
            raise TemplateError(
                f'Part "{part_name}" of "{self.name}" is not valid XML ({error}):'
                " save the template in Word again."
            ) from None

    def _parse(self, part_name: str) -> etree._Element:
        try:
            return etree.fromstring(self.entries[part_name], XML_PARSER)
        except etree.XMLSyntaxError as error:
            raise TemplateError(
                f'Part "{part_name}" of "{self.name}" is not valid XML ({error}):'
                " save the template in Word again."
            ) from None

    def _field_part_names(self) -> list[str]:
        names = []
        for rel in self.document_relationships:
            if rel.external or rel.kind not in FIELD_PART_KINDS:
                continue
            part_name = resolve_target(self.document_name, rel.target)
            if part_name in self.entries and part_name not in names:
                names.append(part_name)
        return names

    def _compile(self) -> None:
        registry = _FieldRegistry()
        warnings: list[str] = []
        changed: dict[str, bytes] = {}

        # The document is compiled first, so that the field order is its order.
        document_root = self._parse(self.document_name)
        self.root_namespaces = {
            prefix or "": uri for prefix, uri in document_root.nsmap.items()
        }
        self.w_prefix = f"{document_root.prefix}:" if document_root.prefix else ""
        self.r_prefix = next(
            (p for p, uri in self.root_namespaces.items() if uri == R_NS), "r"
        )
        mc_prefix = next(
            (p for p, uri in self.root_namespaces.items() if uri == MC_NS), None
        )
        if mc_prefix:
            ignorable = document_root.get(f"{{{MC_NS}}}Ignorable", "")
            self.ignorable_prefixes = tuple(ignorable.split())
        document_compiler = _PartCompiler(self.document_name, registry, warnings)
        document_compiler.compile(document_root)
        # The section slot index is fixed later; compile with a placeholder first.
        pending_document = (document_root, document_compiler)

        for part_name in self._field_part_names():
            data = self.entries[part_name]
            if b"instrText" not in data and b"fldSimple" not in data:
                continue
            root = self._parse(part_name)
            compiler = _PartCompiler(part_name, registry, warnings)
            compiler.compile(root)
            if compiler.slot_count:
                self.parts[part_name] = _part_template(part_name, _serialize(root))
            elif compiler.modified:
                changed[part_name] = _serialize(root).encode("utf-8")

        self.fields = tuple(registry.fields)
        self.section_slot = len(self.fields)
        self.document = _compile_document(
            self.document_name, *pending_document, self.section_slot
        )
        # Names in document order: complex and simple fields were found in two
        # passes, so the slot order of the compiled parts decides.
        names: dict[str, None] = {}
        slot_lists = [self.document.body.slots]
        slot_lists += [part.slots for part in self.parts.values()]
        for slots in slot_lists:
            for slot in slots:
                if slot < self.section_slot:
                    names.setdefault(self.fields[slot].name, None)
        self.field_names = tuple(names)
        self.warnings = tuple(warnings)
        for warning in warnings:
            logger.info("merge template %r: %s", self.name, warning)

        changed.update(self._cleaned_settings())
        changed.update(self._document_content_types())
        self._build_writer(changed)

    def _cleaned_settings(self) -> dict[str, bytes]:
        """Drop w:mailMerge from the settings, so Word opens no data source."""
        for rel in self.document_relationships:
            if rel.kind != "settings" or rel.external:
                continue
            part_name = resolve_target(self.document_name, rel.target)
            if b"mailMerge" not in self.entries.get(part_name, b""):
                continue
            root = self._parse(part_name)
            merge_settings = root.findall(w_tag("mailMerge"))
            for element in merge_settings:
                root.remove(element)
            if merge_settings:
                return {part_name: _serialize(root).encode("utf-8")}
        return {}

    def _document_content_types(self) -> dict[str, bytes]:
        """Give a .dotx or .dotm main part the content type of a document."""
        current = self.content_types.overrides.get(self.document_name, "")
        if ".template." not in current:
            return {}
        macro = "macroEnabled" in current
        self.content_types.overrides[self.document_name] = (
            "application/vnd.ms-word.document.macroEnabled.main+xml"
            if macro
            else f"{_TEMPLATE_MAIN}.document.main+xml"
        )
        return {CONTENT_TYPES_PART: self.content_types.to_xml()}

    def _build_writer(self, changed: dict[str, bytes]) -> None:
        varying = [name for name in self.entries if name in self.parts]
        if self.document.has_fields:
            varying.insert(0, self.document_name)
        self._varying_order = tuple(varying)
        fixed = (
            (name, changed.get(name, data), self.entry_dates[name])
            for name, data in self.entries.items()
            if name not in self._varying_order
        )
        try:
            self._writer = PackageWriter(fixed)
        except ValueError as error:
            raise TemplateError(f'"{self.name}": {error}') from None
        self.changed_entries = changed

    # Rendering -----------------------------------------------------------------------

    def formatted_values(
        self, values: Mapping[str, object], locale: str
    ) -> tuple[list[str], list[str]]:
        """Return the formatted text of every field slot, and the warnings.

        A missing or None value gives an empty text and one warning per field name.
        """
        parse_locale(locale)
        lookup = normalize_values(values)
        warnings = list(self.warnings)
        missing: list[str] = []
        texts: list[str] = []
        for merge_field in self.fields:
            value = lookup.get(merge_field.key)
            if value is None:
                if merge_field.name not in missing:
                    missing.append(merge_field.name)
                texts.append("")
                continue
            texts.append(merge_field.format(value, locale, warnings))
        for name in missing:
            warnings.append(
                f'Field "{name}" has no value in the data; it was left empty.'
            )
        return texts, warnings

    def field_texts(
        self, values: Mapping[str, object], locale: str
    ) -> tuple[list[str], list[str]]:
        """Return the run contents of every field slot, and the warnings."""
        formatted, warnings = self.formatted_values(values, locale)
        w = self.w_prefix
        texts = [_run_content(text, w) for text in formatted]
        texts.append("")  # the section slot, empty in a single letter
        return texts, warnings

    def render_texts(self, texts: Sequence[str]) -> bytes:
        """Return the .docx with each field slot showing the matching plain text.

        Lets a caller render a letter from texts it formatted itself, e.g. a
        placeholder per slot that it replaces later in another format.
        """
        w = self.w_prefix
        return self._render_run_contents([*(_run_content(t, w) for t in texts), ""])

    def _render_run_contents(self, texts: list[str]) -> bytes:
        varying = []
        for name in self._varying_order:
            if name == self.document_name:
                data = self.document.render_single(texts).encode("utf-8")
            else:
                data = self.render_part(name, texts)
            varying.append((name, data, self.entry_dates[name]))
        return self._writer.write(varying)

    def render_part(self, part_name: str, texts: list[str]) -> bytes:
        return self.parts[part_name].render(texts).encode("utf-8")

    def render(
        self, values: Mapping[str, object], *, locale: str = "en"
    ) -> MergeResult:
        """Merge one letter and return the .docx bytes with the warnings.

        A field whose value is missing or None is left empty and warned about once
        per field name. Raises ValueError for an unknown locale.
        """
        texts, warnings = self.field_texts(values, locale)
        return MergeResult(self._render_run_contents(texts), warnings)

    def render_to(
        self, stream: BinaryIO, values: Mapping[str, object], *, locale: str = "en"
    ) -> list[str]:
        """Merge one letter into a binary stream and return the warnings."""
        result = self.render(values, locale=locale)
        stream.write(result.content)
        return result.warnings
