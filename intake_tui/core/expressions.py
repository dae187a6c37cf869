"""Compile the bundle's small expression language once into closures, and evaluate them safely.

Expressions (`relevant`, `constraint`, `required`, `calculate`, plan rules) use Python expression
syntax. The source is parsed with ``ast.parse(source, mode="eval")``, checked against a strict
whitelist of node types and limits, and compiled ONCE into a tree of plain Python closures that
is evaluated many times. There is no ``eval``, no ``compile()`` of code objects, no attribute
access and no ``getattr``: a name can only be a question id (read from a `Scope`), a constant, or
`value`; a call can only be one of the fixed functions below. This module imports only the
standard library, so `intake_tui.core` stays pure.

Errors: every problem found while compiling is an `ExpressionSyntaxError`, every problem found
while evaluating an `ExpressionEvalError`; both carry a 0-based *character* offset into the source
when one is known. No other exception ever escapes `compile_expression` or `Expression.evaluate`.

Language
--------
* Operators: ``and or not``, ``== != < <= > >= in not in`` (chains such as ``0 < x <= 10`` too),
  ``+ - * /``, unary ``-`` and ``+``, list literals ``[a, b]`` (evaluated to a tuple), indexing
  with a whole-number literal (``x[0]``, ``x[-1]``).
* Literals: whole numbers (``int``), numbers with a fraction (``decimal.Decimal`` made from the
  literal's text, never ``float``), strings, ``true``/``false``/``True``/``False``,
  ``null``/``None``. Exponents (``1e5``), hexadecimal and the like, bytes and complex numbers are
  refused.
* Line breaks in the source are read as spaces, so an expression may span lines in YAML; a
  string literal cannot contain a line break, and ``#`` comments are refused (a comment would
  silently swallow the rest of a folded expression).
* ``value`` is the value being checked; it is only allowed with ``allow_value=True``
  (constraints) and is never a question id. A function name is only a function when called:
  written bare it is a question id (``age >= 18`` reads the question ``age``, ``age(d)`` calls
  the function), so a bundle may have a question called ``age`` or ``count``.

Semantics (fixed)
-----------------
* Unanswered, ``unknown``, ``declined`` and hidden questions all read as ``None``.
* Any comparison (``== != < <= > >= in not in``) with a ``None`` operand is ``False`` (so
  ``x != 'a'`` is false for an unanswered ``x``). Comparing with the literal ``null`` is
  therefore always false and is refused at compile time: use ``answered(x)`` / ``known(x)``.
* ``not None`` is ``True``: ``not (x == 'a')`` is true when ``x`` is unanswered.
* ``and`` / ``or`` short-circuit and use Python truthiness (``None``, ``0``, ``''``, ``[]`` are
  false), but always return a ``bool``, never one of their operands. `Expression.test` gives the
  truthiness of any result (``None`` is false).
* Arithmetic with a ``None`` operand is ``None``; division by zero is ``None``. ``/`` always gives
  a ``Decimal`` (28 significant digits); ``int`` and ``Decimal`` mix (the result is a ``Decimal``).
  ``+`` also joins two texts. Everything else (text times a number, dates, lists, yes/no values
  in arithmetic) is an `ExpressionEvalError`, so huge strings or lists are never built.
* ``==`` between a yes/no value (``bool``) and anything that is not a yes/no value is ``False``
  (``True`` is never ``1``); ordering a yes/no value raises `ExpressionEvalError`.
* A date compared with a ``"YYYY-MM-DD"`` text compares as dates; a text that is not such a date
  raises `ExpressionEvalError`. Ordering text against a number, or any other unrelated kinds,
  raises `ExpressionEvalError`; ``==`` between unrelated kinds is simply ``False``.
* ``x in [..]`` / ``code in multi_choice`` test membership with the ``==`` rules above;
  ``'ab' in text`` tests for a substring.
* Indexing a list (or multi-choice tuple) outside its range gives ``None``; indexing ``None``
  gives ``None``; indexing anything else raises `ExpressionEvalError`.

Functions (arity checked at compile time; an unknown function suggests the nearest name):

* ``answered(q)``: ``q`` has a value, ``unknown`` or ``declined`` (``scope.state(q) is not None``).
  ``known(q)``: ``q`` has a value. ``is_unknown(q)``, ``is_declined(q)``: that state. ``q`` must be
  a bare question id.
* ``selected(q, code)``: ``code`` is among the codes of a multi-choice, or equals a choice;
  ``False`` when either is ``None``.
* ``count(q)``: ``q`` a bare question id; the number of instances of a repeat or of codes of a
  multi-choice (the length of its tuple value); ``0`` when unanswered.
* ``today()``: ``scope.today()``.
* ``age(d)``: whole years from ``d`` to today, like a birthday (someone born on 29 February has a
  birthday on 1 March in other years). ``years_between(a, b)``: whole years from ``a`` to ``b``,
  negative when ``b`` is before ``a`` (truncated toward zero). Dates, ``"YYYY-MM-DD"`` texts, or
  whole-number years; a year ``Y`` counts as 1 January of ``Y`` (so ``age(1990)`` in 2024 is 34).
  ``None`` operands give ``None``.
* ``max_of(...)``, ``min_of(...)``: several arguments: the largest / smallest one that is not
  ``None`` (``None`` when all are). One argument that names questions of exactly one repeat (per
  ``repeat_of``): that argument evaluated for each instance of the repeat, ignoring ``None``. One
  other argument: the largest / smallest item of a list value, or the value itself. Ties keep the
  first value.
* ``any_of(c)``, ``all_of(c)``: if ``c`` names questions of exactly one repeat, ``c`` is evaluated
  for each instance: ``any_of`` is true when some instance makes it true, ``all_of`` when every
  instance does and there is at least one. Otherwise ``c`` is evaluated once: for a list value
  the items are tested (``all_of([])`` is false, like a repeat without instances), for anything
  else its truthiness.
* ``len(x)``: the length of a text or a list; ``None`` for ``None``.

An aggregate's argument is evaluated against each instance scope from ``scope.instances(repeat)``
in full; an instance scope resolves the instance's own questions and, like its enclosing scope,
every other name. Names of two different repeats in one aggregate, and an aggregate over a repeat
inside another one, are compile errors.

Limits (compile errors): at most 2,000 characters, 32 levels of nesting and 400 nodes; string
literals at most 1,000 characters, number literals at most 15 digits, lists at most 200 items.
Together these bound the work and the size of every result (text grows at most linearly in the
number of nodes, as there are no loops, no repetition and no variables).
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import difflib
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, Protocol, TypeAlias, TypeGuard

__all__ = [
    "MAX_DEPTH",
    "MAX_LIST_ITEMS",
    "MAX_NODES",
    "MAX_NUMBER_DIGITS",
    "MAX_SOURCE_CHARS",
    "MAX_STRING_CHARS",
    "NO_VALUE",
    "AnswerState",
    "Expression",
    "ExpressionError",
    "ExpressionEvalError",
    "ExpressionSyntaxError",
    "Scope",
    "compile_expression",
]

AnswerState = Literal["answered", "unknown", "declined"]

MAX_SOURCE_CHARS: Final = 2000
MAX_DEPTH: Final = 32
MAX_NODES: Final = 400
MAX_STRING_CHARS: Final = 1000
MAX_NUMBER_DIGITS: Final = 15
MAX_LIST_ITEMS: Final = 200


# --------------------------------------------------------------------------------------- errors


class ExpressionError(Exception):
    """A problem with an expression; `offset` is a 0-based character offset into the source."""

    message: str
    offset: int | None

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message, offset)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return self.message


class ExpressionSyntaxError(ExpressionError):
    """Found when compiling: bad syntax, a disallowed construct, an unknown function, a limit."""


class ExpressionEvalError(ExpressionError):
    """Found when evaluating: a type mismatch such as ``'a' - 1`` or ordering text and a number."""


class _Mismatch(Exception):
    """Raised by the operation helpers; turned into ExpressionEvalError with the node's offset."""


