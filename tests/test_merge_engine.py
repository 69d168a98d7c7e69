"""The merge engine on templates built in code: field forms, places and failures."""

from __future__ import annotations

import io
import zipfile

import pytest

from segments_module.merge import MergeTemplate, TemplateError
from tests.merge_fixtures import (
    build_template,
    complex_field,
    open_document,
    paragraph,
    part_names,
    read_part,
    run,
    simple_field,
    table,
    text_box,
    visible_text,
)


def merged_body(template_bytes: bytes, values: dict, **kwargs) -> tuple[str, list]:
    template = MergeTemplate.from_bytes(template_bytes, "test.docx")
    result = template.render(values, **kwargs)
    return read_part(result.content, "word/document.xml"), result.warnings


def test_simple_field_merges():
    # given a template with a simple field and \* MERGEFORMAT
    data = build_template(
        [paragraph(run("Dear "), simple_field(" MERGEFIELD Name \\* MERGEFORMAT "))]
    )

    # when it is merged
    xml, warnings = merged_body(data, {"Name": "Anna"})

    # then the value replaces the field and no field is left
    assert visible_text(xml) == "Dear Anna"
    assert "MERGEFIELD" not in xml
    assert "fldSimple" not in xml
    assert warnings == []


def test_complex_field_split_over_runs():
    # given a complex field whose code is split over four w:instrText runs
    data = build_template(
        [paragraph(complex_field(" ", "MERGE", "FIELD City", " "), run("!"))]
    )

    # when it is merged
    xml, warnings = merged_body(data, {"City": "Madrid"})

    # then the whole field (begin..end) became the value
    assert visible_text(xml) == "Madrid!"
    assert "fldChar" not in xml
    assert "instrText" not in xml
    assert warnings == []


def test_field_keeps_result_formatting():
    # given a field whose code runs are plain and whose result run is bold
    data = build_template(
        [
            paragraph(
                complex_field(
                    " MERGEFIELD Name ",
                    properties="<w:i/>",
                    result_properties="<w:b/>",
                )
            )
        ]
    )

    # when it is merged
    xml, _ = merged_body(data, {"Name": "Anna"})

    # then the value's run has the result run's w:rPr
    assert '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Anna</w:t></w:r>' in xml


def test_field_without_result_keeps_first_run_formatting():
    # given a field with no separate character and an italic first run
    data = build_template(
        [
            paragraph(
                complex_field(" MERGEFIELD Name ", result=None, properties="<w:i/>")
            )
        ]
    )

    # when it is merged
    xml, _ = merged_body(data, {"Name": "Anna"})

    # then the value's run is italic
    assert '<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">Anna</w:t></w:r>' in xml


def test_value_newlines_become_breaks_and_text_is_escaped():
    # given a field and a value with a newline, a tab and markup characters
    data = build_template([paragraph(simple_field(" MERGEFIELD Address "))])

    # when it is merged
    xml, _ = merged_body(data, {"Address": "1 <Main> St & Co\nFloor\t2\r\nParis"})

    # then lines are separated by w:br, the tab is a w:tab and the text is escaped
    assert visible_text(xml) == "1 <Main> St & Co\nFloor2\nParis"
    assert xml.count("<w:br/>") == 2
    assert "<w:tab/>" in xml
    assert "&lt;Main&gt; St &amp; Co" in xml


def test_control_characters_are_dropped():
    # given a value with characters that XML cannot contain
    data = build_template([paragraph(simple_field(" MERGEFIELD Name "))])

    # when it is merged
    xml, _ = merged_body(data, {"Name": "A\x00n\x1bna"})

    # then they are removed and the document still opens
    assert visible_text(xml) == "Anna"


