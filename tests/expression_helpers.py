"""What the expression tests share: a scope from plain dicts, running and failing an
expression, and the hypothesis strategies for well-formed expressions and scopes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from intake_tui.core.expressions import (
    NO_VALUE,
    AnswerState,
    ExpressionEvalError,
    ExpressionSyntaxError,
    Scope,
    compile_expression,
)

TODAY = dt.date(2024, 6, 15)
REPEAT_OF = {"kid_age": "kids", "kid_name": "kids", "job_title": "jobs", "job_years": "jobs"}


@dataclass
class FakeScope:
    """A scope from plain dicts; an instance scope falls back to its parent for other names."""

    answers: dict[str, object] = field(default_factory=dict)
    states: dict[str, AnswerState] = field(default_factory=dict)
    repeats: dict[str, list[FakeScope]] = field(default_factory=dict)
    day: dt.date = TODAY
    parent: FakeScope | None = None

    def _owns(self, name: str) -> bool:
        return name in self.answers or name in self.states or self.parent is None

    def state(self, name: str) -> AnswerState | None:
        if not self._owns(name):
            assert self.parent is not None
            return self.parent.state(name)
        if name in self.states:
            return self.states[name]
        return "answered" if self.answers.get(name) is not None else None

    def value(self, name: str) -> object | None:
        if not self._owns(name):
            assert self.parent is not None
            return self.parent.value(name)
        return self.answers.get(name) if self.state(name) == "answered" else None

    def instances(self, repeat: str) -> Sequence[Scope]:
        if repeat not in self.repeats and self.parent is not None:
            return self.parent.instances(repeat)
        return self.repeats.get(repeat, [])

    def today(self) -> dt.date:
        return self.day


def make_scope(
    states: dict[str, AnswerState] | None = None,
    repeats: dict[str, list[dict[str, object]]] | None = None,
    **answers: object,
) -> FakeScope:
    scope = FakeScope(answers=dict(answers), states=dict(states or {}))
    for repeat, rows in (repeats or {}).items():
        scope.repeats[repeat] = [FakeScope(answers=dict(row), parent=scope) for row in rows]
        scope.answers[repeat] = tuple(f"{repeat}-{i}" for i in range(len(rows)))
    return scope


def run(source: str, scope: Scope | None = None, value: object = NO_VALUE) -> object:
    expression = compile_expression(source, repeat_of=REPEAT_OF, allow_value=True)
    return expression.evaluate(scope if scope is not None else make_scope(), value)


def syntax_error(
    source: str, repeat_of: dict[str, str] | None = None, allow_value: bool = False
) -> ExpressionSyntaxError:
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_expression(source, repeat_of=repeat_of, allow_value=allow_value)
    return info.value


def eval_error(source: str, scope: Scope | None = None) -> ExpressionEvalError:
    with pytest.raises(ExpressionEvalError) as info:
        run(source, scope)
    return info.value


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OUTER_NAMES = ["n", "dec", "s", "d", "flag", "mc", "missing", "kids"]
CHILD_NAMES = ["kid_age", "kid_name"]
BINARY = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"]

literals = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.builds(lambda i, f: f"{i}.{f:02d}", st.integers(0, 10**6), st.integers(0, 99)),
    st.text("ab ,'é", max_size=5).map(repr),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(lambda d: repr(d.isoformat())),
    st.sampled_from(["true", "false", "'nl'", "'2020-02-30'"]),
)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0, inner: bool = False) -> str:
    names = OUTER_NAMES + (CHILD_NAMES if inner else [])
    leaves = st.one_of(literals, st.sampled_from(names), st.just("today()"))
    if inner:  # aggregate arguments mostly read the repeat's own questions
        leaves = st.one_of(st.sampled_from(CHILD_NAMES), leaves)
    if depth >= 3 or draw(st.integers(0, 4)) == 0:
        return draw(leaves)
    sub = expressions(depth + 1, inner)
    # Half of the top-level expressions are aggregates, so repeats get exercised.
    kind = 7 if depth == 0 and not inner and draw(st.booleans()) else draw(st.integers(0, 8))
    if kind == 0:
        return f"({draw(sub)} {draw(st.sampled_from(BINARY))} {draw(sub)})"
    if kind == 1:
        if draw(st.booleans()):  # the conditional: only the chosen side is evaluated
            return f"({draw(sub)} if {draw(sub)} else {draw(sub)})"
        return f"({draw(st.sampled_from(['not ', '-', '+']))}{draw(sub)})"
    if kind == 2:
        items = draw(st.lists(st.one_of(sub, st.just("null")), max_size=3))
        return f"[{', '.join(items)}]"
    if kind == 3:
        container = draw(st.one_of(sub, st.just("mc"), sub.map(lambda item: f"[{item}, 1]")))
        return f"({container})[{draw(st.integers(-3, 3))}]"
    if kind == 4:
        function = draw(
            st.sampled_from(["answered", "known", "is_unknown", "is_declined", "count"])
        )
        return f"{function}({draw(st.sampled_from(names))})"
    if kind == 5:
        function = draw(st.sampled_from(["age", "len", "selected", "years_between"]))
        arity = 2 if function in ("selected", "years_between") else 1
        return f"{function}({', '.join(draw(sub) for _ in range(arity))})"
    if kind == 6:
        function = draw(st.sampled_from(["max_of", "min_of"]))
        args = draw(st.lists(st.one_of(sub, st.just("null")), min_size=2, max_size=3))
        return f"{function}({', '.join(args)})"
    if kind == 8:
        return draw(new_functions(sub, inner))
    if inner:
        return draw(leaves)
    function = draw(st.sampled_from(["any_of", "all_of", "max_of", "min_of", "sum"]))
    return f"{function}({draw(expressions(depth + 1, inner=True))})"


# Valid RE2 patterns, some of which would backtrack exponentially in Python's re.
PATTERNS = ["", ".*", "a", "(a+)+$", "(x|xx)*y", "[0-9]{4} ?[A-Z]{2}", "é+|日本", "\\d+", "(?i)NL"]


@st.composite
def new_functions(draw: st.DrawFn, sub: st.SearchStrategy[str], inner: bool) -> str:
    """A call of one of issue 18's functions, with hostile numbers where they are allowed."""
    function = draw(
        st.sampled_from(["coalesce", "round", "concat", "regex", "sum", "add_days", "add_months"])
    )
    maybe_null = st.one_of(sub, st.just("null"))
    if function == "regex":
        return f"regex({draw(sub)}, '{draw(st.sampled_from(PATTERNS))}')"  # read as written
    if function == "round":
        # a literal n outside 0..10 is a compile error (tested in test_expression_functions.py)
        computed = sub.filter(lambda source: not re.fullmatch(r"-?[0-9]+", source))
        places = st.one_of(st.integers(0, 10).map(str), computed)
        args = [draw(maybe_null), *draw(st.lists(places, max_size=1))]
    elif function in ("add_days", "add_months"):
        count = st.one_of(st.integers(-(10**9), 10**9).map(str), sub)
        args = [draw(maybe_null), draw(count)]
    else:  # coalesce, concat, sum; one argument of sum inside an aggregate would nest one
        least = 2 if function == "coalesce" or (function == "sum" and inner) else 1
        args = draw(st.lists(maybe_null, min_size=least, max_size=3))
    return f"{function}({', '.join(args)})"


values = st.one_of(
    st.none(),
    st.integers(-(10**15), 10**15),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ),
    st.text(max_size=20),
    st.dates(),
    st.booleans(),
    st.lists(st.sampled_from(["nl", "en", "ar"]), max_size=3, unique=True).map(tuple),
)
states = st.sampled_from(["answered", "answered", "unknown", "declined"])


@st.composite
def scopes(draw: st.DrawFn) -> FakeScope:
    answers = {name: draw(values) for name in OUTER_NAMES if name != "kids"}
    scope = FakeScope(
        answers=answers,
        states={name: draw(states) for name in answers},
        day=draw(st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1))),
    )
    kids = [
        FakeScope(answers={"kid_age": draw(values), "kid_name": draw(values)}, parent=scope)
        for _ in range(draw(st.integers(0, 3)))
    ]
    scope.repeats["kids"] = kids
    scope.answers["kids"] = tuple(str(i) for i in range(len(kids)))
    return scope


def check_result_size(result: object) -> None:
    if isinstance(result, str | tuple):
        assert len(result) < 1_000_000
    if isinstance(result, int):
        assert result.bit_length() < 100_000
