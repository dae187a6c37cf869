"""The expression language's limits: hostile input refused as a syntax error, repetition and
sizes bounded, offsets pointing at the fault, and property tests over any text and over
well-formed expressions."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake_tui.core.expressions import (
    MAX_DEPTH,
    MAX_NODES,
    Expression,
    ExpressionError,
    ExpressionEvalError,
    compile_expression,
)

from .expression_helpers import (
    CHILD_NAMES,
    FAST,
    OUTER_NAMES,
    REPEAT_OF,
    FakeScope,
    check_result_size,
    eval_error,
    expressions,
    make_scope,
    run,
    scopes,
    syntax_error,
)

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