def test_fields_in_every_place_merge():
    # given fields in the body, a table cell, a text box, header, footer, footnote
    data = build_template(
        [
            paragraph(simple_field(" MERGEFIELD Body ")),
            table([[complex_field(" MERGEFIELD Cell ")]]),
            text_box(complex_field(" MERGEFIELD Box ")),
        ],
        header=[paragraph(complex_field(" MERGEFIELD Head "))],
        footer=[paragraph(simple_field(" MERGEFIELD Foot "))],
        footnote=[paragraph(run("Note "), complex_field(" MERGEFIELD Note "))],
    )
    template = MergeTemplate.from_bytes(data)
    values = {n: f"<{n}>" for n in ("Body", "Cell", "Box", "Head", "Foot", "Note")}

    # when it is merged
    result = template.render(values)

    # then every place shows its value and no MERGEFIELD is left in any part
    document = open_document(result.content)
    assert document.paragraphs[0].text == "<Body>"
    assert document.tables[0].cell(0, 0).text == "<Cell>"
    assert document.sections[0].header.paragraphs[0].text == "<Head>"
    assert document.sections[0].footer.paragraphs[0].text == "<Foot>"
    body_xml = read_part(result.content, "word/document.xml")
    assert body_xml.count('<w:t xml:space="preserve">&lt;Box&gt;</w:t>') == 2
    assert "Note <Note>" in visible_text(
        read_part(result.content, "word/footnotes.xml")
    )
    for name in part_names(result.content):
        if name.endswith(".xml"):
            assert "MERGEFIELD" not in read_part(result.content, name), name
    assert result.warnings == []


def test_field_names_in_order_and_unique():
    # given quoted names with spaces, a Dutch name and a repeated field
    data = build_template(
        [
            paragraph(
                complex_field(' MERGEFIELD "First Name" '),
                simple_field(' MERGEFIELD "Achternaam" \\* Upper '),
                complex_field(" MERGEFIELD First_Name "),
                simple_field(' MERGEFIELD "Achternaam" '),
            )
        ]
    )

    # when it is compiled
    template = MergeTemplate.from_bytes(data)

    # then the names are listed as written, once each, in document order
    assert template.field_names == ("First Name", "Achternaam", "First_Name")


def test_name_lookup_ignores_case_and_separators():
    # given fields spelled four ways
    data = build_template(
        [
            paragraph(
                simple_field(' MERGEFIELD "First Name" '),
                run("|"),
                simple_field(" MERGEFIELD first_name "),
                run("|"),
                simple_field(" MERGEFIELD FIRST.NAME "),
                run("|"),
                simple_field(" MERGEFIELD First-Name "),
            )
        ]
    )

    # when the data has one key and an alias without a value
    xml, warnings = merged_body(data, {"first name": None, "First_Name": "Eva"})

    # then all four find the value that is set
    assert visible_text(xml) == "Eva|Eva|Eva|Eva"
    assert warnings == []


def test_missing_field_is_empty_with_one_warning():
    # given a field used twice and absent from the data
    data = build_template(
        [
            paragraph(run("Fax: "), simple_field(" MERGEFIELD Fax_No ")),
            paragraph(run("Fax: "), complex_field(" MERGEFIELD Fax_No ")),
        ]
    )

    # when it is merged
    xml, warnings = merged_body(data, {"Name": "Anna"})

    # then both places are empty and there is exactly one warning naming the field
    assert visible_text(xml) == "Fax: Fax: "
    assert warnings == ['Field "Fax_No" has no value in the data; it was left empty.']


def test_next_fields_are_removed():
    # given NEXT and NEXTIF fields between merge fields
    data = build_template(
        [
            paragraph(
                complex_field(" MERGEFIELD Name "),
                complex_field(" NEXT ", result=None),
                simple_field(' NEXTIF Name = "x" '),
                run("/"),
                complex_field(" PAGE ", result="1"),
            )
        ]
    )

    # when it is merged
    xml, warnings = merged_body(data, {"Name": "Anna"})

    # then NEXT and NEXTIF are gone and the PAGE field stays
    assert "NEXT" not in xml
    assert " PAGE " in xml
    assert visible_text(xml) == "Anna/1"
    assert warnings == []


def test_merge_field_inside_if_stays_with_warning():
    # given a MERGEFIELD nested in an IF field
    data = build_template(
        [
            paragraph(
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>',
                complex_field(" MERGEFIELD Gender ", result="F"),
                '<w:r><w:instrText xml:space="preserve"> = "F" "Ms" "Mr" '
                "</w:instrText></w:r>"
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
                run("Ms"),
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
            )
        ]
    )

    # when it is merged
    xml, warnings = merged_body(data, {"Gender": "M"})

    # then the IF field is left as it is and the warning gives the reason
    assert "MERGEFIELD Gender" in xml
    assert len(warnings) == 1
    assert "inside a IF field" in warnings[0]


