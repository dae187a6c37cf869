"""XLSForm's XPath expressions translated into the bundle's expression language.

A small recursive-descent parser over XLSForm's XPath subset: `${q}` → `q`, `.` → `value`,
`=` → `==`, `div` → `/`, `selected()` (as `==` on a single choice), `count-selected()`,
`if()` → `a if c else b`, `coalesce()`, `sum()`, `string-length()` → `len()`, `regex()`,
`today()`, `round()`, `concat()`, `count()`, `not()`, `and`/`or`. Anything else raises
`Untranslatable` with the reason, for the import report. Where a meaning changes (`!=` on an
empty answer), `notes` says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from intake_tui.i18n import N_, _

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{\s*(?P<refname>[^}\s]+)\s*\})|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")|(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\|)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_:.-]*(?:/[A-Za-z_][A-Za-z0-9_.-]*)*)|(?P<dot>\.\.?)"
    r"|(?P<path>/\S*))"
)
_KEYWORD_OPS = {"and", "or", "div", "mod"}
# Translated when reported (a module-level _() would keep the language of the first import).
_UNSUPPORTED = {
    "pulldata": N_("pulldata() reads an external CSV at run time; there is no equivalent"),
    "indexed-repeat": N_("indexed-repeat() has no equivalent"),
    "jr:choice-name": N_("jr:choice-name() has no equivalent"),
}


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


@dataclass
class _Node:
    text: str
    name: str | None = None  # a bare question reference
    literal: str | None = None  # a string literal's content
    number: bool = False


def translate(expression: str, context: Context) -> str:
    """The bundle expression for an XLSForm expression, or Untranslatable."""
    tokens = _tokens(expression)
    parser = _Parser(tokens, context)
    node = parser.parse_or()
    if parser.pos != len(tokens):
        raise Untranslatable(_("unexpected {token!r}").format(token=tokens[parser.pos][1]))
    return node.text


def quote(text: str) -> str:
    """A string literal of the bundle's language (no escapes: a backslash stays one)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise Untranslatable(_("a text with both kinds of quotes"))


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

    def parse_or(self) -> _Node:
        node = self.parse_and()
        while self.peek() == ("op", "or"):
            self.pos += 1
            node = _Node(f"({node.text} or {self.parse_and().text})")
        return node

    def parse_and(self) -> _Node:
        node = self.parse_compare()
        while self.peek() == ("op", "and"):
            self.pos += 1
            node = _Node(f"({node.text} and {self.parse_compare().text})")
        return node

    def parse_compare(self) -> _Node:
        node = self.parse_add()
        while self.peek()[0] == "op" and self.peek()[1] in ("=", "!=", "<", "<=", ">", ">="):
            op = self.peek()[1]
            self.pos += 1
            node = self._compare(node, op, self.parse_add())
        return node

    def _compare(self, left: _Node, op: str, right: _Node) -> _Node:
        if left.literal is not None and right.name is not None:
            left, right = right, left
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        if op in ("=", "!=") and right.literal == "":
            known = f"known({left.text})" if left.name else f"len({left.text}) > 0"
            return _Node(known if op == "!=" else f"(not {known})")
        kind = self.context.kind(left.name) if left.name else None
        if kind in ("choice", "multi_choice", "text") and right.number:
            right = _Node(f"'{self.context.code(right.text)}'", literal=right.text)
        elif kind in ("choice", "multi_choice") and right.literal is not None:
            right = _Node(quote(self.context.code(right.literal)), literal=right.literal)
        elif (
            kind in ("integer", "decimal")
            and right.literal is not None
            and re.fullmatch(r"-?\d+(\.\d+)?", right.literal)
        ):
            right = _Node(right.literal, number=True)
        if kind == "multi_choice" and op in ("=", "!="):
            raise Untranslatable(_("'=' on a select_multiple compares the whole answer"))
        if op == "!=":
            self.context.notes.append(
                _(
                    "'!=' is true in XLSForm when the answer is empty; written as "
                    "'not (… == …)' to keep that meaning"
                )
            )
            return _Node(f"(not ({left.text} == {right.text}))")
        return _Node(f"({left.text} {'==' if op == '=' else op} {right.text})")

    def parse_add(self) -> _Node:
        node = self.parse_mul()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.peek()[1]
            self.pos += 1
            node = _Node(f"({node.text} {op} {self.parse_mul().text})")
        return node

    def parse_mul(self) -> _Node:
        node = self.parse_unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "div", "mod"):
            op = self.peek()[1]
            if op == "mod":
                raise Untranslatable(_("'mod' has no equivalent"))
            self.pos += 1
            node = _Node(f"({node.text} {'/' if op == 'div' else op} {self.parse_unary().text})")
        return node

    def parse_unary(self) -> _Node:
        if self.peek() == ("op", "-"):
            self.pos += 1
            return _Node(f"(-{self.parse_unary().text})")
        return self.parse_primary()

    def parse_primary(self) -> _Node:
        kind, value = self.peek()
        self.pos += 1
        if kind == "ref":
            name = self.context.rename(value)
            return _Node(name, name=name)
        if kind == "num":
            return _Node(value, number=True)
        if kind == "str":
            content = value[1:-1]
            return _Node(quote(content), literal=content)
        if kind == "dot" and value == ".":
            return _Node("value")
        if kind == "op" and value == "(":
            node = self.parse_or()
            self.take(")")
            return _Node(node.text, name=node.name, literal=node.literal, number=node.number)
        if kind == "name" and self.peek() == ("op", "("):
            return self._call(value)
        if kind == "name" and self.context.choice_filter and "/" not in value:
            attr = value.strip().lower().replace(".", "_").replace("-", "_")
            return _Node(f"choice.{attr}")
        if kind in ("path", "name", "dot"):
            raise Untranslatable(_("XPath paths ({path}) have no equivalent").format(path=value))
        raise Untranslatable(_("unexpected {token!r}").format(token=value or "end"))

    def _args(self) -> list[_Node]:
        self.take("(")
        args: list[_Node] = []
        if self.peek() != ("op", ")"):
            args.append(self.parse_or())
            while self.peek() == ("op", ","):
                self.pos += 1
                args.append(self.parse_or())
        self.take(")")
        return args

    def _call(self, function: str) -> _Node:
        if function in _UNSUPPORTED:
            raise Untranslatable(_(_UNSUPPORTED[function]))
        args = self._args()
        texts = [a.text for a in args]
        if function == "regex" and len(args) == 2 and args[1].literal is not None:
            return _Node(f"regex({texts[0]}, {quote(search_pattern(args[1].literal))})")
        simple = _SIMPLE.get(function)
        if simple is not None and len(args) in simple[1]:
            return _Node(f"{simple[0]}({', '.join(texts)})")
        if function in ("true", "false") and not args:
            return _Node(function)
        if function == "not" and len(args) == 1:
            return _Node(f"(not {texts[0]})")
        if function == "if" and len(args) == 3:
            return _Node(f"({texts[1]} if {texts[0]} else {texts[2]})")
        if function == "selected" and len(args) == 2:
            code = args[1].literal if args[1].literal is not None else args[1].text
            literal = quote(self.context.code(code))
            if args[0].name and self.context.kind(args[0].name) == "choice":
                return _Node(f"({texts[0]} == {literal})")
            return _Node(f"selected({texts[0]}, {literal})")
        if (
            function in ("date", "string", "number")
            and len(args) == 1
            and (function != "date" or args[0].literal is not None)
        ):
            return args[0]
        raise Untranslatable(
            _("the function {name}() with {n} arguments has no equivalent").format(
                name=function, n=len(args)
            )
        )


# XLSForm function → (bundle function, allowed argument counts)
_SIMPLE: Mapping[str, tuple[str, tuple[int, ...]]] = {
    "count-selected": ("count", (1,)),
    "count": ("count", (1,)),
    "coalesce": ("coalesce", (2,)),
    "sum": ("sum", (1,)),
    "string-length": ("len", (1,)),
    "regex": ("regex", (2,)),
    "today": ("today", (0,)),
    "round": ("round", (1, 2)),
    "concat": ("concat", tuple(range(1, 30))),
    "max": ("max_of", (1,)),
    "min": ("min_of", (1,)),
}
