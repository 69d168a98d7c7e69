"""Import contacts from a CSV file into the embedded contact store.

A ColumnMapping names the source of each contact field: a CSV column, a template
of columns such as "{First Name} {Last Name}", or fixed text. Every row is checked
before anything is written. When any row is bad, the import writes nothing and
raises ImportRejected with one error per bad row, naming its line in the file.

Decisions:
- Contacts whose no. exists are updated, but only in the mapped fields. An
  import never changes the type of an existing contact. Business Central rejects
  a type change of a company that has persons, and rejecting every type change is
  the simple rule that keeps persons from pointing at a person.
- The column separator is detected from the header line (comma, semicolon, tab
  or vertical bar) unless the caller gives one. A row whose number of columns
  differs from the header's is rejected, and so is a quoted value that is never
  closed, on the line where its quote opens.
- Nos. and codes are stored in upper case, as Business Central stores Code fields,
  so "ct1" and "CT1" are the same contact.
- Values are stripped of surrounding white space. A type that is not mapped makes
  new contacts persons.
- A country that pycountry cannot resolve to one ISO 3166 code leaves the country
  code blank and adds a warning, so that a large real-world file still imports.
- E-mail addresses are checked for syntax with email-validator (no DNS lookup)
  and stored as written, with their case and any "+" tag.
- With `create_companies`, a person's company name becomes a company contact:
  the company of that name in the file, else an existing company contact of that
  name, else a new one numbered from the CONTACT-COMPANY number series.
"""

from __future__ import annotations

import csv
import functools
import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import String, bindparam, insert, select, update
from sqlalchemy.orm import Session

from .demo.cronus import CONTACT_TYPES, CORRESPONDENCE_TYPES, contact_no, country_code
from .errors import ErrorCode, FieldError, ServiceError
from .models import Contact, ContactType, Language, NumberSeries, Salesperson
from .services.numbering import increment_number

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# Column separators that the header line is searched for, with their names.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
COMPANY_SERIES_CODE = "CONTACT-COMPANY"
COMPANY_SERIES_START = "COMP000000"

CONTACT_TABLE = Contact.__table__
IMPORTABLE_FIELDS: tuple[str, ...] = tuple(column.name for column in CONTACT_TABLE.c)
CODE_FIELDS = frozenset(
    {
        "no",
        "company_no",
        "country_code",
        "territory_code",
        "language_code",
        "salesperson_code",
        "salutation_code",
    }
)
BOOLEAN_FIELDS = frozenset({"exclude_from_segment", "privacy_blocked"})
BOOLEAN_VALUES = {
    "": False,
    "0": False,
    "false": False,
    "no": False,
    "1": True,
    "true": True,
    "yes": True,
}
CONTACT_TYPE_VALUES = {value.value.lower(): value.value for value in ContactType}
CORRESPONDENCE_TYPE_VALUES = {
    value.lower(): value for value in CORRESPONDENCE_TYPES.values()
}

# English names that some exports use where ISO 3166 (as pycountry 26 spells it)
# uses another name, mostly because the country renamed itself.
COUNTRY_ALIASES = {
    "cape verde": "CV",
    "libyan arab jamahiriya": "LY",
    "palestinian territory": "PS",
    "pitcairn islands": "PN",
    "svalbard & jan mayen islands": "SJ",
    "swaziland": "SZ",
    "turkey": "TR",
    "united states virgin islands": "VI",
}


@dataclass(frozen=True)
class RowError:
    """A problem with one row, whose first line in the file is `line_no` (header: 1)."""

    line_no: int
    reason: str


@dataclass
class ImportResult:
    inserted: int
    updated: int
    companies_created: int
    errors: list[RowError]
    # Rows imported with a value dropped, such as a country that was not recognised.
    warnings: list[RowError] = field(default_factory=list)


class ImportRejected(ServiceError):
    """The error raised, after writing nothing, when any row is bad.

    `result.errors` lists the bad rows.
    """

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(
            [
                FieldError(f"line {error.line_no}", ErrorCode.INVALID, error.reason)
                for error in result.errors
            ]
        )


