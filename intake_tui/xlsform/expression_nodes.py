"""The values the XPath translator passes around, with what it knows of their type, and XLSForm's
date arithmetic written as the bundle's dates.

XPath counts a date as a number of days since 1970 when it is added to or compared with a
number: `${d} + 30` is a number, `date(${d} + 30)` the date 30 days later, `today() - ${d}`
a number of days. The bundle has dates, `add_days()` and whole years (`years_between()`,
`age()`), but no number of days. So a date plus days (`_Node.kind == "days"`) becomes
`add_days()` where a date is wanted, and a difference of two dates (`"span"`) survives only in
a comparison with a number, which is rewritten as a comparison of dates (exact, as dates are
whole days), or inside `int(… div 365.25)`, which becomes whole years (with a note). Anything
else raises Untranslatable with the reason.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from intake_tui.i18n import _

# A bundle question type → what the translator knows of its value.
VALUE_KINDS = {
    "integer": "int",
    "year": "int",
    "decimal": "number",
    "date": "date",
    "text": "text",
    "longtext": "text",
    "choice": "text",
    "yes_no": "bool",
}
NUMBERS = ("int", "number")


class Untranslatable(ValueError):
    """An expression that cannot be written in the bundle's language; the message says why."""


@dataclass
class Context:
    """What the translator needs to know about the form."""

    rename: Callable[[str], str]  # an XLSForm name → its bundle id
    kind: Callable[[str], str | None]  # a bundle id → its bundle type (None: unknown)
    code: Callable[[str], str] = lambda code: code  # a choice code → its bundle code
    choice_filter: bool = False  # bare names are choice columns (`choice.<attr>`)
    notes: list[str] = field(default_factory=list)
    result: str | None = None  # what the whole expression gives (VALUE_KINDS' values)
    value_kind: str | None = None  # the bundle type of `.` (the question a constraint checks)


@dataclass
class Node:
    """A translated part of an expression.

    `kind` is what it gives: "int", "number", "text", "bool", "date", None (unknown), or one of
    XPath's numbers of days: "days" (`base` plus `offset` days) and "span" (`base` minus `other`,
    plus `offset`, divided by `divisor`)."""

    text: str
    name: str | None = None  # a bare question reference
    literal: str | None = None  # a string literal's content
    number: bool = False  # a number literal
    kind: str | None = None
    value: Decimal | None = None  # a number literal's value, so constants can be folded
    base: str = ""
    other: str = ""
    offset: Node | None = None  # "days": the days added (a whole number); "span": a literal
    divisor: Decimal = Decimal(1)


def number(value: Decimal) -> Node:
    """A number literal for `value` (folded from literals)."""
    whole = value == value.to_integral_value()
    text = str(int(value)) if whole else format(value.normalize(), "f")
    if value < 0:
        text = f"({text})"
    return Node(text, number=True, kind="int" if whole else "number", value=value)


def is_whole(node: Node) -> bool:
    if node.value is not None:
        return node.value == node.value.to_integral_value()
    return node.kind == "int"


def arith(left: Node, op: str, right: Node) -> Node:
    """`left op right` on numbers (op: + - * /), folded when both are literals."""
    if left.value is not None and right.value is not None:
        try:
            folded = {
                "+": left.value + right.value,
                "-": left.value - right.value,
                "*": left.value * right.value,
                "/": left.value / right.value if right.value else None,
            }[op]
        except decimal.DecimalException:
            folded = None
        if folded is not None:
            return number(folded)
    kind: str | None = "int" if op != "/" and left.kind == right.kind == "int" else "number"
    if None in (left.kind, right.kind):
        kind = None
    return Node(f"({left.text} {op} {right.text})", kind=kind)


def days_since_1970(node: Node) -> Node:
    """A date as XPath's number of days (`decimal-date-time(d)`, or a date in arithmetic)."""
    if node.kind == "days":
        return node
    if node.kind not in ("date", None):  # None: not known here; the loader checks the type
        raise Untranslatable(_("decimal-date-time() of something that is not a date"))
    return Node(node.text, kind="days", base=node.text)


