"""Tests for the safe expression language (intake_tui.core.expressions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from intake_tui.core.expressions import (
    ExpressionEvalError,
    compile_expression,
)

from .expression_helpers import (
    REPEAT_OF,
    TODAY,
    eval_error,
    make_scope,
    run,
    syntax_error,
)

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