@dataclass(frozen=True)
class ColumnMapping:
    """Sources of the contact fields of an import.

    `fields` maps a Contact column name to a template: "{Email}" is the Email
    column, "{First Name} {Last Name}" joins two columns, and text outside braces
    is kept as it is ("Person"). Write "{{" and "}}" for literal braces.
    """

    fields: Mapping[str, str]
    # Make a person's company name a company contact and link the person to it.
    create_companies: bool = True
    # Turn country names into ISO 3166 alpha-2 codes with pycountry.
    resolve_countries: bool = True
    # Read `@Customer:<No>` style company nos. of the CRONUS files (see demo/).
    bc_references: bool = False


PRESETS: dict[str, ColumnMapping] = {
    # The datablist "customers" sample files.
    "datablist": ColumnMapping(
        {
            "no": "{Customer Id}",
            "name": "{First Name} {Last Name}",
            "type": ContactType.PERSON.value,
            "company_name": "{Company}",
            "city": "{City}",
            "country_code": "{Country}",
            "phone_no": "{Phone 1}",
            "email": "{Email}",
        }
    ),
    # Business Central's CreateContact.csv layout, as in segments_module/demo/data.
    "bc": ColumnMapping(
        {
            "no": "{No.}",
            "name": "{Name}",
            "address": "{Address}",
            "territory_code": "{Territory Code}",
            "language_code": "{Language Code}",
            "salesperson_code": "{Salesperson Code}",
            "country_code": "{Country Code}",
            "post_code": "{Post Code}",
            "type": "{Type}",
            "company_no": "{Company No.}",
            "salutation_code": "{Salutation Code}",
            "job_title": "{Job Title}",
            "correspondence_type": "{Correspondence Type}",
        },
        create_companies=False,
        bc_references=True,
    ),
}

_TEMPLATE_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class _Template:
    """A parsed template: text parts and column names, in order."""

    source: str
    parts: tuple[tuple[bool, str], ...]  # (is_column, text or column name)

    @property
    def columns(self) -> list[str]:
        return [text for is_column, text in self.parts if is_column]

    @property
    def label(self) -> str:
        """Name the source in messages: "column 'Email'" or the template itself."""
        if len(self.parts) == 1 and self.parts[0][0]:
            return f"column {self.parts[0][1]!r}"
        return repr(self.source)

    def render(self, cells: Mapping[str, str]) -> str:
        return "".join(
            cells.get(text, "").strip() if is_column else text
            for is_column, text in self.parts
        ).strip()


def parse_mapping(pairs: list[str]) -> ColumnMapping:
    """Build a mapping from FIELD=SOURCE pairs, as the CLI's --map options give them.

    SOURCE is a column name (`email=Email`), a template of columns
    (`name={First Name} {Last Name}`) or, in quotes, fixed text (`type="Person"`).
    """
    fields: dict[str, str] = {}
    errors: list[FieldError] = []
    for pair in pairs:
        name, separator, source = pair.partition("=")
        name, source = name.strip().lower(), source.strip()
        if not separator or not name:
            errors.append(
                _mapping_error(
                    pair, f"{pair!r} is not FIELD=SOURCE. Write it as email=Email."
                )
            )
            continue
        if name in fields:
            errors.append(
                _mapping_error(
                    name, f"Field {name!r} is mapped twice. Keep one of them."
                )
            )
            continue
        fields[name] = _source_template(source)

    mapping = ColumnMapping(fields)
    errors += _check_fields(mapping)
    if errors:
        raise ServiceError(errors)
    return mapping


def _source_template(source: str) -> str:
    if len(source) >= 2 and source[0] == source[-1] and source[0] in "\"'":
        return source[1:-1].replace("{", "{{").replace("}", "}}")
    if "{" in source or "}" in source:
        return source
    return "{" + source + "}"


