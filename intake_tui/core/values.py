"""Answer values: one value type per question type, with parsing, checking and a JSON form.

Adding a question type means one `ValueType` here and one widget in `ui`; nothing else.
Answers are `Answer(state, value)`: `unknown` ("weet niet") and `declined` ("wil niet zeggen")
are first-class states, different from no answer at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from intake_tui.i18n import _

AnswerState = Literal["answered", "unknown", "declined"]
Value = str | int | Decimal | dt.date | bool | tuple[str, ...]

MAX_TEXT = 200
MAX_LONGTEXT = 10_000
MAX_DIGITS = 15


@dataclass(frozen=True)
class Answer:
    """One answer: a value, or "weet niet" / "wil niet zeggen" (then `value` is None)."""

    state: AnswerState
    value: Value | None = None

    @staticmethod
    def of(value: Value) -> Answer:
        return Answer("answered", value)

    @property
    def known(self) -> bool:
        return self.state == "answered" and self.value is not None


UNKNOWN = Answer("unknown")
DECLINED = Answer("declined")


class ValueProblem(ValueError):
    """A typed value could not be made from the input; the message says why, for the caseworker."""


def _parse_text(limit: int) -> Callable[[str], Value]:
    def parse(text: str) -> Value:
        if len(text) > limit:
            raise ValueProblem(_("at most {n} characters").format(n=limit))
        return text

    return parse


def parse_integer(text: str) -> Value:
    cleaned = text.strip().replace(" ", "")
    if not re.fullmatch(r"[-+]?[0-9]+", cleaned):
        raise ValueProblem(_("enter a whole number"))
    if len(cleaned.lstrip("+-")) > MAX_DIGITS:
        raise ValueProblem(_("number is too large"))
    return int(cleaned)


def parse_decimal(text: str) -> Value:
    # Caseworkers type Dutch decimals ("2,5"); a dot works too.
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", cleaned):
        raise ValueProblem(_("enter a number, for example 2,5"))
    if len(cleaned.replace(".", "").lstrip("+-")) > MAX_DIGITS:
        raise ValueProblem(_("number is too large"))
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes this
        raise ValueProblem(_("enter a number, for example 2,5")) from None


_DATE_DMY = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(text: str) -> Value:
    """A date typed as dd-mm-jjjj (the Dutch way) or yyyy-mm-dd."""
    cleaned = text.strip()
    if match := _DATE_DMY.fullmatch(cleaned):
        day, month, year = (int(g) for g in match.groups())
    elif match := _DATE_ISO.fullmatch(cleaned):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueProblem(_("enter a date as dd-mm-yyyy"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(_("this date does not exist")) from None


def parse_year(text: str) -> Value:
    cleaned = text.strip()
    if not re.fullmatch(r"[0-9]{4}", cleaned):
        raise ValueProblem(_("enter a year of four digits"))
    return int(cleaned)


def parse_yes_no(text: str) -> Value:
    cleaned = text.strip().casefold()
    if cleaned in {"j", "ja", "y", "yes", "1", "true"}:
        return True
    if cleaned in {"n", "nee", "no", "0", "false"}:
        return False
    raise ValueProblem(_("answer yes or no"))


@dataclass(frozen=True)
class ValueType:
    """How one question type's values are parsed, checked and stored."""

    name: str
    python: tuple[type, ...]
    parse: Callable[[str], Value] | None

    def accepts(self, value: object) -> bool:
        """True when `value` has this type's Python type (bool is never an int here)."""
        if isinstance(value, bool) and bool not in self.python:
            return False
        if isinstance(value, tuple):
            return tuple in self.python and all(isinstance(v, str) for v in value)
        return isinstance(value, self.python)


VALUE_TYPES: dict[str, ValueType] = {
    "text": ValueType("text", (str,), _parse_text(MAX_TEXT)),
    "longtext": ValueType("longtext", (str,), _parse_text(MAX_LONGTEXT)),
    "integer": ValueType("integer", (int,), parse_integer),
    "decimal": ValueType("decimal", (Decimal, int), parse_decimal),
    "date": ValueType("date", (dt.date,), parse_date),
    "year": ValueType("year", (int,), parse_year),
    "yes_no": ValueType("yes_no", (bool,), parse_yes_no),
    "choice": ValueType("choice", (str,), None),
    "multi_choice": ValueType("multi_choice", (tuple,), None),
    # A repeat's own value is the ordered tuple of its instance ids.
    "repeat": ValueType("repeat", (tuple,), None),
}
"""Question types that hold a value. `note` and `group` hold none."""


def to_json(value: Value | None) -> object:
    """A JSON-safe form of a value (dates as ISO text, decimals as text, tuples as lists)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def from_json(type_name: str, data: object) -> Value | None:
    """The value of `type_name` back from its JSON form; ValueProblem when it does not fit."""
    if data is None:
        return None
    if type_name == "date" and isinstance(data, str):
        try:
            return dt.date.fromisoformat(data)
        except ValueError:
            raise ValueProblem(_("this date does not exist")) from None
    if type_name == "decimal" and isinstance(data, (str, int)) and not isinstance(data, bool):
        try:
            return Decimal(data)
        except InvalidOperation:
            raise ValueProblem(_("enter a number, for example 2,5")) from None
    if (
        type_name in ("multi_choice", "repeat")
        and isinstance(data, list)
        and all(isinstance(v, str) for v in data)
    ):
        return tuple(data)
    value_type = VALUE_TYPES.get(type_name)
    if value_type is not None and value_type.accepts(data):
        return data  # type: ignore[return-value]
    raise ValueProblem(_("a stored value does not fit the question type"))
