"""Log Segment with delivery on the CRONUS demo: Word letters by e-mail and hard copy.

The letters are Business Central's own thank-you note templates, one per language,
and the e-mails go to a real SMTP server on loopback (tests/smtp_server.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter

import docx
import pytest
from sqlalchemy import func, select, update

from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import (
    Attachment,
    Contact,
    InteractionLogEntry,
    Job,
    SegmentLine,
)
from segments_module.services import delivery, documents, jobs, segments
from segments_module.services.attachments import read_attachment, store_attachment
from segments_module.services.env import Actor, Env
from segments_module.services.interactions import set_template_language
from segments_module.services.logged_segments import log_segment
from tests.conftest import require_soffice, shared_data

ACTOR = Actor("marketing.user")
THANKS_NOTES = {
    "ENG": "Contact_Thanksnote_GDL_GB.docx",
    "DEU": "Contact_Thanksnote_GDL_de.docx",
    "ESP": "Contact_Thanksnote_GDL_ES.docx",
}
# A sentence of each note's body, in its language.
THANKS_TEXT = {
    "ENG": "Thank you for registering with us.",
    "DEU": "Vielen Dank, dass Sie sich registriert haben.",
    "ESP": "Gracias por registrarse con nosotros.",
}


def run(engine, action, *args, **kwargs):
    with session_scope(engine, write=True) as session:
        return action(Env(session, ACTOR), *args, **kwargs)


def read(engine, statement):
    with session_scope(engine) as session:
        return session.execute(statement).all()


@pytest.fixture
def cronus(demo_engine):
    """The CRONUS demo with the thank-you notes on template BUS and e-mail addresses.

    Each contact of language ENG, DEU or ESP gets the address <no>@example.com.
    """
    for language, file_name in THANKS_NOTES.items():
        data = shared_data(f"templates/bc_word_templates/{file_name}").read_bytes()

        def attach(env, language=language, data=data, file_name=file_name):
            attachment = store_attachment(env, file_name, data)
            set_template_language(
                env,
                "BUS",
                language,
                {"attachment_no": attachment.no, "subject": f"Thank you ({language})"},
            )

        run(demo_engine, attach)
    with session_scope(demo_engine, write=True) as session:
        session.execute(
            update(Contact)
            .where(Contact.language_code.in_(list(THANKS_NOTES)))
            .values(email=func.lower(Contact.no) + "@example.com")
        )
    return demo_engine


def thanks_segment(engine, correspondence_type="Email", as_attachment=True) -> str:
    """Create a segment of the persons who speak ENG, DEU or ESP, with template BUS."""
    header = run(
        engine,
        segments.create_segment,
        {
            "description": "Thank you",
            "interaction_template_code": "BUS",
            "correspondence_type_default": correspondence_type,
            "ignore_contact_corres_type": True,
            "send_word_docs_as_attachment": as_attachment,
        },
    )
    run(
        engine,
        segments.add_contacts,
        header.no,
        ContactCriteria(contact={"type": "Person", "language_code": "ENG|DEU|ESP"}),
    )
    return header.no


def contacts_by_language(engine, segment_no) -> dict[str, str]:
    rows = read(
        engine,
        select(SegmentLine.contact_no, SegmentLine.language_code).where(
            SegmentLine.segment_no == segment_no
        ),
    )
    return dict(rows)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def attached_docx(message) -> bytes:
    parts = [part for part in message.iter_attachments()]
    assert len(parts) == 1
    assert parts[0].get_filename().endswith(".docx")
    return parts[0].get_content()


def received(server):
    """Return the e-mail messages the test server accepted, in order."""
    return [item.message for item in server.messages]


def log_and_deliver(engine, segment_no, workspace, callback=None):
    result = run(engine, log_segment, segment_no, False, True)
    entry_no = result.logged_segment.entry_no
    job_id = delivery.start_delivery(workspace, None, ACTOR, entry_no, callback)
    return entry_no, job_id


def test_thanks_note_in_each_contacts_language(cronus, smtp_server):
    # given a segment of CRONUS persons who speak English, German or Spanish
    segment_no = thanks_segment(cronus)
    languages = contacts_by_language(cronus, segment_no)
    assert set(languages.values()) == {"ENG", "DEU", "ESP"}
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())

    # when it is logged with delivery
    entry_no, job_id = log_and_deliver(cronus, segment_no, workspace)

    # then every contact received one e-mail with the letter in its language
    by_recipient = {message["To"]: message for message in received(smtp_server)}
    assert len(smtp_server.messages) == len(languages)
    for contact_no, language in languages.items():
        message = by_recipient[f"{contact_no.lower()}@example.com"]
        assert message["Subject"] == f"Thank you ({language})"
        assert re.fullmatch(
            r"<interaction-log-entry-\d+\.\d{20}@cronus\.example\.com>",
            message["Message-ID"].strip(),
        ), message["Message-ID"]
        text = docx_text(attached_docx(message))
        assert THANKS_TEXT[language] in text, (contact_no, language)
        for other, sentence in THANKS_TEXT.items():
            if other != language:
                assert sentence not in text
        assert "MERGEFIELD" not in text
    [job] = read(cronus, select(Job).where(Job.id == job_id))
    assert job[0].status == jobs.DONE
    assert job[0].done == len(languages)
    assert job[0].failures == 0


def test_delivered_entries_keep_merged_document(cronus, smtp_server):
    # given a logged and delivered segment
    segment_no = thanks_segment(cronus)
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())
    entry_no, _ = log_and_deliver(cronus, segment_no, workspace)

    # then each entry is delivered and stores its own merged letter
    with session_scope(cronus) as session:
        entries = session.scalars(
            select(InteractionLogEntry).where(
                InteractionLogEntry.logged_segment_entry_no == entry_no
            )
        ).all()
        env = Env(session, ACTOR)
        assert entries
        for entry in entries:
            assert entry.delivery_status == ""
            assert entry.delivery_error == ""
            assert entry.delivered_at is not None
            assert entry.merged_attachment_no is not None
            name = session.get(Contact, entry.contact_no).name
            letter = docx_text(read_attachment(env, entry.merged_attachment_no))
            assert name in letter
        # and the templates the log used can no longer change
        used = {entry.attachment_no for entry in entries}
        for no in used:
            assert session.get(Attachment, no).read_only is True


def test_stopped_server_then_resend_once(cronus, smtp_server):
    # given a segment whose delivery loses the SMTP server after three letters
    segment_no = thanks_segment(cronus)
    total = len(contacts_by_language(cronus, segment_no))
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())

    def stop_after_three(done, total, failures):
        if done == 3:
            smtp_server.stop()

    # when it is logged with delivery
    entry_no, job_id = log_and_deliver(cronus, segment_no, workspace, stop_after_three)

    # then three letters arrived and every other entry shows Error with the reason
    assert len(smtp_server.messages) == 3
    statuses = read(
        cronus,
        select(InteractionLogEntry.delivery_status, InteractionLogEntry.delivery_error)
        .where(InteractionLogEntry.logged_segment_entry_no == entry_no)
        .order_by(InteractionLogEntry.entry_no),
    )
    assert [status for status, _ in statuses[:3]] == ["", "", ""]
    assert all(status == "Error" for status, _ in statuses[3:])
    assert all(reason for _, reason in statuses[3:])
    [job] = read(cronus, select(Job.failures, Job.status).where(Job.id == job_id))
    assert job.failures == total - 3
    assert job.status == jobs.DONE

    # when the server is back and the failed ones are resent
    smtp_server.start()
    resend_job = delivery.resend_interactions(
        workspace, None, ACTOR, logged_segment_entry_no=entry_no
    )

    # then every contact has exactly one message and nothing is left in Error
    recipients = Counter(message["To"] for message in received(smtp_server))
    assert len(recipients) == total
    assert set(recipients.values()) == {1}
    errors = read(
        cronus,
        select(func.count()).where(
            InteractionLogEntry.logged_segment_entry_no == entry_no,
            InteractionLogEntry.delivery_status != "",
        ),
    )
    assert errors[0][0] == 0
    [job] = read(cronus, select(Job.total).where(Job.id == resend_job))
    assert job.total == total - 3

    # and a second resend finds nothing to send
    again = delivery.resend_interactions(
        workspace, None, ACTOR, logged_segment_entry_no=entry_no
    )
    assert again is None
    assert len(smtp_server.messages) == total


def test_html_body_when_not_attachment(cronus, smtp_server):
    # given a segment that sends the letter as the message body, and a contact
    # whose name needs escaping in HTML
    segment_no = thanks_segment(cronus, as_attachment=False)
    languages = contacts_by_language(cronus, segment_no)
    tricky_no = sorted(languages)[0]
    with session_scope(cronus, write=True) as session:
        session.execute(
            update(Contact)
            .where(Contact.no == tricky_no)
            .values(name="Tom <b>&</b> Jerry")
        )
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())

    # when it is logged with delivery
    log_and_deliver(cronus, segment_no, workspace)

    # then each message carries its own letter as HTML and text, without attachments
    messages = {message["To"]: message for message in received(smtp_server)}
    assert len(messages) == len(languages)
    for contact_no, language in languages.items():
        message = messages[f"{contact_no.lower()}@example.com"]
        assert list(message.iter_attachments()) == []
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert THANKS_TEXT[language] in html
        assert THANKS_TEXT[language] in text
        assert f"{contact_no.lower()}@example.com" in html
        assert "\ue000" not in html
        assert "\ue000" not in text
    tricky = messages[f"{tricky_no.lower()}@example.com"]
    assert (
        "Tom &lt;b&gt;&amp;&lt;/b&gt; Jerry" in tricky.get_body(("html",)).get_content()
    )
    assert "Tom <b>&</b> Jerry" in tricky.get_body(("plain",)).get_content()


def test_hard_copy_makes_one_printable_document(cronus):
    # given a segment of hard-copy letters
    segment_no = thanks_segment(cronus, correspondence_type="Hard Copy")
    languages = contacts_by_language(cronus, segment_no)
    workspace = jobs.Workspace(engine=cronus)

    # when it is logged with delivery
    entry_no, job_id = log_and_deliver(cronus, segment_no, workspace)

    # then the job offers one document with every letter, and no entry is waiting
    with session_scope(cronus) as session:
        job = session.get(Job, job_id)
        assert job.status == jobs.DONE
        data = read_attachment(Env(session, ACTOR), job.result_attachment_no)
        names = dict(
            session.execute(
                select(Contact.no, Contact.name).where(Contact.no.in_(list(languages)))
            ).all()
        )
    document = docx.Document(io.BytesIO(data))
    assert len(document.sections) == len(languages)
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    for name in names.values():
        assert name in text
    waiting = read(
        cronus,
        select(func.count()).where(
            InteractionLogEntry.logged_segment_entry_no == entry_no,
            InteractionLogEntry.delivery_status != "",
        ),
    )
    assert waiting[0][0] == 0


def test_smtp_not_set_up_marks_error(cronus):
    # given no SMTP server in the settings
    from segments_module.delivery import SmtpSettings

    segment_no = thanks_segment(cronus)
    workspace = jobs.Workspace(
        engine=cronus, smtp_settings=SmtpSettings.from_env(environ={})
    )

    # when the segment is logged with delivery
    entry_no, _ = log_and_deliver(cronus, segment_no, workspace)

    # then every entry is logged, in Error, with the fix in the reason
    rows = read(
        cronus,
        select(
            InteractionLogEntry.delivery_status, InteractionLogEntry.delivery_error
        ).where(InteractionLogEntry.logged_segment_entry_no == entry_no),
    )
    assert rows
    assert {status for status, _ in rows} == {"Error"}
    assert all("SEGMENTS_SMTP_HOST" in reason for _, reason in rows)


def test_deliver_needs_a_document_per_line(cronus):
    # given a segment with a contact whose language has no document (DAN)
    segment_no = thanks_segment(cronus)
    run(
        cronus,
        segments.add_contacts,
        segment_no,
        ContactCriteria(contact={"type": "Person", "language_code": "DAN"}),
    )

    # when it is logged with delivery
    with pytest.raises(ServiceError) as raised:
        run(cronus, log_segment, segment_no, False, True)

    # then the lines without a document are listed and nothing is logged
    fields = {error.field for error in raised.value.errors}
    assert all(field.endswith(".attachmentNo") for field in fields)
    assert {error.code for error in raised.value.errors} == {ErrorCode.LINE_INVALID}
    assert read(cronus, select(func.count()).select_from(InteractionLogEntry)) == [(0,)]


def test_merge_segment_for_review(cronus):
    # given a segment of thank-you letters
    segment_no = thanks_segment(cronus)
    languages = contacts_by_language(cronus, segment_no)
    workspace = jobs.Workspace(engine=cronus)

    # when it is merged
    job_id = documents.start_merge(workspace, None, ACTOR, segment_no)

    # then the job offers the combined document and a zip of one file per contact
    with session_scope(cronus) as session:
        job = session.get(Job, job_id)
        assert job.status == jobs.DONE, job.message
        assert job.done == len(languages)
        env = Env(session, ACTOR)
        combined = docx.Document(
            io.BytesIO(read_attachment(env, job.result_attachment_no))
        )
        archive = zipfile.ZipFile(
            io.BytesIO(read_attachment(env, job.zip_attachment_no))
        )
    assert len(combined.sections) == len(languages)
    assert len(archive.namelist()) == len(languages)
    for contact_no, language in languages.items():
        [name] = [
            item for item in archive.namelist() if item.endswith(f"-{contact_no}.docx")
        ]
        assert THANKS_TEXT[language] in docx_text(archive.read(name))
    # and the segment is still open, with nothing logged
    assert read(cronus, select(func.count()).select_from(InteractionLogEntry)) == [(0,)]


def test_long_merge_runs_in_background(cronus, monkeypatch):
    # given a job runner and a limit below the segment's size
    monkeypatch.setattr(jobs, "INLINE_LETTER_LIMIT", 2)
    segment_no = thanks_segment(cronus)
    total = len(contacts_by_language(cronus, segment_no))
    runner = jobs.JobRunner()
    workspace = jobs.Workspace(engine=cronus)

    # when it is merged
    job_id = documents.start_merge(workspace, runner, ACTOR, segment_no, ["zip"])
    runner.wait(timeout=120)
    runner.shutdown()

    # then the job finished on the worker with every letter counted
    [row] = read(
        cronus, select(Job.status, Job.done, Job.total).where(Job.id == job_id)
    )
    assert row.status == jobs.DONE
    assert row.done == total
    assert row.total == total


def test_merge_rejects_lines_without_document(cronus):
    # given a segment of Danish contacts, whose language has no document
    header = run(
        cronus,
        segments.create_segment,
        {"description": "Danish", "interaction_template_code": "BUS"},
    )
    run(
        cronus,
        segments.add_contacts,
        header.no,
        ContactCriteria(contact={"type": "Person", "language_code": "DAN"}),
    )

    # when it is merged
    with pytest.raises(ServiceError) as raised:
        documents.start_merge(jobs.Workspace(engine=cronus), None, ACTOR, header.no)

    # then each line is named with the fix, and no job was created
    assert raised.value.errors[0].field.endswith(".attachmentNo")
    assert "has no Word document" in raised.value.errors[0].message
    assert read(cronus, select(func.count()).select_from(Job)) == [(0,)]


def test_merge_segment_as_pdf(cronus):
    # given LibreOffice and a segment of thank-you letters
    require_soffice()
    segment_no = thanks_segment(cronus)

    # when it is merged to PDF only
    job_id = documents.start_merge(
        jobs.Workspace(engine=cronus), None, ACTOR, segment_no, ["pdf"]
    )

    # then the job offers a PDF and no Word output
    with session_scope(cronus) as session:
        job = session.get(Job, job_id)
        assert job.status == jobs.DONE, job.message
        assert job.result_attachment_no is None
        assert job.zip_attachment_no is None
        pdf = session.get(Attachment, job.pdf_attachment_no)
        assert pdf.content_type == "application/pdf"
        assert read_attachment(Env(session, ACTOR), pdf).startswith(b"%PDF")


def test_default_language_serves_other_languages(cronus):
    # given a segment of Danish persons whose default language is English;
    # the template has no Danish document
    header = run(
        cronus,
        segments.create_segment,
        {
            "description": "Danish",
            "interaction_template_code": "BUS",
            "language_code_default": "ENG",
        },
    )
    run(
        cronus,
        segments.add_contacts,
        header.no,
        ContactCriteria(contact={"type": "Person", "language_code": "DAN"}),
    )

    # then the header and every line take the English subject and document
    assert header.subject_default == "Thank you (ENG)"
    lines = read(
        cronus,
        select(SegmentLine.language_code, SegmentLine.attachment_no).where(
            SegmentLine.segment_no == header.no
        ),
    )
    assert lines
    assert {line.language_code for line in lines} == {"ENG"}
    assert {line.attachment_no for line in lines} == {header.attachment_no}

    # and the merge gives the English letter
    job_id = documents.start_merge(
        jobs.Workspace(engine=cronus), None, ACTOR, header.no, ["combined"]
    )
    with session_scope(cronus) as session:
        job = session.get(Job, job_id)
        data = read_attachment(Env(session, ACTOR), job.result_attachment_no)
    assert THANKS_TEXT["ENG"] in docx_text(data)


def test_changing_default_language_moves_document(cronus):
    # given a segment of Danish persons without a document
    header = run(
        cronus,
        segments.create_segment,
        {"description": "Danish", "interaction_template_code": "BUS"},
    )
    run(
        cronus,
        segments.add_contacts,
        header.no,
        ContactCriteria(contact={"type": "Person", "language_code": "DAN"}),
    )
    assert header.attachment_no is None

    # when its default language becomes German, with updateLines
    updated = run(
        cronus,
        segments.update_segment,
        header.no,
        {"language_code_default": "DEU"},
        True,
    )

    # then the header and the lines take the German subject and document
    assert updated.subject_default == "Thank you (DEU)"
    assert updated.attachment_no is not None
    lines = read(
        cronus,
        select(SegmentLine.language_code, SegmentLine.attachment_no).where(
            SegmentLine.segment_no == header.no
        ),
    )
    assert {line.language_code for line in lines} == {"DEU"}
    assert {line.attachment_no for line in lines} == {updated.attachment_no}


def test_invalid_smtp_variables_fail_each_letter(cronus, monkeypatch):
    # given SMTP variables with a port that is not a number
    monkeypatch.setenv("SEGMENTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SEGMENTS_SMTP_PORT", "abc")
    monkeypatch.setenv("SEGMENTS_SMTP_SENDER", "marketing@cronus.example")
    segment_no = thanks_segment(cronus)

    # when the segment is logged and delivered with the variables read at delivery
    entry_no, job_id = log_and_deliver(
        cronus, segment_no, jobs.Workspace(engine=cronus)
    )

    # then every entry is in Error with the variable's message, and the job finished
    rows = read(
        cronus,
        select(
            InteractionLogEntry.delivery_status, InteractionLogEntry.delivery_error
        ).where(InteractionLogEntry.logged_segment_entry_no == entry_no),
    )
    assert {status for status, _ in rows} == {"Error"}
    assert all("SEGMENTS_SMTP_PORT 'abc'" in reason for _, reason in rows)
    [job] = read(cronus, select(Job.status).where(Job.id == job_id))
    assert job.status == jobs.DONE


def test_unconfirmed_letters_need_explicit_resend(cronus, smtp_server):
    # given a server that stores each message, then closes without confirming it
    segment_no = thanks_segment(cronus)
    total = len(contacts_by_language(cronus, segment_no))
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())
    smtp_server.drop_after_data = True

    # when the segment is logged with delivery
    entry_no, _ = log_and_deliver(cronus, segment_no, workspace)

    # then every entry stays In Progress with the reason, as it may have arrived
    rows = read(
        cronus,
        select(
            InteractionLogEntry.delivery_status, InteractionLogEntry.delivery_error
        ).where(InteractionLogEntry.logged_segment_entry_no == entry_no),
    )
    assert {status for status, _ in rows} == {"In Progress"}
    assert all("may have accepted" in reason for _, reason in rows)
    received_first = len(smtp_server.messages)

    # when a plain resend runs, nothing is sent again
    smtp_server.drop_after_data = False
    plain = delivery.resend_interactions(
        workspace, None, ACTOR, logged_segment_entry_no=entry_no
    )
    assert plain is None
    assert len(smtp_server.messages) == received_first

    # when the user asks for the unconfirmed ones too, each is sent once more
    delivery.resend_interactions(
        workspace,
        None,
        ACTOR,
        logged_segment_entry_no=entry_no,
        include_unconfirmed=True,
    )
    assert len(smtp_server.messages) == received_first + total
    statuses = read(
        cronus,
        select(InteractionLogEntry.delivery_status).where(
            InteractionLogEntry.logged_segment_entry_no == entry_no
        ),
    )
    assert {status for (status,) in statuses} == {""}


def test_resend_unknown_entries_rejected(cronus):
    with pytest.raises(ServiceError) as raised:
        delivery.resend_interactions(
            jobs.Workspace(engine=cronus), None, ACTOR, entry_nos=[-1, 99999999]
        )

    [error] = raised.value.errors
    assert error.field == "entryNos"
    assert error.code == ErrorCode.NOT_FOUND
    assert "-1, 99999999" in error.message


def test_resend_entries_and_segment_rejected(cronus):
    with pytest.raises(ServiceError) as raised:
        delivery.resend_interactions(
            jobs.Workspace(engine=cronus),
            None,
            ACTOR,
            entry_nos=[1],
            logged_segment_entry_no=1,
        )

    assert raised.value.errors[0].code == ErrorCode.INVALID


def test_server_down_stops_trying_after_three(cronus, smtp_server):
    # given a segment whose SMTP server is down from the start
    segment_no = thanks_segment(cronus)
    total = len(contacts_by_language(cronus, segment_no))
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())
    smtp_server.stop()

    # when it is logged with delivery
    entry_no, _ = log_and_deliver(cronus, segment_no, workspace)

    # then three letters tried the server, and the others were not tried
    reasons = [
        reason
        for (reason,) in read(
            cronus,
            select(InteractionLogEntry.delivery_error)
            .where(InteractionLogEntry.logged_segment_entry_no == entry_no)
            .order_by(InteractionLogEntry.entry_no),
        )
    ]
    assert len(reasons) == total
    assert not any(reason.startswith("Not sent") for reason in reasons[:3])
    assert all(
        reason.startswith("Not sent, because the SMTP server failed for 3 letters")
        for reason in reasons[3:]
    )


def test_merge_logged_segment_says_logged(cronus):
    # given a logged segment
    segment_no = thanks_segment(cronus)
    run(cronus, log_segment, segment_no)

    # when it is merged
    with pytest.raises(ServiceError) as raised:
        documents.start_merge(jobs.Workspace(engine=cronus), None, ACTOR, segment_no)

    # then the error names the logged segment, not a missing segment
    [error] = raised.value.errors
    assert error.code == ErrorCode.ALREADY_LOGGED
    assert "was logged as logged segment 1" in error.message


def test_review_outputs_replaced_then_deleted(cronus):
    # given a segment merged twice for review
    segment_no = thanks_segment(cronus)
    workspace = jobs.Workspace(engine=cronus)
    first = documents.start_merge(workspace, None, ACTOR, segment_no)
    with session_scope(cronus) as session:
        first_job = session.get(Job, first)
        first_outputs = [first_job.result_attachment_no, first_job.zip_attachment_no]
    second = documents.start_merge(workspace, None, ACTOR, segment_no)

    # then only the latest merge keeps its documents
    with session_scope(cronus) as session:
        assert session.get(Job, first).result_attachment_no is None
        assert session.get(Job, first).zip_attachment_no is None
        for no in first_outputs:
            assert session.get(Attachment, no) is None
        second_job = session.get(Job, second)
        second_outputs = [second_job.result_attachment_no, second_job.zip_attachment_no]
        assert all(session.get(Attachment, no) for no in second_outputs)

    # when the segment is logged
    run(cronus, log_segment, segment_no)

    # then its review documents are gone too
    with session_scope(cronus) as session:
        for no in second_outputs:
            assert session.get(Attachment, no) is None


def test_summary_counts_each_outcome():
    from collections import Counter

    counts = Counter({"emailed": 1, "nothing to send": 2})

    assert delivery.delivery_summary(counts, 3) == (
        "Delivered 1 of 3 letters: 1 by e-mail, 2 with nothing to send (blank "
        "correspondence type)."
    )
    assert delivery.delivery_summary(Counter({"printed": 1}), 1) == (
        "Delivered 1 of 1 letter: 1 in the hard-copy document."
    )


@pytest.mark.parametrize(
    "subject",
    ["Hi\r\nBcc: evil@example.com", "=?utf-8?q?Hi=0D=0ABcc:_evil@example.com?="],
)
def test_subject_with_line_break_rejected(cronus, subject):
    # given a segment
    segment_no = thanks_segment(cronus)

    # when its subject gets a line break, plain or RFC 2047 encoded
    with pytest.raises(ServiceError) as raised:
        run(cronus, segments.update_segment, segment_no, {"subject_default": subject})

    # then it is rejected when entered, not when a letter is sent
    [error] = raised.value.errors
    assert error.code == ErrorCode.INVALID
    assert error.field.endswith("subjectDefault")


def test_deleted_segment_drops_review_outputs(cronus):
    # given a merged segment
    segment_no = thanks_segment(cronus)
    job_id = documents.start_merge(
        jobs.Workspace(engine=cronus), None, ACTOR, segment_no
    )
    with session_scope(cronus) as session:
        outputs = [session.get(Job, job_id).result_attachment_no]

    # when the segment is deleted
    run(cronus, segments.delete_segment, segment_no)

    # then its review documents are gone, and the job gives the reason
    with session_scope(cronus) as session:
        assert session.get(Attachment, outputs[0]) is None
        job = session.get(Job, job_id)
        assert job.result_attachment_no is None
        assert "logged or deleted" in job.message


def test_merge_finished_after_later_merge_not_kept(cronus):
    # given a merge job that was queued first and a later one that finished first
    segment_no = thanks_segment(cronus)
    workspace = jobs.Workspace(engine=cronus)
    first = run(cronus, jobs.create_job, jobs.MERGE, 1, segment_no=segment_no)
    first_id = first.id
    later_id = documents.start_merge(workspace, None, ACTOR, segment_no)

    # when the first one runs to its end
    documents.run_merge(workspace, ACTOR, first_id, segment_no, ["combined"])

    # then the later merge's documents stay, and the first job gives the reason
    with session_scope(cronus) as session:
        first_job = session.get(Job, first_id)
        later_job = session.get(Job, later_id)
        assert first_job.status == jobs.DONE
        assert first_job.result_attachment_no is None
        assert f"Merge job {later_id}, started later, finished first" in (
            first_job.message
        )
        assert session.get(Attachment, later_job.result_attachment_no) is not None


def test_merge_of_segment_deleted_meanwhile_not_kept(cronus):
    # given a merge job of a segment that is deleted before the job runs
    segment_no = thanks_segment(cronus)
    job = run(cronus, jobs.create_job, jobs.MERGE, 1, segment_no=segment_no)
    job_id = job.id
    attachments_before = read(cronus, select(func.count()).select_from(Attachment))
    run(cronus, segments.delete_segment, segment_no)

    # when the job runs
    documents.run_merge(
        jobs.Workspace(engine=cronus), ACTOR, job_id, segment_no, ["combined"]
    )

    # then nothing is stored for the gone segment
    with session_scope(cronus) as session:
        job = session.get(Job, job_id)
        assert job.status == jobs.FAILED
        assert "was logged or deleted before the merge ran" in job.message
    attachments_after = read(cronus, select(func.count()).select_from(Attachment))
    assert attachments_after == attachments_before


def test_template_without_fields_warns(cronus):
    # given a segment whose English document has no merge fields
    import docx as python_docx

    plain = python_docx.Document()
    plain.add_paragraph("Dear customer, we are moving.")
    buffer = io.BytesIO()
    plain.save(buffer)

    def attach(env):
        attachment = store_attachment(env, "plain.docx", buffer.getvalue())
        set_template_language(env, "BUS", "ENG", {"attachment_no": attachment.no})

    run(cronus, attach)
    header = run(
        cronus,
        segments.create_segment,
        {"description": "Plain", "interaction_template_code": "BUS"},
    )
    run(
        cronus,
        segments.add_contacts,
        header.no,
        ContactCriteria(contact={"type": "Person", "language_code": "ENG"}),
    )

    # when it is merged
    job_id = documents.start_merge(
        jobs.Workspace(engine=cronus), None, ACTOR, header.no, ["combined"]
    )

    # then the job warns that every letter is the same
    with session_scope(cronus) as session:
        warnings = session.get(Job, job_id).warnings
    assert "has no merge fields, so each of its letters is the same" in warnings


def test_personalise_twice_keeps_one_copy(cronus):
    # given a line of a thank-you segment
    segment_no = thanks_segment(cronus)
    [(line_no, shared)] = read(
        cronus,
        select(SegmentLine.line_no, SegmentLine.attachment_no)
        .where(SegmentLine.segment_no == segment_no)
        .order_by(SegmentLine.line_no)
        .limit(1),
    )

    # when it gets its own copy twice
    first = run(cronus, documents.personalize_line_document, segment_no, line_no)
    first_no = first.attachment_no
    second = run(cronus, documents.personalize_line_document, segment_no, line_no)

    # then the line has the second copy, the first is gone, the template's stays
    assert second.attachment_is_unique is True
    assert second.attachment_no not in (first_no, shared)
    with session_scope(cronus) as session:
        assert session.get(Attachment, first_no) is None
        assert session.get(Attachment, shared) is not None


def test_unstorable_letters_still_count_as_sent(cronus, smtp_server, monkeypatch):
    # given a logged segment, and an attachment store that fails from now on, as
    # a full or read-only folder does. The test user (root) can write anywhere, so
    # the store's write is replaced by one that fails.
    from segments_module.services import attachments

    segment_no = thanks_segment(cronus)
    total = len(contacts_by_language(cronus, segment_no))
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())
    result = run(cronus, log_segment, segment_no, False, True)

    def fail(env, attachment, data):
        raise ServiceError.single("file", ErrorCode.INVALID, "The disk is full.")

    monkeypatch.setattr(attachments, "_put_content", fail)

    # when it is delivered
    delivery.start_delivery(workspace, None, ACTOR, result.logged_segment.entry_no)

    # then every letter went out once and is recorded as sent, with the reason
    # its copy is missing
    assert len(smtp_server.messages) == total
    rows = read(
        cronus,
        select(
            InteractionLogEntry.delivery_status,
            InteractionLogEntry.delivery_error,
            InteractionLogEntry.merged_attachment_no,
        ).where(
            InteractionLogEntry.logged_segment_entry_no
            == result.logged_segment.entry_no
        ),
    )
    assert {row.delivery_status for row in rows} == {""}
    assert all("could not be stored: The disk is full." in row[1] for row in rows)
    assert {row.merged_attachment_no for row in rows} == {None}


def test_stopped_delivery_leaves_untried_in_error(cronus, smtp_server, monkeypatch):
    # given a delivery that breaks while it sends its second letter
    segment_no = thanks_segment(cronus)
    total = len(contacts_by_language(cronus, segment_no))
    workspace = jobs.Workspace(engine=cronus, smtp_settings=smtp_server.settings())
    real_send = delivery._send
    calls = []

    def send_then_break(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(delivery, "_send", send_then_break)

    # when the segment is logged with delivery
    entry_no, job_id = log_and_deliver(cronus, segment_no, workspace)

    # then the job failed, the first letter is sent, the second is unconfirmed
    # and the others are in Error, ready for a plain resend
    rows = read(
        cronus,
        select(InteractionLogEntry.delivery_status, InteractionLogEntry.delivery_error)
        .where(InteractionLogEntry.logged_segment_entry_no == entry_no)
        .order_by(InteractionLogEntry.entry_no),
    )
    [job] = read(cronus, select(Job.status, Job.message).where(Job.id == job_id))
    assert job.status == jobs.FAILED
    assert "stopped unexpectedly (RuntimeError)" in job.message
    assert rows[0].delivery_status == ""
    assert rows[1].delivery_status == "In Progress"
    assert "may have arrived" in rows[1].delivery_error
    assert {row.delivery_status for row in rows[2:]} == {"Error"}
    assert all(row.delivery_error.endswith("Not tried.") for row in rows[2:])

    # when the failed ones are resent
    monkeypatch.setattr(delivery, "_send", real_send)
    delivery.resend_interactions(
        workspace, None, ACTOR, logged_segment_entry_no=entry_no
    )

    # then each untried letter arrives once, and the unconfirmed one is not sent
    recipients = Counter(message["To"] for message in received(smtp_server))
    assert len(recipients) == total - 1
    assert set(recipients.values()) == {1}


def test_merge_with_missing_template_file_says_so(demo_engine, tmp_path):
    # given a folder store whose template file was deleted behind the module's back
    from segments_module.config import Settings

    settings = Settings(attachment_folder=str(tmp_path / "files"))
    workspace = jobs.Workspace(engine=demo_engine, settings=settings)
    letter = shared_data("templates/bc_word_templates/Contact_Thanksnote_GDL_GB.docx")
    with session_scope(demo_engine, write=True) as session:
        env = Env(session, ACTOR, settings)
        attachment = store_attachment(env, "note.docx", letter.read_bytes())
        set_template_language(env, "MEMO", "ENG", {"attachment_no": attachment.no})
        header = segments.create_segment(
            env,
            {
                "description": "Memo",
                "interaction_template_code": "MEMO",
                "language_code_default": "ENG",
            },
        )
        segments.add_contacts(
            env, header.no, ContactCriteria(contact={"no": "CT10012*"})
        )
        path = tmp_path / "files" / attachment.storage_path
        segment_no = header.no
    path.unlink()

    # when the segment is merged
    job_id = documents.start_merge(workspace, None, ACTOR, segment_no, ["combined"])

    # then the job names the missing file and the fix
    with session_scope(demo_engine) as session:
        job = session.get(Job, job_id)
    assert job.status == jobs.FAILED
    assert "is missing from the attachment folder" in job.message
