"""Contact rows of the CRONUS demo data, with its customers, vendors and banks.

CreateContact.csv refers to the company contacts of customers, vendors and bank
accounts as `@Customer:<No>` and so on. BC creates those contacts when it creates
the customers, so this module builds them from CreateCustomer.csv and
CreateVendor.csv, and names bank accounts after their nos.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import cronus

# BC's Marketing Setup gives the contact of a customer, vendor or bank account the
# business relation CUST, VEND or BANK, which are also the prefixes of their nos.
REFERENCE_RELATIONS = frozenset(cronus.REFERENCE_PREFIXES.values())

Rows = list[dict[str, Any]]


def contact_rows() -> Rows:
    """Return the CRONUS contacts plus one company per customer, vendor and bank."""
    post_codes = {
        row["Code"]: row for row in cronus.read_rows("CreatePostCode", ["Code"])
    }
    persons_and_companies = cronus.read_rows("CreateContact", ["No."])

    companies = _reference_company_rows("CreateCustomer", "CUST", post_codes)
    companies += _reference_company_rows("CreateVendor", "VEND", post_codes)
    companies += _bank_company_rows(persons_and_companies)
    company_names = {row["no"]: row["name"] for row in companies}
    for row in persons_and_companies:
        if row["Type"] == "0":
            company_names[row["No."]] = row["Name"]

    contacts = list(companies)
    for row in persons_and_companies:
        contact_type = cronus.option(cronus.CONTACT_TYPES, row["Type"], "Type")
        is_company = contact_type == cronus.CONTACT_TYPES["0"]
        company_no = row["No."] if is_company else cronus.contact_no(row["Company No."])
        contacts.append(
            {
                "no": row["No."],
                "type": contact_type,
                "company_no": company_no,
                "name": row["Name"],
                "company_name": company_names.get(company_no, ""),
                "address": row["Address"],
                "address_2": "",
                **_place(row["Post Code"], post_codes),
                "country_code": cronus.country_code(row["Country Code"]),
                "territory_code": row["Territory Code"],
                "language_code": row["Language Code"],
                "salesperson_code": row["Salesperson Code"],
                "job_title": row["Job Title"],
                "correspondence_type": cronus.option(
                    cronus.CORRESPONDENCE_TYPES,
                    row["Correspondence Type"],
                    "Correspondence Type",
                ),
                "salutation_code": row["Salutation Code"],
            }
        )
    return contacts


def _place(post_code: str, post_codes: dict[str, dict[str, str]]) -> dict[str, str]:
    """Return post code, city and county, which CRONUS keeps per post code."""
    known = post_codes.get(post_code, {})
    return {
        "post_code": post_code,
        "city": known.get("City", ""),
        "county": known.get("County", ""),
    }


def _company(no: str, name: str, **values: str) -> dict[str, Any]:
    """Return a company contact row with every column that CreateContact rows set."""
    row = {
        "no": no,
        "type": cronus.CONTACT_TYPES["0"],
        "company_no": no,
        "name": name,
        "company_name": name,
        "address": "",
        "address_2": "",
        "post_code": "",
        "city": "",
        "county": "",
        "country_code": "",
        "territory_code": "",
        "language_code": "",
        "salesperson_code": "",
        "job_title": "",
        "correspondence_type": "",
        "salutation_code": "",
    }
    row.update(values)
    return row


def _reference_company_rows(
    name: str, prefix: str, post_codes: dict[str, dict[str, str]]
) -> Rows:
    """Return the company contact of every customer or vendor in file `name`."""
    return [
        _company(
            f"{prefix}-{row['No.']}",
            row["Name"],
            address=row["Address"],
            address_2=row["Address 2"],
            **_place(row["Post Code"], post_codes),
            country_code=cronus.country_code(row["Country Code"]),
            territory_code=row["Territory Code"],
        )
        for row in cronus.read_rows(name, ["No."])
    ]


def _bank_company_rows(contacts: list[dict[str, str]]) -> Rows:
    """Return a company for each bank account that a contact or relation refers to.

    No file describes the bank accounts, so each is named after its no.
    """
    references = [row["Company No."] for row in contacts]
    for name in _CONTACT_LINK_FILES:
        rows = cronus.read_rows(name, ["Contact No."])
        references += [row["Contact No."] for row in rows]

    bank_nos = sorted(
        {
            reference.partition(":")[2]
            for reference in references
            if reference.startswith("@Bank Account:")
        }
    )
    return [
        _company(cronus.contact_no(f"@Bank Account:{no}"), f"Bank Account {no}")
        for no in bank_nos
    ]


# Files whose "Contact No." column may refer to a customer, vendor or bank account.
_CONTACT_LINK_FILES = (
    "CreateContactMailingGroup",
    "CreateContactIndustryGroup",
    "CreateContactBusinessRel",
    "CreateContactJobResponsib",
    "CreateContactProfileAnswer",
)


def link_rows(name: str, file_column: str, table_column: str) -> Rows:
    """Return contact-to-code rows of a link file such as CreateContactMailingGroup."""
    return [
        {
            "contact_no": cronus.contact_no(row["Contact No."]),
            table_column: row[file_column],
        }
        for row in cronus.read_rows(name, ["Contact No.", file_column])
    ]


def business_relation_rows(contacts: Rows) -> Rows:
    """Return the file's relations plus CUST, VEND or BANK of generated companies."""
    rows = link_rows(
        "CreateContactBusinessRel", "Business Relation Code", "business_relation_code"
    )
    for contact in contacts:
        prefix, separator, _ = contact["no"].partition("-")
        if separator and prefix in REFERENCE_RELATIONS:
            rows.append({"contact_no": contact["no"], "business_relation_code": prefix})
    return _unique(rows, lambda row: (row["contact_no"], row["business_relation_code"]))


def profile_answer_rows() -> Rows:
    key = ["Contact No.", "Profile Questionnaire Code", "Line No."]
    return [
        {
            "contact_no": cronus.contact_no(row["Contact No."]),
            "questionnaire_code": row["Profile Questionnaire Code"],
            "line_no": int(row["Line No."]),
        }
        for row in cronus.read_rows("CreateContactProfileAnswer", key)
    ]


def _unique(rows: Rows, key: Callable[[dict[str, Any]], tuple]) -> Rows:
    """Return rows with one row per key, a later row replacing an earlier one."""
    return list({key(row): row for row in rows}.values())