def import_contacts(
    session: Session,
    path: Path,
    mapping: ColumnMapping | None = None,
    *,
    preset: str | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
) -> ImportResult:
    """Import the contacts of a CSV file with `mapping` or a named preset.

    `delimiter` is the column separator, and None detects it from the header line.
    Runs in the caller's transaction and never commits. Raises ImportRejected,
    having written nothing, when any row is bad. Raises ServiceError when the
    mapping or the file itself is unusable.
    """
    started = time.perf_counter()
    mapping = _choose_mapping(mapping, preset)
    templates = _compile(mapping)

    csv_file = _read_csv(Path(path), encoding, delimiter)
    _check_header(templates, csv_file)
    rows, errors, warnings = _check_rows(
        session, mapping, templates, csv_file.header, csv_file.records
    )
    if csv_file.unreadable_row is not None:
        errors.append(csv_file.unreadable_row)
    if errors:
        logger.info("Rejected contact import of %s: %d bad rows", path, len(errors))
        raise ImportRejected(ImportResult(0, 0, 0, errors, warnings))

    companies = _link_companies(session, mapping, rows)
    new_rows = [row for row in rows if row.current_type is None]
    old_rows = [row for row in rows if row.current_type is not None]
    _insert(session, companies + [_full_row(row) for row in new_rows])
    _update(session, old_rows)

    result = ImportResult(len(new_rows), len(old_rows), len(companies), [], warnings)
    logger.info(
        "Imported contacts from %s in %.2f s: %d inserted, %d updated, "
        "%d companies created, %d warnings",
        path,
        time.perf_counter() - started,
        result.inserted,
        result.updated,
        result.companies_created,
        len(warnings),
    )
    return result


def _choose_mapping(mapping: ColumnMapping | None, preset: str | None) -> ColumnMapping:
    if (mapping is None) == (preset is None):
        raise ServiceError.single(
            "mapping",
            ErrorCode.INVALID,
            "Give either a column mapping or a preset, not both and not neither.",
        )
    if mapping is not None:
        return mapping
    if preset not in PRESETS:
        raise ServiceError.single(
            "preset",
            ErrorCode.NOT_FOUND,
            f"Preset {preset!r} was not found. Use one of "
            f"{', '.join(sorted(PRESETS))}.",
        )
    return PRESETS[preset]


def _compile(mapping: ColumnMapping) -> dict[str, _Template]:
    errors = _check_fields(mapping)
    templates: dict[str, _Template] = {}
    for name, source in mapping.fields.items():
        try:
            templates[name] = _parse_template(source)
        except ValueError as error:
            errors.append(_mapping_error(name, str(error)))
    if errors:
        raise ServiceError(errors)
    return templates


def _check_fields(mapping: ColumnMapping) -> list[FieldError]:
    errors = [
        _mapping_error(
            name,
            f"{name!r} is not a contact field. Use one of "
            f"{', '.join(IMPORTABLE_FIELDS)}.",
        )
        for name in mapping.fields
        if name not in IMPORTABLE_FIELDS
    ]
    for required in ("no", "name"):
        if required not in mapping.fields:
            errors.append(
                _mapping_error(
                    required,
                    f"Field {required!r} is not mapped, but every contact needs one. "
                    f"Map it, for example {required}=ColumnName.",
                )
            )
    return errors


