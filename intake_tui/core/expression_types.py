"""The types of an expression, checked once when a bundle loads (issue 17).

A logic mistake such as ``burgerlijke_staat == 'gehuwt'`` (the list has ``gehuwd``) or
``naam > 3`` (text against a number) compiles, and then the question is simply never shown. Each
question's value type is known from its ``type``, so the loader checks every compiled expression
against them and reports, at the place of the offending literal or operator:

* a string compared with a choice or multi-choice question (``==``, ``!=``, ``in [...]``,
  ``'code' in q``, ``selected(q, 'code')``) that is not one of its codes, with "did you mean";
* ``== != < <= > >= in`` between text (or a choice code) and a number, a date and a number, or
  text and a date; a string literal written ``'YYYY-MM-DD'`` is a date (and text), so
  ``geboortedatum < '2000-01-01'`` is fine;
* ``selected()`` on a question that is not a multi-choice (a single choice is compared with
  ``==``);
* an argument a function can never use (issue 18): ``add_days``/``add_months`` of anything but a
  date (text, a choice, a number); a number of days, months or decimals, or an operand of
  ``sum``/``round``, that is not a number; ``regex`` on what is not text; a yes/no value in
  ``concat``.

Nothing else is reported: where a type is not known (a calculated question whose expression has
no clear type, `case.<field>`, a repeat, an item that failed to load, a list whose codes are not
known), nothing is said. The tree checked is the one `compile_expression` kept
(`Expression.syntax`); this module reads items only through their attributes, so it imports no
part of the bundle format.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from intake_tui.core.expression_base import Expression, Syntax
from intake_tui.i18n import _

if TYPE_CHECKING:
    from intake_tui.core.bundle_model import Item

# The expressions of an item, in the order they are compiled and checked (bundle_builder.py).
EXPRESSION_FIELDS: Final = (
    "relevant",
    "constraint",
    "calculate",
    "required",
    "default",
    "choice_filter",
    "repeat_count",
)

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_CODES_LISTED: Final = 12


@dataclass(frozen=True)
class ValueType:
    """What an expression part holds. `kind` is one of: any (not known), text, isodate (a string
    literal that is a date), number, date, bool, choice, multi, list, null. A choice or multi
    keeps its question and, when known, its codes; a list the type of its items."""

    kind: str
    question: str | None = None
    codes: frozenset[str] | None = None
    item: ValueType | None = None


ANY: Final = ValueType("any")
TEXT: Final = ValueType("text")
ISODATE: Final = ValueType("isodate")
NUMBER: Final = ValueType("number")
DATE: Final = ValueType("date")
BOOL: Final = ValueType("bool")
NULL: Final = ValueType("null")

_DECLARED: Final[Mapping[str, ValueType]] = {
    "text": TEXT,
    "longtext": TEXT,
    "integer": NUMBER,
    "decimal": NUMBER,
    "year": NUMBER,
    "date": DATE,
    "yes_no": BOOL,
}
_TEXTUAL: Final = frozenset({"text", "choice", "isodate"})
_DATED: Final = frozenset({"date", "isodate"})
_RESULTS: Final[Mapping[str, ValueType]] = {
    "answered": BOOL,
    "known": BOOL,
    "is_unknown": BOOL,
    "is_declined": BOOL,
    "selected": BOOL,
    "any_of": BOOL,
    "all_of": BOOL,
    "count": NUMBER,
    "len": NUMBER,
    "age": NUMBER,
    "years_between": NUMBER,
    "today": DATE,
    "round": NUMBER,
    "sum": NUMBER,
    "concat": TEXT,
    "regex": BOOL,
    "add_days": DATE,
    "add_months": DATE,
}
# What a function's arguments must be, by position: a number, a date, or text. A kind in the
# set of what it "cannot be" is a load error; an unknown type ("any") never is.
_NOT_A_NUMBER: Final = frozenset({"text", "choice", "isodate", "date", "bool", "multi", "list"})
_NOT_A_DATE: Final = frozenset({"text", "choice", "number", "bool", "multi", "list"})
_NOT_TEXT: Final = frozenset({"number", "date", "bool", "multi", "list"})
_ARGUMENTS: Final[Mapping[str, tuple[str, ...]]] = {
    "round": ("number", "number"),
    "regex": ("text",),
    "add_days": ("date", "number"),
    "add_months": ("date", "number"),
}


@dataclass(frozen=True, order=True)
class TypeProblem:
    """A type mistake in an expression; `offset` is a 0-based character offset into the source."""

    offset: int
    message: str


# ------------------------------------------------------------------------------ the names' types


def declared_type(item: Item) -> ValueType:
    """The type of the value a question holds as written (a calculation is not looked at)."""
    if item.type in ("choice", "multi_choice"):
        codes = item.choice_codes() if item.choices else None
        return ValueType("choice" if item.type == "choice" else "multi", item.id, codes)
    return _DECLARED.get(item.type, ANY)


def question_types(items: Mapping[str, Item], order: Iterable[str]) -> dict[str, ValueType]:
    """The type of every question. A calculated question has the type its expression gives
    (`order` puts a calculation's inputs before it), or none; one that failed to compile none."""
    types: dict[str, ValueType] = {}
    for item_id in order:
        item = items[item_id]
        if not item.is_question:
            continue
        if getattr(item.spec, "calculate", None) is None:
            types[item_id] = declared_type(item)
        elif item.calculate is not None and item.calculate.syntax is not None:
            types[item_id] = _Checker(item.calculate.syntax, types, ANY).infer(
                item.calculate.syntax.tree
            )
    return types


# ------------------------------------------------------------------------------ checking


def check_types(
    expression: Expression, types: Mapping[str, ValueType], value: ValueType = ANY
) -> list[TypeProblem]:
    """The type mistakes of `expression`, given the types of the questions (a name not in
    `types` is not known) and of `value` (the answer a constraint checks)."""
    if expression.syntax is None:
        return []
    checker = _Checker(expression.syntax, types, value)
    checker.infer(expression.syntax.tree)
    return sorted(set(checker.problems))


def check_item_types(
    items: Mapping[str, Item],
    order: Iterable[str],
    report: Callable[[str, str, Expression, TypeProblem], None],
) -> None:
    """Check every expression of every item; `report(item id, field, expression, problem)`."""
    types = question_types(items, order)
    for item in items.values():
        own = declared_type(item) if item.is_question else ANY
        fields = EXPRESSION_FIELDS
        for field_name in fields:
            expression = getattr(item, field_name, None)
            if not isinstance(expression, Expression):
                continue
            value = own if field_name == "constraint" else ANY
            for problem in check_types(expression, types, value):
                report(item.id, field_name, expression, problem)
            if field_name == "repeat_count" and expression.syntax is not None:
                checker = _Checker(expression.syntax, types, ANY)
                tree = expression.syntax.tree
                found = checker.infer(tree)
                if found.kind not in ("number", "any"):
                    message = _("the count must be a number, not {kind}").format(
                        kind=checker.describe(tree, found)
                    )
                    report(item.id, field_name, expression, TypeProblem(0, message))


class _Checker:
    def __init__(self, syntax: Syntax, types: Mapping[str, ValueType], value: ValueType) -> None:
        self.syntax = syntax
        self.types = types
        self.value = value
        self.problems: list[TypeProblem] = []

    def report(self, offset: int | None, message: str) -> None:
        self.problems.append(TypeProblem(offset or 0, message))

    def infer(self, node: ast.expr) -> ValueType:
        if isinstance(node, ast.Constant):
            return _literal(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BoolOp):
            for part in node.values:
                self.infer(part)
            return BOOL
        if isinstance(node, ast.UnaryOp):
            operand = self.infer(node.operand)
            if isinstance(node.op, ast.Not):
                return BOOL
            return NUMBER if operand.kind == "number" else ANY
        if isinstance(node, ast.BinOp):
            left, right = self.infer(node.left), self.infer(node.right)
            if left.kind == right.kind == "number":
                return NUMBER
            both_text = left.kind in _TEXTUAL and right.kind in _TEXTUAL
            return TEXT if isinstance(node.op, ast.Add) and both_text else ANY
        if isinstance(node, ast.Compare):
            self.compare(node)
            return BOOL
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List):
            items = [self.infer(item) for item in node.elts]
            return ValueType("list", item=_join_all(items))
        if isinstance(node, ast.Subscript):
            container = self.infer(node.value)
            if container.kind == "multi":
                return ValueType("choice", container.question, container.codes)
            return (container.item or ANY) if container.kind == "list" else ANY
        if isinstance(node, ast.IfExp):
            self.infer(node.test)
            return _join(self.infer(node.body), self.infer(node.orelse))
        return ANY  # case.<field>, and anything the compiler would have refused

    def name(self, ident: str) -> ValueType:
        if ident in ("true", "false", "True", "False"):
            return BOOL
        if ident in ("null", "None"):
            return NULL
        if ident == "value":
            return self.value
        return self.types.get(ident, ANY)

    # ---- comparisons

    def compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        kinds = [self.infer(operand) for operand in operands]
        for index, op in enumerate(node.ops):
            left, right = operands[index], operands[index + 1]
            left_type, right_type = kinds[index], kinds[index + 1]
            at = self.syntax.between(left, right)
            if isinstance(op, ast.In | ast.NotIn):
                self.membership(left, left_type, right, right_type, at)
            else:
                self.codes(left_type, right)
                self.codes(right_type, left)
                self.pair(left, left_type, right, right_type, at)

    def membership(
        self,
        left: ast.expr,
        left_type: ValueType,
        right: ast.expr,
        right_type: ValueType,
        at: int | None,
    ) -> None:
        if right_type.kind == "multi":  # 'code' in q
            self.codes(right_type, left)
        elif isinstance(right, ast.List):  # q in ['a', 'b']
            for element in right.elts:
                self.codes(left_type, element)
            for element in right.elts:
                element_type = self.infer(element)
                if _clash(left_type, element_type):
                    self.pair(left, left_type, element, element_type, at)
                    break

    def pair(
        self,
        left: ast.expr,
        left_type: ValueType,
        right: ast.expr,
        right_type: ValueType,
        at: int | None,
    ) -> None:
        if _clash(left_type, right_type):
            message = _("cannot compare {left} with {right}").format(
                left=self.describe(left, left_type), right=self.describe(right, right_type)
            )
            if {left_type.kind, right_type.kind} & _DATED and "number" in {
                left_type.kind,
                right_type.kind,
            }:
                message += "; " + _(
                    "write a date as 'YYYY-MM-DD', or compare age(...) or years_between(...) "
                    "with a number"
                )
            self.report(at, message)

    def codes(self, question: ValueType, node: ast.expr) -> None:
        """Each string literal `node` can be that is not a code of the choice `question`."""
        if question.kind not in ("choice", "multi") or not question.codes:
            return
        for literal in _string_literals(node):
            code = str(literal.value)
            if code in question.codes:
                continue
            listed = sorted(question.codes)
            same = [c for c in listed if c.casefold() == code.casefold()]
            close = same or difflib.get_close_matches(code, listed, n=1, cutoff=0.75)
            hint = " " + _("(did you mean {name!r}?)").format(name=close[0]) if close else ""
            if len(listed) <= MAX_CODES_LISTED:
                known = _("its codes are {codes}").format(codes=", ".join(listed))
            else:
                known = _("its list has {count} codes").format(count=len(listed))
            self.report(
                self.syntax.offset(literal),
                _("{code!r} is not a code of {name!r}{hint}; {known}").format(
                    code=code, name=question.question, hint=hint, known=known
                ),
            )

    def describe(self, node: ast.expr, of: ValueType) -> str:
        kind = {
            "text": _("text"),
            "choice": _("a choice"),
            "isodate": _("a date"),
            "date": _("a date"),
            "number": _("a number"),
            "bool": _("a yes/no value"),
            "multi": _("a multi-choice"),
            "list": _("a list"),
        }.get(of.kind, of.kind)
        if isinstance(node, ast.Name) and (node.id in self.types or node.id == "value"):
            return _("{name!r} ({kind})").format(name=node.id, kind=kind)
        if isinstance(node, ast.Constant):
            return f"{kind} {node.value!r}" if isinstance(node.value, str) else kind
        return kind

    # ---- calls

    def call(self, node: ast.Call) -> ValueType:
        function = node.func.id if isinstance(node.func, ast.Name) else ""
        args = [self.infer(arg) for arg in node.args]
        if function == "selected" and len(node.args) == 2:
            target, found = node.args[0], args[0]
            if found.kind == "multi":
                self.codes(found, node.args[1])
            elif isinstance(target, ast.Name) and found.kind not in ("any", "list", "null"):
                self.report(
                    self.syntax.offset(node),
                    _(
                        "selected() is for a multi-choice question, and {name!r} is not one; "
                        "compare it with == (as in {name} == 'code')"
                    ).format(name=target.id),
                )
        self.arguments(function, node.args, args)
        if function in _RESULTS:
            return _RESULTS[function]
        if function == "coalesce":
            return _join_all(args)
        if function in ("max_of", "min_of"):
            if len(args) == 1:
                only = args[0]
                if only.kind == "list":
                    return only.item or ANY
                if only.kind == "multi":
                    return ValueType("choice", only.question, only.codes)
                return only
            return _join_all(args)
        return ANY

    def arguments(self, function: str, nodes: list[ast.expr], found: list[ValueType]) -> None:
        """Arguments that can never be what the function needs (issue 18's functions)."""
        wanted: tuple[str, ...] = _ARGUMENTS.get(function, ())
        if function == "sum":  # numbers, or one list of numbers
            wanted = ("number",) * len(nodes)
            if len(found) == 1 and found[0].kind == "list":
                wanted, found = ("number",), [found[0].item or ANY]
        refused = {"number": _NOT_A_NUMBER, "date": _NOT_A_DATE, "text": _NOT_TEXT}
        needs = {"number": _("a number"), "date": _("a date"), "text": _("text")}
        for node, kind, want in zip(nodes, found, wanted, strict=False):
            if kind.kind in refused[want]:
                self.report(
                    self.syntax.offset(node),
                    _("{function}() needs {wanted} here, not {found}").format(
                        function=function, wanted=needs[want], found=self.describe(node, kind)
                    ),
                )
        if function == "concat":
            for node, kind in zip(nodes, found, strict=True):
                if kind.kind == "bool":
                    self.report(
                        self.syntax.offset(node),
                        _(
                            "concat() cannot join a yes/no value; write a text for each, as in "
                            "('ja' if x else 'nee')"
                        ),
                    )


