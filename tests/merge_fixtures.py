"""Build small Word templates in code for the merge tests.

Each helper returns WordprocessingML as text. `build_template` puts paragraphs
into a python-docx document (body, header, footer) and can add a footnotes part,
then returns the .docx bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

import docx
from docx.oxml import parse_xml
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W_NS}"'
    ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"'
)
FOOTNOTES_TYPE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
)
FOOTNOTES_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
)


def run(text: str, properties: str = "") -> str:
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def simple_field(
    instruction: str, result: str = "«field»", properties: str = ""
) -> str:
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return (
        f'<w:fldSimple w:instr="{escape(instruction, {chr(34): "&quot;"})}">'
        f"<w:r>{rpr}<w:t>{escape(result)}</w:t></w:r></w:fldSimple>"
    )


def complex_field(
    *instruction_parts: str,
    result: str | None = "«field»",
    properties: str = "",
    result_properties: str | None = None,
) -> str:
    """A field as Word writes it: begin, instruction runs, separate, result, end.

    Each instruction part becomes its own run with its own w:instrText. With
    result=None the field has no separate character and no result.
    """
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    pieces = [f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>']
    for part in instruction_parts:
        pieces.append(
            f'<w:r>{rpr}<w:instrText xml:space="preserve">{escape(part)}'
            "</w:instrText></w:r>"
        )
    if result is not None:
        pieces.append('<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        result_rpr = properties if result_properties is None else result_properties
        pieces.append(run(result, result_rpr))
    pieces.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    return "".join(pieces)


def paragraph(*content: str) -> str:
    return f"<w:p {NAMESPACES}>{''.join(content)}</w:p>"


def table(rows: list[list[str]]) -> str:
    """A table whose cells each hold one paragraph of the given content."""
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc><w:p>{c}</w:p></w:tc>" for c in row) + "</w:tr>"
        for row in rows
    )
    return f"<w:tbl {NAMESPACES}><w:tblPr/><w:tblGrid/>{cells}</w:tbl>"


def text_box(content: str) -> str:
    """A paragraph with a text box, in both branches of mc:AlternateContent."""
    inner = f"<w:txbxContent><w:p>{content}</w:p></w:txbxContent>"
    return paragraph(
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape"><wps:wsp><wps:txbx>{inner}</wps:txbx></wps:wsp>'
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{inner}</v:textbox></v:shape>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def build_template(
    body: list[str],
    *,
    header: list[str] | None = None,
    footer: list[str] | None = None,
    footnote: list[str] | None = None,
) -> bytes:
    """Return a .docx with the given block XML in its body, header and footer.

    With `footnote`, a footnotes part with footnote 1 holding those paragraphs is
    added, and the body's first paragraph gets a reference to it.
    """
    document = docx.Document()
    body_element = document.element.body
    for existing in list(body_element):
        if not existing.tag.endswith("}sectPr"):
            body_element.remove(existing)
    section_properties = body_element[-1]
    for block in body:
        section_properties.addprevious(parse_xml(block))
    section = document.sections[0]
    for area, blocks in ((section.header, header), (section.footer, footer)):
        if blocks is None:
            continue
        area.is_linked_to_previous = False
        element = area._element
        for existing in list(element):
            element.remove(existing)
        for block in blocks:
            element.append(parse_xml(block))
    stream = io.BytesIO()
    document.save(stream)
    data = stream.getvalue()
    if footnote is not None:
        data = _add_footnotes(data, footnote)
    return data


def _add_footnotes(data: bytes, paragraphs: list[str]) -> bytes:
    notes = "".join(p.replace(f" {NAMESPACES}", "") for p in paragraphs)
    footnotes_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<w:footnotes {NAMESPACES}>"
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r>'
        "</w:p></w:footnote>"
        f'<w:footnote w:id="1">{notes}</w:footnote></w:footnotes>'
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="'
                    + FOOTNOTES_CONTENT_TYPE.encode()
                    + b'"/></Types>',
                )
            elif info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdNotes" Type="'
                    + FOOTNOTES_TYPE.encode()
                    + b'" Target="footnotes.xml"/></Relationships>',
                )
            elif info.filename == "word/document.xml":
                content = re.sub(
                    rb"</w:p>",
                    b'<w:r><w:footnoteReference w:id="1"/></w:r></w:p>',
                    content,
                    count=1,
                )
            target.writestr(info, content)
        target.writestr("word/footnotes.xml", footnotes_xml)
    return output.getvalue()


# Reading results -------------------------------------------------------------------


def read_part(data: bytes, part_name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(part_name).decode("utf-8")


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def visible_text(xml: str) -> str:
    """Return the w:t text of a part, with w:br as a newline."""
    root = etree.fromstring(xml.encode("utf-8"))
    pieces = []
    for element in root.iter(f"{{{W_NS}}}t", f"{{{W_NS}}}br"):
        local = etree.QName(element).localname
        if local == "t":
            pieces.append(element.text or "")
        elif local == "br":
            pieces.append("\n")
    return "".join(pieces)


def open_document(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))
