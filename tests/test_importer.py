"""The CSV contact importer, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from segments_module.db import session_scope
from segments_module.errors import ServiceError
from segments_module.importer import (
    ColumnMapping,
    ImportRejected,
    RowError,
    import_contacts,
    parse_mapping,
    resolve_country,
)
from segments_module.models import Contact, NumberSeries, Salesperson
from tests.conftest import shared_data

PEOPLE_MAPPING = [
    "no=Id",
    "name={First} {Last}",
    "type='Person'",
    "company_name=Company",
    "city=City",
    "country_code=Country",
    "email=Email",
]


def write_csv(path: Path, rows: list[list[str]], newline: str = "\r\n") -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator=newline).writerows(rows)
    return path


def run_import(engine, path: Path, mapping=None, **options):
    with session_scope(engine, write=True) as session:
        return import_contacts(session, path, mapping, **options)


def contacts(engine) -> dict[str, Contact]:
    with session_scope(engine) as session:
        return {contact.no: contact for contact in session.scalars(select(Contact))}


def contact_rows(engine) -> list[tuple]:
    """Return every contact row as a tuple, to compare before and after."""
    with session_scope(engine) as session:
        rows = session.execute(select(Contact.__table__).order_by(Contact.no))
        return [tuple(row) for row in rows]


def rejected_errors(engine, path: Path, mapping=None, **options) -> list[RowError]:
    with pytest.raises(ImportRejected) as raised:
        run_import(engine, path, mapping, **options)
    return raised.value.result.errors


def test_import_contacts_small_file(engine, tmp_path):
    # given a file of two people at one company
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["Id", "First", "Last", "Company", "City", "Country", "Email"],
            ["p1", "Ada", "Lovelace", "Analytical Ltd", "London", "United Kingdom", ""],
            [
                "P2",
                " Grace ",
                "Hopper",
                "Analytical Ltd",
                "Arlington",
                "usa",
                "g@x.org",
            ],
        ],
    )

    # when it is imported
    result = run_import(engine, path, parse_mapping(PEOPLE_MAPPING))

    # then both persons and one company exist, linked by no. and name
    assert (result.inserted, result.updated, result.companies_created) == (2, 0, 1)
    assert result.errors == []
    stored = contacts(engine)
    ada, grace = stored["P1"], stored["P2"]
    company = stored[ada.company_no]
    assert ada.name == "Ada Lovelace"
    assert ada.type == "Person"
    assert ada.country_code == "GB"
    assert ada.company_name == "Analytical Ltd"
    assert grace.name == "Grace Hopper"
    assert grace.country_code == "US"
    assert grace.email == "g@x.org"
    assert grace.company_no == ada.company_no
    assert company.no == "COMP000001"
    assert company.type == "Company"
    assert company.company_no == company.no
    assert company.name == "Analytical Ltd"


def test_import_contacts_updates_mapped_fields(engine, tmp_path):
    # given an existing contact with a job title
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="P1", type="Person", name="Old", job_title="Chemist"))
    path = write_csv(tmp_path / "update.csv", [["Id", "Name"], ["p1", "New Name"]])

    # when a file that maps only no. and name is imported
    result = run_import(engine, path, parse_mapping(["no=Id", "name=Name"]))

    # then the name changes and the unmapped fields keep their values
    assert (result.inserted, result.updated) == (0, 1)
    contact = contacts(engine)["P1"]
    assert contact.name == "New Name"
    assert contact.job_title == "Chemist"
    assert contact.type == "Person"


def test_import_contacts_reuses_companies(engine, tmp_path):
    # given a company contact and a file whose persons name it and a new one
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="ACME", type="Company", company_no="ACME", name="Acme"))
    header = ["Id", "First", "Last", "Company", "City", "Country", "Email"]
    path = write_csv(
        tmp_path / "people.csv",
        [
            header,
            ["P1", "A", "B", "Acme", "", "", ""],
            ["P2", "C", "D", "Globex", "", "", ""],
            ["P3", "E", "F", "Globex", "", "", ""],
        ],
    )

    # when it is imported twice
    first = run_import(engine, path, parse_mapping(PEOPLE_MAPPING))
    second = run_import(engine, path, parse_mapping(PEOPLE_MAPPING))

    # then the existing company is used and the new one is created once
    assert first.companies_created == 1
    assert second.companies_created == 0
    assert second.updated == 3
    stored = contacts(engine)
    assert stored["P1"].company_no == "ACME"
    assert stored["P2"].company_no == stored["P3"].company_no
    assert len(stored) == 5


def test_import_contacts_company_rows_in_file(engine, tmp_path):
    # given a file with a company and its person, named by company name
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            ["No", "Name", "Type", "Company"],
            ["C1", "Initech", "Company", ""],
            ["P1", "Peter Gibbons", "1", "Initech"],
        ],
    )
    mapping = parse_mapping(["no=No", "name=Name", "type=Type", "company_name=Company"])

    # when it is imported
    result = run_import(engine, path, mapping)

    # then the person belongs to the company of the file, and none is created
    assert result.companies_created == 0
    stored = contacts(engine)
    assert stored["C1"].type == "Company"
    assert stored["C1"].company_no == "C1"
    assert stored["P1"].type == "Person"
    assert stored["P1"].company_no == "C1"
    assert stored["P1"].company_name == "Initech"


def test_import_contacts_skips_taken_company_nos(engine, tmp_path):
    # given a contact that already uses the next company no.
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="COMP000001", type="Person", name="Squatter"))
    path = write_csv(tmp_path / "p.csv", [["No", "Name", "Co"], ["P1", "A", "Hooli"]])
    mapping = parse_mapping(["no=No", "name=Name", "company_name=Co"])

    # when a new company is created
    run_import(engine, path, mapping)

    # then it takes the next free no. and the series remembers it
    assert contacts(engine)["P1"].company_no == "COMP000002"
    with session_scope(engine) as session:
        series = session.get(NumberSeries, "CONTACT-COMPANY")
    assert series.last_no_used == "COMP000002"


def test_import_contacts_skips_company_nos_in_file(engine, tmp_path):
    # given a file whose own row uses the next company no.
    path = write_csv(
        tmp_path / "p.csv",
        [["No", "Name", "Co"], ["COMP000001", "Squatter", ""], ["P1", "A", "Hooli"]],
    )
    mapping = parse_mapping(["no=No", "name=Name", "company_name=Co"])

    # when a new company is created for the other row
    run_import(engine, path, mapping)

    # then it takes the next no. that neither the database nor the file uses
    assert contacts(engine)["COMP000001"].name == "Squatter"
    assert contacts(engine)["P1"].company_no == "COMP000002"


def test_import_contacts_keeps_email_as_written(engine, tmp_path):
    # given an address with upper case letters and a + tag
    path = write_csv(
        tmp_path / "mail.csv",
        [["No", "Name", "Email"], ["P1", "Jane", "Jane.Doe+News@Example.COM"]],
    )

    # when it is imported
    run_import(engine, path, parse_mapping(["no=No", "name=Name", "email=Email"]))

    # then the address is stored as written, + tag included
    assert contacts(engine)["P1"].email == "Jane.Doe+News@Example.COM"


def test_import_contacts_rejects_bad_rows(engine, tmp_path):
    # given an existing contact and a file with good and bad rows, one of them
    # with a quoted line break that moves the later line numbers
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="P1", type="Person", name="Unchanged"))
    before = contact_rows(engine)
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["No", "Name", "Type", "Email", "City"],  # line 1
            ["P1", "Changed", "Person", "", ""],  # line 2, valid
            ["", "No Number", "Person", "", ""],  # line 3
            ["P3", "Two\nLines", "Person", "", ""],  # lines 4-5, valid
            ["P4", "", "Person", "", ""],  # line 6
            ["X" * 21, "Long No", "Person", "", ""],  # line 7
            ["p3", "Again", "Person", "", ""],  # line 8
            ["P5", "Mail", "Person", "not-an-address@", ""],  # line 9
            ["P6", "Kind", "Robot", "", ""],  # line 10
            ["P7", "Town", "Person", "", "C" * 31],  # line 11
            ["P8", "Cells", "Person", "", "", "extra"],  # line 12
        ],
    )
    mapping = parse_mapping(
        ["no=No", "name=Name", "type=Type", "email=Email", "city=City"]
    )

    # when it is imported
    errors = rejected_errors(engine, path, mapping)

    # then every bad row is reported on its physical line, naming column and fix
    by_line = {error.line_no: error.reason for error in errors}
    assert sorted(by_line) == [3, 6, 7, 8, 9, 10, 11, 12]
    assert by_line[3] == "column 'No' is empty. Fill in a no. for every contact."
    assert by_line[6] == "column 'Name' is empty. Fill in a name for every contact."
    assert "has 21 characters, more than the 20 that no allows" in by_line[7]
    assert "no. 'P3' is already used on line 4" in by_line[8]
    assert "'not-an-address@' is not a valid e-mail address" in by_line[9]
    assert "'Robot' is not a contact type. Use Company or Person" in by_line[10]
    assert "column 'City'" in by_line[11]
    assert "more than the 30 that city allows. Shorten it" in by_line[11]
    assert by_line[12] == (
        "The row has 6 columns, but the header has 5. Check the quoting and the "
        "separator of this row."
    )
    # and nothing was written
    assert contact_rows(engine) == before


def test_import_contacts_rejection_as_field_errors(engine, tmp_path):
    # given a file with one bad row
    path = write_csv(tmp_path / "bad.csv", [["No", "Name"], ["P1", ""]])

    # when it is imported
    with pytest.raises(ServiceError) as raised:
        run_import(engine, path, parse_mapping(["no=No", "name=Name"]))

    # then the service error has one field error per bad row, named by line
    assert [error.field for error in raised.value.errors] == ["line 2"]
    assert "column 'Name' is empty" in raised.value.errors[0].message


def test_import_contacts_unknown_references(engine, tmp_path):
    # given a file naming a salesperson, a language and a company that do not exist
    with session_scope(engine, write=True) as session:
        session.add(Salesperson(code="JO", name="Jim Olive"))
    path = write_csv(
        tmp_path / "refs.csv",
        [
            ["No", "Name", "Sales", "Language", "Company"],
            ["P1", "A", "jo", "", ""],
            ["P2", "B", "ZZ", "XXX", "NOPE"],
        ],
    )
    mapping = parse_mapping(
        [
            "no=No",
            "name=Name",
            "salesperson_code=Sales",
            "language_code=Language",
            "company_no=Company",
        ]
    )

    # when it is imported
    errors = rejected_errors(engine, path, mapping)

    # then the second row is rejected for all three, the first (upper-cased) passes
    assert [error.line_no for error in errors] == [3]
    assert "salesperson code 'ZZ' was not found" in errors[0].reason
    assert "language code 'XXX' was not found" in errors[0].reason
    assert "company no. 'NOPE' is neither a company in this file" in errors[0].reason


def test_import_contacts_unknown_country_warns(engine, tmp_path):
    # given a country that names two countries
    path = write_csv(
        tmp_path / "c.csv", [["No", "Name", "Country"], ["P1", "Kim", "Korea"]]
    )

    # when it is imported
    mapping = parse_mapping(["no=No", "name=Name", "country_code=Country"])
    result = run_import(engine, path, mapping)

    # then the contact is imported without a country code, with a warning
    assert result.inserted == 1
    assert contacts(engine)["P1"].country_code == ""
    assert len(result.warnings) == 1
    assert result.warnings[0].line_no == 2
    assert "country 'Korea' was not recognised" in result.warnings[0].reason


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Norway", "NO"),
        ("gb", "GB"),
        ("Great Britain", "GB"),
        ("Slovakia (Slovak Republic)", "SK"),
        ("Turkey", "TR"),
        ("Cote d'Ivoire", "CI"),
        ("Reunion", "RE"),
        ("Netherlands Antilles", "AN"),
        ("Korea", None),
        ("Atlantis", None),
    ],
)
def test_resolve_country_names(name, code):
    assert resolve_country(name) == code


def test_import_contacts_wrong_encoding(engine, tmp_path):
    # given a Latin-1 file
    path = tmp_path / "latin1.csv"
    path.write_bytes("No,Name\r\nP1,Jürgen Möller\r\n".encode("latin-1"))
    mapping = parse_mapping(["no=No", "name=Name"])

    # when it is imported as UTF-8, then it fails and names the encoding
    with pytest.raises(ServiceError) as raised:
        run_import(engine, path, mapping)
    assert raised.value.errors[0].field == "encoding"
    assert "is not valid utf-8-sig text" in raised.value.errors[0].message

    # when it is imported with its encoding, then the name is read correctly
    run_import(engine, path, mapping, encoding="latin-1")
    assert contacts(engine)["P1"].name == "Jürgen Möller"


def test_import_contacts_byte_order_mark(engine, tmp_path):
    # given a UTF-8 file that starts with a byte order mark
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffNo,Name\r\nP1,Zoë\r\n".encode())
    mapping = parse_mapping(["no=No", "name=Name"])

    # when it is imported as plain UTF-8
    result = run_import(engine, path, mapping, encoding="utf-8")

    # then the first column is still found by its name
    assert result.inserted == 1
    assert contacts(engine)["P1"].name == "Zoë"


def test_import_contacts_missing_column(engine, tmp_path):
    # given a mapping that names a column the file lacks
    path = write_csv(tmp_path / "c.csv", [["No", "Name"], ["P1", "A"]])
    mapping = parse_mapping(["no=No", "name=Name", "email=E-mail"])

    # when it is imported
    with pytest.raises(ServiceError) as raised:
        run_import(engine, path, mapping)

    # then one error names the column, and one lists the header once
    missing, header = raised.value.errors
    assert missing.field == "mapping.email"
    assert (
        missing.message
        == "Column 'E-mail', used for email, is not in the file's header."
    )
    assert header.field == "path"
    assert header.message == (
        "The header, split at each comma, has the columns 'No', 'Name'. "
        "Check the column names and the separator."
    )


def test_import_contacts_mapping_or_preset(engine, tmp_path):
    # given a file
    path = write_csv(tmp_path / "c.csv", [["No", "Name"], ["P1", "A"]])

    # when neither or both are given, or an unknown preset, then it is rejected
    with pytest.raises(ServiceError):
        run_import(engine, path)
    with pytest.raises(ServiceError):
        run_import(engine, path, parse_mapping(["no=No", "name=Name"]), preset="bc")
    with pytest.raises(ServiceError) as raised:
        run_import(engine, path, preset="salesforce")
    assert "Use one of bc, datablist" in raised.value.errors[0].message


def test_parse_mapping_sources():
    # given a column, a template, quoted text and braces in quoted text
    mapping = parse_mapping(
        [
            "No=Customer Id",
            "name={First Name} {Last Name}",
            'type="Person"',
            "job_title='{x}'",
        ]
    )

    # then each became a template
    assert mapping.fields == {
        "no": "{Customer Id}",
        "name": "{First Name} {Last Name}",
        "type": "Person",
        "job_title": "{{x}}",
    }


@pytest.mark.parametrize(
    ("pairs", "field", "text"),
    [
        (["no=No"], "mapping.name", "Field 'name' is not mapped"),
        (["no=No", "name=Name", "colour=C"], "mapping.colour", "not a contact field"),
        (["no=No", "name=Name", "name=Other"], "mapping.name", "mapped twice"),
        (["no=No", "name"], "mapping.name", "is not FIELD=SOURCE"),
    ],
)
def test_parse_mapping_errors(pairs, field, text):
    with pytest.raises(ServiceError) as raised:
        parse_mapping(pairs)
    assert any(
        error.field == field and text in error.message for error in raised.value.errors
    )


def test_import_contacts_unmatched_brace(engine, tmp_path):
    # given a template with an unmatched brace
    path = write_csv(tmp_path / "c.csv", [["No", "Name"], ["P1", "A"]])
    mapping = ColumnMapping({"no": "{No}", "name": "{Name"})

    # when it is imported, then the mapping is rejected with the position
    with pytest.raises(ServiceError) as raised:
        run_import(engine, path, mapping)
    assert raised.value.errors[0].field == "mapping.name"
    assert "unmatched brace at position 1" in raised.value.errors[0].message


def test_import_contacts_datablist_sample(engine):
    # given the 100-row datablist customers file
    path = shared_data("contacts/datablist_customers-100.csv")

    # when it is imported with the datablist preset
    result = run_import(engine, path, preset="datablist")

    # then every customer is a person of its own company
    assert (result.inserted, result.updated, result.companies_created) == (100, 0, 99)
    first = contacts(engine)["DD37CF93AECA6DC"]
    assert first.name == "Sheryl Baxter"
    assert first.type == "Person"
    assert first.city == "East Leonard"
    assert first.country_code == "CL"
    assert first.phone_no == "229.077.5154"
    assert first.email == "zunigavanessa@smith.info"
    assert first.company_name == "Rasmussen Group"
    with session_scope(engine) as session:
        company = session.get(Contact, first.company_no)
    assert company.name == "Rasmussen Group"
    assert company.type == "Company"


def test_import_contacts_quoted_commas(engine):
    # given the 1,000-row datablist file, whose company names contain quoted commas
    path = shared_data("contacts/datablist_customers-1000.csv")

    # when it is imported
    result = run_import(engine, path, preset="datablist")

    # then a quoted company name stays whole
    assert (result.inserted, result.companies_created) == (1000, 992)
    alvin = contacts(engine)["2B54172C8B65EC3"]
    assert alvin.name == "Alvin Lane"
    assert alvin.company_name == "Terry, Proctor and Lawrence"
    assert alvin.country_code == "PG"


def test_import_contacts_datablist_large(engine):
    # given the 10,000-row datablist customers file
    path = shared_data("contacts/datablist_customers-10000.csv")

    # when it is imported twice
    first = run_import(engine, path, preset="datablist")
    second = run_import(engine, path, preset="datablist")

    # then it imports, warning only about countries that name no single country,
    # and the second run updates the same contacts without new companies
    assert (first.inserted, first.companies_created) == (10000, 9215)
    assert {
        warning.reason.split("country ")[1].split(" was")[0]
        for warning in first.warnings
    } == {"'Korea'"}
    assert (second.inserted, second.updated, second.companies_created) == (0, 10000, 0)
    with session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Contact))
    assert stored == 10000 + 9215


def test_import_contacts_bc_preset(demo_engine):
    # given the demo data, loaded from CreateContact.csv among others
    before = contact_rows(demo_engine)
    path = Path(__file__).parents[1] / "segments_module/demo/data/CreateContact.csv"

    # when the same file is imported with the bc preset
    result = run_import(demo_engine, path, preset="bc")

    # then every contact is updated to the values the loader gave it
    assert (result.inserted, result.updated, result.companies_created) == (0, 281, 0)
    assert contact_rows(demo_engine) == before


def test_import_contacts_bc_preset_without_companies(engine):
    # given an empty database, without the customers' company contacts
    path = Path(__file__).parents[1] / "segments_module/demo/data/CreateContact.csv"
    before = contact_rows(engine)

    # when CreateContact.csv is imported
    errors = rejected_errors(engine, path, preset="bc")

    # then the persons of customers are rejected and nothing is written
    assert any("company no. 'CUST-10000' is neither" in e.reason for e in errors)
    assert contact_rows(engine) == before


def blns_strings() -> list[str]:
    path = shared_data("messy/blns.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_import_contacts_blns_values(engine, tmp_path):
    # given every naughty string that fits, as name and (when short enough) city
    accepted = [
        text.strip()
        for text in blns_strings()
        if text.strip() and "\x00" not in text and len(text.strip()) <= 100
    ]
    rows = [["No", "Name", "City"]] + [
        [f"N{index}", text, text if len(text) <= 30 else ""]
        for index, text in enumerate(accepted)
    ]
    path = write_csv(tmp_path / "naughty.csv", rows)

    # when it is imported
    result = run_import(
        engine, path, parse_mapping(["no=No", "name=Name", "city=City"])
    )

    # then each string is stored exactly
    assert result.inserted == len(accepted)
    stored = contacts(engine)
    for index, text in enumerate(accepted):
        assert stored[f"N{index}"].name == text
        assert stored[f"N{index}"].city == (text if len(text) <= 30 else "")


def test_import_contacts_blns_rejects(engine, tmp_path):
    # given every naughty string in both the name and the city column
    strings = blns_strings()
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="KEEP", name="Kept"))
    before = contact_rows(engine)
    rows = [["No", "Name", "City"]] + [
        [f"N{index}", text, text] for index, text in enumerate(strings)
    ]
    path = write_csv(tmp_path / "naughty.csv", rows)

    # when it is imported
    errors = rejected_errors(
        engine, path, parse_mapping(["no=No", "name=Name", "city=City"])
    )

    # then the rows with an empty name, a NUL or a city over 30 characters are
    # rejected, and the contact table is as it was
    expected = [
        text
        for text in strings
        if not text.strip() or "\x00" in text or len(text.strip()) > 30
    ]
    assert len(errors) == len(expected)
    assert contact_rows(engine) == before


DATABLIST_HEADER = [
    "Index",
    "Customer Id",
    "First Name",
    "Last Name",
    "Company",
    "City",
    "Country",
    "Phone 1",
    "Phone 2",
    "Email",
    "Subscription Date",
    "Website",
]


def test_import_contacts_rejects_type_change(demo_engine, tmp_path):
    # given CT100001, a demo company with persons, as a person row of datablist
    before = contact_rows(demo_engine)
    path = write_csv(
        tmp_path / "customers.csv",
        [
            DATABLIST_HEADER,
            ["1", "CT100001", "Ann", "Lee", "Lee Ltd", "", "", "", "", "", "", ""],
        ],
    )

    # when it is imported with the datablist preset
    errors = rejected_errors(demo_engine, path, preset="datablist")

    # then the row is rejected, naming the contact, its type and the fix
    assert [error.line_no for error in errors] == [2]
    assert errors[0].reason == (
        "Contact no. 'CT100001' is a Company, and an import cannot change it to a "
        "Person. Remove the row, give the person a new no., or change the type in "
        "the file to Company."
    )
    # and no contact changed, nor was a company created
    assert contact_rows(demo_engine) == before


def test_import_contacts_company_without_type_column(engine, tmp_path):
    # given a company with a person, and a file without a type column
    with session_scope(engine, write=True) as session:
        session.add(Contact(no="C1", type="Company", company_no="C1", name="Acme"))
        session.add(Contact(no="P1", type="Person", company_no="C1", name="Ann"))
    path = write_csv(
        tmp_path / "c.csv", [["No", "Name", "Company"], ["C1", "Acme Ltd", "Other"]]
    )
    mapping = parse_mapping(["no=No", "name=Name", "company_name=Company"])

    # when the company's row is imported
    result = run_import(engine, path, mapping)

    # then the company stays its own company and no company is created for it
    assert (result.updated, result.companies_created) == (1, 0)
    stored = contacts(engine)
    assert stored["C1"].type == "Company"
    assert stored["C1"].company_no == "C1"
    assert stored["C1"].company_name == "Acme Ltd"
    assert stored["P1"].company_no == "C1"


def test_import_contacts_person_own_company(engine, tmp_path):
    # given a person whose company no. is its own no.
    path = write_csv(
        tmp_path / "c.csv", [["No", "Name", "Type", "Co"], ["P9", "Ann", "1", "P9"]]
    )
    mapping = parse_mapping(["no=No", "name=Name", "type=Type", "company_no=Co"])

    # when it is imported
    errors = rejected_errors(engine, path, mapping)

    # then the row is rejected with that reason alone
    assert [error.line_no for error in errors] == [2]
    assert errors[0].reason == (
        "column 'Co': company no. 'P9' is the person's own no., but a person "
        "belongs to a contact of type Company. Give the company's no. or leave "
        "the cell empty."
    )
    assert contacts(engine) == {}


def test_import_contacts_short_row(engine, tmp_path):
    # given a datablist file whose second row has 3 of the 12 columns
    path = write_csv(
        tmp_path / "customers.csv",
        [
            DATABLIST_HEADER,
            ["1", "A1", "Ann", "Lee", "Lee Ltd", "", "", "", "", "", "", ""],
            ["2", "A2", "Bob"],
        ],
    )

    # when it is imported
    errors = rejected_errors(engine, path, preset="datablist")

    # then only that row is reported, and nothing is written
    assert [error.line_no for error in errors] == [3]
    assert errors[0].reason == (
        "The row has 3 columns, but the header has 12. Check the quoting and the "
        "separator of this row."
    )
    assert contacts(engine) == {}


def test_import_contacts_unclosed_quote(engine, tmp_path):
    # given a file whose third line opens a quote that is never closed
    path = tmp_path / "quote.csv"
    path.write_text(
        'No,Name\r\nP1,Ann\r\nP2,"Bob\r\nP3,Cy\r\nP4,Dee\r\n', encoding="utf-8"
    )

    # when it is imported
    errors = rejected_errors(engine, path, parse_mapping(["no=No", "name=Name"]))

    # then the error is on the line where the quote opens, and nothing is written
    assert [error.line_no for error in errors] == [3]
    assert "A quoted value starts on this line and is never closed" in (
        errors[0].reason
    )
    assert contacts(engine) == {}


def test_import_contacts_text_after_quote(engine, tmp_path):
    # given a row with text after a closing quote, after a bad row
    path = tmp_path / "quote.csv"
    path.write_text('No,Name\r\n,Ann\r\nP2,"Bob" Jr\r\n', encoding="utf-8")

    # when it is imported
    errors = rejected_errors(engine, path, parse_mapping(["no=No", "name=Name"]))

    # then both rows are reported on their lines
    assert [error.line_no for error in errors] == [2, 3]
    assert "The row is not valid CSV" in errors[1].reason


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_import_contacts_detects_separator(engine, tmp_path, delimiter):
    # given a file separated by something other than commas, with a comma in a name
    path = tmp_path / "c.csv"
    path.write_text(
        delimiter.join(["No", "Name"]) + "\n" + delimiter.join(["P1", "Lee, Ann"]),
        encoding="utf-8",
    )

    # when it is imported without naming the separator
    result = run_import(engine, path, parse_mapping(["no=No", "name=Name"]))

    # then the separator is taken from the header line
    assert result.inserted == 1
    assert contacts(engine)["P1"].name == "Lee, Ann"


def test_import_contacts_ambiguous_separator(engine, tmp_path):
    # given a header that contains both a semicolon and a comma
    path = tmp_path / "c.csv"
    path.write_text("No;Name;Company, Inc\nP1;Ann;X\n", encoding="utf-8")
    mapping = parse_mapping(["no=No", "name=Name"])

    # when it is imported without naming the separator, then it is rejected
    with pytest.raises(ServiceError) as raised:
        run_import(engine, path, mapping)
    assert raised.value.errors[0].field == "delimiter"
    assert "more than one possible column separator (comma and semicolon)" in (
        raised.value.errors[0].message
    )
    assert "--delimiter" in raised.value.errors[0].message

    # when the separator is given, then the file imports
    assert run_import(engine, path, mapping, delimiter=";").inserted == 1


def test_import_contacts_directory(engine, tmp_path):
    # when a directory is given as the file
    with pytest.raises(ServiceError) as raised:
        run_import(engine, tmp_path, parse_mapping(["no=No", "name=Name"]))

    # then the error says it is a directory
    assert raised.value.errors[0].message == (
        f"{str(tmp_path)!r} is a directory, not a CSV file. Give the path of the "
        "CSV file."
    )
