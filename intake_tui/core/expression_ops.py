"""The values and operations of the expression language: comparisons, arithmetic and the fixed
functions, with the semantics documented in `intake_tui.core.expressions`. Standard library only.
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Final, TypeGuard

from intake_tui.core.expression_base import (
    ExpressionError,
    ExpressionEvalError,
    Scope,
    _describe,
    _Fn,
    _Mismatch,
    _truthy,
)

_DECIMAL: Final = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, tuple | list):
        return "a list"
    return f"a value of type {type(value).__name__}"


def _quote(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _is_number(value: object) -> TypeGuard[int | Decimal]:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _parse_date(text: str) -> dt.date:
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise _Mismatch(f"{_quote(text)} is not a date written as YYYY-MM-DD")


def _equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dt.date) and isinstance(b, str):
        return a == _parse_date(b)
    if isinstance(a, str) and isinstance(b, dt.date):
        return _parse_date(a) == b
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _not_equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return False
    return not _equal(a, b)


def _ordered(a: object, b: object) -> tuple[object, object]:
    """The pair to order with Python's operators, or _Mismatch when the kinds have no order."""
    if isinstance(a, bool) or isinstance(b, bool):
        raise _Mismatch("yes/no values cannot be ordered with < <= > >=")
    if _is_number(a) and _is_number(b):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return a, b
    if isinstance(a, dt.date) and isinstance(b, str):
        return a, _parse_date(b)
    if isinstance(a, str) and isinstance(b, dt.date):
        return _parse_date(a), b
    raise _Mismatch(f"cannot order {_kind(a)} and {_kind(b)}")


def _less(a: object, b: object) -> bool:
    x, y = _ordered(a, b)
    return bool(x < y)  # type: ignore[operator]


def _lt(a: object, b: object) -> bool:
    return a is not None and b is not None and _less(a, b)


def _le(a: object, b: object) -> bool:
    return a is not None and b is not None and not _less(b, a)


def _gt(a: object, b: object) -> bool:
    return a is not None and b is not None and _less(b, a)


def _ge(a: object, b: object) -> bool:
    return a is not None and b is not None and not _less(a, b)


def _contains(a: object, b: object) -> bool:
    if isinstance(b, tuple | list):
        return any(_equal(a, item) for item in b)
    if isinstance(b, str):
        if isinstance(a, str):
            return a in b
        raise _Mismatch(f"cannot look for {_kind(a)} in text")
    raise _Mismatch(f"'in' needs a list or text on the right, not {_kind(b)}")


def _in(a: object, b: object) -> bool:
    return a is not None and b is not None and _contains(a, b)


def _not_in(a: object, b: object) -> bool:
    return a is not None and b is not None and not _contains(a, b)


def _numbers(symbol: str, a: object, b: object) -> tuple[int | Decimal, int | Decimal]:
    if _is_number(a) and _is_number(b):
        return a, b
    raise _Mismatch(f"cannot use {symbol} on {_kind(a)} and {_kind(b)}")


def _add(a: object, b: object) -> object:
    if a is None or b is None:
        return None
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    x, y = _numbers("+", a, b)
    if isinstance(x, int) and isinstance(y, int):
        return x + y
    return _DECIMAL.add(x, y)


def _sub(a: object, b: object) -> object:
    if a is None or b is None:
        return None
    x, y = _numbers("-", a, b)
    if isinstance(x, int) and isinstance(y, int):
        return x - y
    return _DECIMAL.subtract(x, y)


def _mul(a: object, b: object) -> object:
    if a is None or b is None:
        return None
    x, y = _numbers("*", a, b)
    if isinstance(x, int) and isinstance(y, int):
        return x * y
    return _DECIMAL.multiply(x, y)


def _div(a: object, b: object) -> object:
    if a is None or b is None:
        return None
    x, y = _numbers("/", a, b)
    if y == 0:
        return None
    return _DECIMAL.divide(x, y)


def _neg(a: object) -> object:
    if a is None:
        return None
    if isinstance(a, int) and not isinstance(a, bool):
        return -a
    if isinstance(a, Decimal):
        return _DECIMAL.minus(a)
    raise _Mismatch(f"cannot use - on {_kind(a)}")


def _pos(a: object) -> object:
    if a is None:
        return None
    if isinstance(a, int) and not isinstance(a, bool):
        return a
    if isinstance(a, Decimal):
        return _DECIMAL.plus(a)
    raise _Mismatch(f"cannot use + on {_kind(a)}")


