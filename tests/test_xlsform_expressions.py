"""XLSForm's XPath functions, dates, arithmetic and paths in the bundle's language (issue 20):
each construct on a small synthetic form, checked by what the engine shows or computes, and
where there is no equivalent, the report line that says so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from intake_tui.core import Answer, Interview
from intake_tui.xlsform.expressions import Context, Untranslatable, translate
from tests.xlsform_forms import imported, visible

TODAY = dt.date(2026, 1, 5)


def _interview(bundle, **answers: object) -> Interview:
    interview = Interview(bundle, today=lambda: TODAY)
    for question, value in answers.items():
        interview.set_answer(question, Answer.of(value))
    return interview


def _report(tmp_path: Path) -> str:
    return (tmp_path / "bundle" / "IMPORT-REPORT.md").read_text("utf-8")


DATE = {"type": "date", "name": "d", "label": "Date"}

# -- dates ---------------------------------------------------------------------------------------


def test_date_plus_days_is_add_days(tmp_path: Path) -> None:
    survey = [
        DATE,
        {"type": "calculate", "name": "due", "calculation": "date(${d} + 30)"},
        {"type": "note", "name": "overdue", "label": "Overdue", "relevant": "${due} < today()"},
    ]
    _result, bundle = imported(tmp_path, survey)
    assert bundle.items["due"].spec.calculate == "add_days(d, 30)"
    early = _interview(bundle, d=dt.date(2025, 11, 1))
    assert early.value("due") == dt.date(2025, 12, 1)
    assert visible(early) == ["d", "overdue"]
    late = _interview(bundle, d=dt.date(2025, 12, 20))
    assert late.value("due") == dt.date(2026, 1, 19)
    assert visible(late) == ["d"]


@pytest.mark.parametrize(
    ("answer", "shown"),
    [(None, False), (dt.date(2025, 12, 6), False), (dt.date(2025, 12, 5), True)],
)
def test_days_since_a_date_compared_with_a_number(tmp_path: Path, answer, shown) -> None:
    survey = [
        DATE,
        {"type": "note", "name": "old", "label": "Old", "relevant": "today() - ${d} > 30"},
    ]
    _result, bundle = imported(tmp_path, survey)
    assert bundle.items["old"].spec.relevant == "(today() > add_days(d, 30))"
    answers = {} if answer is None else {"d": answer}
    assert ("old" in visible(_interview(bundle, **answers))) is shown


@pytest.mark.parametrize(("born", "age"), [(dt.date(2008, 1, 5), 18), (dt.date(2008, 1, 6), 17)])
def test_an_age_from_days_div_365_25_is_whole_years_with_a_report_line(
    tmp_path: Path, born: dt.date, age: int
) -> None:
    survey = [
        {"type": "date", "name": "dob", "label": "Born"},
        {"type": "calculate", "name": "age", "calculation": "int((today() - ${dob}) div 365.25)"},
        {"type": "text", "name": "job", "label": "Job", "relevant": "${age} >= 18"},
    ]
    _result, bundle = imported(tmp_path, survey)
    interview = _interview(bundle, dob=born)
    assert interview.value("age") == age
    assert ("job" in visible(interview)) is (age >= 18)
    assert (
        "`survey:3`: calculation `age`: int(days div 365.25) counts years of 365.25 days; "
        "written as whole calendar years"
    ) in _report(tmp_path)


def test_decimal_date_time_plus_days_as_a_date(tmp_path: Path) -> None:
    survey = [
        DATE,
        {"type": "calculate", "name": "week", "calculation": "date(decimal-date-time(${d}) + 7)"},
    ]
    _result, bundle = imported(tmp_path, survey)
    assert _interview(bundle, d=dt.date(2025, 12, 29)).value("week") == TODAY


def test_a_bare_date_plus_days_is_the_date_with_a_report_line(tmp_path: Path) -> None:
    survey = [DATE, {"type": "calculate", "name": "due", "calculation": "${d} + 30"}]
    _result, bundle = imported(tmp_path, survey)
    assert _interview(bundle, d=dt.date(2025, 12, 6)).value("due") == TODAY
    assert "`survey:3`: calculation `due`: a date plus days is a number (days since 1970)" in (
        _report(tmp_path)
    )


def test_a_number_of_days_alone_is_left_out_with_a_report_line(tmp_path: Path) -> None:
    survey = [DATE, {"type": "calculate", "name": "days", "calculation": "today() - ${d}"}]
    _result, bundle = imported(tmp_path, survey)
    assert "days" not in bundle.items
    assert (
        "`survey:3`: calculation of `days` left out: a number of days between two dates has no "
        "equivalent"
    ) in _report(tmp_path)


def test_format_date_iso_is_concat_and_any_other_format_is_reported(tmp_path: Path) -> None:
    survey = [
        DATE,
        {"type": "calculate", "name": "iso", "calculation": "format-date(${d}, '%Y-%m-%d')"},
        {"type": "calculate", "name": "shown", "calculation": "format-date(${d}, '%d %b %Y')"},
    ]
    _result, bundle = imported(tmp_path, survey)
    assert _interview(bundle, d=TODAY).value("iso") == "2026-01-05"
    assert "shown" not in bundle.items
    assert (
        "`survey:4`: calculation of `shown` left out: format-date() with the format '%d %b %Y' "
        "has no equivalent"
    ) in _report(tmp_path)


def test_now_is_today_with_a_report_line(tmp_path: Path) -> None:
    survey = [
        DATE,
        {"type": "note", "name": "future", "label": "In the future", "relevant": "${d} > now()"},
    ]
    _result, bundle = imported(tmp_path, survey)
    assert visible(_interview(bundle, d=dt.date(2026, 1, 6))) == ["d", "future"]
    assert visible(_interview(bundle, d=TODAY)) == ["d"]
    assert "`survey:3`: relevant `future`: now() has a time of day" in _report(tmp_path)


# -- numbers -------------------------------------------------------------------------------------

NUMBERS = [
    {"type": "integer", "name": "a", "label": "A"},
    {"type": "integer", "name": "b", "label": "B"},
]


@pytest.mark.parametrize(
    ("calculation", "value"),
    [
        ("(${a} + ${b}) * 2 - ${b} div 4", 20),
        ("int(${a})", 3),
        ("pow(${a}, 3)", 27),
        ("abs(${a} - ${b})", 5),
        ("int(7.9) + floor(-1.5) + ceiling(0.2)", 6),
        ("-${a} * 2", -6),
    ],
)
def test_arithmetic_and_math_with_an_equivalent(tmp_path: Path, calculation, value) -> None:
    survey = [*NUMBERS, {"type": "calculate", "name": "c", "calculation": calculation}]
    _result, bundle = imported(tmp_path, survey)
    assert _interview(bundle, a=3, b=8).value("c") == Decimal(value)


@pytest.mark.parametrize(
    ("calculation", "why"),
    [
        ("${a} mod 2", "'mod' has no equivalent"),
        ("int(${a} div 2)", "int() of a number that may have a fraction has no equivalent"),
        ("sqrt(${a})", "the math function sqrt() has no equivalent"),
        ("pow(${a}, 0.5)", "pow() with an exponent other than a whole number from 0 to 10"),
        ("log10(${b})", "the math function log10() has no equivalent"),
    ],
)
def test_arithmetic_and_math_without_an_equivalent_is_reported(
    tmp_path: Path, calculation, why
) -> None:
    survey = [*NUMBERS, {"type": "calculate", "name": "c", "calculation": calculation}]
    _result, bundle = imported(tmp_path, survey)
    assert "c" not in bundle.items
    assert f"`survey:4`: calculation of `c` left out: {why}" in _report(tmp_path)


def test_position_in_a_repeat_is_reported(tmp_path: Path) -> None:
    survey = [
        {"type": "begin_repeat", "name": "people", "label": "People"},
        {"type": "text", "name": "who", "label": "Name"},
        {"type": "calculate", "name": "number", "calculation": "position(..)"},
        {"type": "end_repeat"},
    ]
    imported(tmp_path, survey)
    assert (
        "`survey:4`: calculation of `number` left out: position() (the number of a repeat "
        "entry) has no equivalent"
    ) in _report(tmp_path)


# -- paths ---------------------------------------------------------------------------------------


def test_absolute_and_relative_paths_name_the_question(tmp_path: Path) -> None:
    survey = [
        {"type": "begin_group", "name": "person", "label": "Person"},
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "text", "name": "job", "label": "Job", "relevant": "/data/person/age >= 18"},
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "kids", "label": "Children"},
        {"type": "integer", "name": "kid_age", "label": "Age"},
        {"type": "text", "name": "school", "label": "School", "relevant": "../kid_age >= 4"},
        {"type": "end_repeat"},
    ]
    _result, bundle = imported(tmp_path, survey)
    assert bundle.items["job"].spec.relevant == "(age >= 18)"
    interview = _interview(bundle, age=30)
    first, second = interview.add_instance("kids"), interview.add_instance("kids")
    interview.set_answer("kid_age", Answer.of(6), first)
    interview.set_answer("kid_age", Answer.of(2), second)
    assert visible(interview) == ["age", "job", "kids", "kid_age#1", "school#1", "kid_age#2"]


def test_current_path_in_a_choice_filter_reads_the_question(tmp_path: Path) -> None:
    survey = [
        {"type": "select_one region", "name": "region", "label": "Region"},
        {"type": "select_one city", "name": "city", "label": "City",
         "choice_filter": "region = current()/../region"},
    ]  # fmt: skip
    choices = [
        {"list_name": "region", "name": "north", "label": "North"},
        {"list_name": "region", "name": "south", "label": "South"},
        {"list_name": "city", "name": "assen", "label": "Assen", "region": "north"},
        {"list_name": "city", "name": "venlo", "label": "Venlo", "region": "south"},
    ]
    _result, bundle = imported(tmp_path, survey, choices)
    assert bundle.items["city"].spec.choice_filter == "(choice.region == region)"
    interview = _interview(bundle, region="south")
    assert [c.value for c in interview.choices("city")] == ["venlo"]


def test_a_path_to_nothing_carried_over_is_reported(tmp_path: Path) -> None:
    survey = [
        {"type": "integer", "name": "a", "label": "A"},
        {"type": "text", "name": "b", "label": "B", "relevant": "/data/nowhere > 1"},
    ]
    imported(tmp_path, survey)
    assert "`survey:3`: relevant of `b` left out: it reads `nowhere`" in _report(tmp_path)


# -- the translator alone: exact texts -----------------------------------------------------------

KINDS = {"d": "date", "e": "date", "n": "integer", "x": "decimal", "t": "text"}


@pytest.mark.parametrize(
    ("xpath", "bundle"),
    [
        ("(today() - ${d}) div 365.25 >= 18", "(today() >= add_days(d, 6575))"),
        ("30 < today() - ${d}", "(today() > add_days(d, 30))"),
        ("(today() - ${d}) div 7 > 2", "(today() > add_days(d, 14))"),
        ("today() - ${d} <= ${n}", "(today() <= add_days(d, n))"),
        ("${d} < today() - 7", "(d < add_days(today(), (-7)))"),
        ("date(${d} + ${n})", "add_days(d, n)"),
        ("int((${e} - ${d}) div 365)", "years_between(d, e)"),
        ("pow(2, 10)", "1024"),
        ("count(/data/rep/q)", "count(q)"),
        ("abs(${x})", "((-x) if x < 0 else x)"),
    ],
)
def test_translated_text(xpath: str, bundle: str) -> None:
    context = Context(rename=lambda name: name, kind=KINDS.get)
    assert translate(xpath, context) == bundle


@pytest.mark.parametrize(
    "xpath",
    [
        "decimal-date-time(${d}) > 19000",
        "date(${d} + ${x})",
        "${d} + ${e}",
        "${d} * 2",
        "(today() - ${d}) = 2.5",
        "date(${t})",
    ],
)
def test_no_equivalent(xpath: str) -> None:
    with pytest.raises(Untranslatable):
        translate(xpath, Context(rename=lambda name: name, kind=KINDS.get))
