"""The BC filter syntax: parsing, errors with positions, readable text, and SQL."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from segments_module.criteria.filters import (
    EMPTY,
    MAX_FILTER_DEPTH,
    MAX_FILTER_LENGTH,
    MAX_FILTER_VALUES,
    TODAY,
    AllOf,
    AnyOf,
    Comparison,
    FilterSyntaxError,
    OptionIn,
    Pattern,
    Range,
    describe_filter,
    filter_condition,
    option_name,
    parse_filter,
)
from segments_module.criteria.model import (
    CONTACT_FIELDS,
    INTERACTION_FIELDS,
    PROFILE_ANSWER_FIELDS,
    FieldInfo,
)
from segments_module.models import (
    Contact,
    ContactType,
    CorrespondenceType,
    Evaluation,
    InteractionLogEntry,
)

from .conftest import shared_data

NAME = CONTACT_FIELDS["name"]
COUNTRY = CONTACT_FIELDS["country_code"]
TYPE = CONTACT_FIELDS["type"]
CORRESPONDENCE = CONTACT_FIELDS["correspondence_type"]
LINE_NO = PROFILE_ANSWER_FIELDS["line_no"]
DATE = INTERACTION_FIELDS["date"]
EVALUATION = INTERACTION_FIELDS["evaluation"]
CANCELED = INTERACTION_FIELDS["canceled"]
TODAY_DATE = date(2024, 5, 15)


def eq(value, ignore_case: bool = False) -> Comparison:
    return Comparison("=", value, ignore_case)


def starts(text: str) -> Pattern:
    return Pattern((("text", text), ("any", "")))


# --- Parsing -------------------------------------------------------------------------


def test_parse_filter_single_value():
    # given a plain value
    # when it is parsed
    node = parse_filter("Cannon", NAME)

    # then it is an equality
    assert node == eq("Cannon")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=X", Comparison("=", "X")),
        ("<>X", Comparison("<>", "X")),
        ("<X", Comparison("<", "X")),
        ("<=X", Comparison("<=", "X")),
        (">X", Comparison(">", "X")),
        (">=X", Comparison(">=", "X")),
        ("A..C", Range("A", "C")),
        ("A..", Range("A", None)),
        ("..C", Range(None, "C")),
        ("''", Comparison("=", EMPTY)),
        ("=''", Comparison("=", EMPTY)),
        ("<>''", Comparison("<>", EMPTY)),
        ("@smith", Comparison("=", "smith", ignore_case=True)),
        ("<>@smith", Comparison("<>", "smith", ignore_case=True)),
        ("@A..C", Range("A", "C", ignore_case=True)),
        ("A .. C", Range("A", "C")),
        ("<> X", Comparison("<>", "X")),
        ("' A '..", Range(" A ", None)),
    ],
)
def test_parse_filter_operators(text, expected):
    # given a filter with one operator
    # when it is parsed
    node = parse_filter(text, NAME)

    # then the node has that operator and value
    assert node == expected


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("CT1*", (("text", "CT1"), ("any", ""))),
        ("*shop*", (("any", ""), ("text", "shop"), ("any", ""))),
        ("*shop", (("any", ""), ("text", "shop"))),
        ("A?C", (("text", "A"), ("one", ""), ("text", "C"))),
        ("A**", (("text", "A"), ("any", ""))),
        ("'50%'*", (("text", "50%"), ("any", ""))),
        ("'*'*", (("text", "*"), ("any", ""))),
    ],
)
def test_parse_filter_wildcards(text, parts):
    # given a filter with wildcards, some quoted
    # when it is parsed
    node = parse_filter(text, NAME)

    # then unquoted * and ? are wildcards and quoted ones are literal
    assert node == eq(Pattern(parts))


def test_parse_filter_ignore_case_wildcards():
    # given @ combined with wildcards
    # when it is parsed
    node = parse_filter("@*shop*", NAME)

    # then the pattern ignores case
    assert node == Comparison(
        "=", Pattern((("any", ""), ("text", "shop"), ("any", ""))), ignore_case=True
    )


def test_parse_filter_not_with_wildcard():
    # given <> before a pattern
    # when it is parsed
    node = parse_filter("<>A*", NAME)

    # then it is a negated pattern
    assert node == Comparison("<>", starts("A"))


def test_parse_filter_or():
    # given alternatives
    # when they are parsed
    node = parse_filter("GB|US|DE", COUNTRY)

    # then each is one branch of an or
    assert node == AnyOf((eq("GB"), eq("US"), eq("DE")))


def test_parse_filter_and_binds_tighter_than_or():
    # given a mix of & and |
    # when it is parsed
    node = parse_filter("A*&<>AB|C", NAME)

    # then it reads as (A* and <>AB) or C
    assert node == AnyOf((AllOf((eq(starts("A")), Comparison("<>", "AB"))), eq("C")))


def test_parse_filter_parentheses_group():
    # given parentheses around an or
    # when it is parsed
    node = parse_filter("(A|B)&<>C", NAME)

    # then the or is evaluated first
    assert node == AllOf((AnyOf((eq("A"), eq("B"))), Comparison("<>", "C")))


def test_parse_filter_nested_parentheses():
    # given nested groups with spaces
    # when it is parsed
    node = parse_filter("((A | B) & C) | D", NAME)

    # then the structure follows the brackets
    assert node == AnyOf((AllOf((AnyOf((eq("A"), eq("B"))), eq("C"))), eq("D")))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'A|B'", "A|B"),
        ("'A&B'", "A&B"),
        ("'(A)'", "(A)"),
        ("'10..20'", "10..20"),
        ("'<>X'", "<>X"),
        ("'@home'", "@home"),
        ("'O''Brien'", "O'Brien"),
        ("' padded '", " padded "),
        ("  spaced  ", "spaced"),
        ("New York", "New York"),
        ("mail@home", "mail@home"),
    ],
)
def test_parse_filter_literal_values(text, value):
    # given a quoted or plain value with special characters or spaces
    # when it is parsed
    node = parse_filter(text, NAME)

    # then the value is literal, with unquoted outer spaces dropped
    assert node == eq(value)


def test_parse_filter_code_fields_upper_case():
    # given lower-case values on Code fields
    # when they are parsed
    country = parse_filter("gb|us*", COUNTRY)
    number = parse_filter("ct1..ct9", CONTACT_FIELDS["no"])

    # then the values are upper-cased, as BC stores codes
    assert country == AnyOf((eq("GB"), eq(Pattern((("text", "US"), ("any", ""))))))
    assert number == Range("CT1", "CT9")


def test_parse_filter_text_keeps_case():
    # given a mixed-case value on a text field
    # when it is parsed
    node = parse_filter("McDonald", NAME)

    # then the case is kept
    assert node == eq("McDonald")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("person", eq("Person")),
        ("PERSON|company", AnyOf((eq("Person"), eq("Company")))),
        ("<>Person", Comparison("<>", "Person")),
        ("''", eq(EMPTY)),
    ],
)
def test_parse_filter_option_captions(text, expected):
    # given option captions in any case
    # when they are parsed
    node = parse_filter(text, TYPE)

    # then they resolve to the canonical caption
    assert node == expected


@pytest.mark.parametrize(
    ("text", "captions", "negated"),
    [
        ("Very*", ("Very Positive", "Very Negative"), False),
        ("<>*positive", ("Very Positive", "Positive"), True),
        ("Positive..Negative", ("Positive", "Neutral", "Negative"), False),
        ("<Neutral", ("", "Very Positive", "Positive"), False),
        (">=Negative", ("Negative", "Very Negative"), False),
        ("Negative..", ("Negative", "Very Negative"), False),
    ],
)
def test_parse_filter_option_sets(text, captions, negated):
    # given wildcards, ranges and comparisons on an option field
    # when they are parsed
    node = parse_filter(text, EVALUATION)

    # then they expand to the captions in option order
    assert node == OptionIn(captions, negated)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10000", eq(10000)),
        ("10000..30000", Range(10000, 30000)),
        ("..20000", Range(None, 20000)),
        (">=-5", Comparison(">=", -5)),
        ("10000|30000", AnyOf((eq(10000), eq(30000)))),
        ("''", eq(EMPTY)),
    ],
)
def test_parse_filter_integers(text, expected):
    # given number filters
    # when they are parsed
    node = parse_filter(text, LINE_NO)

    # then the values are integers
    assert node == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", eq(date(2024, 5, 1))),
        ("2024-01-01..2024-12-31", Range(date(2024, 1, 1), date(2024, 12, 31))),
        ("t", eq(TODAY)),
        ("TODAY", eq(TODAY)),
        ("2024-05-01..today", Range(date(2024, 5, 1), TODAY)),
        ("<t", Comparison("<", TODAY)),
        ("''", eq(EMPTY)),
    ],
)
def test_parse_filter_dates(text, expected):
    # given date filters
    # when they are parsed
    node = parse_filter(text, DATE)

    # then the values are dates or today
    assert node == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", eq(True)),
        ("no", eq(False)),
        ("TRUE", eq(True)),
        ("false", eq(False)),
        ("1", eq(True)),
        ("0", eq(False)),
        ("<>yes", Comparison("<>", True)),
    ],
)
def test_parse_filter_booleans(text, expected):
    # given Yes/No filters in any spelling
    # when they are parsed
    node = parse_filter(text, CANCELED)

    # then the values are booleans
    assert node == expected


# --- Errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "info", "position", "reason"),
    [
        ("GB||US", COUNTRY, 4, 'a value is missing between "|" and "|"'),
        ("|US", COUNTRY, 1, 'a value is missing before "|"'),
        ("GB|", COUNTRY, 3, 'a value is missing after "|"'),
        ("GB| |US", COUNTRY, 5, 'a value is missing between "|" and "|"'),
        ("A&", NAME, 2, 'a value is missing after "&"'),
        ("A&|B", NAME, 3, 'a value is missing between "&" and "|"'),
        ("()", NAME, 2, 'a value is missing between "(" and ")"'),
        ("(A|B", NAME, 1, '"(" is not closed'),
        ("A)", NAME, 2, 'unexpected ")"'),
        ("(A)B", NAME, 4, 'a value or "(" follows ")" without | or &'),
        ("A(B)", NAME, 2, 'unexpected "(" after a value'),
        ("'abc", NAME, 1, "the quote that starts here is not closed"),
        ("GB|'US", COUNTRY, 4, "the quote that starts here is not closed"),
        ("<>", NAME, 1, 'a value is missing after "<>"'),
        ("A|>=", NAME, 3, 'a value is missing after ">="'),
        ("@", NAME, 1, 'a value is missing after "@"'),
        ("..", NAME, 1, '".." needs a value on at least one side'),
        ("1..2..3", LINE_NO, 5, 'a filter value can hold only one ".."'),
        ("<1..3", LINE_NO, 1, '"<" cannot be combined with a range ("..")'),
        ("A*..B", NAME, 2, 'wildcards (* and ?) cannot be used with ".."'),
        ("<A*", NAME, 3, 'wildcards (* and ?) cannot be used with "<"'),
        ("''..B", NAME, 1, "a range end cannot be ''"),
        ("<''", NAME, 2, "'' can be used only with = or <>, not with \"<\""),
        ("10|abc", LINE_NO, 4, '"abc" is not a whole number'),
        ("1.5", LINE_NO, 1, '"1.5" is not a whole number'),
        ("1*", LINE_NO, 1, "wildcards (* and ?) apply only to text fields"),
        ("2024-13-01", DATE, 1, '"2024-13-01" is not a valid date'),
        ("01/05/2024", DATE, 1, '"01/05/2024" is not a valid date'),
        ("2024-05-01..yesterday", DATE, 13, '"yesterday" is not a valid date'),
        ("maybe", CANCELED, 1, '"maybe" is not Yes or No'),
        ("No..Yes", CANCELED, 3, "Canceled is a Yes/No field and has no ranges"),
        (">No", CANCELED, 2, 'Canceled is a Yes/No field and cannot use ">"'),
        ("Persn", TYPE, 1, '"Persn" is not an option of Type'),
        ("Company|Persn", TYPE, 9, '"Persn" is not an option of Type'),
        ("X*", TYPE, 1, '"X*" matches no option of Type'),
        ("   ", NAME, 1, "the filter is empty"),
        ("<><>X", NAME, 3, '"<>" cannot follow "<>"'),
        ("@@smith", NAME, 2, '"@" cannot follow "@"'),
        ("<>@@smith", NAME, 4, '"@" cannot follow "<>@"'),
        ("@<>@smith", NAME, 4, '"@" cannot follow "@<>"'),
        ("=<X", NAME, 2, '"<" cannot follow "="'),
        (">==5", LINE_NO, 3, '"=" cannot follow ">="'),
        ("A|<> <>B", NAME, 6, '"<>" cannot follow "<>"'),
        ("Smith\x00", NAME, 6, "the character U+0000 is not allowed"),
        ("GB\nUS", COUNTRY, 3, "the character U+000A is not allowed"),
        ("'A\x1bB'", NAME, 3, "the character U+001B is not allowed"),
        ("A\x7f", NAME, 2, "the character U+007F is not allowed"),
        ("A\ud800", NAME, 2, "the character U+D800 is not allowed"),
    ],
)
def test_parse_filter_errors(text, info, position, reason):
    # given an invalid filter
    # when it is parsed
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text, info)

    # then the error gives the reason and the 1-based position
    assert caught.value.reason.startswith(reason)
    assert caught.value.position == position


def test_parse_filter_repeated_operator_hint():
    # given an operator written twice
    # when it is parsed
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter("<><>X", NAME)

    # then the hint offers one operator or a quoted value
    assert caught.value.hint == (
        "Write one comparison operator and at most one @ before a value, e.g."
        " <>@smith, or quote a value that starts with one ('<>X')."
    )


def test_parse_filter_quoted_operator_is_literal():
    # given an operator quoted after another operator
    # when it is parsed
    node = parse_filter("<>'<>X'", NAME)

    # then the quoted one is part of the value
    assert node == Comparison("<>", "<>X")


def test_parse_filter_tab_allowed():
    # given a quoted tab, the one control character a filter may contain
    # when it is parsed
    node = parse_filter("'A\tB'", NAME)

    # then it is part of the value
    assert node == eq("A\tB")


def test_parse_filter_length_limit():
    # given a filter of exactly the maximum length and one a character longer
    at_limit = "A" * MAX_FILTER_LENGTH
    over_limit = "A" * (MAX_FILTER_LENGTH + 1)

    # when they are parsed
    node = parse_filter(at_limit, NAME)
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(over_limit, NAME)

    # then the first is a value and the second is rejected with size and limit
    assert node == eq(at_limit)
    assert caught.value.reason == (
        "the filter is 4,001 characters long, more than the maximum of 4,000"
    )
    assert caught.value.position == MAX_FILTER_LENGTH + 1


def test_parse_filter_million_characters_rejected():
    # given a pasted value of ten million characters
    text = "A" * 10_000_000

    # when it is parsed
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text, NAME)

    # then it is rejected by its length, before it is read
    assert caught.value.reason.startswith("the filter is 10,000,000 characters long")


def test_parse_filter_values_limit():
    # given the maximum number of values, and one value more
    at_limit = "|".join(str(number) for number in range(MAX_FILTER_VALUES))
    over_limit = at_limit + "|X"

    # when they are parsed
    node = parse_filter(at_limit, NAME)
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(over_limit, NAME)

    # then the first is an or of every value and the second points at the extra one
    assert isinstance(node, AnyOf)
    assert len(node.items) == MAX_FILTER_VALUES
    assert caught.value.reason == (
        "the filter has 1,001 values, more than the maximum of 1,000"
    )
    assert caught.value.position == len(over_limit)


def test_parse_filter_nesting_limit():
    # given parentheses at the maximum depth, one level deeper, and 500 levels deep
    def nested(levels: int) -> str:
        return "(" * levels + "A" + ")" * levels

    # when they are parsed
    node = parse_filter(nested(MAX_FILTER_DEPTH), NAME)
    with pytest.raises(FilterSyntaxError) as one_deeper:
        parse_filter(nested(MAX_FILTER_DEPTH + 1), NAME)
    with pytest.raises(FilterSyntaxError) as very_deep:
        parse_filter(nested(500), NAME)

    # then the deeper ones fail at the first "(" beyond the limit, not by recursion
    assert node == eq("A")
    assert one_deeper.value.reason == "parentheses are nested more than 10 levels deep"
    assert one_deeper.value.position == MAX_FILTER_DEPTH + 1
    assert very_deep.value.position == MAX_FILTER_DEPTH + 1


@pytest.mark.parametrize(
    ("text", "info", "expected"),
    [
        ("HARD_COPY", CORRESPONDENCE, eq("Hard Copy")),
        ("hard_copy|EMAIL", CORRESPONDENCE, AnyOf((eq("Hard Copy"), eq("Email")))),
        ("BLANK", CORRESPONDENCE, eq("")),
        ("<>BLANK", CORRESPONDENCE, Comparison("<>", "")),
        ("PERSON", TYPE, eq("Person")),
        ("VERY_POSITIVE", EVALUATION, eq("Very Positive")),
        ("VERY_*", EVALUATION, OptionIn(("Very Positive", "Very Negative"))),
        ("POSITIVE..NEUTRAL", EVALUATION, OptionIn(("Positive", "Neutral"))),
        (">=NEGATIVE", EVALUATION, OptionIn(("Negative", "Very Negative"))),
    ],
)
def test_parse_filter_option_api_names(text, info, expected):
    # given the GraphQL enum names of options, in any case
    # when they are parsed
    node = parse_filter(text, info)

    # then they resolve to the captions
    assert node == expected


@pytest.mark.parametrize(
    ("info", "enum"),
    [
        (TYPE, ContactType),
        (CORRESPONDENCE, CorrespondenceType),
        (EVALUATION, Evaluation),
    ],
)
def test_option_name_matches_model_enums(info, enum):
    # given an option field and the model enum that the GraphQL API exposes
    # when the API names of its captions are derived
    names = [option_name(caption) for caption in info.options]

    # then they are the enum's member names, in option order
    assert names == [member.name for member in enum]
    assert list(info.options) == [member.value for member in enum]


def test_parse_filter_error_hint_for_double_bar():
    # given a doubled |
    # when it is parsed
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter("GB||US", COUNTRY)

    # then the fix shows the corrected filter
    assert caught.value.hint == "Write alternatives as GB|US."
    assert str(caught.value) == (
        'a value is missing between "|" and "|" at position 4.'
        " Write alternatives as GB|US."
    )


def test_parse_filter_unknown_option_lists_options():
    # given an unknown option of Correspondence Type
    # when it is parsed
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter("Fax", CORRESPONDENCE)

    # then the hint lists the allowed values, blank included
    assert caught.value.hint == (
        "Use one of: '' (blank), Hard Copy, Email,"
        " or the API names BLANK, HARD_COPY, EMAIL."
    )


# --- Readable text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "info", "view"),
    [
        ("GB|US", COUNTRY, "Country/Region Code is GB or US"),
        ("gb|us|de", COUNTRY, "Country/Region Code is GB, US or DE"),
        ("<>GB", COUNTRY, "Country/Region Code is not GB"),
        ("''", COUNTRY, "Country/Region Code is empty"),
        ("<>''", COUNTRY, "Country/Region Code is not empty"),
        ("CT1*", CONTACT_FIELDS["no"], "No. starts with CT1"),
        ("*shop*", NAME, "Name contains shop"),
        ("@*shop*", NAME, "Name contains shop (any case)"),
        ("*Ltd", NAME, "Name ends with Ltd"),
        ("<>*Ltd", NAME, "Name does not end with Ltd"),
        ("A?C*", NAME, "Name matches A?C*"),
        ("@smith", NAME, "Name is smith (any case)"),
        ("A*&<>AB|C", NAME, "Name starts with A and is not AB, or is C"),
        ("(A|B)&<>C", NAME, "Name (is A or B) and is not C"),
        ("A..M", NAME, "Name is from A to M"),
        ("<M", NAME, "Name is less than M"),
        ("10000..", LINE_NO, "Answer Line No. is at least 10000"),
        ("..20000", LINE_NO, "Answer Line No. is at most 20000"),
        (">10000", LINE_NO, "Answer Line No. is greater than 10000"),
        ("2024-01-01..t", DATE, "Date is from 2024-01-01 to today"),
        ("<2024-01-01", DATE, "Date is before 2024-01-01"),
        ("2024-01-01..", DATE, "Date is on or after 2024-01-01"),
        ("''", DATE, "Date is empty"),
        ("person", TYPE, "Type is Person"),
        ("Very*", EVALUATION, "Evaluation is Very Positive or Very Negative"),
        ("<>Very*", EVALUATION, "Evaluation is not Very Positive or Very Negative"),
        ("''|Email", CORRESPONDENCE, "Correspondence Type is empty or is Email"),
        ("1", CANCELED, "Canceled is Yes"),
        ("<>Yes", CANCELED, "Canceled is not Yes"),
    ],
)
def test_describe_filter_views(text, info, view):
    # given a filter
    # when it is described
    # then the text reads as a sentence about the field
    assert describe_filter(text, info) == view


def test_describe_filter_invalid_raises():
    # given an invalid filter
    # when it is described
    # then the syntax error is raised
    with pytest.raises(FilterSyntaxError):
        describe_filter("GB||US", COUNTRY)


# --- SQL on both databases -----------------------------------------------------------

CONTACTS = [
    # no, type, company_no, name, city, country_code
    ("C1", "Company", "C1", "Cannon Group PLC", "London", "GB"),
    ("C2", "Company", "C2", "cannon shop", "Paris", "FR"),
    ("C3", "Company", "C3", "100% Sale_Shop", "", "US"),
    ("P1", "Person", "C1", "Andy Teal", "London", "GB"),
    ("P2", "Person", "C1", "Abby Smith", "london", "gb"),
    ("P3", "Person", "C2", "AB", "Paris", ""),
    ("P4", "Person", "C3", "[Shop] *star*?", "New York", "US"),
]


@pytest.fixture
def contact_engine(engine: Engine) -> Engine:
    rows = [
        {
            "no": no,
            "type": kind,
            "company_no": company,
            "name": name,
            "city": city,
            "country_code": country,
        }
        for no, kind, company, name, city, country in CONTACTS
    ]
    with engine.begin() as connection:
        connection.execute(insert(Contact), rows)
    return engine


def matching(engine: Engine, text: str, field: str = "name") -> set[str]:
    table = Contact.__table__
    info = CONTACT_FIELDS[field]
    condition = filter_condition(text, table.c[info.column], info, today=TODAY_DATE)
    with engine.connect() as connection:
        return set(connection.scalars(select(table.c.no).where(condition)))


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("Andy Teal", "name", {"P1"}),
        ("andy teal", "name", set()),
        ("@andy teal", "name", {"P1"}),
        ("London", "city", {"C1", "P1"}),
        ("@LONDON", "city", {"C1", "P1", "P2"}),
        ("<>London", "city", {"C2", "C3", "P2", "P3", "P4"}),
        ("''", "city", {"C3"}),
        ("<>''", "city", {"C1", "C2", "P1", "P2", "P3", "P4"}),
        ("London|Paris", "city", {"C1", "P1", "C2", "P3"}),
        ("C2..P2", "no", {"C2", "C3", "P1", "P2"}),
        ("<C3", "no", {"C1", "C2"}),
        (">=p3", "no", {"P3", "P4"}),
        ("..c1|p4..", "no", {"C1", "P4"}),
        ("A*", "name", {"P2", "P1", "P3"}),
        ("a*", "name", set()),
        ("@a*", "name", {"P2", "P1", "P3"}),
        ("A*&<>AB", "name", {"P1", "P2"}),
        ("A*&<>AB|C*", "name", {"P1", "P2", "C1"}),
        ("(A*|C*)&*a*", "name", {"P1", "C1"}),
        ("*shop", "name", {"C2"}),
        ("*Shop*", "name", {"C3", "P4"}),
        ("@*shop*", "name", {"C2", "C3", "P4"}),
        ("A?", "name", {"P3"}),
        ("?B", "name", {"P3"}),
    ],
)
def test_filter_condition_text(contact_engine, text, field, expected):
    # given contacts with mixed-case names and cities
    # when a text filter runs
    # then exactly the contacts the user expects match
    assert matching(contact_engine, text, field) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100'%'*", {"C3"}),
        ("1_0*", set()),
        ("100% Sale_Shop", {"C3"}),
        ("*'_'*", {"C3"}),
        ("'[Shop]'*", {"P4"}),
        ("*'*'star'*'?", {"P4"}),
        ("*'?'", {"P4"}),
        ("'*'*", set()),
        ("*!*", set()),
    ],
)
def test_filter_condition_wildcard_escaping(contact_engine, text, expected):
    # given names with %, _, [, * and ? in them
    # when a filter uses them literally (quoted or outside wildcards)
    # then they match only themselves
    assert matching(contact_engine, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gb", {"C1", "P1"}),
        ("GB", {"C1", "P1"}),
        ("g*", {"C1", "P1"}),
        ("<>gb", {"C2", "C3", "P2", "P3", "P4"}),
        ("@gb", {"C1", "P1", "P2"}),
    ],
)
def test_filter_condition_code_upper_case(contact_engine, text, expected):
    # given Code fields, where BC keeps values in upper case
    # when the user types lower case
    # then it matches the upper-case codes (P2's lower-case "gb" only with @)
    assert matching(contact_engine, text, "country_code") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("person", {"P1", "P2", "P3", "P4"}),
        ("COMPANY", {"C1", "C2", "C3"}),
        ("<>Person", {"C1", "C2", "C3"}),
        ("Comp*", {"C1", "C2", "C3"}),
    ],
)
def test_filter_condition_option(contact_engine, text, expected):
    # given contacts of both types
    # when the type is filtered in any case
    # then the type captions match
    assert matching(contact_engine, text, "type") == expected


def test_filter_condition_values_are_bound(contact_engine):
    # given a value that would break SQL pasted into it
    hostile = "'; DROP TABLE contact;--"
    quoted = "'" + hostile.replace("'", "''") + "'"

    # when it is used as a filter, also as a pattern and case-insensitively
    exact = matching(contact_engine, quoted)
    pattern = matching(contact_engine, f"*{quoted}*")
    ignoring_case = matching(contact_engine, f"@{quoted}")

    # then nothing matches and the table is still there
    assert exact == set()
    assert pattern == set()
    assert ignoring_case == set()
    assert len(matching(contact_engine, "*")) == len(CONTACTS)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_filter_condition_sql_has_no_values(dialect):
    # given values in every kind of comparison
    text = "x; DROP TABLE contact;--|*DROP*|@DROP|DROPA..DROPZ|<>DROP"
    condition = filter_condition(text, Contact.__table__.c.name, NAME, today=TODAY_DATE)

    # when the condition is compiled for the database
    sql = str(condition.compile(dialect=dialect))

    # then no value is pasted into the SQL text
    assert "DROP" not in sql


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char != "\t" for char in text)


def test_filter_condition_naughty_strings(engine):
    # given contacts named after the Big List of Naughty Strings
    strings = json.loads(shared_data("messy/blns.json").read_text(encoding="utf-8"))
    # Control characters other than tab are rejected, as a test below shows.
    names = sorted(
        {text for text in strings if text.strip() and not _has_control(text)} - {""},
    )
    names = [name for name in names if len(name) <= 100]
    rows = [
        {"no": f"N{index}", "name": name, "company_no": f"N{index}"}
        for index, name in enumerate(names)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Contact), rows)

    # when each name is filtered as a quoted literal
    table = Contact.__table__
    info = CONTACT_FIELDS["name"]
    found = {}
    with engine.connect() as connection:
        for row in rows:
            quoted = "'" + row["name"].replace("'", "''") + "'"
            condition = filter_condition(quoted, table.c.name, info, today=TODAY_DATE)
            found[row["no"]] = set(
                connection.scalars(select(table.c.no).where(condition))
            )

    # then each string matches exactly its own contact
    mismatches = {no: hits for no, hits in found.items() if hits != {no}}
    assert mismatches == {}


def test_filter_condition_interaction_kinds(engine):
    # given interaction log entries with dates, evaluations and canceled flags
    entries = [
        (1, date(2024, 5, 15), "Positive", False),
        (2, date(2024, 5, 1), "Very Positive", True),
        (3, date(2023, 12, 31), "", False),
        (4, None, "Negative", False),
    ]
    with engine.begin() as connection:
        connection.execute(
            insert(InteractionLogEntry),
            [
                {
                    "entry_no": no,
                    "contact_no": "C1",
                    "date": when,
                    "evaluation": evaluation,
                    "canceled": canceled,
                }
                for no, when, evaluation, canceled in entries
            ],
        )
    table = InteractionLogEntry.__table__

    def entry_numbers(field: str, text: str) -> set[int]:
        info = INTERACTION_FIELDS[field]
        column = table.c[info.column]
        condition = filter_condition(text, column, info, today=TODAY_DATE)
        with engine.connect() as connection:
            return set(connection.scalars(select(table.c.entry_no).where(condition)))

    # when dates, options and booleans are filtered
    # then the matching entries are exactly the expected ones
    assert entry_numbers("date", "t") == {1}
    assert entry_numbers("date", "2024-01-01..today") == {1, 2}
    assert entry_numbers("date", "<2024-01-01") == {3}
    assert entry_numbers("date", "''") == {4}
    assert entry_numbers("date", "<>''") == {1, 2, 3}
    assert entry_numbers("date", "<>t") == {2, 3, 4}
    assert entry_numbers("evaluation", "positive") == {1}
    assert entry_numbers("evaluation", "*positive") == {1, 2}
    assert entry_numbers("evaluation", "''") == {3}
    assert entry_numbers("evaluation", "<Neutral") == {1, 2, 3}
    assert entry_numbers("canceled", "yes") == {2}
    assert entry_numbers("canceled", "<>Yes") == {1, 3, 4}


def test_filter_condition_nullable_host_column(engine):
    # given a host column that holds NULL where BC holds blank text
    host = FieldInfo("subject", "Subject")
    table = InteractionLogEntry.__table__
    with engine.begin() as connection:
        connection.execute(
            insert(InteractionLogEntry),
            [
                {"entry_no": 1, "contact_no": "C1", "subject": "Hello"},
                {"entry_no": 2, "contact_no": "C1", "subject": ""},
            ],
        )
    column = func.nullif(table.c.subject, "")

    def entry_numbers(text: str) -> set[int]:
        condition = filter_condition(text, column, host, today=TODAY_DATE)
        with engine.connect() as connection:
            return set(connection.scalars(select(table.c.entry_no).where(condition)))

    # when blank and not-equal filters run on it
    # then NULL counts as blank
    assert entry_numbers("''") == {2}
    assert entry_numbers("<>''") == {1}
    assert entry_numbers("<>X") == {1, 2}
    assert entry_numbers("Hello") == {1}


# --- Hostile sizes on both databases -------------------------------------------------


def test_filter_condition_thousand_values(contact_engine):
    # given the maximum number of alternatives, one of them a real name
    numbers = "|".join(str(number) for number in range(1, MAX_FILTER_VALUES))
    text = f"{numbers}|Andy Teal"

    # when the filter runs
    # then it is one IN list and finds the contact, within SQLite's expression depth
    assert matching(contact_engine, text) == {"P1"}


def test_filter_condition_code_list_upper_case(contact_engine):
    # given a pasted list of 400 lower-case contact numbers, two of which exist
    text = "|".join([*(f"ct{100001 + index}" for index in range(400)), "c1", "p4"])

    # when the filter runs on the No. field
    # then the values are upper-cased as for a single code
    assert matching(contact_engine, text, "no") == {"C1", "P4"}


def test_filter_condition_values_in_nested_groups(contact_engine):
    # given values spread over nested alternatives and one pattern
    text = "(London|(Paris|'New York'))|Lon*"

    # when the filter runs on the city
    # then every alternative counts
    assert matching(contact_engine, text, "city") == {"C1", "P1", "C2", "P3", "P4"}


def test_filter_condition_thousand_patterns(contact_engine):
    # given the maximum number of wildcard alternatives, which cannot use IN
    text = "|".join(["Q*"] * (MAX_FILTER_VALUES - 1) + ["Abby*"])

    # when the filter runs
    # then SQLite gets bracketed groups, not a chain too deep to parse
    assert matching(contact_engine, text) == {"P2"}


def test_filter_condition_thousand_and_values(contact_engine):
    # given the maximum number of values joined by &
    text = "&".join(["<>X"] * (MAX_FILTER_VALUES - 1) + ["A*"])

    # when the filter runs
    # then it behaves as the short filter <>X&A*
    assert matching(contact_engine, text) == {"P1", "P2", "P3"}


@pytest.mark.parametrize(
    "text",
    [
        "*'" + "[" * (MAX_FILTER_LENGTH - 4) + "'*",
        "@*" + "?*" * ((MAX_FILTER_LENGTH - 2) // 2),
        "*" + "\N{GRINNING FACE}" * (MAX_FILTER_LENGTH - 2) + "*",
    ],
)
def test_filter_condition_pattern_at_length_limit(contact_engine, text):
    # given patterns of the maximum length: escaped brackets, wildcards, 4-byte text
    assert len(text) == MAX_FILTER_LENGTH

    # when the filter runs
    # then the database accepts the pattern and no name is that long
    assert matching(contact_engine, text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PERSON", {"P1", "P2", "P3", "P4"}),
        ("company|person", {"C1", "C2", "C3", "P1", "P2", "P3", "P4"}),
        ("<>COMPANY", {"P1", "P2", "P3", "P4"}),
    ],
)
def test_filter_condition_option_api_names(contact_engine, text, expected):
    # given contacts of both types
    # when the type is filtered by its GraphQL enum name
    # then the same contacts match as with the caption
    assert matching(contact_engine, text, "type") == expected
