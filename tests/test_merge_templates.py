"""Real Word templates: Business Central's own and docx-mailmerge2's test files."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from lxml import etree

from segments_module.merge import MergeTemplate
from tests.conftest import SHARED_DATA, shared_data
from tests.merge_fixtures import open_document, read_part

TEMPLATE_FOLDERS = ("bc_word_templates", "docx_mailmerge_tests")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def template_paths() -> list[Path]:
    folder = SHARED_DATA / "templates"
    if not folder.exists():
        return []
    return sorted(
        path for name in TEMPLATE_FOLDERS for path in (folder / name).glob("*.docx")
    )


def has_merge_fields(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(
            b"MERGEFIELD" in archive.read(name).upper()
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )


def all_text(data: bytes) -> str:
    """Return the text of the body, tables, headers, footers and text boxes."""
    document = open_document(data)
    pieces = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            pieces.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for area in (section.header, section.footer):
            pieces.extend(p.text for p in area.paragraphs)
    boxes = document.element.body.xpath(".//w:txbxContent//w:t")
    pieces.extend(box.text or "" for box in boxes)
    return "\n".join(pieces)


def field_code_parts(data: bytes) -> list[str]:
    """Return the names of the parts that still contain MERGEFIELD field codes."""
    found = []
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            if name.startswith("word/glossary/"):
                continue
            root = etree.fromstring(archive.read(name))
            codes = [e.text or "" for e in root.iter(f"{{{W_NS}}}instrText")]
            codes += [
                e.get(f"{{{W_NS}}}instr", "") for e in root.iter(f"{{{W_NS}}}fldSimple")
            ]
            if any("MERGEFIELD" in code.upper() for code in codes):
                found.append(name)
    return found


@pytest.mark.parametrize("path", template_paths(), ids=lambda path: path.name)
def test_every_shared_template_merges(path):
    # given one of the shared Word templates
    data = path.read_bytes()
    template = MergeTemplate.from_bytes(data, path.name)
    values = {name: f"Value of {name}" for name in template.field_names}

    # when it is merged with a value for every field
    result = template.render(values)

    # then python-docx reads it, every value appears and no MERGEFIELD remains
    text = all_text(result.content)
    if has_merge_fields(path):
        assert template.field_names
        for name in template.field_names:
            assert f"Value of {name}" in text, name
        assert field_code_parts(result.content) == []
    else:
        # the Email Merge layouts use content controls: nothing to merge, and
        # test_empty_field's only field has an empty instruction
        assert template.field_names == ()
        assert all_text(data) == text
        for warning in result.warnings:
            assert "empty instruction" in warning


def test_shared_templates_present():
    shared_data("templates/bc_word_templates")
    assert len(template_paths()) == 28


def test_email_merge_layout_is_unchanged():
    # given a Business Central Email Merge layout (content controls, no MERGEFIELD)
    path = shared_data("templates/bc_word_templates/DefaultEmailMergeDoc_W1.docx")
    data = path.read_bytes()

    # when it is merged
    result = MergeTemplate.from_bytes(data, path.name).render({"Name": "Anna"})

    # then every part is the template's, byte for byte, and nothing is warned
    with zipfile.ZipFile(BytesIO(data)) as source:
        with zipfile.ZipFile(BytesIO(result.content)) as merged:
            for name in source.namelist():
                assert merged.read(name) == source.read(name), name
    assert result.warnings == []


def test_empty_instruction_template_warns_once():
    path = shared_data("templates/docx_mailmerge_tests/test_empty_field.docx")

    result = MergeTemplate.from_bytes(path.read_bytes(), path.name).render({})

    assert result.warnings == [
        "A field has an empty instruction and was left as it is"
        " (part word/document.xml)"
    ]


def test_german_thank_you_note():
    # given Business Central's German thank-you note
    path = shared_data("templates/bc_word_templates/Contact_Thanksnote_GDL_de.docx")
    template = MergeTemplate.from_bytes(path.read_bytes(), path.name)
    values = {
        "Name": "Jürgen Weiß",
        "First_Name": "Jürgen",
        "Address": "Hauptstraße 5",
        "City": "München",
        "State": "Bayern",
        "ZIP_Code": "80331",
        "CountryRegion_Code": "DE",
        "Email": "j.weiss@example.com",
        "Company_Information_Phone_No": "+49 89 1234",
    }

    # when it is merged
    result = template.render(values, locale="de")

    # then the German body text and every value are in the letter
    text = all_text(result.content)
    assert "Sehr geehrte(r) Jürgen," in text
    assert "Vielen Dank, dass Sie sich registriert haben." in text
    for value in values.values():
        assert value in text, value
    assert result.warnings == []


def test_thank_you_note_warns_for_missing_values():
    path = shared_data("templates/bc_word_templates/Contact_Thanksnote_GDL_GB.docx")
    template = MergeTemplate.from_bytes(path.read_bytes(), path.name)

    result = template.render({"Name": "Anna", "First Name": "Anna"})

    assert len(result.warnings) == 7
    assert 'Field "Email" has no value in the data; it was left empty.' in (
        result.warnings
    )


def test_merged_settings_have_no_data_source():
    path = shared_data("templates/docx_mailmerge_tests/test_winword2010.docx")
    template = MergeTemplate.from_bytes(path.read_bytes(), path.name)

    result = template.render({"Voornaam": "Bouke"})

    assert "mailMerge" not in read_part(result.content, "word/settings.xml")
    assert "Dear Bouke," in all_text(result.content)


def test_next_record_template_keeps_one_record():
    path = shared_data("templates/docx_mailmerge_tests/test_next_record.docx")
    template = MergeTemplate.from_bytes(path.read_bytes(), path.name)

    result = template.render({"field": "A"})

    assert "NEXT" not in read_part(result.content, "word/document.xml")
    assert [p.text for p in open_document(result.content).paragraphs] == [
        "A/A",
        "A/A",
        "A/A",
        "A/A",
    ]
