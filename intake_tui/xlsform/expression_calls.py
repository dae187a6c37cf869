"""XLSForm's XPath functions in the bundle's expression language (expressions.py parses).

Each function either has an equivalent (written here, with a note where its meaning changes)
or raises Untranslatable saying why, for the import report; docs/xlsform.md has the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from intake_tui.i18n import N_, _
from intake_tui.xlsform.expression_nodes import (
    NUMBERS,
    Context,
    Node,
    Untranslatable,
    as_date,
    days_since_1970,
    is_whole,
    number,
    quote,
    value_of,
)

# Translated when reported (a module-level _() would keep the language of the first import).
_UNSUPPORTED = {
    "pulldata": N_("pulldata() reads an external CSV at run time; there is no equivalent"),
    "indexed-repeat": N_("indexed-repeat() has no equivalent"),
    "jr:choice-name": N_("jr:choice-name() has no equivalent"),
    "position": N_("position() (the number of a repeat entry) has no equivalent"),
}
_MATH = frozenset(
    {"sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sqrt", "exp", "exp10", "log",
     "log10", "pi"}
)  # fmt: skip
# XLSForm function → (bundle function, allowed argument counts, what it gives)
_SIMPLE: Mapping[str, tuple[str, tuple[int, ...], str | None]] = {
    "count-selected": ("count", (1,), "int"),
    "count": ("count", (1,), "int"),
    "coalesce": ("coalesce", (2,), None),
    "sum": ("sum", (1,), "number"),
    "string-length": ("len", (1,), "int"),
    "today": ("today", (0,), "date"),
    "round": ("round", (1, 2), "number"),
    "concat": ("concat", tuple(range(1, 30)), "text"),
    "max": ("max_of", tuple(range(1, 30)), "number"),
    "min": ("min_of", tuple(range(1, 30)), "number"),
}
# Days in a year, as forms divide a number of days by to get an age.
_YEAR = {Decimal("365"), Decimal("365.25"), Decimal("365.24"), Decimal("365.2425")}
_ISO_DATE = {"%Y-%m-%d"}
MAX_POWER = 10


def unsupported(function: str) -> None:
    """Raise Untranslatable before the arguments are read, for a function without equivalent."""
    if function in _UNSUPPORTED:
        raise Untranslatable(_(_UNSUPPORTED[function]))
    if function in _MATH:
        raise Untranslatable(
            _("the math function {name}() has no equivalent").format(name=function)
        )


def call(function: str, args: list[Node], context: Context, search: str) -> Node:
    """The bundle expression for `function(args)`; `search` is regex()'s pattern rewritten to
    match the whole text (expressions.search_pattern), or "" when it is not a literal."""
    dated = _dates(function, args, context)
    if dated is not None:
        return dated
    whole = _whole_numbers(function, args, context)
    if whole is not None:
        return whole
    values = [value_of(a, context.notes) for a in args]
    texts = [a.text for a in values]
    if function == "regex" and len(args) == 2 and search:
        return Node(f"regex({texts[0]}, {search})", kind="bool")
    simple = _SIMPLE.get(function)
    if simple is not None and len(args) in simple[1]:
        kind = simple[2] if function != "coalesce" else values[0].kind
        return Node(f"{simple[0]}({', '.join(texts)})", kind=kind)
    if function in ("true", "false") and not args:
        return Node(function, kind="bool")
    if function == "not" and len(args) == 1:
        return Node(f"(not {texts[0]})", kind="bool")
    if function == "if" and len(args) == 3:
        kind = values[1].kind if values[1].kind == values[2].kind else None
        if {values[1].kind, values[2].kind} == {"int", "number"}:
            kind = "number"
        return Node(f"({texts[1]} if {texts[0]} else {texts[2]})", kind=kind)
    if function == "selected" and len(args) == 2:
        code = args[1].literal if args[1].literal is not None else args[1].text
        literal = quote(context.code(code))
        if args[0].name and context.kind(args[0].name) == "choice":
            return Node(f"({texts[0]} == {literal})", kind="bool")
        return Node(f"selected({texts[0]}, {literal})", kind="bool")
    if function in ("string", "number") and len(args) == 1:
        return values[0]
    if function == "abs" and len(args) == 1 and values[0].kind in (*NUMBERS, None):
        if values[0].value is not None:
            return number(abs(values[0].value))
        x = texts[0]
        return Node(f"((-{x}) if {x} < 0 else {x})", kind=values[0].kind)
    if function == "pow" and len(args) == 2:
        return _power(values[0], values[1])
    raise Untranslatable(
        _("the function {name}() with {n} arguments has no equivalent").format(
            name=function, n=len(args)
        )
    )


def _dates(function: str, args: list[Node], context: Context) -> Node | None:
    if function in ("date", "date-time") and len(args) == 1:
        (arg,) = args
        if arg.literal is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", arg.literal):
            return Node(arg.text, literal=arg.literal, kind="date")
        if arg.kind in ("date", "days", None, *NUMBERS):
            return as_date(arg)
        raise Untranslatable(_("date() of something that is not a date has no equivalent"))
    if function == "decimal-date-time" and len(args) == 1:
        return days_since_1970(args[0])
    if function == "now" and not args:
        context.notes.append(
            _("now() has a time of day; the bundle has dates only: written as today()")
        )
        return Node("today()", kind="date")
    if function in ("format-date", "format-date-time") and len(args) == 2:
        date = value_of(args[0], context.notes)
        form = args[1].literal
        if form in _ISO_DATE and date.kind == "date":
            return Node(f"concat({date.text})", kind="text")
        raise Untranslatable(
            _(
                "{name}() with the format {format} has no equivalent (the app shows a date as "
                "dd-mm-jjjj itself; only '%Y-%m-%d' is written, as concat())"
            ).format(name=function, format=args[1].text)
        )
    return None


def _whole_numbers(function: str, args: list[Node], context: Context) -> Node | None:
    if function not in ("int", "floor", "ceiling") or len(args) != 1:
        return None
    (arg,) = args
    if arg.value is not None:
        rounding = {"int": "ROUND_DOWN", "floor": "ROUND_FLOOR", "ceiling": "ROUND_CEILING"}
        return number(arg.value.to_integral_value(rounding=rounding[function]))
    if arg.kind == "span" and function != "ceiling":
        offset = arg.offset.value if arg.offset else 0
        if arg.divisor == 1:
            return arg  # a number of days is whole already
        if arg.divisor in _YEAR and offset == 0:
            context.notes.append(
                _(
                    "{name}(days div {n}) counts years of {n} days; written as whole calendar "
                    "years (years_between, age), which can differ by a day around a birthday"
                ).format(name=function, n=arg.divisor)
            )
            if arg.base == "today()":
                return Node(f"age({arg.other})", kind="int")
            return Node(f"years_between({arg.other}, {arg.base})", kind="int")
    if arg.kind == "int":
        return arg
    raise Untranslatable(
        _(
            "{name}() of a number that may have a fraction has no equivalent (the bundle has "
            "round(), which rounds half up)"
        ).format(name=function)
    )


def _power(base: Node, exponent: Node) -> Node:
    if exponent.value is None or not is_whole(exponent) or not 0 <= exponent.value <= MAX_POWER:
        raise Untranslatable(
            _("pow() with an exponent other than a whole number from 0 to {n}").format(n=MAX_POWER)
        )
    times = int(exponent.value)
    if base.value is not None:
        return number(base.value**times)
    if base.kind not in (*NUMBERS, None):
        raise Untranslatable(_("pow() of something that is not a number"))
    if times == 0:
        return number(Decimal(1))
    return Node("(" + " * ".join([base.text] * times) + ")", kind=base.kind)
