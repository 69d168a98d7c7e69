"""Criteria trees compiled to SQL: sources, nesting, validation and descriptions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, insert, select

from segments_module.contact_store import EmbeddedContactStore
from segments_module.criteria.compiler import (
    MAX_CRITERIA_DEPTH,
    MAX_CRITERIA_LENGTH,
    MAX_CRITERIA_NODES,
    FilterDescription,
    criteria_condition,
    describe_criteria,
    graphql_field_name,
    matching_contacts,
    validate_criteria,
)
from segments_module.criteria.filters import (
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    MAX_FILTER_VALUES,
)
from segments_module.criteria.model import ContactCriteria
from segments_module.errors import ErrorCode, ServiceError
from segments_module.models import (
    BusinessRelation,
    Contact,
    ContactBusinessRelation,
    ContactIndustryGroup,
    ContactJobResponsibility,
    ContactMailingGroup,
    ContactProfileAnswer,
    IndustryGroup,
    InteractionLogEntry,
    JobResponsibility,
    MailingGroup,
)
from segments_module.services.results import AddContactsOptions
from segments_module.services.segments import (
    add_contacts,
    create_segment,
    refine_contacts,
)

TODAY = date(2024, 5, 15)
STORE = EmbeddedContactStore()
EVERYONE = {"C1", "P11", "P12", "C2", "P21", "C3", "P90"}


def contact(no: str, kind: str, company_no: str, name: str, **values) -> dict:
    return {"no": no, "type": kind, "company_no": company_no, "name": name, **values}


# Three companies; C1 and C2 have persons, P90 is a person without a company.
CONTACTS = [
    contact("C1", "Company", "C1", "Alpha Ltd", country_code="GB", city="London"),
    contact("P11", "Person", "C1", "Anna Smith", country_code="GB", city="London"),
    contact("P12", "Person", "C1", "Bert Jones", country_code="GB", city="Leeds"),
    contact("C2", "Company", "C2", "Beta GmbH", country_code="DE", city="Berlin"),
    contact("P21", "Person", "C2", "Carl Braun", country_code="DE", city="Berlin"),
    contact("C3", "Company", "C3", "Gamma Inc", country_code="US", city="Boston"),
    contact("P90", "Person", "", "Olga Free", country_code="", city=""),
]


def entry(entry_no: int, contact_no: str, when: date, **values) -> dict:
    row = {
        "entry_no": entry_no,
        "contact_no": contact_no,
        "date": when,
        "campaign_no": "",
        "segment_no": "",
        "interaction_template_code": "",
        "salesperson_code": "",
        "evaluation": "",
        "canceled": False,
    }
    return {**row, **values}


# P21 has a canceled CP1 entry and a live CP2 entry.
ENTRIES = [
    entry(
        1,
        "P11",
        TODAY,
        campaign_no="CP1",
        segment_no="SM001",
        interaction_template_code="LETTER",
    ),
    entry(
        2,
        "P21",
        date(2024, 1, 10),
        campaign_no="CP1",
        canceled=True,
        evaluation="Positive",
    ),
    entry(3, "P21", date(2024, 2, 1), campaign_no="CP2", salesperson_code="JO"),
    entry(
        4,
        "C3",
        date(2023, 6, 30),
        interaction_template_code="MEETING",
        evaluation="Very Negative",
    ),
]


@pytest.fixture
def world(engine: Engine) -> Engine:
    """Contacts with mailing groups, company-held codes, answers and interactions."""
    with engine.begin() as connection:
        connection.execute(insert(Contact), CONTACTS)
        connection.execute(insert(MailingGroup), [{"code": "NEWS"}, {"code": "XMAS"}])
        connection.execute(
            insert(IndustryGroup), [{"code": "RETAIL"}, {"code": "WHOLESALE"}]
        )
        connection.execute(
            insert(BusinessRelation), [{"code": "CUST"}, {"code": "VEND"}]
        )
        connection.execute(
            insert(JobResponsibility), [{"code": "SALES"}, {"code": "IT"}]
        )
        connection.execute(
            insert(ContactMailingGroup),
            [
                {"contact_no": "P11", "mailing_group_code": "NEWS"},
                {"contact_no": "P11", "mailing_group_code": "XMAS"},
                {"contact_no": "P21", "mailing_group_code": "NEWS"},
                {"contact_no": "C2", "mailing_group_code": "XMAS"},
            ],
        )
        connection.execute(
            insert(ContactIndustryGroup),
            [
                {"contact_no": "C1", "industry_group_code": "RETAIL"},
                {"contact_no": "C2", "industry_group_code": "WHOLESALE"},
            ],
        )
        connection.execute(
            insert(ContactBusinessRelation),
            [
                {"contact_no": "C1", "business_relation_code": "CUST"},
                {"contact_no": "C3", "business_relation_code": "VEND"},
            ],
        )
        connection.execute(
            insert(ContactJobResponsibility),
            [
                {"contact_no": "P11", "job_responsibility_code": "SALES"},
                {"contact_no": "P12", "job_responsibility_code": "IT"},
            ],
        )
        connection.execute(
            insert(ContactProfileAnswer),
            [
                {"contact_no": "P11", "questionnaire_code": "Q1", "line_no": 10000},
                {"contact_no": "P12", "questionnaire_code": "Q1", "line_no": 20000},
                {"contact_no": "P12", "questionnaire_code": "Q2", "line_no": 10000},
                {"contact_no": "P21", "questionnaire_code": "Q2", "line_no": 20000},
            ],
        )
        connection.execute(insert(InteractionLogEntry), ENTRIES)
    return engine


def matches(engine: Engine, criteria: ContactCriteria) -> set[str]:
    query = matching_contacts(criteria, STORE, today=TODAY)
    with engine.connect() as connection:
        return set(connection.scalars(query))


# --- Sources -------------------------------------------------------------------------


def test_criteria_empty_matches_everyone(world):
    # given criteria without filters, with blank values
    criteria = ContactCriteria(
        contact={"country_code": "", "city": "   "}, mailing_group="", interaction={}
    )

    # when contacts are matched
    # then every contact matches
    assert matches(world, ContactCriteria()) == EVERYONE
    assert matches(world, criteria) == EVERYONE


def test_criteria_contact_fields_all_apply(world):
    # given two contact field filters
    criteria = ContactCriteria(contact={"country_code": "gb", "type": "person"})

    # when contacts are matched
    # then both must hold
    assert matches(world, criteria) == {"P11", "P12"}


def test_criteria_contact_field_operators(world):
    # given filters with wildcards, ranges, empty and case-insensitive values
    cases = {
        "A*|B*": ("name", {"C1", "P11", "P12", "C2"}),
        "@*ltd*": ("name", {"C1"}),
        "<>London&<>''": ("city", {"P12", "C2", "P21", "C3"}),
        "''": ("country_code", {"P90"}),
        "c1..c3": ("company_no", {"C1", "P11", "P12", "C2", "P21", "C3"}),
    }

    # when each runs
    found = {
        text: matches(world, ContactCriteria(contact={field: text}))
        for text, (field, _) in cases.items()
    }

    # then each matches exactly its contacts
    assert found == {text: expected for text, (_, expected) in cases.items()}


def test_criteria_mailing_group(world):
    # given a mailing group filter
    criteria = ContactCriteria(mailing_group="XMAS")

    # when contacts are matched
    # then contacts holding that group match
    assert matches(world, criteria) == {"P11", "C2"}


def test_criteria_job_responsibility(world):
    # given a job responsibility filter in lower case
    criteria = ContactCriteria(job_responsibility="sales|it")

    # when contacts are matched
    # then the persons holding either code match
    assert matches(world, criteria) == {"P11", "P12"}


def test_criteria_industry_group_held_by_company(world):
    # given an industry group held only by the company C1
    criteria = ContactCriteria(industry_group="RETAIL")

    # when contacts are matched
    # then the company and its persons match
    assert matches(world, criteria) == {"C1", "P11", "P12"}


def test_criteria_business_relation_held_by_company(world):
    # given business relations held by C1 and C3
    criteria = ContactCriteria(business_relation="CUST|VEND")

    # when contacts are matched
    # then the companies and their persons match, not the person without a company
    assert matches(world, criteria) == {"C1", "P11", "P12", "C3"}


def test_criteria_company_source_and_person_field(world):
    # given a company-held filter combined with a person's own field
    criteria = ContactCriteria(industry_group="R*", contact={"type": "Person"})

    # when contacts are matched
    # then only the persons of the company match
    assert matches(world, criteria) == {"P11", "P12"}


def test_criteria_profile_answer_same_row(world):
    # given P12 answered Q1 line 20000 and Q2 line 10000 (two rows)
    mixed = ContactCriteria(
        profile_answer={"questionnaire_code": "Q2", "line_no": "20000"}
    )
    crossed = ContactCriteria(
        profile_answer={"questionnaire_code": "Q2", "line_no": "10000"}
    )
    ranged = ContactCriteria(
        profile_answer={"questionnaire_code": "Q1", "line_no": "10000..20000"}
    )

    # when the questionnaire and line are filtered together
    # then both must hold on the same answer row
    assert matches(world, mixed) == {"P21"}
    assert matches(world, crossed) == {"P12"}
    assert matches(world, ranged) == {"P11", "P12"}


def test_criteria_profile_answer_number_value(world):
    # given a line no. given as a number, as JSON input may do
    criteria = ContactCriteria(profile_answer={"line_no": 20000})

    # when contacts are matched
    # then the number works like its text
    assert matches(world, criteria) == {"P12", "P21"}


def test_criteria_interaction_same_row(world):
    # given P21 has a canceled CP1 entry and a live CP2 entry
    live_cp1 = ContactCriteria(interaction={"campaign_no": "CP1", "canceled": "No"})
    any_cp1 = ContactCriteria(interaction={"campaign_no": "cp1"})

    # when campaign and canceled are filtered together
    # then only a contact with one live CP1 entry matches
    assert matches(world, live_cp1) == {"P11"}
    assert matches(world, any_cp1) == {"P11", "P21"}


def test_criteria_interaction_fields(world):
    # given interaction filters on each kind of field
    cases = {
        "date=t": ({"date": "t"}, {"P11"}),
        "date range": ({"date": "2024-01-01..2024-03-31"}, {"P21"}),
        "date before": ({"date": "<2024-01-01"}, {"C3"}),
        "template": ({"template_code": "letter"}, {"P11"}),
        "segment": ({"segment_no": "SM*"}, {"P11"}),
        "salesperson": ({"salesperson_code": "JO"}, {"P21"}),
        "evaluation": ({"evaluation": "<Neutral"}, {"P11", "P21"}),
        "negative": ({"evaluation": "very negative"}, {"C3"}),
        "canceled": ({"canceled": "yes"}, {"P21"}),
    }

    # when each runs
    found = {
        name: matches(world, ContactCriteria(interaction=filters))
        for name, (filters, _) in cases.items()
    }

    # then each matches exactly the contacts with such an entry
    assert found == {name: expected for name, (_, expected) in cases.items()}


def test_criteria_sources_combine_with_and(world):
    # given filters on three sources
    criteria = ContactCriteria(
        contact={"country_code": "GB|DE"},
        mailing_group="NEWS",
        interaction={"date": "2024-01-01.."},
    )

    # when contacts are matched
    # then a contact must pass all three
    assert matches(world, criteria) == {"P11", "P21"}


# --- Nesting -------------------------------------------------------------------------


def test_criteria_any_of(world):
    # given alternatives on different sources
    criteria = ContactCriteria(
        any_of=[
            ContactCriteria(mailing_group="XMAS"),
            ContactCriteria(business_relation="VEND"),
        ]
    )

    # when contacts are matched
    # then a contact matching either branch matches
    assert matches(world, criteria) == {"P11", "C2", "C3"}


def test_criteria_and_binds_tighter_than_any_of(world):
    # given a node filter next to alternatives
    criteria = ContactCriteria(
        contact={"country_code": "GB"},
        any_of=[
            ContactCriteria(mailing_group="NEWS"),
            ContactCriteria(job_responsibility="IT"),
        ],
    )

    # when contacts are matched
    # then the node filter applies to every alternative
    assert matches(world, criteria) == {"P11", "P12"}


def test_criteria_not(world):
    # given a negated country filter
    criteria = ContactCriteria(not_=ContactCriteria(contact={"country_code": "GB"}))

    # when contacts are matched
    # then contacts with another or no country match
    assert matches(world, criteria) == {"C2", "P21", "C3", "P90"}


def test_criteria_not_exists(world):
    # given contacts without any interaction
    criteria = ContactCriteria(
        contact={"type": "Person"},
        not_=ContactCriteria(interaction={"date": "<>''"}),
    )

    # when contacts are matched
    # then persons with no dated interaction match
    assert matches(world, criteria) == {"P12", "P90"}


def test_criteria_not_empty_matches_nobody(world):
    # given a not_ whose child filters nothing, so it matches everyone
    criteria = ContactCriteria(not_=ContactCriteria())

    # when contacts are matched
    # then nobody matches
    assert matches(world, criteria) == set()


def test_criteria_deep_nesting(world):
    # given (industry RETAIL and not IT) or (DE and not any NEWS member), all of both
    criteria = ContactCriteria(
        all_of=[
            ContactCriteria(
                any_of=[
                    ContactCriteria(
                        industry_group="RETAIL",
                        not_=ContactCriteria(job_responsibility="IT"),
                    ),
                    ContactCriteria(
                        contact={"country_code": "DE"},
                        not_=ContactCriteria(mailing_group="NEWS"),
                    ),
                ]
            ),
            ContactCriteria(not_=ContactCriteria(contact={"no": "C1"})),
        ]
    )

    # when contacts are matched
    # then the tree is evaluated as written
    assert matches(world, criteria) == {"P11", "C2"}


def test_criteria_condition_on_aliased_contacts(world):
    # given an alias of the contacts and an outer query that joins interaction rows
    contacts = Contact.__table__.alias("c")
    entries = InteractionLogEntry.__table__
    criteria = ContactCriteria(interaction={"campaign_no": "CP2"})
    condition = criteria_condition(criteria, STORE, contacts, today=TODAY)
    query = (
        select(contacts.c.no, entries.c.entry_no)
        .join(entries, entries.c.contact_no == contacts.c.no)
        .where(condition)
    )

    # when the query runs
    with world.connect() as connection:
        rows = {tuple(row) for row in connection.execute(query)}

    # then the EXISTS looks at its own interaction rows, not the joined ones
    assert rows == {("P21", 2), ("P21", 3)}


def test_criteria_condition_same_source_twice(world):
    # given the same source in two branches of an all_of
    criteria = ContactCriteria(
        all_of=[
            ContactCriteria(mailing_group="NEWS"),
            ContactCriteria(mailing_group="XMAS"),
        ]
    )

    # when contacts are matched
    # then each branch may use a different row
    assert matches(world, criteria) == {"P11"}


# --- Validation ----------------------------------------------------------------------


def test_validate_criteria_reports_every_error():
    # given invalid filters at several places in the tree
    criteria = ContactCriteria(
        contact={"country_code": "GB||US", "type": "Persn"},
        profile_answer={"line_no": "ten"},
        any_of=[ContactCriteria(), ContactCriteria(mailing_group="NEWS|")],
        not_=ContactCriteria(interaction={"date": "2024-02-30"}),
    )

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then each filter is reported at its GraphQL input path
    errors = caught.value.errors
    assert [error.field for error in errors] == [
        "criteria.contact.type",
        "criteria.contact.countryCode",
        "criteria.profileAnswer.lineNo",
        "criteria.anyOf[1].mailingGroup",
        "criteria.not.interaction.date",
    ]
    assert {error.code for error in errors} == {ErrorCode.INVALID_FILTER}


def test_validate_criteria_message_names_field_value_position_and_fix():
    # given a doubled |
    criteria = ContactCriteria(contact={"country_code": "GB||US"})

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then the message says what is wrong, where, and how to write it
    assert caught.value.errors[0].message == (
        'Invalid filter "GB||US" in criteria.contact.countryCode at position 4:'
        ' a value is missing between "|" and "|". Write alternatives as GB|US.'
    )


def test_validate_criteria_option_message_lists_options():
    # given an unknown contact type
    criteria = ContactCriteria(contact={"type": "Persn"})

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then the allowed values are listed
    assert caught.value.errors[0].message == (
        'Invalid filter "Persn" in criteria.contact.type at position 1:'
        ' "Persn" is not an option of Type. Use one of: Company, Person,'
        " or the API names COMPANY, PERSON."
    )


def test_validate_criteria_unknown_field():
    # given an unknown contact field and an unknown interaction field
    criteria = ContactCriteria(
        contact={"countryCode": "GB"},
        all_of=[ContactCriteria(interaction={"colour": "red"})],
    )

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria, field_prefix="input.criteria")

    # then both keys are reported with the known names
    errors = caught.value.errors
    assert [error.field for error in errors] == [
        "input.criteria.contact",
        "input.criteria.allOf[0].interaction",
    ]
    assert errors[0].message.startswith(
        'Unknown contact field "countryCode" in input.criteria.contact.'
        " Use one of: no, name, type, companyNo,"
    )


def test_validate_criteria_rejects_non_text_values():
    # given a Yes/No value written as a JSON boolean
    criteria = ContactCriteria(interaction={"canceled": True})

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then it is reported as not text
    assert caught.value.errors[0].field == "criteria.interaction.canceled"
    assert "a filter must be text" in caught.value.errors[0].message


def test_validate_criteria_accepts_valid_tree():
    # given a valid tree with blanks
    criteria = ContactCriteria(
        contact={"name": "@*shop*", "city": ""},
        interaction={"date": "..t"},
        not_=ContactCriteria(mailing_group="NEWS"),
    )

    # when it is validated
    # then nothing is raised
    validate_criteria(criteria)


def test_criteria_condition_invalid_raises():
    # given an invalid filter
    criteria = ContactCriteria(mailing_group="(NEWS")

    # when the condition is built
    with pytest.raises(ServiceError) as caught:
        criteria_condition(criteria, STORE, Contact.__table__, today=TODAY)

    # then the error points at the field
    assert caught.value.errors[0].field == "criteria.mailingGroup"


# --- Size limits ---------------------------------------------------------------------


def test_validate_criteria_rejects_long_filter():
    # given a name filter of ten million characters next to a valid filter
    criteria = ContactCriteria(contact={"name": "A" * 10_000_000, "country_code": "GB"})

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then the field, the actual length and the limit are reported
    errors = caught.value.errors
    assert len(errors) == 1
    assert errors[0].field == "criteria.contact.name"
    assert errors[0].code == ErrorCode.INVALID_FILTER
    assert "is 10,000,000 characters long" in errors[0].message
    assert "the maximum of 4,000" in errors[0].message


def test_validate_criteria_long_filter_message():
    # given a filter just over the limit
    criteria = ContactCriteria(mailing_group="N" * (MAX_FILTER_LENGTH + 1))

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then the message quotes the start of the value only
    message = caught.value.errors[0].message
    assert message.startswith(
        'The filter "' + "N" * 100 + '..." in criteria.mailingGroup'
    )
    assert "4,001 characters long" in message
    assert len(message) < 400


def test_validate_criteria_filter_at_length_limit():
    # given a filter of exactly the maximum length
    criteria = ContactCriteria(contact={"name": "A" * MAX_FILTER_LENGTH})

    # when it is validated
    # then nothing is raised
    validate_criteria(criteria)


def test_validate_criteria_total_length_limit():
    # given three filters each under the limit but together over the total limit
    length = MAX_CRITERIA_LENGTH // 3 + 1
    criteria = ContactCriteria(
        contact={"name": "A" * length},
        mailing_group="N" * length,
        not_=ContactCriteria(contact={"city": "C" * length}),
    )

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then the whole criteria are reported with the total and the limit
    errors = caught.value.errors
    assert [error.field for error in errors] == ["criteria"]
    assert "are 10,002 characters long together" in errors[0].message
    assert "the maximum of 10,000" in errors[0].message


def test_validate_criteria_node_limit():
    # given a root with as many anyOf children as the limit allows, and one more
    at_limit = ContactCriteria(
        any_of=[
            ContactCriteria(contact={"no": f"C{index}"})
            for index in range(MAX_CRITERIA_NODES - 1)
        ]
    )
    over_limit = ContactCriteria(
        any_of=[*at_limit.any_of, ContactCriteria(contact={"no": "X"})]
    )

    # when they are validated
    validate_criteria(at_limit)
    with pytest.raises(ServiceError) as caught:
        validate_criteria(over_limit, field_prefix="input.criteria")

    # then the second is reported with the node count and the limit
    errors = caught.value.errors
    assert [error.field for error in errors] == ["input.criteria"]
    assert errors[0].code == ErrorCode.INVALID_FILTER
    assert "has 201 nodes, more than the maximum of 200" in errors[0].message


def test_validate_criteria_node_limit_before_parsing():
    # given too many nodes, each with an invalid filter
    criteria = ContactCriteria(
        all_of=[ContactCriteria(contact={"no": "A||B"}) for _ in range(1_000)]
    )

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then only the size is reported: no filter was parsed
    assert len(caught.value.errors) == 1
    assert "has 1,001 nodes" in caught.value.errors[0].message


def test_validate_criteria_depth_limit():
    # given not nodes nested as deep as allowed, and one level deeper
    def nested(levels: int) -> ContactCriteria:
        node = ContactCriteria(contact={"country_code": "GB"})
        for _ in range(levels):
            node = ContactCriteria(not_=node)
        return node

    # when they are validated
    validate_criteria(nested(MAX_CRITERIA_DEPTH))
    with pytest.raises(ServiceError) as caught:
        validate_criteria(nested(MAX_CRITERIA_DEPTH + 1))

    # then the deeper one is reported at the first node beyond the limit
    errors = caught.value.errors
    assert [error.field for error in errors] == ["criteria" + ".not" * 9]
    assert "is nested 9 levels deep" in errors[0].message
    assert "more than the maximum of 8" in errors[0].message


def test_validate_criteria_control_character():
    # given a NUL character in a name filter, as a hostile client may send
    criteria = ContactCriteria(contact={"name": "Smith\x00"})

    # when it is validated
    with pytest.raises(ServiceError) as caught:
        validate_criteria(criteria)

    # then the field and the position are named, and the NUL is shown escaped
    error = caught.value.errors[0]
    assert error.field == "criteria.contact.name"
    assert error.message.startswith(
        'Invalid filter "Smith\\u0000" in criteria.contact.name at position 6:'
        " the character U+0000 is not allowed."
    )
    assert "\x00" not in error.message


def test_criteria_control_character_rejected(world):
    # given a NUL character in a mailing group filter, which PostgreSQL rejects
    criteria = ContactCriteria(mailing_group="NEWS\x00")

    # when contacts are matched
    with pytest.raises(ServiceError) as caught:
        matches(world, criteria)

    # then the expected error is raised on both databases
    assert caught.value.errors[0].field == "criteria.mailingGroup"


def test_criteria_long_value_list(world):
    # given a pasted list of 400 contact numbers, two of which exist
    numbers = [f"CT{100001 + index}" for index in range(400)]
    criteria = ContactCriteria(contact={"no": "|".join([*numbers, "p11", "c2"])})

    # when contacts are matched
    # then the two contacts match
    assert matches(world, criteria) == {"P11", "C2"}


def test_criteria_option_api_names(world):
    # given the GraphQL enum names of contact type and evaluation
    criteria = ContactCriteria(
        contact={"type": "PERSON"}, interaction={"evaluation": "POSITIVE|VERY_*"}
    )

    # when contacts are matched
    # then they filter like the captions
    assert matches(world, criteria) == {"P21"}


def _deepest_criteria() -> ContactCriteria:
    """Build criteria at the depth, filter depth and value limits that match P11."""
    groups = "".join("(Q|" if level % 2 == 0 else "(*&" for level in range(9))
    patterns = "|".join(["Q*"] * (MAX_FILTER_VALUES - 20) + ["Anna*"])
    name = groups + "(" + patterns + ")" * MAX_FILTER_DEPTH
    node = ContactCriteria(contact={"name": name}, mailing_group="NEWS")
    # Pairs of not cancel out, and an anyOf with an unknown number adds nothing.
    levels = ["not", "not", "anyOf", "not", "not", "anyOf", "not", "not"]
    assert len(levels) == MAX_CRITERIA_DEPTH
    for level in levels:
        if level == "not":
            node = ContactCriteria(not_=node)
        else:
            other = ContactCriteria(contact={"no": "X"})
            node = ContactCriteria(any_of=[node, other], industry_group="RET*")
    return node


def test_criteria_limits_run_in_services(world, env_factory):
    # given criteria as deep, as nested and as long as the limits allow
    criteria = _deepest_criteria()
    validate_criteria(criteria)
    options = AddContactsOptions(expand_contact=True, allow_company_with_persons=True)

    # when they add contacts with every option, and refine whole companies
    with env_factory() as env:
        segment = create_segment(env, {"description": "Limits"})
        added = add_contacts(env, segment.no, criteria, options)
        refined = refine_contacts(env, segment.no, criteria, entire_companies=True)

    # then both statements run: Anna Smith, her company and its persons are kept
    assert added.affected_lines == 3
    assert refined.affected_lines == 0


# --- Descriptions --------------------------------------------------------------------


def test_describe_criteria_paths_and_order():
    # given filters on the root and nested nodes
    criteria = ContactCriteria(
        interaction={"date": "2024-01-01..t"},
        contact={"city": "", "type": "person", "country_code": "gb|us"},
        mailing_group="NEWS",
        any_of=[
            ContactCriteria(industry_group="RET*"),
            ContactCriteria(not_=ContactCriteria(profile_answer={"line_no": "10000"})),
        ],
    )

    # when it is described
    lines = describe_criteria(criteria)

    # then each non-empty filter is one line, node by node in a fixed order
    assert lines == [
        FilterDescription("", "contact", "type", "person", "Type is Person"),
        FilterDescription(
            "", "contact", "country_code", "gb|us", "Country/Region Code is GB or US"
        ),
        FilterDescription(
            "",
            "mailing_group",
            "mailing_group_code",
            "NEWS",
            "Mailing Group Code is NEWS",
        ),
        FilterDescription(
            "",
            "interaction",
            "date",
            "2024-01-01..t",
            "Date is from 2024-01-01 to today",
        ),
        FilterDescription(
            "anyOf[0]",
            "industry_group",
            "industry_group_code",
            "RET*",
            "Industry Group Code starts with RET",
        ),
        FilterDescription(
            "anyOf[1].not",
            "profile_answer",
            "line_no",
            "10000",
            "Answer Line No. is 10000",
        ),
    ]


def test_describe_criteria_empty():
    # given criteria without filters
    # when it is described
    # then there are no filter lines
    assert describe_criteria(ContactCriteria(contact={"name": ""})) == []


def test_describe_criteria_invalid_raises():
    # given an invalid filter
    # when it is described
    # then the validation error is raised
    with pytest.raises(ServiceError):
        describe_criteria(ContactCriteria(contact={"no": "A..B..C"}))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("country_code", "countryCode"),
        ("no", "no"),
        ("mailing_group", "mailingGroup"),
        ("all_of", "allOf"),
        ("not_", "not"),
        ("interaction_template_code", "interactionTemplateCode"),
    ],
)
def test_graphql_field_name_camel_case(name, expected):
    # given a Python name
    # when it is converted
    # then it is the GraphQL spelling
    assert graphql_field_name(name) == expected