def _as_date(value: object, function: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Mismatch(f"{function}() needs a date or a year, not {_kind(value)}")
    if isinstance(value, int):
        if not dt.MINYEAR <= value <= dt.MAXYEAR:
            raise _Mismatch(f"{function}(): {value} is not a valid year")
        return dt.date(value, 1, 1)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_date(value)
    raise _Mismatch(f"{function}() needs a date or a year, not {_kind(value)}")


def _whole_years(start: dt.date, end: dt.date) -> int:
    if end < start:
        return -_whole_years(end, start)
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _extreme(values: Iterable[object], largest: bool) -> object:
    best: object = None
    for item in values:
        if item is None:
            continue
        if best is None or (_less(best, item) if largest else _less(item, best)):
            best = item
    return best


def _selected(choice: object, code: object) -> bool:
    if choice is None or code is None:
        return False
    if isinstance(choice, tuple | list):
        return any(_equal(item, code) for item in choice)
    return _equal(choice, code)


def _length(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str | tuple | list):
        return len(value)
    raise _Mismatch(f"len() needs text or a list, not {_kind(value)}")


# ------------------------------------------------------------------------------ tables

_CONSTANT_NAMES: Final[Mapping[str, object]] = {
    "true": True,
    "false": False,
    "True": True,
    "False": False,
    "null": None,
    "None": None,
}

# name -> (minimum, maximum) number of arguments; None is "any number"
_FUNCTIONS: Final[Mapping[str, tuple[int, int | None]]] = {
    "answered": (1, 1),
    "known": (1, 1),
    "is_unknown": (1, 1),
    "is_declined": (1, 1),
    "selected": (2, 2),
    "count": (1, 1),
    "today": (0, 0),
    "age": (1, 1),
    "years_between": (2, 2),
    "max_of": (1, None),
    "min_of": (1, None),
    "any_of": (1, 1),
    "all_of": (1, 1),
    "len": (1, 1),
    # issue 18 (intake_tui.core.expression_functions)
    "coalesce": (2, None),
    "round": (1, 2),
    "concat": (1, None),
    "regex": (2, 2),
    "sum": (1, None),
    "add_days": (2, 2),
    "add_months": (2, 2),
}
_STATE_FUNCTIONS: Final = frozenset({"answered", "known", "is_unknown", "is_declined"})
_RESERVED: Final = frozenset({"value", *_CONSTANT_NAMES})

_REJECTED: Final[Mapping[type[ast.AST], str]] = {
    ast.Attribute: (
        "attribute access ('.') is not allowed (case.<field> in a default, choice.<attr> in a "
        "choice_filter, intake.<id> and plan.<field> in a follow-up, followup.<id> in plan rules)"
    ),
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed; write a list as [a, b]",
    ast.Slice: "slices are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Tuple: "tuples are not allowed; write a list as [a, b]",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_BINARY: Final[Mapping[type[ast.operator], tuple[str, Callable[[object, object], object]]]] = {
    ast.Add: ("+", _add),
    ast.Sub: ("-", _sub),
    ast.Mult: ("*", _mul),
    ast.Div: ("/", _div),
}
_BINARY_SYMBOLS: Final[Mapping[type[ast.operator], str]] = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}
_COMPARE: Final[Mapping[type[ast.cmpop], Callable[[object, object], bool]]] = {
    ast.Eq: _equal,
    ast.NotEq: _not_equal,
    ast.Lt: _lt,
    ast.LtE: _le,
    ast.Gt: _gt,
    ast.GtE: _ge,
    ast.In: _in,
    ast.NotIn: _not_in,
}


def _const(constant: object) -> _Fn:
    def run(scope: Scope, value: object) -> object:
        return constant

    return run


def _guard(fn: _Fn, offset: int | None) -> _Fn:
    """Turn any failure inside `fn` (not already an ExpressionError) into ExpressionEvalError."""

    def run(scope: Scope, value: object) -> object:
        try:
            return fn(scope, value)
        except ExpressionError:
            raise
        except _Mismatch as exc:
            raise ExpressionEvalError(str(exc), offset) from None
        except Exception as exc:
            raise ExpressionEvalError(_describe(exc), offset) from exc

    return run


def _plain_function(function: str, args: tuple[_Fn, ...]) -> _Fn:
    if function == "today":
        return lambda scope, value: scope.today()
    if function == "age":
        (date_fn,) = args

        def run_age(scope: Scope, value: object) -> object:
            start = _as_date(date_fn(scope, value), "age")
            return None if start is None else _whole_years(start, scope.today())

        return run_age
    if function == "years_between":
        start_fn, end_fn = args

        def run_between(scope: Scope, value: object) -> object:
            start = _as_date(start_fn(scope, value), "years_between")
            end = _as_date(end_fn(scope, value), "years_between")
            return None if start is None or end is None else _whole_years(start, end)

        return run_between
    if function == "selected":
        choice_fn, code_fn = args
        return lambda scope, value: _selected(choice_fn(scope, value), code_fn(scope, value))
    if function == "len":
        (length_fn,) = args
        return lambda scope, value: _length(length_fn(scope, value))
    if function in ("max_of", "min_of"):
        largest = function == "max_of"
        if len(args) == 1:
            (single,) = args

            def run_single(scope: Scope, value: object) -> object:
                found = single(scope, value)
                if isinstance(found, tuple | list):
                    return _extreme(found, largest)
                return found

            return run_single
        return lambda scope, value: _extreme((arg(scope, value) for arg in args), largest)
    # any_of / all_of over something that is not a repeat
    (condition,) = args
    every = function == "all_of"

    def run_condition(scope: Scope, value: object) -> object:
        found = condition(scope, value)
        if isinstance(found, tuple | list):
            if every:
                return len(found) > 0 and all(_truthy(item) for item in found)
            return any(_truthy(item) for item in found)
        return _truthy(found)

    return run_condition
