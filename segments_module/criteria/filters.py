"""Business Central filter strings: parse one, turn it into SQL, describe it in words.

The syntax is the one BC users type in filter fields:

    GB|US          either value ("|" is or)
    10..20         an inclusive range, and 10.. and ..20 are open ranges
    <>X <X <=X >X >=X =X
    CT1* *shop* ?  wildcards: * any run of characters, ? exactly one
    ''             the field is empty
    @smith         case-insensitive, also with wildcards (@*shop*)
    A*&<>AB        "&" is and; it binds tighter than "|"
    (A|B)&<>C      parentheses group
    'A|B'          single quotes make every character literal; '' inside quotes is one '

Spaces around a value are dropped unless they are quoted, so "GB | US" means GB|US.
Every value reaches the database as a bound parameter. Option fields accept a caption
("Hard Copy") or its GraphQL enum name ("HARD_COPY"), in any case.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    and_,
    bindparam,
    false,
    func,
    not_,
    or_,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from .model import FieldInfo

COMPARISON_OPERATORS = ("<>", "<=", ">=", "<", ">", "=")
ORDERING_OPERATORS = ("<", "<=", ">", ">=")
TRUE_WORDS = ("yes", "true", "1")
FALSE_WORDS = ("no", "false", "0")
TODAY_WORDS = ("today", "t")

# A filter of 4,000 characters contains a pasted list of about 400 contact numbers such
# as CT100001 and parses in milliseconds. Escaped for LIKE or GLOB, every character
# takes at most 4 bytes, so a pattern stays at most 16,000 bytes long, well below
# SQLite's default limit of 50,000 bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH).
MAX_FILTER_LENGTH = 4_000
# Values joined by | and & in one filter. Plain values of an OR share one IN list, and
# every other value becomes an SQL condition of its own.
MAX_FILTER_VALUES = 1_000
# Levels of parentheses in one filter. SQLite before 3.46 parses SQL with a fixed
# stack of 100 entries, and each nested group takes a few of them, so a filter nested
# 30 levels deep fails there with "parser stack overflow". On SQLite 3.40, with 8
# levels of criteria (MAX_CRITERIA_DEPTH in compiler.py), Add Contacts ran with
# filters 12 levels deep and failed at 16.
MAX_FILTER_DEPTH = 10

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")
# Control characters other than tab, and unpaired surrogates: PostgreSQL rejects NUL
# in text, and a lone surrogate cannot be encoded as UTF-8 for the database.
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


class FilterSyntaxError(ValueError):
    """An invalid filter: the reason, the 1-based character position and a fix."""

    def __init__(self, reason: str, position: int, hint: str = ""):
        self.reason = reason
        self.position = position
        self.hint = hint
        message = f"{reason} at position {position}"
        super().__init__(f"{message}. {hint}" if hint else message)


# --- The syntax tree ---------------------------------------------------------------


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


# The value of `''`: an empty text or option, or no value in a number, date or Yes/No.
EMPTY = _Marker("EMPTY")
# The value of `today` / `t`, resolved to a date only when the SQL is built.
TODAY = _Marker("TODAY")


@dataclass(frozen=True)
class Pattern:
    """A wildcard value: literal text runs, "any" (*) and "one" (?) parts."""

    parts: tuple[tuple[str, str], ...]

    def to_like(self) -> str:
        """Render for LIKE ... ESCAPE '!', so %, _ and ! in the text stay literal."""
        rendered = []
        for kind, text in self.parts:
            if kind == "any":
                rendered.append("%")
            elif kind == "one":
                rendered.append("_")
            else:
                rendered.append(re.sub(r"([!%_])", r"!\1", text))
        return "".join(rendered)

    def to_glob(self) -> str:
        """Render for SQLite GLOB, where *, ? and [ in the text become [*], [?], [[]."""
        rendered = []
        for kind, text in self.parts:
            if kind == "any":
                rendered.append("*")
            elif kind == "one":
                rendered.append("?")
            else:
                rendered.append(re.sub(r"([*?\[])", r"[\1]", text))
        return "".join(rendered)

    def to_regex(self, flags: int = 0) -> re.Pattern[str]:
        pieces = []
        for kind, text in self.parts:
            if kind == "any":
                pieces.append(".*")
            elif kind == "one":
                pieces.append(".")
            else:
                pieces.append(re.escape(text))
        return re.compile("".join(pieces), flags | re.DOTALL)

    def to_filter_text(self) -> str:
        """Return the pattern as the user wrote it, wildcards unquoted."""
        marks = {"any": "*", "one": "?"}
        return "".join(marks.get(kind, text) for kind, text in self.parts)


@dataclass(frozen=True)
class Comparison:
    """`column <operator> value`. With a Pattern value the operator is = or <>."""

    operator: str
    value: Any
    ignore_case: bool = False


@dataclass(frozen=True)
class Range:
    """An inclusive range. A missing end (None) leaves that side open."""

    low: Any
    high: Any
    ignore_case: bool = False


@dataclass(frozen=True)
class OptionIn:
    """An option field that must (or, negated, must not) hold one of the captions."""

    captions: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class AllOf:
    items: tuple[FilterNode, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[FilterNode, ...]


FilterNode = Comparison | Range | OptionIn | AllOf | AnyOf


def is_code_field(info: FieldInfo) -> bool:
    """Tell whether a text field is a BC Code field: `no`, `*_no` or `*_code`."""
    column = info.column
    return info.kind == "text" and (
        column == "no" or column.endswith("_no") or column.endswith("_code")
    )


# --- Reading the text: characters and tokens ---------------------------------------


@dataclass(frozen=True)
class _Char:
    char: str  # "" for the empty string written as ''
    position: int
    quoted: bool


@dataclass
class _Token:
    kind: str  # "value", "|", "&", "(" or ")"
    position: int
    chars: list[_Char]


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    chars: list[_Char] = []

    def end_value() -> None:
        if any(char.quoted or not char.char.isspace() for char in chars):
            tokens.append(_Token("value", chars[0].position, list(chars)))
        chars.clear()

    index = 0
    while index < len(text):
        char = text[index]
        position = index + 1
        if char == "'":
            index = _read_quoted(text, index, chars)
            continue
        if char in "|&()":
            end_value()
            tokens.append(_Token(char, position, []))
        else:
            chars.append(_Char(char, position, quoted=False))
        index += 1
    end_value()
    return tokens


def _read_quoted(text: str, start: int, chars: list[_Char]) -> int:
    """Append the characters of the quoted run at `start`, return the index after it."""
    index = start + 1
    first_length = len(chars)
    while index < len(text):
        if text[index] != "'":
            chars.append(_Char(text[index], index + 1, quoted=True))
            index += 1
        elif text[index + 1 : index + 2] == "'":
            chars.append(_Char("'", index + 1, quoted=True))
            index += 2
        else:
            if len(chars) == first_length:
                chars.append(_Char("", start + 1, quoted=True))
            return index + 1
    raise FilterSyntaxError(
        "the quote that starts here is not closed",
        start + 1,
        "Close it with ', and write a quote inside a quoted value twice ('O''Brien').",
    )


# --- Parsing: precedence and atoms -------------------------------------------------


class _Parser:
    def __init__(self, text: str, tokens: list[_Token], info: FieldInfo):
        self.text = text
        self.tokens = tokens
        self.info = info
        self.index = 0
        self.depth = 0

    def parse(self) -> FilterNode:
        node = self.parse_or()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            if token.kind == ")":
                raise FilterSyntaxError(
                    'unexpected ")"', token.position, "Remove it or add the matching (."
                )
            raise FilterSyntaxError(
                'a value or "(" follows ")" without | or &',
                token.position,
                "Put | or & between them, e.g. (A|B)&C.",
            )
        return node

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def parse_or(self) -> FilterNode:
        items = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "|":
            self.index += 1
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def parse_and(self) -> FilterNode:
        items = [self.parse_factor()]
        while (token := self.peek()) is not None and token.kind == "&":
            self.index += 1
            items.append(self.parse_factor())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def parse_factor(self) -> FilterNode:
        token = self.peek()
        if token is None or token.kind in "|&)":
            raise self.missing_value()
        self.index += 1

        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_FILTER_DEPTH:
                raise FilterSyntaxError(
                    f"parentheses are nested more than {MAX_FILTER_DEPTH} levels deep",
                    token.position,
                    "Remove parentheses that group a single value or repeat the"
                    " grouping around them, e.g. write ((A|B)) as (A|B).",
                )
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise FilterSyntaxError(
                    '"(" is not closed', token.position, "Add the closing )."
                )
            self.index += 1
            self.depth -= 1
            return node

        following = self.peek()
        if following is not None and following.kind == "(":
            raise FilterSyntaxError(
                'unexpected "(" after a value',
                following.position,
                "Put | or & before it, or quote a value that contains"
                " parentheses ('A(B)').",
            )
        return _parse_atom(token.chars, self.info)

    def missing_value(self) -> FilterSyntaxError:
        previous = self.tokens[self.index - 1] if self.index > 0 else None
        following = self.peek()
        if previous is None and following is not None:
            reason = f'a value is missing before "{following.kind}"'
            position = following.position
        elif previous is not None and following is not None:
            reason = (
                f'a value is missing between "{previous.kind}" and "{following.kind}"'
            )
            position = following.position
        else:
            assert previous is not None  # an empty filter never reaches the parser
            reason = f'a value is missing after "{previous.kind}"'
            position = previous.position
        return FilterSyntaxError(reason, position, self.missing_value_hint())

    def missing_value_hint(self) -> str:
        if "'" not in self.text and "(" not in self.text and "&" not in self.text:
            alternatives = [part.strip() for part in self.text.split("|")]
            joined = "|".join(part for part in alternatives if part)
            if "|" in joined:
                return f"Write alternatives as {joined}."
        return "Write a value on both sides of | and &, or remove the extra sign."


def parse_filter(text: str, info: FieldInfo) -> FilterNode:
    """Parse a BC filter for a field of the given kind, or raise FilterSyntaxError.

    The text is checked against MAX_FILTER_LENGTH and for control characters before
    it is read, and against MAX_FILTER_VALUES and MAX_FILTER_DEPTH while it is read.
    """
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(
            f"the filter is {len(text):,} characters long, more than the maximum"
            f" of {MAX_FILTER_LENGTH:,}",
            MAX_FILTER_LENGTH + 1,
            "Shorten it, or split a long list of values over several anyOf criteria.",
        )
    if (forbidden := _FORBIDDEN_CHARACTER.search(text)) is not None:
        raise FilterSyntaxError(
            f"the character {_code_point(forbidden.group())} is not allowed",
            forbidden.start() + 1,
            "Remove it. A filter may contain tab but no other control character,"
            " so separate values with | rather than with line breaks.",
        )

    tokens = _tokenize(text)
    if not tokens:
        raise FilterSyntaxError(
            "the filter is empty", 1, "Write '' to match an empty field."
        )
    values = [token for token in tokens if token.kind == "value"]
    if len(values) > MAX_FILTER_VALUES:
        raise FilterSyntaxError(
            f"the filter has {len(values):,} values, more than the maximum"
            f" of {MAX_FILTER_VALUES:,}",
            values[MAX_FILTER_VALUES].position,
            "Split the list over several anyOf criteria, or use a range or a"
            " wildcard such as CT1000*.",
        )
    return _Parser(text, tokens, info).parse()


def _code_point(char: str) -> str:
    """Return the code point of a character as messages write it, e.g. "U+0000"."""
    return f"U+{ord(char):04X}"


def _starts_with(chars: list[_Char], index: int, symbol: str) -> bool:
    part = chars[index : index + len(symbol)]
    return len(part) == len(symbol) and all(
        not char.quoted and char.char == expected
        for char, expected in zip(part, symbol, strict=True)
    )


def _strip_spaces(chars: list[_Char]) -> list[_Char]:
    start, end = 0, len(chars)
    while start < end and not chars[start].quoted and chars[start].char.isspace():
        start += 1
    while end > start and not chars[end - 1].quoted and chars[end - 1].char.isspace():
        end -= 1
    return chars[start:end]


def _parse_atom(raw: list[_Char], info: FieldInfo) -> FilterNode:
    chars = _strip_spaces(raw)
    index = 0
    ignore_case = False
    operator_symbol: str | None = None
    operator_position = chars[0].position

    if _starts_with(chars, index, "@"):
        ignore_case = True
        index += 1
    for symbol in COMPARISON_OPERATORS:
        if _starts_with(chars, index, symbol):
            operator_symbol = symbol
            operator_position = chars[index].position
            index += len(symbol)
            break
    if not ignore_case and _starts_with(chars, index, "@"):
        ignore_case = True
        index += 1
    rest = _strip_spaces(chars[index:])
    if rest and (repeated := _leading_operator(rest)) is not None:
        written = "".join(char.char for char in chars[:index]).strip()
        raise FilterSyntaxError(
            f'"{repeated}" cannot follow "{written}"',
            rest[0].position,
            "Write one comparison operator and at most one @ before a value, e.g."
            " <>@smith, or quote a value that starts with one ('<>X').",
        )

    range_starts = [i for i in range(len(rest)) if _starts_with(rest, i, "..")]
    if range_starts:
        return _parse_range(
            rest, range_starts, operator_symbol, operator_position, ignore_case, info
        )

    if not rest:
        prefix = operator_symbol or "@"
        raise FilterSyntaxError(
            f'a value is missing after "{prefix}"',
            operator_position,
            f"Write a value after it, e.g. {prefix}GB, or {prefix}'' for a blank.",
        )
    value = _convert_value(rest, info)
    return _comparison_node(operator_symbol or "=", value, ignore_case, rest, info)


def _leading_operator(chars: list[_Char]) -> str | None:
    """Return the unquoted operator or @ that starts `chars`, if any."""
    for symbol in (*COMPARISON_OPERATORS, "@"):
        if _starts_with(chars, 0, symbol):
            return symbol
    return None


def _parse_range(
    rest: list[_Char],
    range_starts: list[int],
    operator_symbol: str | None,
    operator_position: int,
    ignore_case: bool,
    info: FieldInfo,
) -> FilterNode:
    split = range_starts[0]
    later = [start for start in range_starts if start >= split + 2]
    if later:
        raise FilterSyntaxError(
            'a filter value can hold only one ".."',
            rest[later[0]].position,
            "Write one range per value, e.g. 10..20|30..40.",
        )
    if operator_symbol is not None:
        raise FilterSyntaxError(
            f'"{operator_symbol}" cannot be combined with a range ("..")',
            operator_position,
            "Write either a comparison such as <20 or a range such as 10..20.",
        )
    if info.kind == "boolean":
        raise FilterSyntaxError(
            f"{info.caption} is a Yes/No field and has no ranges",
            rest[split].position,
            "Write Yes or No.",
        )

    low_chars = _strip_spaces(rest[:split])
    high_chars = _strip_spaces(rest[split + 2 :])
    if not low_chars and not high_chars:
        raise FilterSyntaxError(
            '".." needs a value on at least one side',
            rest[split].position,
            "Write a range such as 10..20, 10.. or ..20.",
        )
    low = _range_end(low_chars, info)
    high = _range_end(high_chars, info)

    if info.kind == "option":
        ordinals = {caption: number for number, caption in enumerate(info.options)}
        first = ordinals[low] if low is not None else 0
        last = ordinals[high] if high is not None else len(info.options) - 1
        return OptionIn(tuple(info.options[first : last + 1]))
    return Range(low, high, ignore_case)


def _range_end(chars: list[_Char], info: FieldInfo) -> Any:
    if not chars:
        return None
    value = _convert_value(chars, info)
    if value is EMPTY:
        raise FilterSyntaxError(
            "a range end cannot be ''",
            chars[0].position,
            "Leave the end out for an open range, e.g. 10.. or ..20.",
        )
    if isinstance(value, Pattern):
        raise _wildcard_not_allowed('".."', chars)
    return value


def _comparison_node(
    symbol: str, value: Any, ignore_case: bool, chars: list[_Char], info: FieldInfo
) -> FilterNode:
    if symbol in ORDERING_OPERATORS:
        if isinstance(value, Pattern):
            raise _wildcard_not_allowed(f'"{symbol}"', chars)
        if value is EMPTY:
            raise FilterSyntaxError(
                f"'' can be used only with = or <>, not with \"{symbol}\"",
                chars[0].position,
                "Write '' for an empty field or <>'' for a filled one.",
            )
        if info.kind == "boolean":
            raise FilterSyntaxError(
                f'{info.caption} is a Yes/No field and cannot use "{symbol}"',
                chars[0].position,
                "Write Yes, No, <>Yes or <>No.",
            )

    if info.kind == "option" and value is not EMPTY:
        return _option_node(symbol, value, chars, info)
    return Comparison(symbol, value, ignore_case and info.kind == "text")


def _option_node(
    symbol: str, value: Any, chars: list[_Char], info: FieldInfo
) -> FilterNode:
    if isinstance(value, Pattern):
        regex = value.to_regex(re.IGNORECASE)
        captions = tuple(
            caption
            for caption in info.options
            if regex.fullmatch(caption) or regex.fullmatch(option_name(caption))
        )
        if not captions:
            raise FilterSyntaxError(
                f'"{value.to_filter_text()}" matches no option of {info.caption}',
                chars[0].position,
                f"Use one of: {_option_list(info)}.",
            )
        return OptionIn(captions, negated=symbol == "<>")
    if symbol in ORDERING_OPERATORS:
        ordinal = info.options.index(value)
        compare = _OPERATOR_FUNCTIONS[symbol]
        return OptionIn(
            tuple(
                caption
                for number, caption in enumerate(info.options)
                if compare(number, ordinal)
            )
        )
    return Comparison(symbol, value)


def _wildcard_not_allowed(where: str, chars: list[_Char]) -> FilterSyntaxError:
    position = next(
        char.position for char in chars if not char.quoted and char.char in "*?"
    )
    return FilterSyntaxError(
        f"wildcards (* and ?) cannot be used with {where}",
        position,
        "Use them alone, with = or with <>, or quote the value to match * or ?"
        " literally ('A*').",
    )


# --- Values by field kind ----------------------------------------------------------


def _convert_value(chars: list[_Char], info: FieldInfo) -> Any:
    """Turn the characters of one value into the Python value for the field kind."""
    text = "".join(char.char for char in chars)
    position = chars[0].position
    has_wildcard = any(not char.quoted and char.char in "*?" for char in chars)
    if text == "" and any(char.quoted for char in chars):
        return EMPTY

    if has_wildcard and info.kind not in ("text", "option"):
        raise FilterSyntaxError(
            f"wildcards (* and ?) apply only to text fields, and {info.caption}"
            f" is a {_KIND_NAMES[info.kind]} field",
            position,
            _KIND_HINTS[info.kind],
        )
    if has_wildcard:
        pattern = _pattern(chars)
        if is_code_field(info):
            pattern = Pattern(
                tuple((kind, part.upper()) for kind, part in pattern.parts)
            )
        return pattern

    if info.kind == "text":
        # BC stores Code fields in upper case and compares them without regard to
        # case, so the value is upper-cased and the column is used as stored.
        return text.upper() if is_code_field(info) else text
    if info.kind == "option":
        return _option_caption(text, position, info)
    if info.kind == "integer":
        if not _WHOLE_NUMBER.fullmatch(text.strip()):
            raise FilterSyntaxError(
                f'"{text}" is not a whole number', position, _KIND_HINTS["integer"]
            )
        number = int(text)
        # Integer fields are 32-bit columns on PostgreSQL.
        if not -(2**31) <= number < 2**31:
            raise FilterSyntaxError(
                f'"{text}" is out of range', position, _KIND_HINTS["integer"]
            )
        return number
    if info.kind == "date":
        return _date_value(text.strip(), position)
    return _boolean_value(text.strip(), position)


def _pattern(chars: list[_Char]) -> Pattern:
    parts: list[tuple[str, str]] = []
    literal: list[str] = []
    for char in chars:
        if not char.quoted and char.char in "*?":
            if literal:
                parts.append(("text", "".join(literal)))
                literal.clear()
            kind = "any" if char.char == "*" else "one"
            if not (kind == "any" and parts and parts[-1][0] == "any"):
                parts.append((kind, ""))
        else:
            literal.append(char.char)
    if literal:
        parts.append(("text", "".join(literal)))
    return Pattern(tuple(parts))


def option_name(caption: str) -> str:
    """Return the GraphQL enum name of an option caption: "Hard Copy" -> "HARD_COPY".

    The names are the member names of the option enums in models/base.py, where the
    blank option is BLANK.
    """
    return caption.upper().replace(" ", "_") if caption else "BLANK"


def _option_caption(text: str, position: int, info: FieldInfo) -> str:
    typed = text.strip().casefold()
    for caption in info.options:
        if typed in (caption.casefold(), option_name(caption).casefold()):
            return caption
    raise FilterSyntaxError(
        f'"{text}" is not an option of {info.caption}',
        position,
        f"Use one of: {_option_list(info)}.",
    )


def _option_list(info: FieldInfo) -> str:
    captions = ", ".join(caption or "'' (blank)" for caption in info.options)
    names = ", ".join(option_name(caption) for caption in info.options)
    return f"{captions}, or the API names {names}"


def _date_value(text: str, position: int) -> Any:
    if text.casefold() in TODAY_WORDS:
        return TODAY
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise FilterSyntaxError(
        f'"{text}" is not a valid date', position, _KIND_HINTS["date"]
    )


def _boolean_value(text: str, position: int) -> bool:
    word = text.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FilterSyntaxError(
        f'"{text}" is not Yes or No', position, _KIND_HINTS["boolean"]
    )


_KIND_NAMES = {
    "text": "text",
    "option": "option",
    "integer": "number",
    "date": "date",
    "boolean": "Yes/No",
}
_KIND_HINTS = {
    "integer": "Write whole numbers such as 10000, or ranges such as 10000..30000.",
    "date": "Write dates as YYYY-MM-DD, or today (t), e.g. 2024-01-31..today.",
    "boolean": "Write Yes or No (true/false and 1/0 work too).",
}
_OPERATOR_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# --- SQL -----------------------------------------------------------------------------


class _PatternType(TypeDecorator[Pattern]):
    """A bound wildcard pattern, rendered for GLOB on SQLite and for LIKE elsewhere."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Pattern | None, dialect) -> str | None:
        if value is None:
            return None
        return value.to_glob() if dialect.name == "sqlite" else value.to_like()

    def process_literal_param(self, value: Pattern | None, dialect) -> str:
        rendered = self.process_bind_param(value, dialect) or ""
        return "'" + rendered.replace("'", "''") + "'"


class _wildcard_match(FunctionElement[bool]):  # noqa: N801 - named like SQL functions
    """`value` matches `pattern`, case-sensitively on every database."""

    type = Boolean()
    inherit_cache = True
    name = "wildcard_match"


@compiles(_wildcard_match)
def _compile_like(element, compiler, **kw) -> str:
    value, pattern = list(element.clauses)
    value_sql = compiler.process(value, **kw)
    pattern_sql = compiler.process(pattern, **kw)
    return f"({value_sql} LIKE {pattern_sql} ESCAPE '!')"


@compiles(_wildcard_match, "sqlite")
def _compile_glob(element, compiler, **kw) -> str:
    # SQLite's LIKE ignores the case of ASCII letters, but GLOB does not.
    value, pattern = list(element.clauses)
    value_sql = compiler.process(value, **kw)
    pattern_sql = compiler.process(pattern, **kw)
    return f"({value_sql} GLOB {pattern_sql})"


def filter_condition(
    text: str, column: ColumnElement, info: FieldInfo, *, today: date
) -> ColumnElement[bool]:
    """Build the SQL condition of a BC filter on `column`, or raise FilterSyntaxError.

    `today` is the local date in the configured time zone, used for `today` / `t`.
    """
    node = parse_filter(text, info)
    return _Sql(column, info, today).condition(node)


class _Sql:
    def __init__(self, column: ColumnElement, info: FieldInfo, today: date):
        self.column = column
        self.info = info
        self.today = today
        self.nullable = getattr(column, "nullable", True)
        self.is_text = info.kind in ("text", "option")
        # A host store may contain NULL where BC has blank text. Comparing NULL as ''
        # keeps <>GB and NOT matching blank rows.
        self.operand = (
            func.coalesce(column, "") if self.is_text and self.nullable else column
        )

    def condition(self, node: FilterNode) -> ColumnElement[bool]:
        if isinstance(node, AnyOf):
            return self.any_of(node)
        if isinstance(node, AllOf):
            return _grouped(and_, [self.condition(item) for item in node.items])
        if isinstance(node, OptionIn):
            return self.option_in(node)
        if isinstance(node, Range):
            return self.range(node)
        return self.comparison(node)

    def any_of(self, node: AnyOf) -> ColumnElement[bool]:
        """Build the OR of the alternatives, with all plain values in one IN.

        A list of values such as CT1|CT2|...|CT999 is one `IN` with an expanding
        bound parameter, because a chain of 1,000 ORs exceeds SQLite's maximum
        expression depth (1,000 by default).
        """
        items = list(_alternatives(node))
        values = [self.value(item.value) for item in items if _is_plain_equality(item)]
        conditions = [
            self.condition(item) for item in items if not _is_plain_equality(item)
        ]
        if len(values) == 1:
            conditions.insert(0, self.operand == values[0])
        elif values:
            conditions.insert(0, self.operand.in_(values))
        return _grouped(or_, conditions)

    def value(self, value: Any) -> Any:
        return self.today if value is TODAY else value

    def sides(self, value: Any, ignore_case: bool) -> tuple[ColumnElement, Any]:
        # NOTE: SQLite's lower() folds ASCII letters only, so on SQLite @ ignores
        # the case of A-Z but not of letters such as É. PostgreSQL folds them all.
        if ignore_case:
            bound = bindparam(None, value, type_=String())
            return func.lower(self.operand), func.lower(bound)
        return self.operand, self.value(value)

    def comparison(self, node: Comparison) -> ColumnElement[bool]:
        negated = node.operator == "<>"
        if node.value is EMPTY:
            if self.is_text:
                return self.operand != "" if negated else self.operand == ""
            return self.column.is_not(None) if negated else self.column.is_(None)

        if isinstance(node.value, Pattern):
            bound = bindparam(None, node.value, type_=_PatternType())
            if node.ignore_case:
                match = _wildcard_match(func.lower(self.operand), func.lower(bound))
            else:
                match = _wildcard_match(self.operand, bound)
            return not_(match) if negated else match

        left, right = self.sides(node.value, node.ignore_case)
        # NOTE: <, > and ranges on text follow the database collation, so their
        # results for mixed-case text can differ between databases.
        condition = _OPERATOR_FUNCTIONS[node.operator](left, right)
        if negated and not self.is_text and self.nullable:
            # A missing number or date differs from every value, so <>X matches it.
            return or_(condition, self.column.is_(None))
        return condition

    def range(self, node: Range) -> ColumnElement[bool]:
        conditions = []
        if node.low is not None:
            left, right = self.sides(node.low, node.ignore_case)
            conditions.append(left >= right)
        if node.high is not None:
            left, right = self.sides(node.high, node.ignore_case)
            conditions.append(left <= right)
        return and_(*conditions)

    def option_in(self, node: OptionIn) -> ColumnElement[bool]:
        if not node.captions:
            return true() if node.negated else false()
        if node.negated:
            return self.operand.not_in(node.captions)
        return self.operand.in_(node.captions)


def _alternatives(node: AnyOf) -> Iterator[FilterNode]:
    """Yield the alternatives of an OR, with the items of nested ORs such as (A|B)|C."""
    for item in node.items:
        if isinstance(item, AnyOf):
            yield from _alternatives(item)
        else:
            yield item


# SQLite nests "a OR b OR c ..." one level deeper per operator. Bracketed groups of
# this many conditions keep a filter of MAX_FILTER_VALUES values within one level of
# brackets and an expression depth of about 64.
_GROUP_SIZE = 32


class _bracketed(FunctionElement[bool]):  # noqa: N801 - named like SQL functions
    """A condition kept in brackets.

    SQLAlchemy merges and_() or or_() nested in the same operator into one flat
    chain, even when wrapped with self_group(), so _grouped() needs this element.
    """

    type = Boolean()
    inherit_cache = True
    name = "bracketed"


@compiles(_bracketed)
def _compile_bracketed(element, compiler, **kw) -> str:
    (condition,) = list(element.clauses)
    return f"({compiler.process(condition, **kw)})"


def _grouped(
    join: Callable[..., ColumnElement[bool]], conditions: list[ColumnElement[bool]]
) -> ColumnElement[bool]:
    """Join conditions with and_ or or_, in bracketed groups of at most _GROUP_SIZE."""
    while len(conditions) > _GROUP_SIZE:
        conditions = [
            _bracketed(join(*conditions[start : start + _GROUP_SIZE]))
            for start in range(0, len(conditions), _GROUP_SIZE)
        ]
    return join(*conditions)


# --- Readable text -------------------------------------------------------------------


def describe_filter(text: str, info: FieldInfo) -> str:
    """Describe a filter in words, e.g. 'Country/Region Code is GB or US'."""
    node = parse_filter(text, info)
    return f"{info.caption} {_describe(node, info, nested=False)}"


def _describe(node: FilterNode, info: FieldInfo, *, nested: bool) -> str:
    if isinstance(node, AnyOf):
        return _describe_any(node, info, nested=nested)
    if isinstance(node, AllOf):
        words = " and ".join(_describe(item, info, nested=True) for item in node.items)
        return f"({words})" if nested and len(node.items) > 1 else words
    if isinstance(node, OptionIn):
        return _describe_option_in(node)
    if isinstance(node, Range):
        return _describe_range(node, info)
    return _describe_comparison(node, info)


def _describe_any(node: AnyOf, info: FieldInfo, *, nested: bool) -> str:
    # Plain "is X" alternatives read best as one list: "is GB, US or DE".
    if all(_is_plain_equality(item) for item in node.items):
        values = [_value_text(item.value, info) for item in node.items]  # type: ignore[union-attr]
        words = f"is {_join_or(values)}"
    else:
        # The ", or" separator already groups "and" parts, so they get no brackets.
        parts = [_describe(item, info, nested=False) for item in node.items]
        separator = ", or " if any(" and " in part for part in parts) else " or "
        words = separator.join(parts)
    return f"({words})" if nested else words


def _is_plain_equality(node: FilterNode) -> TypeGuard[Comparison]:
    return (
        isinstance(node, Comparison)
        and node.operator == "="
        and node.value is not EMPTY
        and not isinstance(node.value, Pattern)
        and not node.ignore_case
    )


def _join_or(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return f"{', '.join(values[:-1])} or {values[-1]}"


def _describe_option_in(node: OptionIn) -> str:
    if not node.captions:
        return "matches no option" if not node.negated else "is any option"
    values = [caption or "blank" for caption in node.captions]
    return f"is {'not ' if node.negated else ''}{_join_or(values)}"


_ORDER_WORDS = {
    "<": "is less than",
    "<=": "is at most",
    ">": "is greater than",
    ">=": "is at least",
}
_DATE_ORDER_WORDS = {
    "<": "is before",
    "<=": "is on or before",
    ">": "is after",
    ">=": "is on or after",
}


def _describe_range(node: Range, info: FieldInfo) -> str:
    words = _DATE_ORDER_WORDS if info.kind == "date" else _ORDER_WORDS
    if node.low is not None and node.high is not None:
        low, high = _value_text(node.low, info), _value_text(node.high, info)
        text = f"is from {low} to {high}"
    elif node.low is not None:
        text = f"{words['>=']} {_value_text(node.low, info)}"
    else:
        text = f"{words['<=']} {_value_text(node.high, info)}"
    return text + (" (any case)" if node.ignore_case else "")


def _describe_comparison(node: Comparison, info: FieldInfo) -> str:
    negated = node.operator == "<>"
    suffix = " (any case)" if node.ignore_case else ""
    if node.value is EMPTY:
        return "is not empty" if negated else "is empty"
    if isinstance(node.value, Pattern):
        return _describe_pattern(node.value, negated) + suffix
    if node.operator in ("=", "<>"):
        verb = "is not" if negated else "is"
    else:
        words = _DATE_ORDER_WORDS if info.kind == "date" else _ORDER_WORDS
        verb = words[node.operator]
    return f"{verb} {_value_text(node.value, info)}{suffix}"


def _describe_pattern(pattern: Pattern, negated: bool) -> str:
    kinds = tuple(kind for kind, _ in pattern.parts)
    texts = [text for kind, text in pattern.parts if kind == "text"]
    if kinds == ("text", "any"):
        verb, shown = ("does not start with", "starts with"), texts[0]
    elif kinds == ("any", "text"):
        verb, shown = ("does not end with", "ends with"), texts[0]
    elif kinds == ("any", "text", "any"):
        verb, shown = ("does not contain", "contains"), texts[0]
    else:
        verb, shown = ("does not match", "matches"), pattern.to_filter_text()
    return f"{verb[0] if negated else verb[1]} {shown}"


def _value_text(value: Any, info: FieldInfo) -> str:
    if value is TODAY:
        return "today"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    if info.kind == "option" and value == "":
        return "blank"
    return str(value)
