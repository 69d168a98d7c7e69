"""The merge fields a Word template can use, and their values for one letter.

Each field has the name Business Central's Word templates use (``Name``,
``ZIP_Code``, ``CALC_Formal_Salutation``, ``Company_Information_Phone_No``, ...)
and readable aliases. The merge engine compares names without regard to case and
treats spaces, underscores, dots and hyphens alike, so ``ZIP Code`` and
``zip.code`` name the same field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CompanyInformation, SalutationFormula
from .company import COMPANY_FIELDS, COMPANY_KEY


@dataclass(frozen=True)
class MergeFieldSpec:
    """One merge field: the letter value it shows and the names that find it."""

    key: str
    names: tuple[str, ...]
    description: str


def _field(key: str, description: str, *names: str) -> MergeFieldSpec:
    return MergeFieldSpec(key, names, description)


MERGE_FIELDS: tuple[MergeFieldSpec, ...] = (
    # The contact
    _field("contact_no", "Contact No.", "No", "Contact_No"),
    _field("company_name", "Company name", "Company_Name", "Contact_Company_Name"),
    _field("name", "Contact name", "Name", "Contact_Name"),
    _field("first_name", "First name (first word of a person's name)", "First_Name"),
    _field("middle_name", "Middle name", "Middle_Name"),
    _field("surname", "Surname (last word of a person's name)", "Surname"),
    _field("address", "Address", "Address"),
    _field("address_2", "Address 2", "Address_2"),
    _field("post_code", "Post code", "ZIP_Code", "Post_Code"),
    _field("city", "City", "City"),
    _field("county", "County or state", "State", "County"),
    _field("country_code", "Country/region code", "CountryRegion_Code", "Country_Code"),
    _field("country_name", "Country/region name", "Country", "CountryRegion_Name"),
    _field("job_title", "Job title", "Job_Title"),
    _field("phone_no", "Phone no.", "Phone_No", "Phone"),
    _field("email", "E-mail", "Email", "E_Mail"),
    _field("mobile_phone_no", "Mobile phone no.", "Mobile_Phone_No", "Mobile"),
    _field(
        "formal_salutation",
        "Formal salutation in the letter's language",
        "CALC_Formal_Salutation",
        "Formal_Salutation",
    ),
    _field(
        "informal_salutation",
        "Informal salutation in the letter's language",
        "CALC_Informal_Salutation",
        "Informal_Salutation",
    ),
    # The salesperson of the line
    _field("salesperson_code", "Salesperson code", "Salesperson_Code"),
    _field("salesperson_name", "Salesperson name", "Salesperson_Name"),
    _field("salesperson_job_title", "Salesperson job title", "Salesperson_Job_Title"),
    _field("salesperson_phone_no", "Salesperson phone no.", "Salesperson_Phone_No"),
    _field("salesperson_email", "Salesperson e-mail", "Salesperson_Email"),
    # The document
    _field("document_date", "Date of the interaction", "Document_Date", "Date"),
    _field("campaign_no", "Campaign No.", "Campaign_No"),
    _field("segment_no", "Segment No.", "Segment_No"),
    _field("description", "Interaction description", "Description"),
    _field("subject", "Subject", "Subject"),
    _field(
        "entry_no",
        "Interaction log entry no. (blank before logging)",
        "Entry_No",
        "Interaction_Log_Entry_No",
    ),
    # The user's company
    _field("company_information_name", "Own company name", "Company_Information_Name"),
    _field(
        "company_information_address",
        "Own company address",
        "Company_Information_Address",
    ),
    _field(
        "company_information_address_2",
        "Own company address 2",
        "Company_Information_Address_2",
    ),
    _field(
        "company_information_post_code",
        "Own company post code",
        "Company_Information_Post_Code",
        "Company_Information_ZIP_Code",
    ),
    _field("company_information_city", "Own company city", "Company_Information_City"),
    _field(
        "company_information_county",
        "Own company county",
        "Company_Information_County",
    ),
    _field(
        "company_information_country_code",
        "Own company country/region code",
        "Company_Information_CountryRegion_Code",
    ),
    _field(
        "company_information_phone_no",
        "Own company phone no.",
        "Company_Information_Phone_No",
    ),
    _field(
        "company_information_email", "Own company e-mail", "Company_Information_Email"
    ),
    _field(
        "company_information_vat_registration_no",
        "Own company VAT registration no.",
        "Company_Information_VAT_Registration_No",
        "Company_Information_VAT_No",
    ),
)

# Business Central's three-letter (Windows) language codes and the Babel locale
# whose month names and number symbols a letter in that language uses.
LANGUAGE_LOCALES: dict[str, str] = {
    "CSY": "cs_CZ",
    "DAN": "da_DK",
    "DEA": "de_AT",
    "DES": "de_CH",
    "DEU": "de_DE",
    "ELL": "el_GR",
    "ENA": "en_AU",
    "ENC": "en_CA",
    "ENG": "en_GB",
    "ENI": "en_IE",
    "ENU": "en_US",
    "ENZ": "en_NZ",
    "ESM": "es_MX",
    "ESP": "es_ES",
    "ETI": "et_EE",
    "FIN": "fi_FI",
    "FRA": "fr_FR",
    "FRB": "fr_BE",
    "FRC": "fr_CA",
    "FRS": "fr_CH",
    "HUN": "hu_HU",
    "ISL": "is_IS",
    "ITA": "it_IT",
    "ITS": "it_CH",
    "LTH": "lt_LT",
    "LVI": "lv_LV",
    "NLB": "nl_BE",
    "NLD": "nl_NL",
    "NOR": "nb_NO",
    "PLK": "pl_PL",
    "PTB": "pt_BR",
    "PTG": "pt_PT",
    "ROM": "ro_RO",
    "RUS": "ru_RU",
    "SKY": "sk_SK",
    "SLV": "sl_SI",
    "SVE": "sv_SE",
    "TRK": "tr_TR",
}
DEFAULT_LOCALE = "en_GB"

# Business Central's codes for the name parts a salutation formula inserts.
SALUTATION_NAME_PARTS = {
    1: "job_title",
    2: "first_name",
    3: "middle_name",
    4: "surname",
    5: "initials",
    6: "company_name",
}


def locale_for_language(language_code: str | None) -> str:
    """Return the Babel locale for a language code, English (GB) when unknown."""
    return LANGUAGE_LOCALES.get((language_code or "").upper(), DEFAULT_LOCALE)


def split_person_name(name: str) -> tuple[str, str, str]:
    """Split a person's name into first, middle and surname, as BC does on entry.

    One word is the first name; otherwise the first word is the first name, the
    last word the surname and anything between the middle name.
    """
    words = name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return words[0], "", ""
    return words[0], " ".join(words[1:-1]), words[-1]


class SalutationBook:
    """The salutation formulas, read once per merge."""

    def __init__(self, session: Session):
        self._formulas: dict[tuple[str, str, str], SalutationFormula] = {
            (row.salutation_code, row.language_code, row.salutation_type): row
            for row in session.scalars(select(SalutationFormula))
        }

    def salutation(
        self, kind: str, salutation_code: str, language_code: str, parts: Mapping
    ) -> str:
        """Build the `kind` ("Formal" or "Informal") salutation, blank without formula.

        The formula of the letter's language is used, else the one with a blank
        language, as in Business Central.
        """
        formula = self._formulas.get(
            (salutation_code, language_code, kind)
        ) or self._formulas.get((salutation_code, "", kind))
        if formula is None:
            return ""
        codes = (
            formula.name_1,
            formula.name_2,
            formula.name_3,
            formula.name_4,
            formula.name_5,
        )
        text = formula.salutation
        for position, code in enumerate(codes, start=1):
            value = parts.get(SALUTATION_NAME_PARTS.get(code, ""), "") or ""
            text = text.replace(f"%{position}", value)
        # An empty middle name leaves two spaces, and a missing name a space
        # before the closing comma.
        text = re.sub(r"\s{2,}", " ", text)
        return re.sub(r"\s+([,.!])", r"\1", text).strip()


def company_information(session: Session) -> dict[str, Any]:
    """Return the company_information_* values, blank when none is set up."""
    company = session.get(CompanyInformation, COMPANY_KEY)
    return {
        f"company_information_{column}": getattr(company, column) if company else ""
        for column in COMPANY_FIELDS
    }


def letter_values(
    row: Mapping[str, Any], company: Mapping[str, Any], salutations: SalutationBook
) -> dict[str, Any]:
    """Build the merge values of one letter, keyed by every name of every field.

    `row` has the contact, salesperson and document columns under the keys of
    MERGE_FIELDS (missing keys are blank); `company` comes from
    company_information().
    """
    values = dict(company)
    values.update(row)
    name = values.get("name") or ""
    if values.get("contact_type") == "Person":
        first, middle, surname = split_person_name(name)
    else:
        first, middle, surname = "", "", ""
    values.setdefault("first_name", first)
    values.setdefault("middle_name", middle)
    values.setdefault("surname", surname)
    values["initials"] = "".join(
        f"{part[0]}." for part in (first, middle, surname) if part
    )
    language = values.get("language_code") or ""
    salutation_code = values.get("salutation_code") or ""
    for kind in ("Formal", "Informal"):
        values[f"{kind.lower()}_salutation"] = salutations.salutation(
            kind, salutation_code, language, values
        )

    named: dict[str, Any] = {}
    for spec in MERGE_FIELDS:
        value = values.get(spec.key)
        for field_name in spec.names:
            named[field_name] = "" if value is None else value
    return named
