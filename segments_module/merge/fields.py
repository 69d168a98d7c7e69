"""MERGEFIELD instructions: parsing the field code and formatting one value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .formatting import (
    apply_case,
    format_date_picture,
    format_number_picture,
    plain_text,
    to_date,
    to_decimal,
)

_QUOTES = '"\u201c\u201d\u201e'
_SEPARATORS = str.maketrans({" ": "_", ".": "_", "-": "_"})


def lookup_key(name: str) -> str:
    """Return the form of a field name that lookups compare.

    Case is ignored, and space, underscore, dot and hyphen count as the same
    character, so "First Name", "first_name" and "First.Name" find the same value.
    """
    return name.strip().casefold().translate(_SEPARATORS)


def normalize_values(values: Mapping[str, object]) -> dict[str, object]:
    """Key the values by lookup_key; among aliases, the first value that is set wins."""
    normalized: dict[str, object] = {}
    for name, value in values.items():
        key = lookup_key(str(name))
        if normalized.get(key) is None:
            normalized[key] = value
    return normalized


def tokenize_instruction(instruction: str) -> list[tuple[str, str]]:
    """Split a field code into ("text", word) and ("switch", letter) tokens.

    Quoted text may contain spaces, and \\" and \\\\ inside quotes stand for a quote
    and a backslash, as Word writes them. Curly quotes count as quotes.
    """
    tokens: list[tuple[str, str]] = []
    index, length = 0, len(instruction)
    while index < length:
        char = instruction[index]
        if char.isspace():
            index += 1
        elif char in _QUOTES:
            text, index = _read_quoted(instruction, index + 1)
            tokens.append(("text", text))
        elif char == "\\" and index + 1 < length:
            tokens.append(("switch", instruction[index + 1].lower()))
            index += 2
        else:
            start = index
            while (
                index < length
                and not instruction[index].isspace()
                and instruction[index] not in _QUOTES
            ):
                index += 1
            tokens.append(("text", instruction[start:index]))
    return tokens


def _read_quoted(instruction: str, index: int) -> tuple[str, int]:
    characters = []
    while index < len(instruction):
        char = instruction[index]
        if char == "\\" and instruction[index + 1 : index + 2] in ('"', "\\"):
            characters.append(instruction[index + 1])
            index += 2
            continue
        if char in _QUOTES:
            return "".join(characters), index + 1
        characters.append(char)
        index += 1
    return "".join(characters), index


def field_keyword(instruction: str) -> str:
    """Return the field type of a field code in upper case ("MERGEFIELD", "PAGE")."""
    words = instruction.split(None, 1)
    return words[0].upper() if words else ""


@dataclass(frozen=True)
class MergeField:
    """One MERGEFIELD field code: the field name and its formatting switches."""

    name: str
    instruction: str
    case_switches: tuple[str, ...] = ()
    date_picture: str | None = None
    number_picture: str | None = None
    text_before: str = ""
    text_after: str = ""

    @property
    def key(self) -> str:
        return lookup_key(self.name)

    @classmethod
    def parse(cls, instruction: str) -> MergeField | None:
        """Parse a MERGEFIELD field code; return None when it names no field.

        Switches \\m and \\v (mapped field, vertical text) are ignored, as is any
        switch this engine does not know.
        """
        tokens = tokenize_instruction(instruction)
        if not tokens or tokens[0][1].upper() != "MERGEFIELD":
            return None
        if len(tokens) < 2 or tokens[1][0] != "text" or not tokens[1][1].strip():
            return None
        name = tokens[1][1].strip()
        case_switches: list[str] = []
        options: dict[str, str] = {}
        index = 2
        while index < len(tokens):
            kind, text = tokens[index]
            index += 1
            if kind != "switch" or text not in "*@#bf":
                continue
            argument = ""
            if index < len(tokens) and tokens[index][0] == "text":
                argument = tokens[index][1]
                index += 1
            if text == "*":
                case_switches.append(argument)
            else:
                options[text] = argument
        return cls(
            name=name,
            instruction=" ".join(instruction.split()),
            case_switches=tuple(case_switches),
            date_picture=options.get("@"),
            number_picture=options.get("#"),
            text_before=options.get("b", ""),
            text_after=options.get("f", ""),
        )

    def format(self, value: object, locale: str, warnings: list[str]) -> str:
        """Return the text of the field for a value, appending any warning.

        A \\@ picture applies to dates and ISO date text, a \\# picture to numbers
        and numeric text. On other values the picture is skipped with a warning.
        Case switches follow, then \\b and \\f text when the result is not empty.
        """
        if value is None:
            return ""
        text = None
        if self.date_picture is not None:
            moment = to_date(value)
            if moment is None:
                warnings.append(
                    f'Field "{self.name}" has the date picture "{self.date_picture}"'
                    f" but its value {value!r} is not a date, so the value was"
                    " merged as it is."
                )
            else:
                text = format_date_picture(moment, self.date_picture, locale)
        elif self.number_picture is not None:
            number = to_decimal(value)
            if number is None:
                warnings.append(
                    f'Field "{self.name}" has the number picture'
                    f' "{self.number_picture}" but its value {value!r} is not a'
                    " number, so the value was merged as it is."
                )
            else:
                text = format_number_picture(number, self.number_picture, locale)
        if text is None:
            text = plain_text(value, locale)
        for switch in self.case_switches:
            text = apply_case(text, switch)
        if text and (self.text_before or self.text_after):
            text = f"{self.text_before}{text}{self.text_after}"
        return text