def _parse_template(source: str) -> _Template:
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _TEMPLATE_TOKEN.finditer(source):
        if match.start() > position:
            parts.append((False, source[position : match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append((False, token[0]))
        elif match.group(1) is not None and match.group(1).strip():
            parts.append((True, match.group(1).strip()))
        else:
            raise ValueError(
                f"Template {source!r} has an empty or unmatched brace at position "
                f"{match.start() + 1}. Write {{Column}} for a column and {{{{ or }}}} "
                "for a literal brace."
            )
        position = match.end()
    if position < len(source):
        parts.append((False, source[position:]))
    return _Template(source, tuple(parts))


def _mapping_error(name: str, message: str) -> FieldError:
    return FieldError(f"mapping.{name}", ErrorCode.INVALID, message)


# Reading the file


@dataclass
class _Record:
    line_no: int
    cells: list[str]


@dataclass
class _CsvFile:
    header: list[str]
    records: list[_Record]
    delimiter: str
    # The row where reading stopped because its quoting is broken, if any.
    unreadable_row: RowError | None = None


def _read_csv(path: Path, encoding: str, delimiter: str | None) -> _CsvFile:
    """Read the header and the records, each record with the line it starts on."""
    if path.is_dir():
        raise ServiceError.single(
            "path",
            ErrorCode.INVALID,
            f"{str(path)!r} is a directory, not a CSV file. Give the path of the "
            "CSV file.",
        )
    try:
        with path.open(encoding=encoding, newline="") as file:
            # Read as plain utf-8, a byte order mark would start the first name.
            first_line = file.readline().lstrip("\ufeff")
            delimiter = delimiter or _detect_delimiter(path, first_line)
            file.seek(0)
            # strict=True raises on an unclosed quote instead of reading the rest
            # of the file into one value.
            reader = csv.reader(file, delimiter=delimiter, strict=True)
            header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
            records: list[_Record] = []
            unreadable_row = _read_records(reader, records)
    except FileNotFoundError:
        raise ServiceError.single(
            "path", ErrorCode.NOT_FOUND, f"File {str(path)!r} was not found."
        ) from None
    except PermissionError:
        raise ServiceError.single(
            "path",
            ErrorCode.INVALID,
            f"File {str(path)!r} cannot be read: permission denied. Check the "
            "file's permissions.",
        ) from None
    except UnicodeDecodeError as error:
        raise ServiceError.single(
            "encoding",
            ErrorCode.INVALID,
            f"File {str(path)!r} is not valid {encoding} text (byte {error.start + 1} "
            "cannot be decoded). Save it as UTF-8 or give its encoding.",
        ) from None
    except csv.Error as error:
        # Only the header line can raise here, because _read_records handles the
        # other rows.
        raise ServiceError.single(
            "path",
            ErrorCode.INVALID,
            f"The header line of {str(path)!r} is not valid CSV ({error}). "
            "Check its quotes.",
        ) from None

    if not any(header):
        raise ServiceError.single(
            "path",
            ErrorCode.INVALID,
            f"File {str(path)!r} has no header line. Its first line must name "
            "the columns.",
        )
    return _CsvFile(header, records, delimiter, unreadable_row)


def _detect_delimiter(path: Path, header_line: str) -> str:
    """Return the one separator that the header line contains outside quotes.

    A header without any separator is a file of one column, read as comma-separated.
    """
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    found = [delimiter for delimiter in DELIMITERS if delimiter in unquoted]
    if len(found) == 1:
        return found[0]
    if not found:
        return ","
    names = " and ".join(DELIMITERS[delimiter] for delimiter in found)
    raise ServiceError.single(
        "delimiter",
        ErrorCode.INVALID,
        f"The header line of {str(path)!r} contains more than one possible column "
        f"separator ({names}). Give the separator with --delimiter, for example "
        "--delimiter ';'.",
    )


def _read_records(reader, records: list[_Record]) -> RowError | None:
    """Append the non-empty records with their first physical line to `records`.

    `reader.line_num` counts the physical lines read so far, so a quoted value
    with line breaks moves the next record's line forward. Reading stops at a row
    whose quoting is broken, and that row is returned as an error.
    """
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            return RowError(previous_end + 1, _quoting_problem(str(error)))
        if any(cell.strip() for cell in cells):
            records.append(_Record(previous_end + 1, cells))
        previous_end = reader.line_num


def _quoting_problem(reason: str) -> str:
    if reason == "unexpected end of data":
        return (
            "A quoted value starts on this line and is never closed, so the rest "
            "of the file was not read. Close the quote, or double a quote that is "
            'part of the value ("").'
        )
    return (
        f"The row is not valid CSV ({reason}), so the rest of the file was not "
        'read. Quote the whole value and double each quote inside it ("").'
    )


def _check_header(templates: dict[str, _Template], csv_file: _CsvFile) -> None:
    known = set(csv_file.header)
    errors = [
        _mapping_error(
            name,
            f"Column {column!r}, used for {name}, is not in the file's header.",
        )
        for name, template in templates.items()
        for column in template.columns
        if column not in known
    ]
    if errors:
        columns = ", ".join(repr(item) for item in csv_file.header)
        separator = DELIMITERS.get(csv_file.delimiter, repr(csv_file.delimiter))
        errors.append(
            FieldError(
                "path",
                ErrorCode.INVALID,
                f"The header, split at each {separator}, has the columns {columns}. "
                "Check the column names and the separator.",
            )
        )
        raise ServiceError(errors)


# Checking rows


@dataclass
class _Row:
    line_no: int
    values: dict[str, object]
    labels: dict[str, str]
    # The type stored for the contact's no., or None for a new contact.
    current_type: str | None = None

    @property
    def is_company(self) -> bool:
        """Tell whether the row's contact is a company, once imported."""
        contact_type = self.values.get("type", self.current_type)
        return contact_type == ContactType.COMPANY.value


def _check_rows(
    session: Session,
    mapping: ColumnMapping,
    templates: dict[str, _Template],
    header: list[str],
    records: list[_Record],
) -> tuple[list[_Row], list[RowError], list[RowError]]:
    """Return the rows to write, the row errors and the warnings."""
    rows: list[_Row] = []
    problems: dict[int, list[str]] = {}
    warnings: list[RowError] = []
    first_line_of_no: dict[str, int] = {}

    for record in records:
        if len(record.cells) != len(header):
            # The cells do not line up with the columns, so no value can be trusted.
            problems[record.line_no] = [
                f"The row has {len(record.cells)} columns, but the header has "
                f"{len(header)}. Check the quoting and the separator of this row."
            ]
            continue

        found: list[str] = []
        cells = dict(zip(header, record.cells, strict=True))
        row = _Row(record.line_no, {}, {})
        for name, template in templates.items():
            row.labels[name] = template.label
            text = template.render(cells)
            try:
                row.values[name], warning = _convert(
                    name, text, template.label, mapping
                )
            except _InvalidValue as error:
                row.values[name], warning = text, None
                found.append(str(error))
            if warning:
                warnings.append(RowError(record.line_no, warning))

        no = row.values.get("no")
        if isinstance(no, str) and no:
            if no in first_line_of_no:
                found.append(
                    f"{row.labels['no']}: no. {_show(no)} is already used on line "
                    f"{first_line_of_no[no]}. Give each contact its own no."
                )
            else:
                first_line_of_no[no] = record.line_no
        if found:
            problems[record.line_no] = found
        rows.append(row)

    _read_current_types(session, rows)
    checks = (
        _check_contact_types(rows),
        _check_own_company(rows),
        _check_references(session, mapping, rows),
    )
    for check in checks:
        for line_no, problem in check:
            problems.setdefault(line_no, []).append(problem)
    errors = [
        RowError(line_no, " ".join(found))
        for line_no, found in sorted(problems.items())
    ]
    return rows, errors, warnings


class _InvalidValue(Exception):
    """A cell value that cannot be imported, with a message that names the fix."""


def _convert(
    name: str, text: str, label: str, mapping: ColumnMapping
) -> tuple[object, str | None]:
    """Return (value, warning) for one field of one row, or raise _InvalidValue."""
    if "\x00" in text:
        raise _InvalidValue(f"{label} contains a NUL character. Remove it.")
    if mapping.bc_references and name == "company_no" and text.startswith("@"):
        try:
            text = contact_no(text)
        except ValueError:
            pass  # not a CRONUS reference: checked as an ordinary company no.
    if mapping.bc_references and name == "country_code":
        text = country_code(text)
    if name in CODE_FIELDS and not (
        name == "country_code" and mapping.resolve_countries
    ):
        text = text.upper()

    if name in ("no", "name") and not text:
        required = "no." if name == "no" else "name"
        raise _InvalidValue(
            f"{label} is empty. Fill in a {required} for every contact."
        )
    if name == "type":
        return _option(text, label, _CONTACT_TYPE_CHOICES), None
    if name == "correspondence_type":
        return _option(text, label, _CORRESPONDENCE_TYPE_CHOICES), None
    if name in BOOLEAN_FIELDS:
        return _option(text, label, _BOOLEAN_CHOICES), None

    warning = None
    if name == "country_code" and mapping.resolve_countries and text:
        code = resolve_country(text)
        if code is None:
            warning = (
                f"{label}: country {_show(text)} was not recognised, so the country "
                "code is left blank. Use an ISO 3166 country name or code."
            )
        text = code or ""
    if name == "email" and text:
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError as error:
            raise _InvalidValue(
                f"{label}: {_show(text)} is not a valid e-mail address. {error} "
                "Correct it or leave the cell empty."
            ) from None
    _check_length(name, text, label)
    return text, warning


@dataclass(frozen=True)
class _Choices:
    """The accepted spellings of an option field, and how to name them in a message."""

    values: Mapping[str, object]
    what: str
    hint: str


_CONTACT_TYPE_CHOICES = _Choices(
    {**CONTACT_TYPE_VALUES, **CONTACT_TYPES},
    "a contact type",
    "Use Company or Person (or 0 or 1)",
)
_CORRESPONDENCE_TYPE_CHOICES = _Choices(
    {**CORRESPONDENCE_TYPE_VALUES, **CORRESPONDENCE_TYPES},
    "a correspondence type",
    "Use Hard Copy, Email or an empty cell (or 1, 2 or 0)",
)
_BOOLEAN_CHOICES = _Choices(BOOLEAN_VALUES, "a yes/no value", "Use true or false")


def _option(text: str, label: str, choices: _Choices) -> object:
    try:
        return choices.values[text.lower()]
    except KeyError:
        raise _InvalidValue(
            f"{label}: {_show(text)} is not {choices.what}. {choices.hint}."
        ) from None


def _check_length(name: str, text: str, label: str) -> None:
    column_type = CONTACT_TABLE.c[name].type
    if not isinstance(column_type, String) or column_type.length is None:
        return
    if len(text) <= column_type.length:
        return
    raise _InvalidValue(
        f"{label}: {_show(text)} has {len(text)} characters, more than the "
        f"{column_type.length} that {name} allows. Shorten it."
    )


def _read_current_types(session: Session, rows: list[_Row]) -> None:
    """Set each row's current_type to the type stored for its no., if any."""
    nos = {row.values["no"] for row in rows if isinstance(row.values.get("no"), str)}
    types: dict[str, str] = {}
    for batch in _batches(sorted(nos)):
        statement = select(Contact.no, Contact.type).where(Contact.no.in_(batch))
        types.update(
            (no, contact_type) for no, contact_type in session.execute(statement)
        )
    for row in rows:
        row.current_type = types.get(row.values.get("no"))


def _check_contact_types(rows: list[_Row]) -> Iterator[tuple[int, str]]:
    """Yield (line, problem) for rows that would change an existing contact's type."""
    for row in rows:
        new_type = row.values.get("type")
        if row.current_type is None or new_type in (None, row.current_type):
            continue
        if new_type not in CONTACT_TYPE_VALUES.values():
            continue  # an invalid type, which _convert has reported
        message = (
            f"Contact no. {_show(row.values['no'])} is a {row.current_type}, and an "
            f"import cannot change it to a {new_type}. Remove the row, give the "
            f"{str(new_type).lower()} a new no., or change the type in the file to "
            f"{row.current_type}."
        )
        yield row.line_no, message


def _check_own_company(rows: list[_Row]) -> Iterator[tuple[int, str]]:
    """Yield (line, problem) for persons whose company no. is their own no."""
    for row in rows:
        no = row.values.get("no")
        if row.is_company or not no or row.values.get("company_no") != no:
            continue
        message = (
            f"{row.labels['company_no']}: company no. {_show(no)} is the person's "
            "own no., but a person belongs to a contact of type Company. Give the "
            "company's no. or leave the cell empty."
        )
        yield row.line_no, message


def _check_references(
    session: Session, mapping: ColumnMapping, rows: list[_Row]
) -> Iterator[tuple[int, str]]:
    """Yield (line, problem) for company nos., salespersons and languages not found."""
    if "company_no" in mapping.fields:
        companies_in_file = {row.values["no"] for row in rows if row.is_company}
        referenced = (
            {row.values["company_no"] for row in rows} - companies_in_file - {""}
        )
        known = _existing_nos(session, referenced, company_only=True)
        for row in rows:
            value = row.values["company_no"]
            if value == row.values["no"] and not row.is_company:
                continue  # reported by _check_own_company
            if value and value not in known and value not in companies_in_file:
                message = (
                    f"{row.labels['company_no']}: company no. {_show(value)} is "
                    "neither a company in this file nor an existing company contact. "
                    "Import the company first or leave the cell empty."
                )
                yield row.line_no, message

    for name, model, caption in (
        ("salesperson_code", Salesperson, "salesperson"),
        ("language_code", Language, "language"),
    ):
        if name not in mapping.fields:
            continue
        referenced = {row.values[name] for row in rows} - {""}
        known = _existing_codes(session, model.__table__.c.code, referenced)
        for row in rows:
            value = row.values[name]
            if value and value not in known:
                message = (
                    f"{row.labels[name]}: {caption} code {_show(value)} was not "
                    f"found. Create the {caption} first or leave the cell empty."
                )
                yield row.line_no, message


def _show(value: str, limit: int = 40) -> str:
    """Return a value quoted for a message, cut to `limit` characters."""
    if len(value) > limit:
        return repr(value[:limit] + "…")
    return repr(value)


@functools.lru_cache(maxsize=4096)
def resolve_country(text: str) -> str | None:
    """Return the ISO 3166 alpha-2 code of a country name or code, or None.

    Tries pycountry's exact lookup (codes, names, official and common names), the
    name without a trailing "(...)" note, COUNTRY_ALIASES, withdrawn countries
    whose code is not reused, and last a fuzzy search that must name one country.
    """
    text = text.strip()
    without_note = re.sub(r"\s*\(.*\)\s*$", "", text)
    for candidate in dict.fromkeys((text, without_note)):
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            pass

    alias = COUNTRY_ALIASES.get(text.casefold())
    if alias:
        return alias

    try:
        historic = pycountry.historic_countries.lookup(text)
    except LookupError:
        historic = None
    if historic is not None and len(getattr(historic, "alpha_2", "")) == 2:
        if pycountry.countries.get(alpha_2=historic.alpha_2) is None:
            return historic.alpha_2

    try:
        matches = pycountry.countries.search_fuzzy(without_note)
    except LookupError:
        return None
    folded = _fold(without_note)
    named = [
        country
        for country in matches
        if any(
            folded in _fold(getattr(country, attribute, ""))
            for attribute in ("name", "official_name", "common_name")
        )
    ]
    # "Korea" names two countries, so it stays unresolved.
    return named[0].alpha_2 if len(named) == 1 else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        char for char in decomposed if not unicodedata.combining(char)
    ).casefold()


# Companies and writing


def _link_companies(
    session: Session, mapping: ColumnMapping, rows: list[_Row]
) -> list[dict[str, object]]:
    """Set each row's company fields and return the company contacts to create."""
    by_no: dict[str, str] = {}
    for row in rows:
        if row.is_company:
            row.values["company_no"] = row.values["no"]
            row.values["company_name"] = row.values["name"]
            by_no[row.values["no"]] = row.values["name"]

    if "company_no" in mapping.fields:
        referenced = {row.values["company_no"] for row in rows} - set(by_no) - {""}
        by_no.update(_company_names(session, referenced))
        for row in rows:
            if not row.is_company:
                row.values["company_name"] = by_no.get(row.values["company_no"], "")
        return []

    if not (mapping.create_companies and "company_name" in mapping.fields):
        return []

    persons = [row for row in rows if not row.is_company]
    names = {row.values["company_name"] for row in persons} - {""}
    by_name = {name: no for no, name in by_no.items()}
    missing = sorted(names - set(by_name))
    by_name.update(_companies_by_name(session, missing))
    to_create = [name for name in missing if name not in by_name]
    created = []
    # Numbers the file itself uses are taken too, or a new company could collide.
    file_nos = {row.values["no"] for row in rows}
    for name, no in zip(
        to_create,
        _next_company_nos(session, len(to_create), taken=file_nos),
        strict=True,
    ):
        by_name[name] = no
        created.append(_company_row(no, name))

    for row in persons:
        row.values["company_no"] = by_name.get(row.values["company_name"], "")
    return created


def _company_row(no: str, name: str) -> dict[str, object]:
    row = {column: _column_default(column) for column in IMPORTABLE_FIELDS}
    row.update(
        no=no,
        type=ContactType.COMPANY.value,
        company_no=no,
        name=name,
        company_name=name,
    )
    return row


def _column_default(name: str) -> object:
    default = CONTACT_TABLE.c[name].default
    return default.arg if default is not None else ""


def _full_row(row: _Row) -> dict[str, object]:
    """Return a complete insert row: mapped values over the column defaults."""
    values = {column: _column_default(column) for column in IMPORTABLE_FIELDS}
    values["type"] = ContactType.PERSON.value
    values.update(row.values)
    return values


def _insert(session: Session, rows: list[dict[str, object]]) -> None:
    for batch in _batches(rows):
        session.execute(insert(CONTACT_TABLE), batch)


def _update(session: Session, rows: list[_Row]) -> None:
    """Update existing contacts in the fields each row carries.

    Rows that carry the same fields share one UPDATE, run as executemany batches.
    """
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in rows:
        columns = tuple(sorted(name for name in row.values if name != "no"))
        # Bind names differ from the column names, which SQLAlchemy reserves.
        params = {f"new_{name}": row.values[name] for name in columns}
        groups.setdefault(columns, []).append({"key_no": row.values["no"], **params})

    for columns, params in groups.items():
        if not columns:
            continue
        statement = (
            update(CONTACT_TABLE)
            .where(CONTACT_TABLE.c.no == bindparam("key_no"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        for batch in _batches(params):
            session.execute(statement, batch)


def _batches(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_nos(
    session: Session, nos: Iterable[str], *, company_only: bool = False
) -> set[str]:
    found: set[str] = set()
    for batch in _batches(sorted(set(nos))):
        statement = select(Contact.no).where(Contact.no.in_(batch))
        if company_only:
            statement = statement.where(Contact.type == ContactType.COMPANY.value)
        found.update(session.scalars(statement))
    return found


def _existing_codes(session: Session, column, codes: set[str]) -> set[str]:
    found: set[str] = set()
    for batch in _batches(sorted(codes)):
        found.update(session.scalars(select(column).where(column.in_(batch))))
    return found


def _company_names(session: Session, nos: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for batch in _batches(sorted(nos)):
        statement = select(Contact.no, Contact.name).where(Contact.no.in_(batch))
        names.update((no, name) for no, name in session.execute(statement))
    return names


def _companies_by_name(session: Session, names: list[str]) -> dict[str, str]:
    """Return name -> no. of existing company contacts, the lowest no. for a tie."""
    found: dict[str, str] = {}
    for batch in _batches(names):
        statement = (
            select(Contact.name, Contact.no)
            .where(Contact.type == ContactType.COMPANY.value, Contact.name.in_(batch))
            .order_by(Contact.no.desc())
        )
        found.update((name, no) for name, no in session.execute(statement))
    return found


def _next_company_nos(
    session: Session, count: int, taken: set[str] = frozenset()
) -> list[str]:
    """Take `count` nos. from the CONTACT-COMPANY series, skipping nos. in use.

    `taken` holds further nos. to skip, such as those of the rows being imported.
    """
    if count == 0:
        return []
    series = session.get(NumberSeries, COMPANY_SERIES_CODE, with_for_update=True)
    last = series.last_no_used if series else COMPANY_SERIES_START

    nos: list[str] = []
    while len(nos) < count:
        candidates = []
        for _ in range(count - len(nos)):
            last = increment_number(last)
            candidates.append(last)
        in_use = _existing_nos(session, candidates) | set(taken)
        nos += [no for no in candidates if no not in in_use]

    if series is None:
        session.add(NumberSeries(code=COMPANY_SERIES_CODE, last_no_used=last))
    else:
        series.last_no_used = last
    session.flush()
    return nos