def add_days(node: Node, op: str, days: Node) -> Node:
    """A date or a "days" plus or minus a number of days: "days"."""
    if days.kind is not None and (days.kind not in NUMBERS or not is_whole(days)):
        raise Untranslatable(
            _("a date plus a number of days that may have a fraction has no equivalent")
        )
    start = days_since_1970(node)
    step = days if op == "+" else arith(number(Decimal(0)), "-", days)
    offset = step if start.offset is None else arith(start.offset, "+", step)
    return replace(start, text=f"({start.text} {op} {days.text})", offset=offset)


def span(later: Node, earlier: Node) -> Node:
    """The number of days from `earlier` to `later` (dates or "days" with literal offsets)."""
    first, second = days_since_1970(later), days_since_1970(earlier)
    shift = Decimal(0)
    for part, sign in ((first, 1), (second, -1)):
        if part.offset is not None:
            if part.offset.value is None:
                raise Untranslatable(_("a difference of dates shifted by a question's answer"))
            shift += sign * part.offset.value
    return Node(
        f"({first.text} - {second.text})",
        kind="span",
        base=first.base,
        other=second.base,
        offset=number(shift),
    )


def shift_span(node: Node, op: str, amount: Node) -> Node:
    """A "span" plus, minus or divided by a number literal."""
    if amount.value is None or (op == "/" and amount.value <= 0):
        raise Untranslatable(_("a number of days between two dates has no equivalent"))
    offset = node.offset.value if node.offset and node.offset.value is not None else Decimal(0)
    if op == "/":
        return replace(node, divisor=node.divisor * amount.value)
    if op not in ("+", "-"):
        raise Untranslatable(_("a number of days between two dates has no equivalent"))
    moved = amount.value * node.divisor
    return replace(node, offset=number(offset + (moved if op == "+" else -moved)))


def as_date(node: Node) -> Node:
    """A date, "days" as the date they count to (`add_days()`), or Untranslatable."""
    if node.kind in ("date", None):  # None: not known here; the loader checks the type
        return node
    if node.kind == "days":
        if node.offset is None or node.offset.value == 0:
            return Node(node.base, kind="date")
        return Node(f"add_days({node.base}, {node.offset.text})", kind="date")
    raise Untranslatable(_("a number of days since 1970 as a date has no equivalent"))


def value_of(node: Node, notes: list[str]) -> Node:
    """`node` where any value may stand: "days" become their date (with a note), a "span" is
    Untranslatable."""
    if node.kind == "days":
        notes.append(
            _(
                "a date plus days is a number (days since 1970) in XLSForm; written as the "
                "date itself (add_days)"
            )
        )
        return as_date(node)
    if node.kind == "span":
        raise Untranslatable(
            _(
                "a number of days between two dates has no equivalent (the bundle counts whole "
                "years: years_between(), age()); only a comparison with a number is translated"
            )
        )
    return node


def quote(text: str) -> str:
    """A string literal of the bundle's language (no escapes: a backslash stays one)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise Untranslatable(_("a text with both kinds of quotes"))


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


def compare_span(days: Node, op: str, limit: Node, *, flipped: bool) -> tuple[Node, str, Node]:
    """`(later - earlier + offset) / divisor op limit` as `later op' add_days(earlier, n)`: the
    days between two dates are a whole number, so the comparison is exact."""
    if flipped:
        op = _FLIP[op]
    offset = days.offset.value if days.offset and days.offset.value is not None else Decimal(0)
    if limit.value is not None:
        bound = limit.value * days.divisor - offset
        whole = bound.to_integral_value(rounding=decimal.ROUND_FLOOR)
        if bound != whole:
            if op in ("=", "!="):
                raise Untranslatable(_("a whole number of days compared with a fraction"))
            if op in (">=", "<"):
                whole += 1
        shift = number(whole)
    elif days.divisor == 1 and offset == 0 and limit.kind == "int":
        shift = limit
    else:
        raise Untranslatable(_("a number of days compared with an answer that may have a fraction"))
    earlier = Node(days.other, kind="date")
    moved = earlier if shift.value == 0 else Node(f"add_days({days.other}, {shift.text})")
    return Node(days.base, kind="date"), op, replace(moved, kind="date")