# ------------------------------------------------------------------------------------ interface


class Scope(Protocol):
    """What an expression reads: answers, answer states, repeat instances and the clock."""

    def value(self, name: str) -> object | None:
        """The typed value, or None when unanswered / unknown / declined / hidden."""
        ...

    def state(self, name: str) -> AnswerState | None:
        """The answer state, or None when unanswered or hidden."""
        ...

    def instances(self, repeat: str) -> Sequence[Scope]:
        """One scope per instance of `repeat`, in order."""
        ...

    def today(self) -> dt.date:
        """Today's date (from the injected clock)."""
        ...


class _NoValue:
    """The type of `NO_VALUE`: no value is being checked (the expression is not a constraint)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()
"""Passed as `value` when there is no value being checked; reading `value` then is an error."""

_Fn: TypeAlias = Callable[[Scope, object], object]


@dataclass(frozen=True)
class Expression:
    """A compiled expression: what it reads, and the closure that evaluates it.

    `names` holds every question id referenced anywhere; `free_names` those referenced outside an
    aggregate that iterates a repeat; `aggregated` the repeat ids such aggregates iterate (they are
    not in `names` unless also written as names). `uses_value` tells whether `value` occurs.
    """

    source: str
    names: frozenset[str]
    free_names: frozenset[str]
    aggregated: frozenset[str]
    uses_value: bool
    _fn: _Fn = field(repr=False, compare=False)

    def evaluate(self, scope: Scope, value: object = NO_VALUE) -> object | None:
        """The result (None for "unanswered"); raises only ExpressionEvalError."""
        try:
            return self._fn(scope, value)
        except ExpressionError:
            raise
        except _Mismatch as exc:  # pragma: no cover - every helper call is guarded
            raise ExpressionEvalError(str(exc)) from None
        except Exception as exc:
            raise ExpressionEvalError(_describe(exc)) from exc

    def test(self, scope: Scope, value: object = NO_VALUE) -> bool:
        """The truthiness of `evaluate` (None is False)."""
        return _truthy(self.evaluate(scope, value))


# ------------------------------------------------------------------------------- value helpers

_DECIMAL: Final = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, decimal.Overflow | OverflowError):
        return "a number is too large"
    if isinstance(exc, MemoryError):
        return "the expression needs too much memory"
    text = str(exc)
    if len(text) > 200:
        text = text[:200] + "…"
    return f"could not evaluate the expression ({type(exc).__name__}: {text})"


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


def _truthy(value: object) -> bool:
    return value is not None and bool(value)


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


# ------------------------------------------------------------------------------------- compiler

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
}
_STATE_FUNCTIONS: Final = frozenset({"answered", "known", "is_unknown", "is_declined"})
_RESERVED: Final = frozenset({"value", *_CONSTANT_NAMES})

_REJECTED: Final[Mapping[type[ast.AST], str]] = {
    ast.Attribute: "attribute access ('.') is not allowed",
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
    ast.IfExp: "conditional expressions (a if b else c) are not allowed",
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


def _char_map(text: str) -> list[int]:
    """Character offset for every UTF-8 byte offset of `text` (plus one past the end)."""
    offsets: list[int] = []
    for index, char in enumerate(text):
        code = ord(char)
        width = 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        offsets.extend([index] * width)
    offsets.append(len(text))
    return offsets


class _Compiler:
    def __init__(
        self,
        text: str,
        original: str,
        shift: int,
        repeat_of: Mapping[str, str],
        allow_value: bool,
    ) -> None:
        self.text = text  # what was parsed: one line, leading spaces removed
        self.original = original
        self.shift = shift  # characters removed from the front of the source
        self.chars = _char_map(text)
        self.repeat_of = repeat_of
        self.allow_value = allow_value
        self.names: set[str] = set()
        self.free_names: set[str] = set()
        self.aggregated: set[str] = set()
        self.uses_value = False
        self.in_aggregate = False

    # ---- positions

    def offset(self, node: ast.expr | ast.keyword) -> int | None:
        if node.lineno != 1 or not 0 <= node.col_offset < len(self.chars):
            return None
        return self.shift + self.chars[node.col_offset]

    def segment(self, node: ast.expr) -> str:
        end = node.end_col_offset
        if node.lineno != 1 or node.end_lineno != 1 or end is None or end >= len(self.chars):
            return ""
        return self.text[self.chars[node.col_offset] : self.chars[end]]

    def error(self, message: str, node: ast.expr | ast.keyword) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, self.offset(node))

    # ---- checks before compiling

    def check_limits(self, body: ast.expr) -> None:
        """Count nodes and depth without recursion; refuse comments outside string literals."""
        nodes = 0
        string_spans: list[tuple[int, int]] = []
        stack: list[tuple[ast.AST, int]] = [(body, 1)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, ast.expr):
                nodes += 1
                if nodes > MAX_NODES:
                    raise ExpressionSyntaxError(
                        f"an expression has at most {MAX_NODES} parts; simplify it"
                    )
                if depth > MAX_DEPTH:
                    raise self.error(
                        f"an expression is nested at most {MAX_DEPTH} levels deep", node
                    )
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    end = node.end_col_offset
                    if node.lineno == 1 and node.end_lineno == 1 and end is not None:
                        string_spans.append((self.chars[node.col_offset], self.chars[end]))
                depth += 1
            for child in ast.iter_child_nodes(node):
                stack.append((child, depth))
        for match in re.finditer("#", self.text):
            if not any(start <= match.start() < end for start, end in string_spans):
                raise ExpressionSyntaxError(
                    "comments (#) are not allowed", self.shift + match.start()
                )

    # ---- compiling

    def build(self, node: ast.expr) -> _Fn:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary_op(node)
        if isinstance(node, ast.BinOp):
            return self.bin_op(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List):
            return self.list_(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        message = _REJECTED.get(type(node), f"{type(node).__name__} is not allowed")
        raise self.error(message, node)

    def constant(self, node: ast.Constant) -> _Fn:
        constant = node.value
        if constant is None or isinstance(constant, bool):
            return _const(constant)
        if isinstance(constant, int):
            text = self.segment(node)
            if not re.fullmatch(r"[0-9][0-9_]*", text):
                raise self.error("write whole numbers with the digits 0-9 only", node)
            self.check_digits(text, node)
            return _const(constant)
        if isinstance(constant, float):
            text = self.segment(node)
            if not re.fullmatch(r"[0-9_]*\.[0-9_]*", text):
                raise self.error("write numbers without an exponent, as in 2.5", node)
            self.check_digits(text, node)
            return _const(Decimal(text.replace("_", "")))
        if isinstance(constant, str):
            if len(constant) > MAX_STRING_CHARS:
                raise self.error(f"a text is at most {MAX_STRING_CHARS} characters", node)
            start, end = self.offset(node), node.end_col_offset
            if start is not None and end is not None and end < len(self.chars):
                written = self.original[start : self.shift + self.chars[end]]
                if "\n" in written or "\r" in written:
                    raise self.error("a text cannot contain a line break", node)
            return _const(constant)
        if isinstance(constant, bytes):
            raise self.error("bytes literals are not allowed", node)
        if isinstance(constant, complex):
            raise self.error("complex numbers are not allowed", node)
        raise self.error(f"{constant!r} is not allowed", node)

    def check_digits(self, text: str, node: ast.expr) -> None:
        digits = sum(char.isdigit() for char in text)
        if digits > MAX_NUMBER_DIGITS:
            raise self.error(f"a number has at most {MAX_NUMBER_DIGITS} digits", node)

    def name(self, node: ast.Name) -> _Fn:
        ident = node.id
        if ident in _CONSTANT_NAMES:
            return _const(_CONSTANT_NAMES[ident])
        if ident == "value":
            if not self.allow_value:
                raise self.error("value can only be used in a constraint", node)
            self.uses_value = True
            offset = self.offset(node)

            def read_value(scope: Scope, value: object) -> object:
                if value is NO_VALUE:
                    raise ExpressionEvalError("value is only known when checking an answer", offset)
                return value

            return read_value
        self.note_name(ident)

        def read(scope: Scope, value: object) -> object:
            return scope.value(ident)

        return read

    def note_name(self, ident: str) -> None:
        self.names.add(ident)
        if not self.in_aggregate:
            self.free_names.add(ident)

    def bool_op(self, node: ast.BoolOp) -> _Fn:
        parts = tuple(self.build(part) for part in node.values)
        if isinstance(node.op, ast.And):

            def run_and(scope: Scope, value: object) -> object:
                return all(_truthy(part(scope, value)) for part in parts)

            return run_and

        def run_or(scope: Scope, value: object) -> object:
            return any(_truthy(part(scope, value)) for part in parts)

        return run_or

    def unary_op(self, node: ast.UnaryOp) -> _Fn:
        operand = self.build(node.operand)
        if isinstance(node.op, ast.Not):

            def run_not(scope: Scope, value: object) -> object:
                return not _truthy(operand(scope, value))

            return run_not
        if isinstance(node.op, ast.USub | ast.UAdd):
            function = _neg if isinstance(node.op, ast.USub) else _pos

            def run_sign(scope: Scope, value: object) -> object:
                return function(operand(scope, value))

            return _guard(run_sign, self.offset(node))
        raise self.error("'~' is not allowed", node)

    def bin_op(self, node: ast.BinOp) -> _Fn:
        kind = type(node.op)
        if kind not in _BINARY:
            symbol = _BINARY_SYMBOLS.get(kind, kind.__name__)
            raise self.error(f"'{symbol}' is not allowed; use + - * /", node)
        _symbol, function = _BINARY[kind]
        left, right = self.build(node.left), self.build(node.right)

        def run(scope: Scope, value: object) -> object:
            return function(left(scope, value), right(scope, value))

        return _guard(run, self.offset(node))

    def compare(self, node: ast.Compare) -> _Fn:
        for operand in (node.left, *node.comparators):
            if _is_null(operand):
                raise self.error(
                    "a comparison with null is always false; use answered(x) or known(x)",
                    operand,
                )
        operators: list[Callable[[object, object], bool]] = []
        for op in node.ops:
            if isinstance(op, ast.Is | ast.IsNot):
                raise self.error("'is' is not allowed; use == or known(x)", node)
            operators.append(_COMPARE[type(op)])
        first = self.build(node.left)
        steps = tuple(zip(operators, (self.build(c) for c in node.comparators), strict=True))

        def run(scope: Scope, value: object) -> object:
            left = first(scope, value)
            for operator, right_fn in steps:
                right = right_fn(scope, value)
                if not operator(left, right):
                    return False
                left = right
            return True

        return _guard(run, self.offset(node))

    def list_(self, node: ast.List) -> _Fn:
        if len(node.elts) > MAX_LIST_ITEMS:
            raise self.error(f"a list has at most {MAX_LIST_ITEMS} items", node)
        items = tuple(self.build(item) for item in node.elts)

        def run(scope: Scope, value: object) -> object:
            return tuple(item(scope, value) for item in items)

        return run

    def subscript(self, node: ast.Subscript) -> _Fn:
        index = _int_literal(node.slice)
        if index is None:
            raise self.error("only a whole-number literal can index a list, as in x[0]", node)
        base = self.build(node.value)

        def run(scope: Scope, value: object) -> object:
            container = base(scope, value)
            if container is None:
                return None
            if not isinstance(container, tuple | list):
                raise _Mismatch(f"only a list can be indexed, not {_kind(container)}")
            if -len(container) <= index < len(container):
                return container[index]
            return None

        return _guard(run, self.offset(node))

    # ---- calls

    def call(self, node: ast.Call) -> _Fn:
        if not isinstance(node.func, ast.Name):
            raise self.error("only the listed functions can be called", node)
        function = node.func.id
        if function not in _FUNCTIONS:
            raise self.error(_unknown_function(function), node.func)
        if node.keywords:
            raise self.error(f"{function}() takes no named arguments", node.keywords[0])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(_REJECTED[ast.Starred], arg)
        least, most = _FUNCTIONS[function]
        count = len(node.args)
        if count < least or (most is not None and count > most):
            raise self.error(f"{function}() {_arity(least, most)}, not {count}", node)
        offset = self.offset(node)
        if function in _STATE_FUNCTIONS or function == "count":
            return _guard(self.question_function(function, node), offset)
        if function in ("any_of", "all_of", "max_of", "min_of") and count == 1:
            repeat = self.aggregate_repeat(function, node.args[0])
            if repeat is not None:
                return _guard(self.aggregate(function, repeat, node.args[0]), offset)
        args = tuple(self.build(arg) for arg in node.args)
        return _guard(_plain_function(function, args), offset)

    def question_function(self, function: str, node: ast.Call) -> _Fn:
        arg = node.args[0]
        if not isinstance(arg, ast.Name) or arg.id in _RESERVED:
            raise self.error(f"{function}() needs a question id, as in {function}(q)", arg)
        question = arg.id
        self.note_name(question)
        if function == "answered":
            return lambda scope, value: scope.state(question) is not None
        if function == "known":
            return lambda scope, value: (
                scope.state(question) == "answered" and scope.value(question) is not None
            )
        if function == "is_unknown":
            return lambda scope, value: scope.state(question) == "unknown"
        if function == "is_declined":
            return lambda scope, value: scope.state(question) == "declined"

        def run_count(scope: Scope, value: object) -> object:
            answer = scope.value(question)
            if answer is None:
                return 0
            if isinstance(answer, tuple | list):
                return len(answer)
            raise _Mismatch(
                f"count() needs a repeat or a multi-choice question, not {_kind(answer)}"
            )

        return run_count

    def aggregate_repeat(self, function: str, arg: ast.expr) -> str | None:
        """The one repeat whose questions `arg` names, or None when it names none."""
        repeats: set[str] = set()
        for child in ast.walk(arg):
            if isinstance(child, ast.Name) and child.id in self.repeat_of:
                repeats.add(self.repeat_of[child.id])
        if len(repeats) > 1:
            listed = ", ".join(sorted(repeats))
            raise self.error(
                f"{function}() names questions of more than one repeat ({listed})", arg
            )
        return next(iter(repeats), None)

    def aggregate(self, function: str, repeat: str, arg: ast.expr) -> _Fn:
        if self.in_aggregate:
            raise self.error(
                f"{function}() over a repeat cannot be inside another aggregate over a repeat",
                arg,
            )
        self.in_aggregate = True
        try:
            inner = self.build(arg)
        finally:
            self.in_aggregate = False
        self.aggregated.add(repeat)

        if function == "any_of":

            def run_any(scope: Scope, value: object) -> object:
                return any(_truthy(inner(each, value)) for each in scope.instances(repeat))

            return run_any
        if function == "all_of":

            def run_all(scope: Scope, value: object) -> object:
                instances = scope.instances(repeat)
                return len(instances) > 0 and all(_truthy(inner(each, value)) for each in instances)

            return run_all
        largest = function == "max_of"

        def run_extreme(scope: Scope, value: object) -> object:
            return _extreme((inner(each, value) for each in scope.instances(repeat)), largest)

        return run_extreme


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


def _is_null(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is None
    return isinstance(node, ast.Name) and node.id == "null"


def _int_literal(node: ast.expr) -> int | None:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    ):
        return sign * node.value
    return None


def _arity(least: int, most: int | None) -> str:
    if most is None:
        return f"takes at least {least} argument{'s' if least != 1 else ''}"
    if least == most:
        return f"takes {least} argument{'s' if least != 1 else ''}"
    return f"takes {least} to {most} arguments"  # pragma: no cover - no such function yet


def _unknown_function(function: str) -> str:
    close = difflib.get_close_matches(function, sorted(_FUNCTIONS), n=1, cutoff=0.6)
    if close:
        return f"unknown function {function!r}; did you mean {close[0]!r}?"
    return f"unknown function {function!r}; the functions are: " + ", ".join(sorted(_FUNCTIONS))


def _bad_char_offset(text: str) -> int | None:
    for index, char in enumerate(text):
        if char == "\x00" or 0xD800 <= ord(char) <= 0xDFFF:
            return index
    return None


def compile_expression(
    source: str,
    *,
    repeat_of: Mapping[str, str] | None = None,
    allow_value: bool = False,
) -> Expression:
    """Parse, check and compile `source` once; raises only ExpressionSyntaxError.

    `repeat_of` maps a question id inside a repeat to its repeat id; it tells the aggregates
    (`any_of`, `all_of`, `max_of`, `min_of`) which repeat they iterate. `allow_value` permits
    `value` (constraints).
    """
    if not isinstance(source, str):
        raise ExpressionSyntaxError("an expression must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionSyntaxError(
            f"an expression is at most {MAX_SOURCE_CHARS:,} characters, not {len(source):,}",
            MAX_SOURCE_CHARS,
        )
    # Line breaks read as spaces (one for one, so offsets stay put); leading blanks are dropped
    # because eval mode refuses an indented expression.
    one_line = source.replace("\r", " ").replace("\n", " ")
    text = one_line.lstrip(" \t\f")
    shift = len(one_line) - len(text)
    if not text.strip():
        raise ExpressionSyntaxError("the expression is empty", 0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        offset: int | None = None
        if exc.lineno in (None, 1) and isinstance(exc.offset, int):
            offset = shift + exc.offset - 1 if exc.offset >= 1 else len(source)
            offset = max(0, min(offset, len(source)))
        if offset is None:
            bad = _bad_char_offset(text)
            offset = None if bad is None else shift + bad
        raise ExpressionSyntaxError(exc.msg or "invalid syntax", offset) from None
    except (RecursionError, MemoryError):
        raise ExpressionSyntaxError("the expression is too complex") from None
    except Exception:  # ValueError (e.g. lone surrogates), and anything else from the parser
        bad = _bad_char_offset(text)
        raise ExpressionSyntaxError(
            "the expression contains a character that is not allowed",
            None if bad is None else shift + bad,
        ) from None

    compiler = _Compiler(text, source, shift, repeat_of or {}, allow_value)
    compiler.check_limits(tree.body)
    try:
        function = compiler.build(tree.body)
    except RecursionError:  # pragma: no cover - the depth limit keeps recursion shallow
        raise ExpressionSyntaxError("the expression is too complex") from None
    return Expression(
        source=source,
        names=frozenset(compiler.names),
        free_names=frozenset(compiler.free_names),
        aggregated=frozenset(compiler.aggregated),
        uses_value=compiler.uses_value,
        _fn=function,
    )
