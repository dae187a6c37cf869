"""The functions of the expression language added in issue 18: ``coalesce``, ``round``,
``concat``, ``regex``, ``sum``, ``add_days`` and ``add_months``, with the semantics documented in
`intake_tui.core.expressions`. Standard library only (``regex`` gets its compiled RE2 pattern
from the compiler, which asks `intake_tui.core.patterns`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Final

from intake_tui.core.expression_base import Scope, _Fn, _Mismatch
from intake_tui.core.expression_ops import _add, _is_number, _kind, _parse_date

MAX_ROUND_PLACES: Final = 10
MAX_CONCAT_CHARS: Final = 10_000
MAX_INT_BITS: Final = 13_000  # about 3,900 digits, below Python's limit for str(int)
MAX_ADD_DAYS: Final = 3_660_000  # about 10,000 years: more than the whole calendar
MAX_ADD_MONTHS: Final = 120_000  # 10,000 years

_ROUND: Final = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
NEW_FUNCTIONS: Final = frozenset(
    {"coalesce", "round", "concat", "regex", "sum", "add_days", "add_months"}
)


# ------------------------------------------------------------------------------ coalesce


def _coalesce(args: tuple[_Fn, ...]) -> _Fn:
    def run(scope: Scope, value: object) -> object:
        for arg in args:  # lazily: the arguments after the first value are not evaluated
            found = arg(scope, value)
            if found is not None:
                return found
        return None

    return run


# ------------------------------------------------------------------------------ round


def whole_number(value: object, function: str, what: str) -> int:
    """`value` as an int: an int, or a Decimal without a fraction; _Mismatch otherwise."""
    if _is_number(value):
        if isinstance(value, int):
            return value
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
    raise _Mismatch(f"{function}(): {what} must be a whole number, not {_describe(value)}")


def round_number(number: object, places: object) -> Decimal | None:
    """`number` rounded half up (away from zero) to `places` decimals, as a Decimal."""
    if number is None or places is None:
        return None
    if not _is_number(number):
        raise _Mismatch(f"round() needs a number, not {_kind(number)}")
    digits = whole_number(places, "round", "the number of decimals")
    if not 0 <= digits <= MAX_ROUND_PLACES:
        raise _Mismatch(
            f"round(): the number of decimals is 0 to {MAX_ROUND_PLACES}, not {_describe(digits)}"
        )
    try:
        return _ROUND.quantize(Decimal(number), Decimal(1).scaleb(-digits))
    except decimal.InvalidOperation:
        raise _Mismatch("round(): the number is too large to round") from None


def _round(args: tuple[_Fn, ...]) -> _Fn:
    number_fn = args[0]
    places_fn = args[1] if len(args) > 1 else None

    def run(scope: Scope, value: object) -> object:
        number = number_fn(scope, value)
        places = 0 if places_fn is None else places_fn(scope, value)
        return round_number(number, places)

    return run


# ------------------------------------------------------------------------------ concat


def _text_of(value: object, inside_list: bool = False) -> str:
    if isinstance(value, bool):
        raise _Mismatch(
            "concat() cannot join a yes/no value; write a text for each, as in "
            "('ja' if x else 'nee')"
        )
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:  # str() of a huge int is slow: measure first
            raise _Mismatch("concat(): a number is too large to write out")
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _Mismatch("concat() cannot join a number that is not finite")
        if abs(value.adjusted()) > MAX_CONCAT_CHARS:
            raise _Mismatch(f"concat() would give more than {MAX_CONCAT_CHARS:,} characters")
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list) and not inside_list:
        if len(value) > MAX_CONCAT_CHARS:
            raise _Mismatch(f"concat() would give more than {MAX_CONCAT_CHARS:,} characters")
        texts = [_text_of(item, True) for item in value if item is not None]
        if sum(len(text) + 2 for text in texts) > MAX_CONCAT_CHARS + 2:
            raise _Mismatch(f"concat() would give more than {MAX_CONCAT_CHARS:,} characters")
        return ", ".join(texts)
    raise _Mismatch(f"concat() cannot join {_kind(value)}")


def _concat(args: tuple[_Fn, ...]) -> _Fn:
    def run(scope: Scope, value: object) -> object:
        parts: list[str] = []
        size = 0
        for arg in args:
            found = arg(scope, value)
            if found is None:
                continue
            text = _text_of(found)
            size += len(text)
            if size > MAX_CONCAT_CHARS:
                raise _Mismatch(f"concat() would give more than {MAX_CONCAT_CHARS:,} characters")
            parts.append(text)
        return "".join(parts) if parts else None

    return run


# ------------------------------------------------------------------------------ regex


def regex_function(text_fn: _Fn, fullmatch: Callable[[str], object]) -> _Fn:
    """`regex(x, 'pattern')`: whether all of the text matches; False for None; text only.
    `fullmatch` is the compiled pattern's (`intake_tui.core.patterns`)."""

    def run(scope: Scope, value: object) -> object:
        text = text_fn(scope, value)
        if text is None:
            return False
        if not isinstance(text, str):
            raise _Mismatch(f"regex() needs text, not {_kind(text)}")
        return fullmatch(text) is not None

    return run


