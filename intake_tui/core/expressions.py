"""Compile the bundle's small expression language once into closures, and evaluate them safely.

Expressions (`relevant`, `constraint`, `required`, `calculate`, plan rules) use Python expression
syntax. The source is parsed with ``ast.parse(source, mode="eval")``, checked against a strict
whitelist of node types and limits, and compiled ONCE into a tree of plain Python closures that
is evaluated many times. There is no ``eval``, no ``compile()`` of code objects, no attribute
access and no ``getattr``: a name can only be a question id (read from a `Scope`), a constant, or
`value`; a call can only be one of the fixed functions below. This module imports only the
standard library, so `intake_tui.core` stays pure; the one exception is RE2 (``google-re2``),
imported lazily by `intake_tui.core.patterns` when an expression calls ``regex()``.

Errors: every problem found while compiling is an `ExpressionSyntaxError`, every problem found
while evaluating an `ExpressionEvalError`; both carry a 0-based *character* offset into the source
when one is known. No other exception ever escapes `compile_expression` or `Expression.evaluate`.

Language
--------
* Operators: ``and or not``, ``== != < <= > >= in not in`` (chains such as ``0 < x <= 10`` too),
  ``+ - * /``, unary ``-`` and ``+``, list literals ``[a, b]`` (evaluated to a tuple), indexing
  with a whole-number literal (``x[0]``, ``x[-1]``), and the conditional ``a if c else b``
  (only the chosen side is evaluated; ``c`` counts by truthiness, so ``None`` chooses ``b``).
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
* ``case.<field>`` reads a fact of the case as the new-intake form recorded it (`Scope.case`);
  only where the caller passes ``case_fields`` (a question's ``default:``), and only those
  fields. ``choice.<attr>`` reads a filter attribute of the candidate choice (`Scope.choice`);
  only where the caller passes ``choice_fields`` (a question's ``choice_filter:``), and only
  those attributes. These two are the only attribute access there is.

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
* ``selected(q, code)``: ``code`` is among the codes of the multi-choice ``q``; ``False`` when
  either is ``None``. A bundle's loader refuses it on a question that is not a multi-choice
  (`intake_tui.core.expression_types`): a single choice is compared with ``q == 'code'``. (Where
  no types are checked, a single value is still compared with the ``==`` rules.)
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
* ``coalesce(a, b, ...)`` (at least two arguments): the first argument that is not ``None``,
  ``None`` when all are; ``0``, ``''`` and ``False`` are values. Arguments after the first value
  are not evaluated. ``coalesce(sum(bedrag), 0)`` turns "nothing to add" into zero.
* ``round(x)``, ``round(x, n)``: the number ``x`` rounded to ``n`` decimals (0 when left out),
  half up, away from zero on a tie (``round(2.5)`` is ``3``, ``round(-2.5)`` is ``-3``: as on
  paper and in a spreadsheet, not Python's half-even). The result is always a ``Decimal`` with
  exactly ``n`` decimals (``round(3, 2)`` is ``3.00``), like ``/`` always gives a ``Decimal``.
  ``n`` is a whole number from 0 to 10: a literal outside that is a compile error, a computed one
  an `ExpressionEvalError`, as is ``x`` that is not a number or too large to round to ``n``
  decimals within 28 digits. ``None`` for ``x`` or ``n`` gives ``None``.
* ``concat(a, ...)``: the arguments written one after the other as text. Text as it is; whole
  numbers in digits; ``Decimal`` numbers in plain digits without an exponent, keeping their
  decimals (``2.50``); dates as ``YYYY-MM-DD``; a list (a multi-choice) as its items joined by
  ``", "``. ``None`` arguments (unanswered, unknown, declined) are skipped, as a caseworker
  reading ``concat(voornaam, ' ', achternaam)`` expects; all ``None`` gives ``None``. Yes/no values
  (write ``'ja' if x else 'nee'``) and lists inside lists are an `ExpressionEvalError`, and so is
  a result longer than 10,000 characters (checked before it is built).
* ``regex(x, 'pattern')``: whether ALL of the text ``x`` matches the pattern, like a question's
  ``pattern:`` key (write ``'.*word.*'`` to look for a part). The pattern must be one string
  literal in ``'...'`` or ``"..."``, and is read as written, backslashes and all (as Python's
  ``r'...'``: ``'\\bword\\b'`` is a word boundary, ``'\\d'`` a digit). It is compiled by RE2
  (`intake_tui.core.patterns`) when the expression compiles, so an invalid pattern, and one RE2
  cannot match in linear time (a backreference such as ``'(a)\\1'``, lookahead or lookbehind),
  is a compile error at the literal. Matching takes time linear in the
  text. ``None`` gives ``False`` (like a comparison); ``x`` that is not text (a number, a date, a
  list) is an `ExpressionEvalError`.
* ``sum(...)``: the repeat semantics of ``max_of``: several arguments: the sum of those that are
  not ``None``. One argument that names questions of exactly one repeat: the sum over the
  repeat's instances, ignoring ``None``. One other argument: the sum of the items of a list
  value, or the value itself. ``None`` when there is nothing to add (every value ``None``, a
  repeat without instances): write ``coalesce(sum(x), 0)`` for zero. Whole numbers add up to a
  whole number; a ``Decimal`` among them makes the sum a ``Decimal``, as ``+`` does. An item
  that is not a number is an `ExpressionEvalError`.
* ``add_days(d, n)``, ``add_months(d, n)``: the date ``d`` (a date or a ``"YYYY-MM-DD"`` text;
  a year is not a date here) plus ``n`` days / months; ``n`` a whole number, negative to go back.
  ``add_months`` keeps the day of the month, or takes the last day of a shorter month: 31 January
  plus one month is 28 February (29 in a leap year). ``None`` for ``d`` or ``n`` gives ``None``.
  ``n`` beyond 3,660,000 days or 120,000 months either way, or a date outside the years 1 to
  9999, is an `ExpressionEvalError` (never an overflow or a huge loop).

An aggregate's argument is evaluated against each instance scope from ``scope.instances(repeat)``
in full; an instance scope resolves the instance's own questions and, like its enclosing scope,
every other name. ``sum`` is such an aggregate too. Names of two different repeats in one
aggregate, and an aggregate over a repeat inside another one, are compile errors.

Types: `compile_expression` knows no question types. A bundle's loader checks every compiled
expression against them (`intake_tui.core.expression_types`, through `Expression.syntax`): a
choice code not in the question's list, text or a date against a number, text against a date
(a ``'YYYY-MM-DD'`` literal is a date), ``selected()`` on a question that is not a
multi-choice, and an argument that can never be what a function needs (``add_days`` on a text
question, ``round``/``sum`` of text, ``regex`` on a number, a yes/no value in ``concat``) are
load errors.

Limits (compile errors): at most 2,000 characters, 32 levels of nesting and 400 nodes; string
literals at most 1,000 characters, number literals at most 15 digits, lists at most 200 items.
Together these bound the work and the size of every result (text grows at most linearly in the
number of nodes, as there are no loops, no repetition and no variables).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Mapping

from intake_tui.core.expression_base import (
    MAX_DEPTH,
    MAX_LIST_ITEMS,
    MAX_NODES,
    MAX_NUMBER_DIGITS,
    MAX_SOURCE_CHARS,
    MAX_STRING_CHARS,
    NO_VALUE,
    AnswerState,
    Expression,
    ExpressionError,
    ExpressionEvalError,
    ExpressionSyntaxError,
    Scope,
    Syntax,
)
from intake_tui.core.expression_compiler import _bad_char_offset, _Compiler

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
    "Syntax",
    "compile_expression",
]


def compile_expression(
    source: str,
    *,
    repeat_of: Mapping[str, str] | None = None,
    allow_value: bool = False,
    case_fields: frozenset[str] = frozenset(),
    choice_fields: frozenset[str] | None = None,
    context_fields: Mapping[str, frozenset[str] | None] | None = None,
) -> Expression:
    """Parse, check and compile `source` once; raises only ExpressionSyntaxError.

    `repeat_of` maps a question id inside a repeat to its repeat id; it tells the aggregates
    (`any_of`, `all_of`, `max_of`, `min_of`, `sum`) which repeat they iterate. `allow_value`
    permits `value` (constraints); `case_fields` the names `case.<field>` may read (defaults);
    `choice_fields` the names `choice.<attr>` may read (a choice_filter; None: not allowed);
    `context_fields` per prefix (`intake`, `plan`, `followup`) the names of the rest of the case
    it may read (None for a prefix: names not checkable here, any is accepted).
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

    compiler = _Compiler(
        text,
        source,
        shift,
        repeat_of or {},
        allow_value,
        case_fields,
        choice_fields,
        context_fields,
    )
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
        syntax=Syntax(tree.body, text, shift, tuple(compiler.chars)),
    )
