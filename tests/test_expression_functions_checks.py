"""The functions of issue 18 when a bundle loads (arguments a function can never use, the types
of calculations) and under hostile input (hypothesis): concat stays within its cap, round gives
exactly n decimals, date arithmetic a date or an ExpressionEvalError, sum the exact sum, and RE2
the answers of Python's re. The tables are in tests/test_expression_functions.py."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake_tui.core.expression_functions import MAX_CONCAT_CHARS
from intake_tui.core.expression_types import (
    ANY,
    BOOL,
    DATE,
    NUMBER,
    TEXT,
    ValueType,
    check_types,
    question_types,
)
from intake_tui.core.expressions import ExpressionEvalError, compile_expression
from intake_tui.core.patterns import full_match
from intake_tui.core.questionnaire import load_bundle_files

from .expression_helpers import FAST, PATTERNS, make_scope, run, values

# ---------------------------------------------------------------------- types at load

TYPES = {
    "naam": TEXT,
    "leeftijd": NUMBER,
    "geboortedatum": DATE,
    "werk": BOOL,
    "land": ValueType("choice", "land", frozenset({"nl", "sy"})),
    "talen": ValueType("multi", "talen", frozenset({"nl", "ar"})),
    "berekend": ANY,
}


def type_problems(source: str) -> list[tuple[int, str]]:
    found = check_types(compile_expression(source), TYPES)
    return [(p.offset, p.message) for p in found]


@pytest.mark.parametrize(
    ("source", "offset", "message"),
    [
        ("add_days(naam, 7)", 9, "add_days() needs a date here, not 'naam' (text)"),
        ("add_days(land, 7)", 9, "add_days() needs a date here, not 'land' (a choice)"),
        ("add_months(leeftijd, 1)", 11, "add_months() needs a date here, not 'leeftijd'"),
        ("add_days(geboortedatum, naam)", 24, "add_days() needs a number here, not 'naam'"),
        ("add_months(geboortedatum, werk)", 26, "not 'werk' (a yes/no value)"),
        ("round(naam)", 6, "round() needs a number here, not 'naam' (text)"),
        ("round(leeftijd, geboortedatum)", 16, "round() needs a number here, not"),
        ("round(talen, 1)", 6, "not 'talen' (a multi-choice)"),
        ("sum(naam, leeftijd)", 4, "sum() needs a number here, not 'naam' (text)"),
        ("sum(['a', 'b'])", 4, "sum() needs a number here, not text"),
        ("sum(werk)", 4, "sum() needs a number here, not 'werk' (a yes/no value)"),
        ("regex(leeftijd, 'x')", 6, "regex() needs text here, not 'leeftijd' (a number)"),
        ("regex(geboortedatum, 'x')", 6, "regex() needs text here, not 'geboortedatum'"),
        ("regex(talen, 'nl')", 6, "regex() needs text here, not 'talen' (a multi-choice)"),
        ("concat(naam, werk)", 13, "concat() cannot join a yes/no value"),
        ("add_days(geboortedatum, 1) > 3", 27, "cannot compare a date with a number"),
        ("round(leeftijd) > naam", 16, "cannot compare a number with 'naam' (text)"),
        ("sum(leeftijd, 1) == 'x'", 17, "cannot compare a number with text 'x'"),
        ("concat(naam, leeftijd) > 3", 23, "cannot compare text with a number"),
        ("coalesce(leeftijd, 0) > naam", 22, "cannot compare a number with 'naam' (text)"),
    ],
)
def test_arguments_a_function_can_never_use_are_load_errors(
    source: str, offset: int, message: str
) -> None:
    found = type_problems(source)
    assert len(found) == 1, found
    assert found[0][0] == offset
    assert message in found[0][1]


@pytest.mark.parametrize(
    "source",
    [
        "add_days(geboortedatum, leeftijd) > '2020-01-01'",
        "add_months('2020-01-31', 1) < geboortedatum",
        "add_days(berekend, berekend)",
        "round(leeftijd / 3, 2) > 1",
        "round(berekend)",
        "sum(leeftijd, 2.5, berekend) > 3",
        "sum([1, 2.5])",
        "regex(naam, 'x') and regex(land, 'n.')",
        "regex(berekend, 'x')",
        "concat(naam, leeftijd, geboortedatum, talen) == 'x'",
        "coalesce(naam, 'x') == 'y'",
        "coalesce(geboortedatum, '2020-01-01') > '2010-01-01'",
    ],
)
def test_what_the_functions_can_use_is_not_reported(source: str) -> None:
    assert type_problems(source) == []


def test_a_calculation_with_a_new_function_has_its_result_type() -> None:
    bundle, problems = load_bundle_files(
        {
            "questionnaire.yaml": b"""\
