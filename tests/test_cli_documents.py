"""The merge, log and delivery commands: segment merge, segment log, template attach."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, update

from segments_module.cli import main
from segments_module.db import create_db_engine
from segments_module.models import Contact
from tests.merge_fixtures import build_template, paragraph, run, simple_field

LETTER_TEXT = "Our spring catalogue is out."


def letter() -> bytes:
    return build_template(
        [
            paragraph(run("Dear "), simple_field(" MERGEFIELD Name ", "«Name»")),
            paragraph(run(LETTER_TEXT)),
        ]
    )


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `segments` on a demo database in tmp_path; return the runner function."""
    for name in ("SEGMENTS_DATABASE_URL", "SEGMENTS_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"

    def invoke(*args: str):
        return CliRunner().invoke(main, ["--database", url, *args])

    assert invoke("demo", "load").exit_code == 0
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(
            update(Contact)
            .where(Contact.no.like("CT10012%"))
            .values(email=func.lower(Contact.no) + "@example.com")
        )
    engine.dispose()
    template_file = tmp_path / "memo.docx"
    template_file.write_bytes(letter())
    attached = invoke("template", "attach", "MEMO", "ENG", str(template_file))
    assert attached.exit_code == 0, attached.output
    return invoke


def segment_with_lines(tmp_path, cli, correspondence: str) -> str:
    """Create a segment of English persons CT10012... through the API's services."""
    from segments_module.criteria.model import ContactCriteria
    from segments_module.db import session_scope
    from segments_module.services import segments
    from segments_module.services.env import Actor, Env

    engine = create_db_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    with session_scope(engine, write=True) as session:
        env = Env(session, Actor("cli.test"))
        header = segments.create_segment(
            env,
            {
                "description": "Spring",
                "interaction_template_code": "MEMO",
                "correspondence_type_default": correspondence,
                "ignore_contact_corres_type": True,
                "send_word_docs_as_attachment": True,
            },
        )
        segments.add_contacts(
            env,
            header.no,
            ContactCriteria(
                contact={"type": "Person", "language_code": "ENG", "no": "CT10012*"}
            ),
        )
        segment_no = header.no
    engine.dispose()
    return segment_no


def test_template_attach_rejects_non_word(cli, tmp_path):
    # given a text file named like a Word document
    fake = tmp_path / "letter.docx"
    fake.write_text("not a document")

    # when it is attached
    result = cli("template", "attach", "MEMO", "ENG", str(fake))

    # then the command fails with the reason and the fix
    assert result.exit_code == 1
    assert "is not a Word document" in result.output


def test_segment_merge_writes_documents(cli, tmp_path):
    # given a segment of six English persons
    segment_no = segment_with_lines(tmp_path, cli, "Email")
    out = tmp_path / "out"

    # when it is merged
    result = cli("segment", "merge", segment_no, "--to", str(out))

    # then the combined document and the zip are written, with a progress bar
    assert result.exit_code == 0, result.output
    assert f"Merging {segment_no}" in result.output
    combined = docx.Document(out / f"{segment_no}.docx")
    text = "\n".join(paragraph.text for paragraph in combined.paragraphs)
    archive = zipfile.ZipFile(out / f"{segment_no}.zip")
    assert text.count(LETTER_TEXT) == len(archive.namelist())
    assert len(archive.namelist()) == 6
    assert result.output.strip().endswith("Merged 6 letters.")


def test_segment_log_deliver_by_email(cli, tmp_path, smtp_server, monkeypatch):
    # given SMTP settings that point at the test server
    monkeypatch.setenv("SEGMENTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SEGMENTS_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SEGMENTS_SMTP_SENDER", "marketing@cronus.example")
    segment_no = segment_with_lines(tmp_path, cli, "Email")

    # when the segment is logged with delivery
    result = cli("segment", "log", segment_no, "--deliver", "--follow-up")

    # then six e-mails went out with the letter attached
    assert result.exit_code == 0, result.output
    assert "with 6 interactions" in result.output
    assert "Follow-up segment: " in result.output
    assert "Delivered 6 of 6 letters: 6 by e-mail." in result.output
    assert len(smtp_server.messages) == 6
    [part] = list(smtp_server.messages[0].message.iter_attachments())
    document = docx.Document(io.BytesIO(part.get_content()))
    assert LETTER_TEXT in "\n".join(p.text for p in document.paragraphs)


def test_segment_log_deliver_without_smtp_rejected(cli, tmp_path):
    # given no SMTP settings and a segment of Email lines
    segment_no = segment_with_lines(tmp_path, cli, "Email")

    # when the segment is logged with delivery
    logged = cli("segment", "log", segment_no, "--deliver")

    # then nothing is logged, and the command names the variables to set
    assert logged.exit_code == 1
    assert "e-mail delivery is not set up" in logged.output
    assert "SEGMENTS_SMTP_HOST" in logged.output
    merged = cli("segment", "merge", segment_no, "--to", str(tmp_path / "still"))
    assert merged.exit_code == 0, merged.output


def test_segment_log_server_down_then_resend(cli, tmp_path, smtp_server, monkeypatch):
    # given SMTP settings for a server that is down
    monkeypatch.setenv("SEGMENTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SEGMENTS_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SEGMENTS_SMTP_SENDER", "marketing@cronus.example")
    segment_no = segment_with_lines(tmp_path, cli, "Email")
    smtp_server.stop()

    # when the segment is logged with delivery
    logged = cli("segment", "log", segment_no, "--deliver")

    # then it is logged, nothing is sent, and the command prints the resend command
    assert logged.exit_code == 0, logged.output
    assert "Delivered 0 of 6 letters: 6 failed." in logged.output
    assert "6 deliveries failed" in logged.output
    assert "segments interactions resend 1" in logged.output
    assert "failed: " in logged.output
    assert "127.0.0.1" in logged.output

    # when the server is back and the resend command runs
    smtp_server.start()
    resent = cli("interactions", "resend", "1")

    # then every letter goes out once
    assert resent.exit_code == 0, resent.output
    assert "Delivered 6 of 6 letters: 6 by e-mail." in resent.output
    assert len(smtp_server.messages) == 6


def test_segment_log_hard_copy_writes_document(cli, tmp_path):
    # given a segment of hard-copy letters
    segment_no = segment_with_lines(tmp_path, cli, "Hard Copy")
    out = tmp_path / "print"

    # when it is logged with delivery
    result = cli("segment", "log", segment_no, "--deliver", "--to", str(out))

    # then one document contains every letter, for printing
    assert result.exit_code == 0, result.output
    [written] = [path for path in out.iterdir() if path.suffix == ".docx"]
    document = docx.Document(written)
    assert len(document.sections) == 6


def test_segment_merge_unknown_segment(cli):
    result = cli("segment", "merge", "NOPE")

    assert result.exit_code == 1
    assert "Segment 'NOPE'" in result.output


def test_segment_log_invalid_smtp_logs_nothing(cli, tmp_path, monkeypatch):
    # given an SMTP host without a sender
    monkeypatch.setenv("SEGMENTS_SMTP_HOST", "127.0.0.1")
    segment_no = segment_with_lines(tmp_path, cli, "Email")

    # when the segment is logged with delivery
    result = cli("segment", "log", segment_no, "--deliver")

    # then the command names the missing variable and the segment stays open
    assert result.exit_code == 1
    assert "SEGMENTS_SMTP_SENDER is not set" in result.output
    merged = cli("segment", "merge", segment_no, "--to", str(tmp_path / "still"))
    assert merged.exit_code == 0, merged.output
