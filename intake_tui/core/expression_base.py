"""The interface of the expression language: errors, the `Scope` an expression reads, and the
compiled `Expression`. Part of `intake_tui.core.expressions` (import from there); standard
library only.
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, TypeAlias

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

    def case(self, name: str) -> object | None:
        """A fact of the case from the new-intake form (`case.<name>` in a default)."""
        ...

    def choice(self, name: str) -> object | None:
        """A filter attribute of the candidate choice (`choice.<name>` in a choice_filter)."""
        ...

    def context(self, prefix: str, name: str) -> object | None:
        """Another part of the case: `intake.<id>`, `plan.<field>`, `followup.<id>` (store/
        followups.py fills them in when it opens the interview; None when not known)."""
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
class Syntax:
    """The checked tree of an expression, and where its nodes are in the source: for the checks
    of a whole bundle (`intake_tui.core.expression_types`), which need the names' types."""

    tree: ast.expr
    text: str  # what was parsed: one line, leading blanks removed
    shift: int  # characters removed from the front of the source
    chars: tuple[int, ...]  # the character offset in `text` of each UTF-8 byte offset

    def offset(self, node: ast.AST) -> int | None:
        """The 0-based character offset of `node` in the source, if it is known."""
        column = getattr(node, "col_offset", None)
        if getattr(node, "lineno", None) != 1 or column is None:
            return None
        return self.shift + self.chars[column] if 0 <= column < len(self.chars) else None

    def between(self, left: ast.expr, right: ast.expr) -> int | None:
        """The offset of the first character between `left` and `right` that is neither a blank
        nor a bracket: the operator of a comparison, as in `naam > 3`."""
        end, start = left.end_col_offset, right.col_offset
        if left.end_lineno != 1 or right.lineno != 1 or end is None:
            return self.offset(left)
        if not 0 <= end <= start < len(self.chars):
            return self.offset(left)
        first, last = self.chars[end], self.chars[start]
        for index in range(first, last):
            if self.text[index] not in " \t()":
                return self.shift + index
        return self.offset(left)


@dataclass(frozen=True)
class Expression:
    """A compiled expression: what it reads, and the closure that evaluates it.

    `names` holds every question id referenced anywhere; `free_names` those referenced outside an
    aggregate that iterates a repeat; `aggregated` the repeat ids such aggregates iterate (they are
    not in `names` unless also written as names). `uses_value` tells whether `value` occurs.
    `syntax` keeps the checked tree for checks that need the names' types (a bundle's loader).
    """

    source: str
    names: frozenset[str]
    free_names: frozenset[str]
    aggregated: frozenset[str]
    uses_value: bool
    _fn: _Fn = field(repr=False, compare=False)
    syntax: Syntax | None = field(default=None, repr=False, compare=False)

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


def _describe(exc: BaseException) -> str:
    if isinstance(exc, decimal.Overflow | OverflowError):
        return "a number is too large"
    if isinstance(exc, MemoryError):
        return "the expression needs too much memory"
    text = str(exc)
    if len(text) > 200:
        text = text[:200] + "…"
    return f"could not evaluate the expression ({type(exc).__name__}: {text})"


def _truthy(value: object) -> bool:
    return value is not None and bool(value)