id: t
version: "1.0.0"
title: T
sections:
  - id: s
    title: S
    questions:
      - {id: start, type: date, label: Start, purpose: p, sensitivity: personal}
      - {id: naam, type: text, label: Naam, purpose: p, sensitivity: personal}
      - {id: einde, type: date, label: Einde, calculate: "add_months(start, 6)",
         purpose: p, sensitivity: personal}
      - {id: groet, type: text, label: Groet, calculate: "concat('Dag ', naam)",
         purpose: p, sensitivity: personal}
      - {id: klopt, type: yes_no, label: Klopt, calculate: "regex(naam, '[A-Z].*')",
         purpose: p, sensitivity: personal}
      - {id: bedrag, type: decimal, label: Bedrag, calculate: "round(sum(1, 2.5), 2)",
         purpose: p, sensitivity: personal}
"""
        }
    )
    assert bundle is not None, problems
    types = question_types(bundle.items, bundle.order)
    assert (types["einde"], types["groet"], types["klopt"], types["bedrag"]) == (
        DATE,
        TEXT,
        BOOL,
        NUMBER,
    )


# ---------------------------------------------------------------------- properties

hostile = st.one_of(
    values,
    st.integers(-(10**400), 10**400),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=MAX_CONCAT_CHARS + 10).filter(lambda t: len(t) > MAX_CONCAT_CHARS // 2),
    st.lists(st.text(max_size=3), max_size=5).map(tuple),
)


@FAST
@given(st.lists(hostile, min_size=1, max_size=4))
def test_concat_of_any_answers_is_text_within_the_cap_or_an_eval_error(
    answers: list[object],
) -> None:
    names = [f"a{i}" for i in range(len(answers))]
    scope = make_scope(**dict(zip(names, answers, strict=True)))
    try:
        result = run(f"concat({', '.join(names)})", scope)
    except ExpressionEvalError:
        return
    assert result is None or (isinstance(result, str) and len(result) <= MAX_CONCAT_CHARS)
    assert (result is None) == all(answer is None for answer in answers)


@FAST
@given(hostile, st.integers(-3, 13))
def test_round_gives_exactly_n_decimals_within_half_a_unit(number: object, places: int) -> None:
    try:
        result = run("round(x, y)", make_scope(x=number, y=places))
    except ExpressionEvalError:
        assert (
            not 0 <= places <= 10
            or not isinstance(number, int | Decimal)
            or isinstance(number, bool)
            or abs(Decimal(number)) >= Decimal(10) ** (28 - places - 1)
        )
        return
    if number is None:
        assert result is None
        return
    assert isinstance(number, int | Decimal)
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -places
    assert abs(result - Decimal(number)) <= Decimal(5) * Decimal(10) ** (-places - 1)


@FAST
@given(st.dates(), st.integers(-(10**12), 10**12), st.sampled_from(["add_days", "add_months"]))
def test_date_arithmetic_gives_a_date_or_an_eval_error(
    day: dt.date, count: int, function: str
) -> None:
    try:
        result = run(f"{function}(d, n)", make_scope(d=day, n=count))
    except ExpressionEvalError:
        return
    assert isinstance(result, dt.date)
    if function == "add_days":
        assert (result - day).days == count
    else:
        months = (result.year - day.year) * 12 + result.month - day.month
        assert months == count
        assert result.day == day.day or result.day < day.day == 31 or result.month == 2


@FAST
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.integers(-(10**15), 10**15),
            st.decimals(
                allow_nan=False, allow_infinity=False, places=3, max_value=10**9, min_value=-(10**9)
            ),
        ),
        max_size=5,
    )
)
def test_sum_over_instances_is_the_exact_sum_of_the_known_values(values_: list[object]) -> None:
    scope = make_scope(repeats={"kids": [{"kid_age": v} for v in values_]})
    known = [v for v in values_ if v is not None]
    result = run("sum(kid_age)", scope)
    if not known:
        assert result is None
        return
    assert result == sum(Decimal(v) for v in known)  # type: ignore[arg-type]
    assert isinstance(result, int) == all(isinstance(v, int) for v in known)


@FAST
@given(st.text(alphabet="ax!y0123NLnlé", max_size=12), st.sampled_from(PATTERNS))
def test_regex_agrees_with_python_re_on_short_text(text: str, pattern: str) -> None:
    expected = re.fullmatch(pattern, text, re.ASCII) is not None
    assert full_match(pattern, text) is expected
    # In an expression the pattern is read as written (no quote in PATTERNS needs escaping).
    assert run(f"regex(x, '{pattern}')", make_scope(x=text)) is expected
