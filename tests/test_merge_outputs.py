"""Combined document, zip of documents and PDF conversion."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from segments_module.merge import (
    CombinedDocumentWriter,
    MergeTemplate,
    PdfUnavailable,
    ZipOfDocumentsWriter,
    convert_to_pdf,
)
from segments_module.merge.pdf import MISSING_MESSAGE
from segments_module.merge.zipwriter import DEFLATED, StreamingZipWriter
from tests.conftest import require_soffice, shared_data
from tests.merge_fixtures import (
    build_template,
    complex_field,
    open_document,
    paragraph,
    read_part,
    run,
    simple_field,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
UNZIP = shutil.which("unzip")
needs_unzip = pytest.mark.skipif(
    UNZIP is None, reason="Info-ZIP unzip is not installed: apt-get install unzip"
)
# Entries past the 16-bit entry count of the end of central directory record.
ZIP64_ENTRIES = 70_000
FOUR_GIB = 1 << 32
# Signature, disk numbers, entries on this disk, entries, directory size and offset.
END_RECORD = struct.Struct("<IHHHHIIH")
ZIP64_END_RECORD = struct.Struct("<IQHHIIQQQQ")
# Signature, disk, offset of the ZIP64 end of central directory record, disks.
ZIP64_LOCATOR = struct.Struct("<IIQI")


@pytest.fixture
def letter_template() -> MergeTemplate:
    data = build_template(
        [
            paragraph(run("Dear "), simple_field(" MERGEFIELD Name "), run(",")),
            paragraph(run("Your city: "), complex_field(" MERGEFIELD City ")),
        ],
        header=[paragraph(run("To "), complex_field(" MERGEFIELD Name "))],
        footer=[paragraph(run("Fixed footer"))],
    )
    return MergeTemplate.from_bytes(data, "letter.docx")


CONTACTS = [
    {"Name": "Anna", "City": "Madrid"},
    {"Name": "Ben", "City": "Oslo"},
    {"Name": "Chen", "City": "Lyon"},
]


def test_combined_document_of_three_letters(tmp_path, letter_template):
    # given three contacts and a template with a field in its header
    path = tmp_path / "letters.docx"

    # when they are written into one combined document
    with CombinedDocumentWriter(path) as writer:
        warnings = [writer.add(letter_template, contact) for contact in CONTACTS]

    # then python-docx reads it: three sections, letters in order, one per page
    document = open_document(path.read_bytes())
    assert warnings == [[], [], []]
    assert len(document.sections) == 3
    texts = [p.text for p in document.paragraphs]
    assert texts == [
        "Dear Anna,",
        "Your city: Madrid",
        "Dear Ben,",
        "Your city: Oslo",
        "Dear Chen,",
        "Your city: Lyon",
    ]
    for section in document.sections:
        assert section.start_type == 2  # WD_SECTION_START.NEW_PAGE
        assert section.page_width == document.sections[0].page_width
    headers = [section.header.paragraphs[0].text for section in document.sections]
    assert headers == ["To Anna", "To Ben", "To Chen"]
    footers = [section.footer.paragraphs[0].text for section in document.sections]
    assert footers == ["Fixed footer"] * 3


def test_combined_document_shares_parts_without_fields(tmp_path, letter_template):
    path = tmp_path / "letters.docx"

    with CombinedDocumentWriter(path) as writer:
        for contact in CONTACTS:
            writer.add(letter_template, contact)

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    headers = [n for n in names if n.startswith("word/header")]
    footers = [n for n in names if n.startswith("word/footer")]
    assert len(headers) == 3
    assert len(footers) == 1


def test_combined_document_of_two_templates(tmp_path):
    # given the English and German thank-you notes, which have an image each
    english_path = shared_data(
        "templates/bc_word_templates/Contact_Thanksnote_GDL_GB.docx"
    )
    german_path = shared_data(
        "templates/bc_word_templates/Contact_Thanksnote_GDL_de.docx"
    )
    english = MergeTemplate.from_bytes(english_path.read_bytes(), english_path.name)
    german = MergeTemplate.from_bytes(german_path.read_bytes(), german_path.name)
    path = tmp_path / "letters.docx"

    # when letters of both languages are combined
    with CombinedDocumentWriter(path) as writer:
        writer.add(english, {"First_Name": "Anna"})
        writer.add(german, {"First_Name": "Jürgen"})
        writer.add(english, {"First_Name": "Ben"})

    # then the letters are in order, each a section, and each logo resolves
    document = open_document(path.read_bytes())
    texts = "\n".join(p.text for p in document.paragraphs)
    assert texts.index("Dear Anna,") < texts.index("Sehr geehrte(r) Jürgen,")
    assert texts.index("Sehr geehrte(r) Jürgen,") < texts.index("Dear Ben,")
    assert len(document.sections) == 3
    blips = document.element.body.xpath(".//a:blip/@r:embed")
    assert len(blips) == 3
    for rel_id in blips:
        assert document.part.related_parts[rel_id].blob.startswith(b"\x89PNG")


def test_combined_document_needs_a_letter(tmp_path):
    writer = CombinedDocumentWriter(tmp_path / "empty.docx")

    with pytest.raises(ValueError) as raised:
        writer.close()

    assert "has no letters" in str(raised.value)


def test_combined_document_keeps_last_paragraph_properties(tmp_path):
    # given a template whose last block is a table, so no paragraph can end it
    data = build_template(
        [
            paragraph(simple_field(" MERGEFIELD Name ")),
            f'<w:tbl xmlns:w="{W_NS}"><w:tblPr/><w:tblGrid/><w:tr><w:tc><w:p>'
            "<w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
        ]
    )
    template = MergeTemplate.from_bytes(data)
    path = tmp_path / "letters.docx"

    # when two letters are combined
    with CombinedDocumentWriter(path) as writer:
        writer.add(template, {"Name": "Anna"})
        writer.add(template, {"Name": "Ben"})

    # then a paragraph after the table carries the section break
    document = open_document(path.read_bytes())
    assert len(document.sections) == 2
    assert [p.text for p in document.paragraphs] == ["Anna", "", "Ben"]
    body = read_part(path.read_bytes(), "word/document.xml")
    assert body.count("<w:sectPr") == 2


def test_zip_of_documents(tmp_path, letter_template):
    # given three contacts
    path = tmp_path / "letters.zip"
    names = ["CT0001 Anna.docx", "CT0002 Ben.docx", "letters/CT0003.docx"]

    # when each letter is written into a zip
    with ZipOfDocumentsWriter(path) as writer:
        for name, contact in zip(names, CONTACTS, strict=True):
            assert writer.add(name, letter_template, contact) == []

    # then the zip has one .docx per letter, with the given names, each readable
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == names
        for name, contact in zip(names, CONTACTS, strict=True):
            document = open_document(archive.read(name))
            assert document.paragraphs[0].text == f"Dear {contact['Name']},"


def test_zip_rejects_duplicate_and_unsafe_names(tmp_path, letter_template):
    with ZipOfDocumentsWriter(tmp_path / "letters.zip") as writer:
        writer.add("a.docx", letter_template, CONTACTS[0])

        with pytest.raises(ValueError) as duplicate:
            writer.add("a.docx", letter_template, CONTACTS[1])
        with pytest.raises(ValueError) as unsafe:
            writer.add("../a.docx", letter_template, CONTACTS[1])

    assert 'The file name "a.docx" is already in the zip' in str(duplicate.value)
    assert 'Invalid file name "../a.docx"' in str(unsafe.value)


def test_zip_of_documents_passes_zipfile_checks(tmp_path, letter_template):
    # given names with a folder and a non-ASCII letter
    path = tmp_path / "letters.zip"
    names = ["CT0001 Anna.docx", "CT0002 Bénédicte.docx", "letters/CT0003.docx"]

    # when the letters are written
    with ZipOfDocumentsWriter(path) as writer:
        for name, contact in zip(names, CONTACTS, strict=True):
            writer.add(name, letter_template, contact)

    # then zipfile finds no CRC error, every entry is STORED and opens in python-docx
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [info.filename for info in infos] == names
        for info, contact in zip(infos, CONTACTS, strict=True):
            assert info.compress_type == zipfile.ZIP_STORED
            document = open_document(archive.read(info))
            assert document.paragraphs[1].text == f"Your city: {contact['City']}"
    assert infos[0].flag_bits & 0x800 == 0
    assert infos[1].flag_bits & 0x800 == 0x800  # UTF-8 name


def test_zip_of_documents_closes_once(tmp_path, letter_template):
    path = tmp_path / "letters.zip"
    writer = ZipOfDocumentsWriter(path)
    writer.add("a.docx", letter_template, CONTACTS[0])

    writer.close()
    size = path.stat().st_size
    writer.close()

    assert path.stat().st_size == size
    with pytest.raises(ValueError) as closed:
        writer.add("b.docx", letter_template, CONTACTS[1])
    assert 'Cannot add "b.docx": the zip is closed' in str(closed.value)


def write_tiny_entries(path: Path, count: int) -> None:
    with StreamingZipWriter(path) as writer:
        for number in range(count):
            writer.add(f"{number:05d}.txt", str(number).encode(), (2024, 5, 1, 9, 0, 0))


def test_zip64_entry_count(tmp_path):
    # given more entries than the end of central directory record can count
    path = tmp_path / "many.zip"

    # when they are written
    write_tiny_entries(path, ZIP64_ENTRIES)

    # then the end record contains 0xFFFF and the ZIP64 locator precedes it
    data = path.read_bytes()
    end = END_RECORD.unpack(data[-END_RECORD.size :])
    assert end[3] == 0xFFFF
    assert end[4] == 0xFFFF
    locator = data[-END_RECORD.size - ZIP64_LOCATOR.size : -END_RECORD.size]
    signature, _, record_offset, _ = ZIP64_LOCATOR.unpack(locator)
    assert signature == 0x07064B50

    # and the ZIP64 end of central directory record counts every entry
    record = ZIP64_END_RECORD.unpack_from(data, record_offset)
    assert record[0] == 0x06064B50
    assert record[6] == ZIP64_ENTRIES
    assert record[7] == ZIP64_ENTRIES

    # and zipfile reads every entry from the ZIP64 record
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert len(infos) == ZIP64_ENTRIES
        assert archive.testzip() is None
        assert archive.read("00000.txt") == b"0"
        assert archive.read(f"{ZIP64_ENTRIES - 1:05d}.txt") == b"69999"
        assert infos[0].date_time == (2024, 5, 1, 9, 0, 0)


def test_zip_below_entry_limit_has_no_zip64(tmp_path):
    path = tmp_path / "plain.zip"

    write_tiny_entries(path, 65_534)

    data = path.read_bytes()
    assert END_RECORD.unpack(data[-END_RECORD.size :])[4] == 65_534
    assert b"PK\x06\x07" not in data[-END_RECORD.size - ZIP64_LOCATOR.size :]


def sparse_files_supported(folder: Path) -> bool:
    probe = folder / "probe"
    with probe.open("wb") as stream:
        stream.seek(64 << 20)
        stream.write(b"x")
    allocated = os.stat(probe).st_blocks * 512
    probe.unlink()
    return allocated < 1 << 20


def test_zip64_offsets_past_4_gib(tmp_path):
    # given a file whose first 4 GiB are a hole, so nothing is written there
    if not sparse_files_supported(tmp_path):
        pytest.skip(f"The file system of {tmp_path} does not support sparse files.")
    path = tmp_path / "large.zip"
    payload = b"PK" + bytes(range(256)) * 40

    # when the archive is written after the hole
    with path.open("wb") as stream:
        stream.seek(FOUR_GIB)
        with StreamingZipWriter(stream) as writer:
            writer.add("a.docx", payload)
            writer.add("b.xml", b"<a>" * 1000 + b"</a>", method=DEFLATED)
            writer.add("c.txt", b"")

    # then the offsets past 4 GiB are in the ZIP64 records, as zipfile reads them
    with path.open("rb") as stream:
        stream.seek(-END_RECORD.size, os.SEEK_END)
        end = END_RECORD.unpack(stream.read())
    assert end[3] == 3
    assert end[6] == 0xFFFFFFFF
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
        assert infos[0].header_offset == FOUR_GIB
        assert infos[1].compress_type == zipfile.ZIP_DEFLATED
        assert archive.read("a.docx") == payload
        assert archive.read("b.xml") == b"<a>" * 1000 + b"</a>"
        assert archive.read("c.txt") == b""


def test_zip_to_a_pipe(tmp_path):
    # given a target that cannot seek or tell: the stdin pipe of cat
    path = tmp_path / "piped.zip"
    with path.open("wb") as output:
        cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=output)

        # when the archive is written into the pipe
        with StreamingZipWriter(cat.stdin) as writer:
            writer.add("a.txt", b"first")
            writer.add("b.txt", b"second")
        cat.stdin.close()
        assert cat.wait(timeout=30) == 0

    # then offsets count from the first byte written
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.read("b.txt") == b"second"


def test_zip_rejects_long_entry_name(tmp_path):
    with StreamingZipWriter(tmp_path / "names.zip") as writer:
        with pytest.raises(ValueError) as raised:
            writer.add("é" * 40_000 + ".txt", b"")

    assert "is 80004 bytes in UTF-8" in str(raised.value)


@needs_unzip
@pytest.mark.parametrize("kind", ["letters", "zip64 entries", "zip64 offsets"])
def test_unzip_accepts_archive(tmp_path, letter_template, kind):
    # given an archive of each kind the writer produces
    path = tmp_path / "archive.zip"
    if kind == "letters":
        with ZipOfDocumentsWriter(path) as writer:
            for number, contact in enumerate(CONTACTS):
                name = f"CT{number} {contact['Name']}é.docx"
                writer.add(name, letter_template, contact)
    elif kind == "zip64 entries":
        write_tiny_entries(path, ZIP64_ENTRIES)
    else:
        if not sparse_files_supported(tmp_path):
            pytest.skip(f"The file system of {tmp_path} does not support sparse files.")
        with path.open("wb") as stream:
            stream.seek(FOUR_GIB)
            with StreamingZipWriter(stream) as writer:
                writer.add("a.txt", b"after the hole")

    # when Info-ZIP tests it
    result = subprocess.run(
        [UNZIP, "-tq", str(path)], capture_output=True, text=True, timeout=120
    )

    # then it reports no error and no warning (exit status 0)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors detected" in result.stdout


def test_pdf_without_libreoffice(tmp_path, monkeypatch, letter_template):
    # given a PATH on which neither soffice nor libreoffice can be found
    monkeypatch.setenv("PATH", "")
    docx_path = tmp_path / "letter.docx"
    docx_path.write_bytes(letter_template.render(CONTACTS[0]).content)

    # when a PDF is requested
    with pytest.raises(PdfUnavailable) as raised:
        convert_to_pdf(docx_path, tmp_path)

    # then the error names what to install
    assert str(raised.value) == MISSING_MESSAGE


def test_pdf_conversion(tmp_path, letter_template):
    require_soffice()
    docx_path = tmp_path / "letter.docx"
    docx_path.write_bytes(letter_template.render(CONTACTS[0]).content)

    pdf_path = convert_to_pdf(docx_path, tmp_path / "out")

    assert pdf_path == tmp_path / "out" / "letter.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
