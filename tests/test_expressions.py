"""Tests for the safe expression language (intake_tui.core.expressions)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_tui.core.expressions import (
    MAX_DEPTH,
    MAX_NODES,
    NO_VALUE,
    AnswerState,
    Expression,
    ExpressionError,
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


# ------------------------------------------------------------------------- semantics table

UNANSWERED = make_scope(states={"u": "unknown", "d": "declined"}, x=3, t="abc")


@pytest.mark.parametrize(
    "source",
    [
        "missing == 'a'",
        "missing != 'a'",
        "missing < 1",
        "missing <= 1",
        "missing > 1",
        "missing >= 1",
        "missing in ['a', 'b']",
        "missing not in ['a', 'b']",
        "'a' in missing",
        "'a' not in missing",
        "x != missing",
        "0 < missing < 10",
        "u == 3",
        "d != 3",
    ],
)
def test_comparison_with_unanswered_operand_is_false(source: str) -> None:
    assert run(source, UNANSWERED) is False


@pytest.mark.parametrize("source", ["not (missing == 'a')", "not missing", "not u", "not d"])
def test_not_of_unanswered_is_true(source: str) -> None:
    assert run(source, UNANSWERED) is True


@pytest.mark.parametrize(
    "source", ["missing + 1", "1 - missing", "missing * 2", "x / missing", "-missing", "+u"]
)
def test_arithmetic_with_unanswered_operand_is_unanswered(source: str) -> None:
    assert run(source, UNANSWERED) is None


@pytest.mark.parametrize("source", ["x / 0", "x / 0.0", "missing / 0", "0 / 0"])
def test_division_by_zero_is_unanswered(source: str) -> None:
    assert run(source, UNANSWERED) is None


def test_unknown_and_declined_answers_read_as_unanswered() -> None:
    scope = make_scope(states={"u": "unknown", "d": "declined"})
    assert run("u", scope) is None
    assert run("d", scope) is None
    assert run("known(x) and x != 'a'", UNANSWERED) is True
    assert run("known(missing) and missing != 'a'", UNANSWERED) is False


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("d == '2020-05-01'", True),
        ("'2020-05-01' == d", True),
        ("d != '2020-05-02'", True),
        ("d < '2020-05-02'", True),
        ("d <= '2020-05-01'", True),
        ("'2021-01-01' > d", True),
        ("d >= '2020-05-02'", False),
        ("d in ['2019-01-01', '2020-05-01']", True),
        ("d < today()", True),
        ("today() == '2024-06-15'", True),
    ],
)
def test_date_compared_with_iso_text_compares_as_dates(source: str, expected: bool) -> None:
    assert run(source, make_scope(d=dt.date(2020, 5, 1))) is expected


@pytest.mark.parametrize("text", ["'2020-13-01'", "'01-05-2020'", "'2020-5-1'", "'yesterday'"])
def test_date_compared_with_invalid_date_text_is_an_eval_error(text: str) -> None:
    error = eval_error(f"d < {text}", make_scope(d=dt.date(2020, 5, 1)))
    assert "YYYY-MM-DD" in error.message


# ------------------------------------------------------------------------ values and operators


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1.5", Decimal("1.5")),
        ("0.1 + 0.2", Decimal("0.3")),
        ("1 + 2", 3),
        ("2 * 2.5", Decimal("5.0")),
        ("10 - 0.25", Decimal("9.75")),
        ("7 / 2", Decimal("3.5")),
        ("4 / 2", Decimal("2")),
        ("1 / 3", Decimal("0.3333333333333333333333333333")),
        ("-1.5 + x", Decimal("1.5")),
        ("price * 3", Decimal("7.50")),
        ("x * 2", 6),
        ("-x", -3),
        ("+price", Decimal("2.50")),
        ("1_000 + 1", 1001),
        ("'ab' + 'cd'", "abcd"),
    ],
)
def test_arithmetic_uses_int_and_decimal_never_float(source: str, expected: object) -> None:
    result = run(source, make_scope(x=3, price=Decimal("2.50")))
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 == 1.0", True),
        ("2 < 2.5", True),
        ("'a' < 'b'", True),
        ("'a' == 1", False),
        ("flag == 1", False),
        ("flag != 1", True),
        ("flag == true", True),
        ("flag == True", True),
        ("no == false", True),
        ("1 < x <= 3", True),
        ("1 < x < 3", False),
        ("mc == ['a', 'b']", True),
        ("'a' in mc", True),
        ("'z' not in mc", True),
        ("'b' in 'abc'", True),
        ("'bd' in 'abc'", False),
        ("x in [1, 2, 3]", True),
        ("x in [1.0, 4]", False),
        ("flag in [1]", False),
        ("3.0 in [1, x]", True),
    ],
)
def test_comparisons(source: str, expected: bool) -> None:
    scope = make_scope(x=3, flag=True, no=False, mc=("a", "b"))
    assert run(source, scope) is expected


@pytest.mark.parametrize(
    "source",
    [
        "'a' - 1",
        "'a' + 1",
        "1 + 'a'",
        "'a' * 3",
        "3 * 'a'",
        "'a' * 1000000000",
        "[1] * 3",
        "[1] + [2]",
        "'a' / 2",
        "flag + 1",
        "-flag",
        "-'a'",
        "d + 1",
        "d - d",
        "'a' < 1",
        "1 >= 'a'",
        "flag < 2",
        "flag < flag",
        "mc < mc",
        "d < 3",
        "1 in 'abc'",
        "1 in 5",
        "'a' in flag",
        "x[0]",
        "'abc'[0]",
        "len(5)",
        "count(x)",
        "age('soon')",
        "age(flag)",
        "age(0)",
        "years_between(d, 10000)",
        "max_of('a', 1)",
        "min_of([1, 'a'])",
    ],
)
def test_type_mismatch_raises_eval_error(source: str) -> None:
    scope = make_scope(x=3, flag=True, mc=("a", "b"), d=dt.date(2020, 1, 1))
    eval_error(source, scope)


def test_and_or_short_circuit_and_return_booleans() -> None:
    scope = make_scope(x=3, t="abc")
    assert run("x and t", scope) is True
    assert run("missing or x", scope) is True
    assert run("0 or ''", scope) is False
    assert run("missing and 'a' - 1", scope) is False  # right side never evaluated
    assert run("x or 'a' - 1", scope) is True
    assert run("1 > 2 and 'a' < 1", scope) is False  # chained short-circuit too


def test_chained_comparison_stops_at_first_false() -> None:
    assert run("2 < 1 < 'a'") is False


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("mc[0]", "a"),
        ("mc[-1]", "b"),
        ("mc[2]", None),
        ("mc[-3]", None),
        ("[10, 20, 30][1]", 20),
        ("missing[0]", None),
    ],
)
def test_indexing_with_integer_literal(source: str, expected: object) -> None:
    assert run(source, make_scope(mc=("a", "b"))) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("False", False),
        ("null", None),
        ("None", None),
        ("[1, null]", (1, None)),
        ("'x'", "x"),
    ],
)
def test_constant_names(source: str, expected: object) -> None:
    assert run(source) == expected


def test_list_literal_is_a_tuple() -> None:
    assert run("[1, 'a', 2.5]") == (1, "a", Decimal("2.5"))


def test_line_breaks_and_leading_blanks_are_spaces() -> None:
    assert run("\n  x > 1\r\n  and x < 5\n", make_scope(x=3)) is True


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, False),
        (0, False),
        (Decimal("0.0"), False),
        ("", False),
        ((), False),
        (1, True),
        ("a", True),
        (("a",), True),
        (TODAY, True),
    ],
)
def test_test_gives_truthiness_with_none_false(result: object, expected: bool) -> None:
    assert compile_expression("r").test(make_scope(r=result)) is expected


# -------------------------------------------------------------------------------- value


def test_value_is_the_value_being_checked_in_a_constraint() -> None:
    expression = compile_expression("value >= 0 and value <= 120", allow_value=True)
    assert expression.uses_value
    assert "value" not in expression.names
    assert expression.test(make_scope(), 30) is True
    assert expression.test(make_scope(), 130) is False
    assert expression.test(make_scope(), None) is False


def test_value_outside_a_constraint_is_a_syntax_error() -> None:
    error = syntax_error("x > 1 and value > 2")
    assert error.message == "value can only be used in a constraint"
    assert error.offset == 10


def test_reading_value_without_a_value_is_an_eval_error() -> None:
    expression = compile_expression("value > 1", allow_value=True)
    with pytest.raises(ExpressionEvalError):
        expression.evaluate(make_scope())
    assert expression.evaluate(make_scope(), 5) is True


# ---------------------------------------------------------------------------- functions

STATES = make_scope(
    states={"u": "unknown", "d": "declined"},
    a="x",
    empty_mc=(),
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("answered(a)", True),
        ("answered(u)", True),
        ("answered(d)", True),
        ("answered(missing)", False),
        ("known(a)", True),
        ("known(u)", False),
        ("known(d)", False),
        ("known(missing)", False),
        ("is_unknown(u)", True),
        ("is_unknown(d)", False),
        ("is_unknown(a)", False),
        ("is_declined(d)", True),
        ("is_declined(u)", False),
        ("is_declined(missing)", False),
        ("known(empty_mc)", True),
    ],
)
def test_state_functions(source: str, expected: bool) -> None:
    assert run(source, STATES) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("selected(mc, 'nl')", True),
        ("selected(mc, 'fr')", False),
        ("selected(choice, 'nl')", True),
        ("selected(choice, 'en')", False),
        ("selected(missing, 'nl')", False),
        ("selected(mc, missing)", False),
        ("count(mc)", 2),
        ("count(kids)", 3),
        ("count(missing)", 0),
        ("count(empty)", 0),
        ("len('abc')", 3),
        ("len(mc)", 2),
        ("len([1, 2, 3])", 3),
        ("len(missing)", None),
        ("today()", TODAY),
    ],
)
def test_plain_functions(source: str, expected: object) -> None:
    scope = make_scope(
        mc=("nl", "en"),
        choice="nl",
        empty=(),
        repeats={"kids": [{"kid_age": 1}, {"kid_age": 2}, {}]},
    )
    assert run(source, scope) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("age(born)", 33),  # birthday tomorrow
        ("age(born_today)", 34),
        ("age(1990)", 34),  # a year counts as 1 January
        ("age('1990-06-15')", 34),
        ("age(missing)", None),
        ("age(leap)", 4),  # born 29 February 2020
        ("years_between(born, '2000-06-16')", 10),
        ("years_between(born, '2000-06-15')", 9),
        ("years_between(1990, 2000)", 10),
        ("years_between('2000-06-16', born)", -10),
        ("years_between('2001-01-01', '2000-06-01')", 0),
        ("years_between(born, missing)", None),
        ("years_between(missing, born)", None),
    ],
)
def test_age_and_years_between_count_whole_years(source: str, expected: object) -> None:
    scope = make_scope(
        born=dt.date(1990, 6, 16),
        born_today=dt.date(1990, 6, 15),
        leap=dt.date(2020, 2, 29),
    )
    assert run(source, scope) == expected


def test_leap_day_birthday_is_on_first_of_march() -> None:
    born = make_scope(leap=dt.date(2020, 2, 29))
    for day, years in [(dt.date(2023, 2, 28), 2), (dt.date(2023, 3, 1), 3)]:
        born.day = day
        assert run("age(leap)", born) == years


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("max_of(1, 5, 3)", 5),
        ("min_of(1, 5, 3)", 1),
        ("max_of(1, 2.5)", Decimal("2.5")),
        ("max_of(missing, 4, null)", 4),
        ("min_of(missing, null)", None),
        ("max_of('a', 'b')", "b"),
        ("max_of(d, '2021-01-01')", "2021-01-01"),
        ("max_of([3, 9, null, 1])", 9),
        ("min_of([3, 9, null, 1])", 1),
        ("min_of([])", None),
        ("max_of(x)", 3),
        ("max_of(missing)", None),
    ],
)
def test_max_of_and_min_of_over_arguments(source: str, expected: object) -> None:
    assert run(source, make_scope(x=3, d=dt.date(2020, 1, 1))) == expected


FAMILY = make_scope(
    home="nl",
    repeats={
        "kids": [
            {"kid_age": 4, "kid_name": "Ali"},
            {"kid_age": 17, "kid_name": "Sara"},
            {"kid_name": "Noor"},
        ],
        "jobs": [],
    },
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("max_of(kid_age)", 17),
        ("min_of(kid_age)", 4),
        ("max_of(kid_age + 1)", 18),
        ("max_of(len(kid_name))", 4),
        ("max_of(job_years)", None),
        ("any_of(kid_age >= 17)", True),
        ("any_of(kid_age > 17)", False),
        ("all_of(known(kid_name))", True),
        ("all_of(known(kid_age))", False),
        ("all_of(kid_name != 'x')", True),
        ("any_of(kid_name == 'Noor' and home == 'nl')", True),
        ("all_of(job_years > 1)", False),  # no instances
        ("any_of(job_years > 1)", False),
        ("count(kids) == 3 and any_of(kid_age < 5)", True),
    ],
)
def test_aggregates_iterate_repeat_instances(source: str, expected: object) -> None:
    assert run(source, FAMILY) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("any_of(x > 1)", True),
        ("all_of(x > 5)", False),
        ("any_of(missing)", False),
        ("any_of([false, x == 3])", True),
        ("all_of([true, x == 3])", True),
        ("all_of([true, missing])", False),
        ("all_of([])", False),
        ("any_of(mc)", True),
    ],
)
def test_any_of_and_all_of_without_repeat_test_the_condition(source: str, expected: bool) -> None:
    assert run(source, make_scope(x=3, mc=("a",))) is expected


def test_aggregate_reports_names_free_names_and_aggregated() -> None:
    expression = compile_expression(
        "any_of(kid_age > limit) and known(home) and max_of(job_years) > 2 and x + 1 > 2",
        repeat_of=REPEAT_OF,
    )
    assert expression.names == {"kid_age", "limit", "home", "job_years", "x"}
    assert expression.free_names == {"home", "x"}
    assert expression.aggregated == {"kids", "jobs"}
    assert not expression.uses_value


def test_names_exclude_constants_functions_and_value() -> None:
    expression = compile_expression(
        "value > 1 and true or today() > d and count(mc) > 1 and [null][0] == x",
        allow_value=True,
    )
    assert expression.names == {"d", "mc", "x"}
    assert expression.free_names == {"d", "mc", "x"}
    assert expression.aggregated == frozenset()
    assert expression.uses_value


def test_repeat_children_outside_aggregates_are_free_names() -> None:
    expression = compile_expression("max_of(kid_age, 3) > 1", repeat_of=REPEAT_OF)
    assert expression.free_names == {"kid_age"}
    assert expression.aggregated == frozenset()


@pytest.mark.parametrize(
    "source",
    [
        "any_of(kid_age > job_years)",
        "max_of(kid_age + job_years)",
        "all_of(known(job_title) or kid_age)",
    ],
)
def test_aggregate_over_two_repeats_is_a_syntax_error(source: str) -> None:
    error = syntax_error(source, repeat_of=REPEAT_OF)
    assert "more than one repeat" in error.message
    assert "jobs" in error.message and "kids" in error.message


def test_nested_aggregates_over_a_repeat_are_a_syntax_error() -> None:
    syntax_error("any_of(max_of(kid_age) > kid_age)", repeat_of=REPEAT_OF)


@pytest.mark.parametrize(
    ("source", "suggestion"),
    [
        ("anwsered(x)", "answered"),
        ("is_unkown(x)", "is_unknown"),
        ("max(x, 1)", "max_of"),
        ("Today()", "today"),
        ("lenght(x)", "len"),
    ],
)
def test_unknown_function_suggests_the_nearest(source: str, suggestion: str) -> None:
    error = syntax_error(source)
    assert f"did you mean '{suggestion}'?" in error.message
    assert error.offset == 0


@pytest.mark.parametrize(
    "source",
    [
        "answered()",
        "answered(x, y)",
        "known(1)",
        "known(x + 1)",
        "is_unknown('x')",
        "is_declined(value)",
        "count(mc + 1)",
        "selected(mc)",
        "selected(mc, 'a', 'b')",
        "today(1)",
        "age()",
        "years_between(1)",
        "max_of()",
        "min_of()",
        "any_of(x, y)",
        "all_of()",
        "len()",
        "len(x, y)",
        "len(x=1)",
        "max_of(*mc)",
    ],
)
def test_wrong_arguments_are_syntax_errors(source: str) -> None:
    syntax_error(source)


def test_a_bare_function_name_is_a_question_id() -> None:
    expression = compile_expression("age >= 18 and age(born) >= 18 and count(count) > 0")
    assert expression.names == {"age", "born", "count"}
    scope = make_scope(age=20, born=dt.date(2000, 1, 1), count=("a",))
    assert expression.evaluate(scope) is True


# ---------------------------------------------------------------------- rejected constructs

HOSTILE = [
    "__import__('os')",
    "__import__('os').system('ls')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.y",
    "x.y()",
    "(x)(1)",
    "x[0](1)",
    "open('f')",
    "eval('1')",
    "getattr(x, 'y')",
    "[i for i in x]",
    "{i for i in x}",
    "{i: 1 for i in x}",
    "(i for i in x)",
    "lambda: 1",
    "9**9**9",
    "2 ** 10",
    "'a'*10**9",
    "7 // 2",
    "7 % 2",
    "1 << 2",
    "1 | 2",
    "~1",
    "f'{x}'",
    "{1: 2}",
    "{1, 2}",
    "(1, 2)",
    "x[1:2]",
    "x[y]",
    "x['a']",
    "x[0.5]",
    "x[True]",
    "(y := 1)",
    "case.given_name",  # only in a default, where the caller allows case fields
    "b'x'",
    "1j",
    "...",
    "1e5",
    "0x10",
    "0o7",
    "x is None",
    "x is not 1",
    "x == null",
    "null != x",
    "x < None",
    "*x",
    "x # comment",
    "'a\nb'",
    "'''a\nb'''",
    "",
    "   ",
    "\x00",
    "a\x00",
    "'\ud800'",
    "1 +",
    "await x",
    "(" * 1000 + "1" + ")" * 1000,
    "-" * 1999 + "1",
    "not " * 400 + "x",
    "x" * 5000,
    "1" * 31,
    "1000000000000000000000000000000",
    "0.0000000000000001",
    "'" + "a" * 1001 + "'",
    "[" + ", ".join(["1"] * 201) + "]",
    " + ".join(["1"] * 201),
]


@pytest.mark.parametrize("source", HOSTILE, ids=lambda s: repr(s[:30]))
def test_hostile_input_is_a_syntax_error(source: str) -> None:
    syntax_error(source)


@pytest.mark.parametrize("source", ["'a' * 1000000000", "[1] * 1000000000", "'a' * x", "x * 'a'"])
def test_repetition_is_an_eval_error_not_a_huge_value(source: str) -> None:
    eval_error(source, make_scope(x=10**9))


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("x and y.z", 6),
        ("'ééé' == y.z", 9),  # characters, not UTF-8 bytes
        ("'éé' + $", 7),
        ("x +", 3),
        ("\n  x + $", 7),
        ("x == 'a' or anwsered(x)", 12),
        ("1 + 10000000000000000", 4),
        ("'ü' + '" + "a" * 1001 + "'", 6),
        ("x # c", 2),
        ("x" * 2001, 2000),
        ("ü == null", 5),
        ("'日本' < x[y]", 7),
    ],
)
def test_syntax_error_offsets_are_character_offsets(source: str, offset: int) -> None:
    assert syntax_error(source).offset == offset


def test_eval_error_offset_points_at_the_failing_operation() -> None:
    assert eval_error("1 + (2 * 'a')").offset == 5
    assert eval_error("'é' == x or len(5)").offset == 12


def test_limits_accept_what_fits() -> None:
    compile_expression("x" * 2000)
    compile_expression("'" + "a" * 1000 + "'")
    compile_expression("[" + ", ".join(["1"] * 200) + "]")
    compile_expression("1" * 15 + " + 0." + "1" * 14)
    compile_expression("-" * (MAX_DEPTH - 1) + "1")
    syntax_error("-" * MAX_DEPTH + "1")


def test_scope_failures_become_eval_errors() -> None:
    class BrokenScope(FakeScope):
        def value(self, name: str) -> object | None:
            raise KeyError(name)

    with pytest.raises(ExpressionEvalError):
        compile_expression("x + 1").evaluate(BrokenScope())
    with pytest.raises(ExpressionEvalError):
        compile_expression("x").evaluate(BrokenScope())


def test_decimal_trouble_becomes_eval_error() -> None:
    with pytest.raises(ExpressionEvalError):
        run("x < 1", make_scope(x=Decimal("NaN")))


def test_errors_are_expression_errors_with_message_and_offset() -> None:
    error = syntax_error("x.y")
    assert isinstance(error, ExpressionError)
    assert str(error) == error.message
    assert error.offset == 0


# ---------------------------------------------------------------------- properties

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    "x", "y", "kid_age", "value", "true", "null", "1", "2.5", "'a'", "'2020-01-01'", "(", ")",
    "[", "]", ",", "+", "-", "*", "/", "**", "%", "==", "!=", "<", ">=", "in", "not", "and", "or",
    "is", "if", "else", "lambda", ":", ".", "__class__", "answered", "count", "max_of", "any_of",
    "len", "today", "#", "'", "\n", "f'", "0x1", "1e9", "é", "日本", "case", "case.given_name",
    "coalesce", "round", "concat", "regex", "sum", "add_days", "add_months", "r'", "'(a+)+$'",
    "'(a)\\1'", "'[0-9'", "'x(?=y)'", "11", "-1", "3660001",
]  # fmt: skip


@FAST
@given(
    st.one_of(st.text(max_size=200), st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
)
def test_any_text_compiles_or_raises_an_expression_error(source: str) -> None:
    try:
        expression = compile_expression(source, repeat_of=REPEAT_OF, allow_value=True)
    except ExpressionError as error:
        assert error.offset is None or 0 <= error.offset <= len(source)
        return
    with contextlib.suppress(ExpressionEvalError):
        expression.evaluate(make_scope(x=1, y="a"), 3)


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


@FAST
@given(expressions(), scopes())
def test_well_formed_expressions_evaluate_or_raise_eval_error(
    source: str, scope: FakeScope
) -> None:
    expression = compile_expression(source, repeat_of=REPEAT_OF)
    assert expression.names <= {*OUTER_NAMES, *CHILD_NAMES}
    try:
        result = expression.evaluate(scope)
    except ExpressionEvalError as error:
        assert error.offset is None or 0 <= error.offset < len(source)
        return
    check_result_size(result)
    assert isinstance(expression.test(scope), bool)


def balanced(leaf: str, operator: str, levels: int) -> str:
    if levels == 0:
        return leaf
    part = balanced(leaf, operator, levels - 1)
    return f"({part} {operator} {part})"


def test_largest_text_an_expression_can_build_stays_small() -> None:
    # The node limit bounds concatenation: 128 leaves of a 1,000-character answer.
    scope = make_scope(s="x" * 1000)
    result = compile_expression(balanced("s", "+", 7)).evaluate(scope)
    assert isinstance(result, str)
    assert len(result) == 128_000 < 1_000_000
    syntax_error(balanced("s", "+", 8))  # 511 nodes
    assert MAX_NODES < 511


def test_largest_number_an_expression_can_build_stays_small() -> None:
    # 128 factors of a 15-digit answer: about 1,900 digits, far below any trouble.
    scope = make_scope(n=999_999_999_999_999, m=Decimal("9.99999999999999"))
    result = compile_expression(balanced("n", "*", 7)).evaluate(scope)
    assert isinstance(result, int)
    assert len(str(result)) < 2000
    check_result_size(result)
    product = compile_expression(balanced("m", "*", 7)).evaluate(scope)
    assert isinstance(product, Decimal)
    assert len(product.as_tuple().digits) <= 28


@FAST
@given(expressions(), scopes())
def test_evaluation_result_is_bounded(source: str, scope: FakeScope) -> None:
    expression = compile_expression(source, repeat_of=REPEAT_OF)
    with contextlib.suppress(ExpressionEvalError):
        check_result_size(expression.evaluate(scope))


def test_expression_is_a_frozen_value() -> None:
    first = compile_expression("x + 1")
    assert isinstance(first, Expression)
    assert first == compile_expression("x + 1")
    with pytest.raises(AttributeError):
        first.source = "y"  # type: ignore[misc]