def _literal(constant: object) -> ValueType:
    if constant is None:
        return NULL
    if isinstance(constant, bool):
        return BOOL
    if isinstance(constant, str):
        return ISODATE if _ISO_DATE.fullmatch(constant) else TEXT
    if isinstance(constant, int | float):
        return NUMBER
    return ANY


def _clash(a: ValueType, b: ValueType) -> bool:
    """Whether `a` and `b` can never be compared: text or a date against a number, text against
    a date. A string literal that is an ISO date is both text and a date."""
    kinds = {a.kind, b.kind}
    if "number" in kinds and kinds & (_TEXTUAL | _DATED):
        return True
    return "date" in kinds and bool(kinds & {"text", "choice"})


def _join(a: ValueType, b: ValueType) -> ValueType:
    """The type of a value that is `a` or `b` (the two sides of `x if c else y`)."""
    if a == b or b.kind == "null":
        return a
    if a.kind == "null":
        return b
    kinds = {a.kind, b.kind}
    if a.kind == b.kind:
        return ValueType(a.kind)  # two different choices: a choice, codes not known
    if kinds <= _TEXTUAL:
        return TEXT
    if kinds <= _DATED:
        return DATE
    return ANY


def _join_all(types: list[ValueType]) -> ValueType:
    if not types:
        return ANY
    result = types[0]
    for other in types[1:]:
        result = _join(result, other)
    return result


def _string_literals(node: ast.expr) -> Iterator[ast.Constant]:
    """The string literals `node` evaluates to: itself, or the branches of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.IfExp):
        yield from _string_literals(node.body)
        yield from _string_literals(node.orelse)