# ------------------------------------------------------------------------------ sum


def total(values: Iterable[object]) -> object:
    """The sum of the values that are not None (int stays int; a Decimal makes a Decimal);
    None when there are none."""
    result: object = None
    for item in values:
        if item is None:
            continue
        if not _is_number(item):
            raise _Mismatch(f"sum() needs numbers, not {_kind(item)}")
        result = item if result is None else _add(result, item)
    return result


def _sum(args: tuple[_Fn, ...]) -> _Fn:
    if len(args) == 1:
        (single,) = args

        def run_single(scope: Scope, value: object) -> object:
            found = single(scope, value)
            return total(found if isinstance(found, tuple | list) else (found,))

        return run_single
    return lambda scope, value: total(arg(scope, value) for arg in args)


# ------------------------------------------------------------------------------ dates


def _date_of(value: object, function: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_date(value)
    raise _Mismatch(f"{function}() needs a date, not {_kind(value)}")


def add_days(day: dt.date, days: int) -> dt.date:
    if not -MAX_ADD_DAYS <= days <= MAX_ADD_DAYS:
        raise _Mismatch(f"add_days(): the number of days is at most {MAX_ADD_DAYS:,} either way")
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise _Mismatch("add_days(): the date would fall outside the years 1 to 9999") from None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the last day of a shorter month where the day does not exist
    (31 January + 1 month is 28 or 29 February), as `intake_tui.core.plan.legal.add_months`."""
    if not -MAX_ADD_MONTHS <= months <= MAX_ADD_MONTHS:
        raise _Mismatch(
            f"add_months(): the number of months is at most {MAX_ADD_MONTHS:,} either way"
        )
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise _Mismatch("add_months(): the date would fall outside the years 1 to 9999")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift(function: str, args: tuple[_Fn, ...]) -> _Fn:
    date_fn, count_fn = args
    step = add_days if function == "add_days" else add_months
    what = "the number of days" if function == "add_days" else "the number of months"

    def run(scope: Scope, value: object) -> object:
        day = _date_of(date_fn(scope, value), function)
        count = count_fn(scope, value)
        if day is None or count is None:
            return None
        return step(day, whole_number(count, function, what))

    return run


# ------------------------------------------------------------------------------ dispatch


def new_function(function: str, args: tuple[_Fn, ...]) -> _Fn:
    """The closure of one of `NEW_FUNCTIONS` other than `regex` (the compiler builds that one,
    as its pattern is checked when compiling) over its compiled arguments."""
    if function == "coalesce":
        return _coalesce(args)
    if function == "round":
        return _round(args)
    if function == "concat":
        return _concat(args)
    if function == "sum":
        return _sum(args)
    if function in ("add_days", "add_months"):
        return _shift(function, args)
    raise ValueError(f"not a new function: {function}")  # pragma: no cover - compiler's bug


def _describe(value: object) -> str:
    """A number as written (short), or the kind of a value: for messages."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a very large number"  # str() of a huge int is slow, or refused
    if _is_number(value):
        text = str(value)
        return text if len(text) <= 20 else text[:20] + "…"
    return _kind(value)
