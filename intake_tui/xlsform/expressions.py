"""XLSForm's XPath expressions translated into the bundle's expression language.

A small recursive-descent parser over XLSForm's XPath subset: `${q}` and paths (`/data/g/q`,
`../q`, `current()/../q`) → `q`, `.` → `value`, `=` → `==`, `div` → `/`, `and`/`or`, unary and
binary arithmetic with constants folded, date arithmetic (expression_nodes.py) and the
functions of expression_calls.py. Anything else raises `Untranslatable` with the reason, for the
import report. Where a meaning changes (`!=` on an empty answer, `now()`, days as a date),
`Context.notes` says so.
"""

from __future__ import annotations

import re
from decimal import Decimal

from intake_tui.i18n import _
from intake_tui.xlsform.expression_calls import call, unsupported
from intake_tui.xlsform.expression_nodes import (
    NUMBERS,
    VALUE_KINDS,
    Context,
    Node,
    Untranslatable,
    add_days,
    arith,
    as_date,
    compare_span,
    quote,
    shift_span,
    span,
    value_of,
)

__all__ = ["Context", "Untranslatable", "quote", "search_pattern", "translate"]

_NAME = r"[A-Za-z_][A-Za-z0-9_:.-]*"
_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{\s*(?P<refname>[^}\s]+)\s*\})|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")"
    rf"|(?P<path>(?:\.\.?)?(?:/(?:\.\.?|{_NAME}))+)"
    r"|(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\|)"
    rf"|(?P<name>{_NAME}(?:/(?:\.\.?|{_NAME}))*)|(?P<dot>\.\.?))"
)
_KEYWORD_OPS = {"and", "or", "div", "mod"}


def translate(expression: str, context: Context) -> str:
    """The bundle expression for an XLSForm expression, or Untranslatable. `context.result`
    is then what it gives ("int", "number", "date", "text", "bool" or None)."""
    tokens = _tokens(expression)
    parser = _Parser(tokens, context)
    node = value_of(parser.parse_or(), context.notes)
    if parser.pos != len(tokens):
        raise Untranslatable(_("unexpected {token!r}").format(token=tokens[parser.pos][1]))
    context.result = node.kind
    return node.text


def search_pattern(pattern: str) -> str:
    """XLSForm's regex() finds the pattern anywhere; the bundle's matches the whole text."""
    body = pattern
    start = body.startswith("^")
    end = body.endswith("$") and not body.endswith("\\$")
    body = body[1 if start else 0 : len(body) - 1 if end else len(body)]
    if start and end:
        return body
    return ("" if start else ".*") + f"(?:{body})" + ("" if end else ".*")


