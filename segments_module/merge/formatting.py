"""Text of a merge value: Word's date (\\@), number (\\#) and case (\\*) switches.

Month and day names, the decimal symbol and the grouping symbol come from Babel's
CLDR data for the locale, where Word takes them from the Windows regional settings.
The picture codes follow Microsoft's descriptions of the Date-Time Picture and
Numeric Picture field switches (Word 2003 reference, unchanged in later versions).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time

# Characters that XML 1.0 does not allow in a document, even escaped.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@lru_cache(maxsize=64)
def parse_locale(name: str) -> Locale:
    """Return the Babel locale for a name such as "de", "en_GB" or "de-AT"."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(
            f'Invalid locale "{name}": use a Babel locale name such as "de", '
            f'"es" or "en_GB" ({error}).'
        ) from None


def plain_text(value: object, locale: str) -> str:
    """Convert a value without a picture switch to the text Word would show.

    Dates use the locale's long date format ("4. Dezember 2026" in de), datetimes
    add the short time. Numbers keep Python's plain form ("1234.5"), because a
    data source gives Word its numbers as text: use a \\# picture for symbols.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        babel_locale = parse_locale(locale)
        day = format_date(value, "long", locale=babel_locale)
        return f"{day} {format_time(value, 'short', locale=babel_locale)}"
    if isinstance(value, date):
        return format_date(value, "long", locale=parse_locale(locale))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def remove_invalid_xml_chars(text: str) -> str:
    return _INVALID_XML_CHARS.sub("", text)


# Case switches (\*) ---------------------------------------------------------------


def apply_case(text: str, switch: str) -> str:
    """Apply one \\* switch: Upper, Lower, FirstCap or Caps; others leave the text."""
    name = switch.casefold()
    if name == "upper":
        return text.upper()
    if name == "lower":
        return text.lower()
    if name == "firstcap":
        stripped = text.lstrip()
        if not stripped:
            return text
        start = len(text) - len(stripped)
        return text[:start] + stripped[0].upper() + stripped[1:]
    if name == "caps":
        # Word capitalizes the first letter of each word and leaves the others.
        return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


# Date-time pictures (\@) -------------------------------------------------------------


def to_date(value: object) -> date | None:
    """Return the date or datetime in a value, reading ISO strings; else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


_DATE_CODES = re.compile(r"AM/PM|am/pm|'[^']*'|d+|D+|M+|y+|Y+|H+|h+|m+|s+|S+")


def format_date_picture(value: date, picture: str, locale: str) -> str:
    """Format a date with Word's \\@ codes.

    Codes: d dd ddd dddd, M MM MMM MMMM, yy yyyy, H HH (24 h), h hh (12 h), m mm
    (minutes), s ss, AM/PM or am/pm, and 'quoted' literal text. Every other
    character is copied. A plain date has the time 00:00.
    """
    babel_locale = parse_locale(locale)
    moment = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
    pieces = []
    position = 0
    for match in _DATE_CODES.finditer(picture):
        pieces.append(picture[position : match.start()])
        pieces.append(_date_code(match.group(), moment, babel_locale))
        position = match.end()
    pieces.append(picture[position:])
    return "".join(pieces)


def _date_code(code: str, moment: datetime, babel_locale: Locale) -> str:
    if code.startswith("'"):
        return code[1:-1]
    if code in ("AM/PM", "am/pm"):
        period = "am" if moment.hour < 12 else "pm"
        name = babel_locale.day_periods["format"]["abbreviated"][period]
        return name.upper() if code == "AM/PM" else name.lower()
    letter, width = code[0], len(code)
    if letter in "dD":
        if width >= 3:
            kind = "wide" if width >= 4 else "abbreviated"
            return babel_locale.days["format"][kind][moment.weekday()]
        return f"{moment.day:0{width}d}"
    if letter == "M":
        if width >= 3:
            kind = "wide" if width >= 4 else "abbreviated"
            return babel_locale.months["format"][kind][moment.month]
        return f"{moment.month:0{width}d}"
    if letter in "yY":
        return f"{moment.year % 100:02d}" if width <= 2 else f"{moment.year:04d}"
    if letter == "H":
        return f"{moment.hour:0{min(width, 2)}d}"
    if letter == "h":
        return f"{(moment.hour % 12) or 12:0{min(width, 2)}d}"
    if letter == "m":
        return f"{moment.minute:0{min(width, 2)}d}"
    return f"{moment.second:0{min(width, 2)}d}"


# Numeric pictures (\#) ---------------------------------------------------------------


