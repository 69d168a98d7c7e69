"""Merge field values: names, salutations, company information and languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from segments_module.criteria.model import ContactCriteria
from segments_module.db import session_scope
from segments_module.models import SalutationFormula
from segments_module.services import segments
from segments_module.services.documents import LetterBuilder, segment_letters
from segments_module.services.env import Actor, Env
from segments_module.services.interactions import set_template_language
from segments_module.services.merge_fields import (
    MERGE_FIELDS,
    SalutationBook,
    locale_for_language,
    split_person_name,
)

ACTOR = Actor("marketing.user")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Michael Graff", ("Michael", "", "Graff")),
        ("Jose Ignacio Peiro Alba", ("Jose", "Ignacio Peiro", "Alba")),
        ("Cher", ("Cher", "", "")),
        ("  ", ("", "", "")),
    ],
)
def test_split_person_name(name, parts):
    assert split_person_name(name) == parts


def test_field_names_are_unique():
    names = [name.lower() for spec in MERGE_FIELDS for name in spec.names]
    assert len(names) == len(set(names))


def test_bc_template_names_are_offered():
    # given the field names of Business Central's contact Word templates
    bc_names = {
        "Name",
        "First_Name",
        "Address",
        "City",
        "State",
        "ZIP_Code",
        "CountryRegion_Code",
        "Email",
        "CALC_Formal_Salutation",
        "Company_Information_Phone_No",
    }

    # then each one is a merge field name
    offered = {name for spec in MERGE_FIELDS for name in spec.names}
    assert bc_names <= offered


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("DEU", "de_DE"),
        ("ESP", "es_ES"),
        ("ENG", "en_GB"),
        ("", "en_GB"),
        ("XXX", "en_GB"),
    ],
)
def test_locale_for_language(language, locale):
    assert locale_for_language(language) == locale


def test_salutation_of_language_or_blank_language(demo_engine):
    with session_scope(demo_engine) as session:
        book = SalutationBook(session)
        parts = {"first_name": "Michael", "middle_name": "", "surname": "Graff"}

        # the German formula for DEU, the blank-language one for a language without
        assert book.salutation("Formal", "M", "DEU", parts) == (
            "Sehr geehrter Herr Michael Graff,"
        )
        assert book.salutation("Informal", "M", "DEU", parts) == "Hallo Michael,"
        assert book.salutation("Formal", "M", "SVE", parts) == "Dear Mr. Michael Graff,"
        # and nothing for an unknown salutation code
        assert book.salutation("Formal", "NOPE", "DEU", parts) == ""
        assert session.scalar(select(SalutationFormula).limit(1)) is not None


def test_letter_values_of_cronus_contact(demo_engine):
    # given a segment with CRONUS contact CT100122, Michael Graff, who speaks German,
    # and a template that has German
    with session_scope(demo_engine, write=True) as session:
        env = Env(session, ACTOR)
        set_template_language(env, "BUS", "DEU", {"subject": "Danke"})
        header = segments.create_segment(
            env, {"description": "Values", "interaction_template_code": "BUS"}
        )
        segments.add_contacts(
            env, header.no, ContactCriteria(contact={"no": "CT100122"})
        )
        segment_no = header.no

    # when its letter values are built
    with session_scope(demo_engine) as session:
        env = Env(session, ACTOR)
        builder = LetterBuilder(env)
        [row] = session.execute(segment_letters(env, segment_no)).all()
        values = builder.values(row)

    # then contact, salutation, document and company fields are filled
    assert values["Name"] == "Michael Graff"
    assert values["First_Name"] == "Michael"
    assert values["Surname"] == "Graff"
    assert values["CALC_Formal_Salutation"] == "Sehr geehrter Herr Michael Graff,"
    assert values["Subject"] == "Danke"
    assert values["Segment_No"] == segment_no
    assert values["Entry_No"] == ""
    assert values["Company_Information_Name"] == "CRONUS International Ltd."
    assert values["Company_Information_Phone_No"] == "0666-666-6666"
    assert values["CountryRegion_Code"] == row.country_code
    assert builder.locale(row) == "de_DE"


def test_warnings_distinct_and_counted(demo_engine):
    # given a merge that meets 60 distinct warnings, each twice, and a long one
    with session_scope(demo_engine) as session:
        builder = LetterBuilder(Env(session, ACTOR))
    warnings = [f'Field "F{number}" has no value.' for number in range(60)]

    # when they are noted
    builder.note_warnings(warnings)
    builder.note_warnings(warnings)
    builder.note_warnings(["x" * 5000])

    # then 50 are kept, the rest are counted, and none is longer than 300
    listed = builder.all_warnings()
    assert len(listed) == 51
    assert listed[0] == 'Field "F0" has no value.'
    assert listed[-1] == "... and 11 more distinct warnings."
    assert max(len(warning) for warning in listed) <= 300