def test_empty_and_unclosed_fields_warn():
    # given an empty instruction and a field that never ends
    data = build_template(
        [
            paragraph(complex_field("  ", result=None)),
            paragraph(
                '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                '<w:r><w:instrText xml:space="preserve"> MERGEFIELD Lost '
                "</w:instrText></w:r>",
                run("tail"),
            ),
            paragraph(simple_field(" MERGEFIELD Name ")),
        ]
    )

    # when it is merged
    xml, warnings = merged_body(data, {"Name": "Anna"})

    # then the good field merges and each broken one gives a warning
    assert "Anna" in visible_text(xml)
    assert any("empty instruction" in warning for warning in warnings)
    assert any('"MERGEFIELD Lost" has no end' in warning for warning in warnings)


def test_template_with_500_fields():
    # given a template with 500 distinct fields
    data = build_template(
        [paragraph(complex_field(f" MERGEFIELD F{i} "), run(";")) for i in range(500)]
    )
    template = MergeTemplate.from_bytes(data)

    # when it is merged
    result = template.render({f"F{i}": i for i in range(500)})

    # then every field has its value
    assert len(template.field_names) == 500
    document = open_document(result.content)
    assert [p.text for p in document.paragraphs] == [f"{i};" for i in range(500)]
    assert result.warnings == []


def test_render_to_writes_the_same_document():
    data = build_template([paragraph(simple_field(" MERGEFIELD Name "))])
    template = MergeTemplate.from_bytes(data)
    stream = io.BytesIO()

    warnings = template.render_to(stream, {"Name": "Anna"})

    assert stream.getvalue() == template.render({"Name": "Anna"}).content
    assert warnings == []


def test_unchanged_parts_are_copied():
    # given a template and a letter merged from it
    data = build_template(
        [paragraph(simple_field(" MERGEFIELD Name "))],
        header=[paragraph(run("Fixed header"))],
    )
    result = MergeTemplate.from_bytes(data).render({"Name": "Anna"})

    # then the parts without fields are byte for byte the template's
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        with zipfile.ZipFile(io.BytesIO(result.content)) as merged:
            assert merged.testzip() is None
            assert sorted(merged.namelist()) == sorted(source.namelist())
            for name in source.namelist():
                if name != "word/document.xml":
                    assert merged.read(name) == source.read(name), name


def test_settings_lose_the_data_source():
    # given a template whose settings name a mail merge data source
    data = build_template([paragraph(simple_field(" MERGEFIELD Name "))])
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        with zipfile.ZipFile(output, "w") as target:
            for info in source.infolist():
                content = source.read(info)
                if info.filename == "word/settings.xml":
                    content = content.replace(
                        b"</w:settings>",
                        b'<w:mailMerge><w:mainDocumentType w:val="formLetters"/>'
                        b"</w:mailMerge></w:settings>",
                    )
                target.writestr(info, content)

    # when it is merged
    result = MergeTemplate.from_bytes(output.getvalue()).render({"Name": "Anna"})

    # then the merged settings have no w:mailMerge, so Word opens no data source
    assert "mailMerge" not in read_part(result.content, "word/settings.xml")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain text, not a zip", "is not a Word .docx file"),
        (b"PK\x03\x04broken", "is not a Word .docx file"),
    ],
)
def test_invalid_file_raises_template_error(data, expected):
    with pytest.raises(TemplateError) as raised:
        MergeTemplate.from_bytes(data, "letter.docx")

    assert expected in str(raised.value)
    assert '"letter.docx"' in str(raised.value)


def test_zip_without_document_raises_template_error():
    # given a zip with content types but no word/document.xml
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("readme.txt", "hello")

    with pytest.raises(TemplateError) as raised:
        MergeTemplate.from_bytes(stream.getvalue(), "letter.docx")

    assert "no main document part (word/document.xml)" in str(raised.value)


def test_invalid_xml_raises_template_error():
    data = build_template([paragraph(run("x"))])
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        with zipfile.ZipFile(output, "w") as target:
            for info in source.infolist():
                content = source.read(info)
                if info.filename == "word/document.xml":
                    content = content[:-20]
                target.writestr(info, content)

    with pytest.raises(TemplateError) as raised:
        MergeTemplate.from_bytes(output.getvalue(), "letter.docx")

    assert 'Part "word/document.xml" of "letter.docx" is not valid XML' in str(
        raised.value
    )


def test_unknown_locale_raises():
    template = MergeTemplate.from_bytes(
        build_template([paragraph(simple_field(" MERGEFIELD Name "))])
    )

    with pytest.raises(ValueError) as raised:
        template.render({"Name": "x"}, locale="xx_NOPE")

    assert 'Invalid locale "xx_NOPE"' in str(raised.value)