def to_decimal(value: object) -> Decimal | None:
    """Return the number in a value (int, float, Decimal or numeric text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        return number if number.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


_PLACEHOLDERS = "0#x"


def _split_sections(picture: str) -> list[str]:
    """Split a picture at the semicolons that are outside 'quoted' text."""
    sections, current, quoted = [], [], False
    for char in picture:
        if char == "'":
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append("".join(current))
            current = []
            continue
        current.append(char)
    sections.append("".join(current))
    return sections


def _parse_section(section: str) -> tuple[list[str], str, list[str]]:
    """Split a picture section into literal pieces before, the digits part, after.

    Sign characters stay in the literal lists as the one-letter pieces "-" and "+".
    """
    before: list[str] = []
    after: list[str] = []
    digits: list[str] = []
    index = 0
    while index < len(section):
        char = section[index]
        target = after if digits else before
        if char == "'":
            end = section.find("'", index + 1)
            end = len(section) if end < 0 else end
            target.append(section[index + 1 : end])
            index = end + 1
            continue
        in_digits = char in _PLACEHOLDERS or (
            char in ".,"
            and (digits or section[index + 1 : index + 2] in tuple(_PLACEHOLDERS))
        )
        if in_digits and not after:
            digits.append(char)
        elif char in "-+":
            target.append(char)
        else:
            target.append(char)
        index += 1
    return before, "".join(digits), after


def format_number_picture(number: Decimal, picture: str, locale: str) -> str:
    """Format a number with Word's \\# picture.

    0 shows a digit or zero, # a digit or a space, and x drops the digits to its
    left. "." and "," become the locale's decimal and grouping symbols. "-" shows a
    minus or a space, "+" a sign or a space. A second section after ";" is used for
    negative numbers (without a minus) and a third for zero. Text in 'quotes' and
    every other character is copied. Rounding is half away from zero.
    """
    babel_locale = parse_locale(locale)
    sections = _split_sections(picture)
    negative = number < 0
    section = sections[0]
    write_minus = negative
    if negative and len(sections) > 1:
        section, write_minus = sections[1], False
    elif number == 0 and len(sections) > 2:
        section = sections[2]
    before, digits_pattern, after = _parse_section(section)
    has_sign_code = any(piece in ("-", "+") for piece in before + after)

    digits = _format_digits(abs(number), digits_pattern, babel_locale)
    sign_piece = {"-": "-" if negative else " ", "+": _plus_sign(number)}
    text_before = "".join(sign_piece.get(piece, piece) for piece in before)
    text_after = "".join(sign_piece.get(piece, piece) for piece in after)
    minus = "-" if write_minus and not has_sign_code else ""
    return f"{minus}{text_before}{digits}{text_after}"


def _plus_sign(number: Decimal) -> str:
    if number > 0:
        return "+"
    return "-" if number < 0 else " "


def _format_digits(number: Decimal, pattern: str, babel_locale: Locale) -> str:
    if not pattern:
        return ""
    integer_pattern, _, fraction_pattern = pattern.partition(".")
    fraction_places = [c for c in fraction_pattern if c in _PLACEHOLDERS]
    integer_places = [c for c in integer_pattern if c in _PLACEHOLDERS]
    grouped = "," in integer_pattern

    rounded = number.quantize(Decimal(1).scaleb(-len(fraction_places)), ROUND_HALF_UP)
    integer_text, _, fraction_text = f"{rounded:f}".partition(".")
    if "x" in integer_places:
        # Word drops the digits to the left of the x placeholder.
        kept_digits = len(integer_places) - integer_places.index("x")
        integer_text = integer_text[-kept_digits:].lstrip("0") or "0"
    if integer_text == "0" and "0" not in integer_places:
        integer_text = ""

    missing = integer_places[: max(len(integer_places) - len(integer_text), 0)]
    zeros = "0" * sum(1 for place in missing if place == "0")
    # NOTE: Word shows a space for each unused # place (its help: "$###" of 15 is
    # "$ 15"). Whether Word also shows grouping symbols there was not checked.
    spaces = " " * sum(1 for place in missing if place != "0")
    integer_digits = zeros + integer_text
    if grouped:
        integer_digits = _group(integer_digits, babel_locale.number_symbols)
    integer_digits = spaces + integer_digits

    fraction_digits = fraction_text
    while fraction_digits and fraction_places[len(fraction_digits) - 1] == "#":
        if fraction_digits[-1] != "0":
            break
        fraction_digits = fraction_digits[:-1]
    if not fraction_digits:
        return integer_digits
    decimal_symbol = babel_locale.number_symbols["latn"]["decimal"]
    return f"{integer_digits}{decimal_symbol}{fraction_digits}"


def _group(digits: str, symbols: dict) -> str:
    group_symbol = symbols["latn"]["group"]
    groups = []
    while len(digits) > 3:
        groups.append(digits[-3:])
        digits = digits[:-3]
    groups.append(digits)
    return group_symbol.join(reversed([g for g in groups if g]))