def _tokens(expression: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pos = 0
    text = expression.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise Untranslatable(_("cannot read {text!r}").format(text=text[pos : pos + 20]))
        pos = match.end()
        kind = match.lastgroup or ""
        if kind == "refname":
            kind = "ref"
        value = match.group("refname") if kind == "ref" else match.group(kind)
        if kind == "name" and value in _KEYWORD_OPS:
            kind = "op"
        found.append((kind, value))
    return found


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], context: Context) -> None:
        self.tokens = tokens
        self.pos = 0
        self.context = context

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, value: str) -> None:
        if self.peek()[1] != value:
            raise Untranslatable(_("expected {token!r}").format(token=value))
        self.pos += 1

    def value(self, node: Node) -> Node:
        return value_of(node, self.context.notes)

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.peek() == ("op", "or"):
            self.pos += 1
            right = self.value(self.parse_and())
            node = Node(f"({self.value(node).text} or {right.text})", kind="bool")
        return node

    def parse_and(self) -> Node:
        node = self.parse_compare()
        while self.peek() == ("op", "and"):
            self.pos += 1
            right = self.value(self.parse_compare())
            node = Node(f"({self.value(node).text} and {right.text})", kind="bool")
        return node

    def parse_compare(self) -> Node:
        node = self.parse_add()
        while self.peek()[0] == "op" and self.peek()[1] in ("=", "!=", "<", "<=", ">", ">="):
            op = self.peek()[1]
            self.pos += 1
            node = self._compare(node, op, self.parse_add())
        return node

    def _compare(self, left: Node, op: str, right: Node) -> Node:
        if "span" in (left.kind, right.kind):
            flipped = left.kind != "span"
            days, limit = (right, left) if flipped else (left, right)
            if limit.kind not in NUMBERS:
                raise Untranslatable(_("a number of days compared with something else"))
            left, op, right = compare_span(days, op, limit, flipped=flipped)
        elif "days" in (left.kind, right.kind) or (
            "date" in (left.kind, right.kind) and {left.kind, right.kind} & set(NUMBERS)
        ):
            if {left.kind, right.kind} & set(NUMBERS):
                raise Untranslatable(
                    _("a date compared with a number (of days since 1970) has no equivalent")
                )
            left, right = as_date(left), as_date(right)
        return self._compare_values(left, op, right)

    def _compare_values(self, left: Node, op: str, right: Node) -> Node:
        if left.literal is not None and right.name is not None:
            left, right = right, left
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        if op in ("=", "!=") and right.literal == "":
            known = f"known({left.text})" if left.name else f"len({left.text}) > 0"
            return Node(known if op == "!=" else f"(not {known})", kind="bool")
        kind = self.context.kind(left.name) if left.name else None
        if kind in ("choice", "multi_choice", "text") and right.number:
            right = Node(f"'{self.context.code(right.text)}'", literal=right.text)
        elif kind in ("choice", "multi_choice") and right.literal is not None:
            right = Node(quote(self.context.code(right.literal)), literal=right.literal)
        elif (
            kind in ("integer", "decimal")
            and right.literal is not None
            and re.fullmatch(r"-?\d+(\.\d+)?", right.literal)
        ):
            right = Node(right.literal, number=True)
        if kind == "multi_choice" and op in ("=", "!="):
            raise Untranslatable(_("'=' on a select_multiple compares the whole answer"))
        if op == "!=":
            self.context.notes.append(
                _(
                    "'!=' is true in XLSForm when the answer is empty; written as "
                    "'not (… == …)' to keep that meaning"
                )
            )
            return Node(f"(not ({left.text} == {right.text}))", kind="bool")
        return Node(f"({left.text} {'==' if op == '=' else op} {right.text})", kind="bool")

    def parse_add(self) -> Node:
        node = self.parse_mul()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.peek()[1]
            self.pos += 1
            node = self._add(node, op, self.parse_mul())
        return node

    def _add(self, left: Node, op: str, right: Node) -> Node:
        dated = {"date", "days"}
        if left.kind == "span":
            return shift_span(left, op, right)
        if left.kind in dated and right.kind in dated:
            if op == "+":
                raise Untranslatable(_("two dates added together"))
            return span(left, right)
        if left.kind in dated:
            return add_days(left, op, right)
        if right.kind in dated and op == "+":
            return add_days(right, op, left)
        if right.kind in ("span", "days", "date"):
            raise Untranslatable(_("a number minus a date has no equivalent"))
        return arith(left, op, right)

    def parse_mul(self) -> Node:
        node = self.parse_unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "div", "mod"):
            op = self.peek()[1]
            if op == "mod":
                raise Untranslatable(_("'mod' has no equivalent"))
            self.pos += 1
            right = self.parse_unary()
            if node.kind == "span" and op == "div":
                node = shift_span(node, "/", right)
                continue
            left, right = self.value(node), self.value(right)
            if "date" in (left.kind, right.kind):
                raise Untranslatable(_("'{op}' of a date has no equivalent").format(op=op))
            node = arith(left, "/" if op == "div" else op, right)
        return node

    def parse_unary(self) -> Node:
        if self.peek() == ("op", "-"):
            self.pos += 1
            operand = self.value(self.parse_unary())
            if operand.value is not None:
                return arith(Node("0", number=True, kind="int", value=Decimal(0)), "-", operand)
            return Node(f"(-{operand.text})", kind=operand.kind)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        kind, value = self.peek()
        self.pos += 1
        if kind == "ref":
            return self._name(value)
        if kind == "num":
            number = Decimal(value)
            whole = "." not in value
            return Node(value, number=True, kind="int" if whole else "number", value=number)
        if kind == "str":
            content = value[1:-1]
            return Node(quote(content), literal=content, kind="text")
        if kind == "dot" and value == ".":
            return Node("value", kind=VALUE_KINDS.get(self.context.value_kind or ""))
        if kind == "op" and value == "(":
            node = self.parse_or()
            self.take(")")
            return node
        if kind == "name" and self.peek() == ("op", "("):
            return self._call(value)
        if kind == "name" and self.context.choice_filter and "/" not in value:
            attr = value.strip().lower().replace(".", "_").replace("-", "_")
            return Node(f"choice.{attr}")
        if kind in ("path", "name"):
            return self._path(value)
        if kind == "dot":
            raise Untranslatable(_("XPath paths ({path}) have no equivalent").format(path=value))
        raise Untranslatable(_("unexpected {token!r}").format(token=value or "end"))

    def _name(self, name: str) -> Node:
        bundle_id = self.context.rename(name)
        kind = self.context.kind(bundle_id)
        return Node(bundle_id, name=bundle_id, kind=VALUE_KINDS.get(kind or ""))

    def _path(self, path: str) -> Node:
        """`/data/group/q`, `../q`, `group/q`: the question named by the last step."""
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if last in ("", ".", "..") or ":" in last:
            raise Untranslatable(_("XPath paths ({path}) have no equivalent").format(path=path))
        return self._name(last)

    def _args(self) -> list[Node]:
        self.take("(")
        args: list[Node] = []
        if self.peek() != ("op", ")"):
            args.append(self.parse_or())
            while self.peek() == ("op", ","):
                self.pos += 1
                args.append(self.parse_or())
        self.take(")")
        return args

    def _call(self, function: str) -> Node:
        unsupported(function)
        args = self._args()
        if function == "current" and not args:
            kind, value = self.peek()
            if kind != "path" or not value.startswith("/"):
                raise Untranslatable(_("current() without a path after it has no equivalent"))
            self.pos += 1
            return self._path(value)
        pattern = ""
        if function == "regex" and len(args) == 2 and args[1].literal is not None:
            pattern = quote(search_pattern(args[1].literal))
        return call(function, args, self.context, pattern)
