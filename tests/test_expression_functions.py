"""The functions of issue 18: coalesce, round, concat, regex, sum, add_days and add_months (and the
conditional, which already existed), table by table: values, unanswered / unknown / declined,
whole numbers against decimals, boundaries, and the errors when compiling and evaluating
(intake_tui.core.expression_functions, intake_tui.core.patterns). Load-time checks and the
hypothesis properties are in tests/test_expression_functions_checks.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from intake_tui.core.expression_functions import MAX_CONCAT_CHARS
from intake_tui.core.expressions import compile_expression
from intake_tui.core.patterns import PatternError, compile_pattern, full_match

from .expression_helpers import REPEAT_OF, eval_error, make_scope, run, syntax_error

# n: a number, dec: a decimal, t: text, d: a date, flag: yes/no, mc: a multi-choice,
# u: unknown, dl: declined, missing: unanswered.
SCOPE = make_scope(
    states={"u": "unknown", "dl": "declined"},
    repeats={
        "kids": [{"kid_age": 3}, {"kid_age": Decimal("2.5")}, {"kid_age": None}, {"kid_age": 4}],
        "jobs": [],
    },
    n=7,
    dec=Decimal("2.345"),
    t="abc",
    d=dt.date(2024, 1, 31),
    leap=dt.date(2024, 2, 29),
    flag=True,
    zero=0,
    empty="",
    mc=("nl", "ar"),
    big=10**40,
    long="x" * 6000,
    u=5,
    dl=6,
)


def value_of(source: str) -> object:
    return run(source, SCOPE)


def same(found: object, expected: object) -> bool:
    """Equal AND of the same type: 3 is not Decimal('3'), Decimal('3') not Decimal('3.00')."""
    if isinstance(expected, Decimal):
        return isinstance(found, Decimal) and str(found) == str(expected)
    return type(found) is type(expected) and found == expected


# ---------------------------------------------------------------------- coalesce


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("coalesce(missing, 3)", 3),
        ("coalesce(u, dl, 'x')", "x"),  # unknown and declined read as unanswered
        ("coalesce(n, 3)", 7),
        ("coalesce(missing, dec)", Decimal("2.345")),
        ("coalesce(zero, 3)", 0),  # 0, '' and false are values
        ("coalesce(empty, 'x')", ""),
        ("coalesce(false, true)", False),
        ("coalesce(missing, u, dl)", None),
        ("coalesce(missing, d)", dt.date(2024, 1, 31)),
        ("coalesce(missing, null, mc)", ("nl", "ar")),
        ("coalesce(sum(job_years), 0)", 0),  # a repeat without instances
        ("coalesce(sum(kid_age), 0)", Decimal("9.5")),
    ],
)
def test_coalesce_gives_the_first_value(source: str, expected: object) -> None:
    assert same(value_of(source), expected)


def test_coalesce_does_not_evaluate_what_follows_the_first_value() -> None:
    assert value_of("coalesce(n, t - 1)") == 7
    assert "cannot use -" in eval_error("coalesce(missing, t - 1)", SCOPE).message


def test_coalesce_needs_two_arguments() -> None:
    error = syntax_error("coalesce(x)")
    assert "coalesce() takes at least 2 arguments, not 1" in error.message
    assert error.offset == 0


# ---------------------------------------------------------------------- round


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("round(dec, 2)", Decimal("2.35")),  # half up: 2.345 -> 2.35 (half even would be 2.34)
        ("round(2.5)", Decimal("3")),
        ("round(3.5)", Decimal("4")),
        ("round(-2.5)", Decimal("-3")),  # a tie goes away from zero
        ("round(0.125, 2)", Decimal("0.13")),
        ("round(2.4)", Decimal("2")),
        ("round(7 / 3, 2)", Decimal("2.33")),  # / gives a Decimal; round keeps it one
        ("round(n / 2)", Decimal("4")),
        ("round(n, 2)", Decimal("7.00")),  # a whole number gets the decimals too
        ("round(n)", Decimal("7")),
        ("round(1.23456789012345, 10)", Decimal("1.2345678901")),
        ("round(dec, 0)", Decimal("2")),
        ("round(dec, 1 + 1)", Decimal("2.35")),  # n may be computed
        ("round(dec, 4.0)", Decimal("2.3450")),  # a whole Decimal is a whole number
        ("round(missing, 2)", None),
        ("round(u)", None),
        ("round(dl, 1)", None),
        ("round(dec, missing)", None),
    ],
)
def test_round_rounds_half_up_to_n_decimals(source: str, expected: object) -> None:
    assert same(value_of(source), expected)


@pytest.mark.parametrize(
    ("source", "offset", "message"),
    [
        ("round(x, 11)", 9, "round() rounds to 0 to 10 decimals, not 11"),
        ("round(x, -1)", 9, "round() rounds to 0 to 10 decimals, not -1"),
        ("round(x, 1, 2)", 0, "round() takes 1 to 2 arguments, not 3"),
        ("round()", 0, "round() takes 1 to 2 arguments, not 0"),
    ],
)
def test_round_compile_errors(source: str, offset: int, message: str) -> None:
    error = syntax_error(source)
    assert (error.offset, error.message) == (offset, message)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("round(t)", "round() needs a number, not text"),
        ("round(flag)", "round() needs a number, not a yes/no value"),
        ("round(d, 1)", "round() needs a number, not a date"),
        ("round(dec, n + 4)", "round(): the number of decimals is 0 to 10, not 11"),
        ("round(dec, 0 - 1)", "round(): the number of decimals is 0 to 10, not -1"),
        ("round(dec, 1.5)", "round(): the number of decimals must be a whole number, not 1.5"),
        ("round(dec, 't')", "round(): the number of decimals must be a whole number, not text"),
        ("round(dec, flag)", "must be a whole number, not a yes/no value"),
        ("round(big, 10)", "round(): the number is too large to round"),
    ],
)
def test_round_eval_errors(source: str, message: str) -> None:
    error = eval_error(source, SCOPE)
    assert message in error.message
    assert error.offset == 0


# ---------------------------------------------------------------------- concat


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("concat(t, '-', n)", "abc-7"),
        ("concat('Naam: ', missing)", "Naam: "),  # unanswered arguments are skipped
        ("concat(missing, ' ', t)", " abc"),
        ("concat(u, dl, t)", "abc"),
        ("concat(missing, u, dl)", None),  # nothing at all to join
        ("concat(t)", "abc"),
        ("concat(dec)", "2.345"),
        ("concat(2.50)", "2.50"),  # a Decimal keeps its decimals
        ("concat(round(n, 2))", "7.00"),
        ("concat(n / 4)", "1.75"),
        ("concat(-3)", "-3"),
        ("concat(1 / 3)", "0.3333333333333333333333333333"),
        ("concat(100.0 * 100000000000000)", "10000000000000000.0"),  # never an exponent
        ("concat(d)", "2024-01-31"),  # dates as YYYY-MM-DD
        ("concat(today())", "2024-06-15"),
        ("concat(mc)", "nl, ar"),  # a multi-choice: its codes
        ("concat('talen: ', [t, missing, 1])", "talen: abc, 1"),
        ("concat(zero, empty)", "0"),
    ],
)
def test_concat_writes_its_arguments_one_after_the_other(source: str, expected: object) -> None:
    assert same(value_of(source), expected)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("concat(flag)", "concat() cannot join a yes/no value"),
        ("concat(t, [[1]])", "concat() cannot join a list"),
        ("concat(['a', true])", "concat() cannot join a yes/no value"),
        ("concat(long, long)", f"concat() would give more than {MAX_CONCAT_CHARS:,} characters"),
        ("concat(long, t, long)", "more than 10,000 characters"),
    ],
)
def test_concat_eval_errors(source: str, message: str) -> None:
    assert message in eval_error(source, SCOPE).message


def test_concat_stays_within_its_cap() -> None:
    just = make_scope(a="x" * (MAX_CONCAT_CHARS - 1))
    assert run("concat(a, 'y')", just) == "x" * (MAX_CONCAT_CHARS - 1) + "y"
    assert "more than" in eval_error("concat(a, 'yz')", just).message
    huge = make_scope(n=10**5000, m=Decimal("1E+20000"), many=tuple(["ab"] * 20_000))
    assert "too large to write out" in eval_error("concat(n)", huge).message
    assert "more than" in eval_error("concat(m)", huge).message
    assert "more than" in eval_error("concat(many)", huge).message


# ---------------------------------------------------------------------- regex


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("regex(t, 'a.c')", True),
        ("regex(t, 'b')", False),  # the WHOLE text must match, like pattern:
        ("regex(t, '.*b.*')", True),
        ("regex(t, '[a-c]+')", True),
        ("regex(t, 'ABC')", False),
        ("regex(t, '(?i)ABC')", True),
        ("regex(missing, '.*')", False),  # None gives False, like a comparison
        ("regex(u, '.*')", False),
        ("regex(dl, '.*')", False),
        ("not regex(missing, 'x')", True),
        ("regex(empty, '')", True),
        ("regex(postcode, '[0-9]{4} ?[A-Z]{2}')", True),
        ("regex(postcode, '\\d{4} \\w{2}')", True),  # read as written: \d, not an escape
        ("regex(sentence, '.*\\bword\\b.*')", True),  # \b is a word boundary, not a backspace
        ("regex(sentence, '.*\\bwor\\b.*')", False),
        ("regex(quote, 'it\\'s')", True),
        ('regex(quote, "it\'s")', True),
        ("regex(t, r'a\\w+')", True),
        ("regex(lang, 'nl|ar')", True),  # a choice's code is text
    ],
)
def test_regex_matches_the_whole_text(source: str, expected: bool) -> None:
    scope = make_scope(
        t="abc",
        empty="",
        postcode="1234 AB",
        sentence="a word here",
        quote="it's",
        lang="ar",
        states={"u": "unknown", "dl": "declined"},
        u="x",
        dl="x",
    )
    assert run(source, scope) is expected


def test_regex_with_a_backtracking_pattern_still_answers_correctly() -> None:
    # (a+)+$ backtracks exponentially in Python's re; RE2 has no backtracking. Only the answers
    # are asserted here, never a time.
    assert run("regex(s, '(a+)+$')", make_scope(s="a" * 5000)) is True
    assert run("regex(s, '(a+)+$')", make_scope(s="a" * 5000 + "b")) is False
    assert full_match("(a+)+$", "a" * 30) is True
    assert full_match("(a+)+$", "a" * 30 + "!") is False


@pytest.mark.parametrize(
    ("source", "offset", "message"),
    [
        ("regex(t, '(a)\\1')", 9, "a backreference cannot be matched in linear time"),
        ("regex(t, '(?P<x>a)(?P=x)')", 9, "a backreference cannot be matched in linear time"),
        ("regex(t, 'x(?=y)')", 9, "lookahead and lookbehind cannot be matched in linear time"),
        ("regex(t, '(?<!y)x')", 9, "lookahead and lookbehind cannot be matched in linear time"),
        ("regex(t, '[0-9')", 9, "invalid regular expression: missing ]: [0-9"),
        ("regex(t, 'a{2,1}')", 9, "invalid regular expression: invalid repetition size"),
        ("known(t) and regex(t, '(')", 22, "invalid regular expression: missing )"),
        ("regex(t, t)", 9, "regex() needs its pattern written as a text"),
        ("regex(t, 'a' + 'b')", 9, "regex() needs its pattern written as a text"),
        ("regex(t, 'a' 'b')", 9, "needs its pattern written as one text"),
        ("regex(t, '''ab''')", 9, "needs its pattern written as one text"),
        ("regex(t)", 0, "regex() takes 2 arguments, not 1"),
        ("regex(t, 'a', 'b')", 0, "regex() takes 2 arguments, not 3"),
    ],
)
def test_regex_pattern_is_checked_when_compiling(source: str, offset: int, message: str) -> None:
    error = syntax_error(source)
    assert message in error.message
    assert error.offset == offset


@pytest.mark.parametrize("source", ["regex(n, '7')", "regex(d, '.*')", "regex(mc, 'nl')"])
def test_regex_on_what_is_not_text_is_an_eval_error(source: str) -> None:
    assert "regex() needs text" in eval_error(source, SCOPE).message


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)\\1", "invalid escape sequence: \\1 (a backreference cannot be matched"),
        ("(?=a)", "(lookahead and lookbehind cannot be matched in linear time)"),
        ("[0-9", "missing ]: [0-9"),
        ("\ud800", "surrogates not allowed"),
    ],
)
def test_patterns_re2_refuses_say_why(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError) as info:
        compile_pattern(pattern)
    assert reason in str(info.value)


# ---------------------------------------------------------------------- sum


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("sum(kid_age)", Decimal("9.5")),  # over the instances, None ignored, a Decimal wins
        ("sum(kid_age * 2)", Decimal("19.0")),
        ("sum(kid_age if kid_age > 2.5 else 0)", 7),  # whole numbers stay whole
        ("sum(job_years)", None),  # a repeat without instances: nothing to add
        ("coalesce(sum(job_years), 0)", 0),
        ("sum(1, 2, 3)", 6),
        ("sum(n, missing, u, dl)", 7),  # unanswered, unknown, declined skipped
        ("sum(n, dec)", Decimal("9.345")),
        ("sum(missing, u)", None),
        ("sum(missing)", None),
        ("sum([1, 2, null])", 3),
        ("sum([])", None),
        ("sum(n)", 7),
        ("sum(-1.5, 1.5)", Decimal("0.0")),
        ("sum(0.1, 0.2)", Decimal("0.3")),  # exact: decimals, never float
        ("sum(big, 1)", 10**40 + 1),
    ],
)
def test_sum_adds_what_is_known(source: str, expected: object) -> None:
    assert same(value_of(source), expected)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("sum(t)", "sum() needs numbers, not text"),
        ("sum(n, flag)", "sum() needs numbers, not a yes/no value"),
        ("sum(mc)", "sum() needs numbers, not text"),
        ("sum(d, 1)", "sum() needs numbers, not a date"),
    ],
)
def test_sum_of_what_is_not_a_number_is_an_eval_error(source: str, message: str) -> None:
    assert message in eval_error(source, SCOPE).message


def test_sum_over_a_repeat_is_an_aggregate() -> None:
    expression = compile_expression("sum(kid_age) + n", repeat_of=REPEAT_OF)
    assert expression.names == {"kid_age", "n"}
    assert expression.free_names == {"n"}
    assert expression.aggregated == {"kids"}
    assert "more than one repeat" in syntax_error("sum(kid_age + job_years)", REPEAT_OF).message
    nested = syntax_error("sum(max_of(kid_age))", REPEAT_OF)
    assert "cannot be inside another aggregate" in nested.message
    assert nested.offset == 11  # at the name of the repeat, inside


# ---------------------------------------------------------------------- add_days, add_months


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("add_days(d, 1)", dt.date(2024, 2, 1)),
        ("add_days(d, 29)", dt.date(2024, 2, 29)),  # 2024 is a leap year
        ("add_days(d, 30)", dt.date(2024, 3, 1)),
        ("add_days('2023-02-28', 1)", dt.date(2023, 3, 1)),
        ("add_days(d, -31)", dt.date(2023, 12, 31)),
        ("add_days(d, 0)", dt.date(2024, 1, 31)),
        ("add_days(d, 7.0)", dt.date(2024, 2, 7)),  # a whole Decimal is a whole number
        ("add_days(today(), 14)", dt.date(2024, 6, 29)),
        ("add_days('9999-12-30', 1)", dt.date(9999, 12, 31)),
        ("add_days('0001-01-02', -1)", dt.date(1, 1, 1)),
        ("add_months(d, 1)", dt.date(2024, 2, 29)),  # 31 January + 1 month: end of February
        ("add_months('2023-01-31', 1)", dt.date(2023, 2, 28)),
        ("add_months(d, 2)", dt.date(2024, 3, 31)),
        ("add_months('2024-03-31', 1)", dt.date(2024, 4, 30)),
        ("add_months(leap, 12)", dt.date(2025, 2, 28)),
        ("add_months(leap, 48)", dt.date(2028, 2, 29)),
        ("add_months(d, -1)", dt.date(2023, 12, 31)),
        ("add_months(d, -11)", dt.date(2023, 2, 28)),
        ("add_months(d, -12)", dt.date(2023, 1, 31)),
        ("add_months(d, -13)", dt.date(2022, 12, 31)),
        ("add_months(d, 0)", dt.date(2024, 1, 31)),
        ("add_months('2024-12-15', 1)", dt.date(2025, 1, 15)),
        ("add_months(d, 67 * 12 + 3)", dt.date(2091, 4, 30)),
        ("add_days(missing, 1)", None),
        ("add_days(u, 1)", None),
        ("add_months(dl, 1)", None),
        ("add_days(d, missing)", None),
        ("add_months(d, u)", None),
        ("add_days(d, 10) > '2024-02-09'", True),
        ("age(add_months(d, -240))", 20),
    ],
)
def test_add_days_and_add_months(source: str, expected: object) -> None:
    assert same(value_of(source), expected)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("add_days(d, 1.5)", "add_days(): the number of days must be a whole number, not 1.5"),
        ("add_months(d, 't')", "add_months(): the number of months must be a whole number"),
        ("add_days(d, flag)", "must be a whole number, not a yes/no value"),
        ("add_days(1990, 1)", "add_days() needs a date, not a number"),
        ("add_months(t, 1)", "'abc' is not a date written as YYYY-MM-DD"),
        ("add_days('2024-02-30', 1)", "is not a date written as YYYY-MM-DD"),
        ("add_months(flag, 1)", "add_months() needs a date, not a yes/no value"),
        ("add_days(d, 3660001)", "add_days(): the number of days is at most 3,660,000"),
        ("add_days(d, -3660001)", "at most 3,660,000 either way"),
        ("add_days(d, big)", "at most 3,660,000 either way"),
        ("add_months(d, 120001)", "add_months(): the number of months is at most 120,000"),
        ("add_months(d, big)", "at most 120,000 either way"),
        ("add_days('9999-12-31', 1)", "the date would fall outside the years 1 to 9999"),
        ("add_days(d, -3000000)", "the date would fall outside the years 1 to 9999"),
        ("add_months('9999-12-31', 1)", "the date would fall outside the years 1 to 9999"),
        ("add_months(d, -120000)", "the date would fall outside the years 1 to 9999"),
    ],
)
def test_date_arithmetic_errors(source: str, message: str) -> None:
    error = eval_error(source, SCOPE)
    assert message in error.message
    assert error.offset == 0


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("add_days(d)", "add_days() takes 2 arguments, not 1"),
        ("add_months(d, 1, 2)", "add_months() takes 2 arguments, not 3"),
        ("add_day(d, 1)", "did you mean 'add_days'?"),
        ("coalese(x, 1)", "did you mean 'coalesce'?"),
    ],
)
def test_new_functions_arity_and_names(source: str, message: str) -> None:
    error = syntax_error(source)
    assert message in error.message
    assert error.offset == 0


# ---------------------------------------------------------------------- the conditional


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'ja' if flag else 'nee'", "ja"),
        ("'ja' if missing else 'nee'", "nee"),  # an unanswered condition chooses the else side
        ("'ja' if u else 'nee'", "nee"),
        ("1 if flag else t - 1", 1),  # only the chosen side is evaluated
        ("round(n / 2) if n > 5 else 0", Decimal("4")),
        ("concat('Leeftijd: ', n if known(n) else 'onbekend')", "Leeftijd: 7"),
    ],
)
def test_the_conditional_is_the_if_of_the_language(source: str, expected: object) -> None:
    assert same(value_of(source), expected)


def test_if_as_a_function_cannot_parse() -> None:
    assert syntax_error("if(flag, 1, 2)").message == "invalid syntax"


def test_huge_whole_numbers_are_named_not_written_out_in_messages() -> None:
    huge = make_scope(n=10**5000, d=dt.date(2024, 1, 31), x=Decimal("1.5"))
    assert "not a very large number" in eval_error("round(x, n)", huge).message
    assert "at most 3,660,000 either way" in eval_error("add_days(d, n)", huge).message
    assert "at most 120,000 either way" in eval_error("add_months(d, 0 - n)", huge).message
