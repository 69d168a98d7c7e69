"""Word's field switches: case, date and number pictures, text before and after.

Expected strings follow Microsoft's descriptions of the switches (for example
"{ = 9 + 6 \\# $### }" shows "$ 15") and CLDR names for the locales.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from segments_module.merge import MergeField, MergeTemplate
from tests.merge_fixtures import (
    build_template,
    complex_field,
    paragraph,
    read_part,
    simple_field,
    visible_text,
)


def format_field(instruction: str, value: object, locale: str = "en") -> str:
    warnings: list[str] = []
    merge_field = MergeField.parse(instruction)
    assert merge_field is not None
    return merge_field.format(value, locale, warnings)


@pytest.mark.parametrize(
    ("switch", "value", "expected"),
    [
        ("\\* Upper", "anna van dijk", "ANNA VAN DIJK"),
        ("\\* Lower", "Anna VAN Dijk", "anna van dijk"),
        ("\\* FirstCap", "anna van dijk", "Anna van dijk"),
        ("\\* Caps", "anna van dIJK", "Anna Van DIJK"),
        ("\\* Upper \\* MERGEFORMAT", "straße", "STRASSE"),
        ("\\* MERGEFORMAT", "Anna", "Anna"),
        ("\\m \\v", "Anna", "Anna"),
    ],
)
def test_case_switches(switch, value, expected):
    assert format_field(f" MERGEFIELD Name {switch} ", value) == expected


@pytest.mark.parametrize(
    ("picture", "value", "locale", "expected"),
    [
        ("dddd, d. MMMM yyyy", date(2026, 12, 4), "de", "Freitag, 4. Dezember 2026"),
        ("dd MMMM yyyy", date(2026, 12, 4), "en", "04 December 2026"),
        ("d 'de' MMMM 'de' yyyy", date(2026, 12, 4), "es", "4 de diciembre de 2026"),
        ("ddd d MMM yy", date(2026, 3, 1), "en", "Sun 1 Mar 26"),
        ("M/d/yyyy", "2026-12-04", "en", "12/4/2026"),
        ("HH:mm:ss", datetime(2026, 12, 4, 7, 5, 9), "en", "07:05:09"),
        ("h:mm am/pm", datetime(2026, 12, 4, 15, 30), "en", "3:30 pm"),
        ("hh:mm AM/PM", datetime(2026, 12, 4, 0, 5), "en", "12:05 AM"),
        ("yyyy-MM-dd HH:mm", "2026-12-04T18:45:00", "en", "2026-12-04 18:45"),
    ],
)
def test_date_pictures(picture, value, locale, expected):
    instruction = f' MERGEFIELD Date \\@ "{picture}" '

    assert format_field(instruction, value, locale) == expected


@pytest.mark.parametrize(
    ("picture", "value", "locale", "expected"),
    [
        ("0.00", Decimal("3.14159"), "en", "3.14"),
        ('"#,##0.00"', 1234.5, "en", "1,234.50"),
        ('"#,##0.00"', 1234.5, "de", "1.234,50"),
        ('"#,##0.00"', "1234567.891", "en", "1,234,567.89"),
        ('"$#,##0.00;($#,##0.00)"', Decimal("-1234.5"), "en", "($1,234.50)"),
        ('"$#,##0.00;($#,##0.00)"', Decimal("1234.5"), "en", "$1,234.50"),
        ("\"0.00;-0.00;'nil'\"", 0, "en", "nil"),
        ("0.00", -5, "en", "-5.00"),
        ("00.00", 9, "en", "09.00"),
        ("$###", 15, "en", "$ 15"),
        ("x##", 222492, "en", "492"),
        ("0.00x", Decimal("0.125"), "en", "0.125"),
        ('"##%"', 33, "en", "33%"),
        ("+##", 10, "en", "+10"),
        ("-##", -80, "en", "-80"),
        ("\"0 'EUR'\"", Decimal("2.5"), "en", "3 EUR"),
    ],
)
def test_number_pictures(picture, value, locale, expected):
    instruction = f" MERGEFIELD Amount \\# {picture} "

    assert format_field(instruction, value, locale) == expected


def test_text_before_and_after_only_with_a_value():
    instruction = ' MERGEFIELD Address_2 \\b ", " \\f "." '

    assert format_field(instruction, "Floor 2") == ", Floor 2."
    assert format_field(instruction, "") == ""
    assert format_field(instruction, None) == ""


def test_picture_on_wrong_value_warns():
    # given a date picture and a number picture on values of another kind
    warnings: list[str] = []
    date_field = MergeField.parse(' MERGEFIELD Due \\@ "dd.MM.yyyy" ')
    number_field = MergeField.parse(" MERGEFIELD Amount \\# 0.00 ")

    # when they are formatted
    date_text = date_field.format("next week", "en", warnings)
    number_text = number_field.format("many", "en", warnings)

    # then the values are merged as they are, each with a warning
    assert date_text == "next week"
    assert number_text == "many"
    assert len(warnings) == 2
    assert "is not a date" in warnings[0]
    assert "is not a number" in warnings[1]


def test_plain_values_without_pictures():
    assert format_field(" MERGEFIELD D ", date(2026, 12, 4), "de") == "4. Dezember 2026"
    assert format_field(" MERGEFIELD N ", Decimal("1234.50")) == "1234.50"
    assert format_field(" MERGEFIELD N ", 7) == "7"


def test_switches_in_a_template():
    # given a template with switches on simple and split complex fields
    data = build_template(
        [
            paragraph(
                simple_field(' MERGEFIELD Date \\@ "dddd, d. MMMM yyyy" '),
                complex_field(" MERGEFIELD ", "Amount ", '\\# "#,##0.00"'),
                simple_field(' MERGEFIELD Name \\* Upper \\b " / "'),
            )
        ]
    )
    template = MergeTemplate.from_bytes(data)

    # when it is merged in German
    result = template.render(
        {"Date": "2026-12-04", "Amount": Decimal("1234.5"), "Name": "anna"},
        locale="de",
    )

    # then each switch applied with the German names and symbols
    text = visible_text(read_part(result.content, "word/document.xml"))
    assert text == "Freitag, 4. Dezember 20261.234,50 / ANNA"
    assert result.warnings == []
