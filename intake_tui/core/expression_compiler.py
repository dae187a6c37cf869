"""The compiler of the expression language: a checked `ast` tree in, a tree of closures out.
Part of `intake_tui.core.expressions` (import `compile_expression` from there).
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from intake_tui.core.expression_base import (
    MAX_DEPTH,
    MAX_LIST_ITEMS,
    MAX_NODES,
    MAX_NUMBER_DIGITS,
    MAX_STRING_CHARS,
    NO_VALUE,
    ExpressionEvalError,
    ExpressionSyntaxError,
    Scope,
    _Fn,
    _Mismatch,
    _truthy,
)
from intake_tui.core.expression_functions import (
    MAX_ROUND_PLACES,
    NEW_FUNCTIONS,
    new_function,
    regex_function,
    total,
)
from intake_tui.core.expression_ops import (
    _BINARY,
    _BINARY_SYMBOLS,
    _COMPARE,
    _CONSTANT_NAMES,
    _FUNCTIONS,
    _REJECTED,
    _RESERVED,
    _STATE_FUNCTIONS,
    _const,
    _extreme,
    _guard,
    _kind,
    _neg,
    _plain_function,
    _pos,
)
from intake_tui.core.patterns import PatternError, compile_pattern


def _char_map(text: str) -> list[int]:
    """Character offset for every UTF-8 byte offset of `text` (plus one past the end)."""
    offsets: list[int] = []
    for index, char in enumerate(text):
        code = ord(char)
        width = 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        offsets.extend([index] * width)
    offsets.append(len(text))
    return offsets


class _Compiler:
    def __init__(
        self,
        text: str,
        original: str,
        shift: int,
        repeat_of: Mapping[str, str],
        allow_value: bool,
        case_fields: frozenset[str] = frozenset(),
        choice_fields: frozenset[str] | None = None,
        context_fields: Mapping[str, frozenset[str] | None] | None = None,
    ) -> None:
        self.text = text  # what was parsed: one line, leading spaces removed
        self.original = original
        self.shift = shift  # characters removed from the front of the source
        self.chars = _char_map(text)
        self.repeat_of = repeat_of
        self.allow_value = allow_value
        self.case_fields = case_fields
        self.choice_fields = choice_fields  # None: `choice.<attr>` is not allowed here
        # `intake.<id>`, `plan.<field>`, `followup.<id>`: what else of the case may be read (per
        # prefix its names; None: not checkable here, any snake_case name)
        self.context_fields = context_fields or {}
        self.names: set[str] = set()
        self.free_names: set[str] = set()
        self.aggregated: set[str] = set()
        self.uses_value = False
        self.in_aggregate = False

    # ---- positions

    def offset(self, node: ast.expr | ast.keyword) -> int | None:
        if node.lineno != 1 or not 0 <= node.col_offset < len(self.chars):
            return None
        return self.shift + self.chars[node.col_offset]

    def segment(self, node: ast.expr) -> str:
        end = node.end_col_offset
        if node.lineno != 1 or node.end_lineno != 1 or end is None or end >= len(self.chars):
            return ""
        return self.text[self.chars[node.col_offset] : self.chars[end]]

    def error(self, message: str, node: ast.expr | ast.keyword) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, self.offset(node))

    # ---- checks before compiling

    def check_limits(self, body: ast.expr) -> None:
        """Count nodes and depth without recursion; refuse comments outside string literals."""
        nodes = 0
        string_spans: list[tuple[int, int]] = []
        stack: list[tuple[ast.AST, int]] = [(body, 1)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, ast.expr):
                nodes += 1
                if nodes > MAX_NODES:
                    raise ExpressionSyntaxError(
                        f"an expression has at most {MAX_NODES} parts; simplify it"
                    )
                if depth > MAX_DEPTH:
                    raise self.error(
                        f"an expression is nested at most {MAX_DEPTH} levels deep", node
                    )
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    end = node.end_col_offset
                    if node.lineno == 1 and node.end_lineno == 1 and end is not None:
                        string_spans.append((self.chars[node.col_offset], self.chars[end]))
                depth += 1
            for child in ast.iter_child_nodes(node):
                stack.append((child, depth))
        for match in re.finditer("#", self.text):
            if not any(start <= match.start() < end for start, end in string_spans):
                raise ExpressionSyntaxError(
                    "comments (#) are not allowed", self.shift + match.start()
                )

    # ---- compiling

    def build(self, node: ast.expr) -> _Fn:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary_op(node)
        if isinstance(node, ast.BinOp):
            return self.bin_op(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List):
            return self.list_(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.IfExp):
            return self.if_exp(node)
        if isinstance(node, ast.Attribute):
            return self.case_field(node)
        message = _REJECTED.get(type(node), f"{type(node).__name__} is not allowed")
        raise self.error(message, node)

    def constant(self, node: ast.Constant) -> _Fn:
        constant = node.value
        if constant is None or isinstance(constant, bool):
            return _const(constant)
        if isinstance(constant, int):
            text = self.segment(node)
            if not re.fullmatch(r"[0-9][0-9_]*", text):
                raise self.error("write whole numbers with the digits 0-9 only", node)
            self.check_digits(text, node)
            return _const(constant)
        if isinstance(constant, float):
            text = self.segment(node)
            if not re.fullmatch(r"[0-9_]*\.[0-9_]*", text):
                raise self.error("write numbers without an exponent, as in 2.5", node)
            self.check_digits(text, node)
            return _const(Decimal(text.replace("_", "")))
        if isinstance(constant, str):
            if len(constant) > MAX_STRING_CHARS:
                raise self.error(f"a text is at most {MAX_STRING_CHARS} characters", node)
            start, end = self.offset(node), node.end_col_offset
            if start is not None and end is not None and end < len(self.chars):
                written = self.original[start : self.shift + self.chars[end]]
                if "\n" in written or "\r" in written:
                    raise self.error("a text cannot contain a line break", node)
            return _const(constant)
        if isinstance(constant, bytes):
            raise self.error("bytes literals are not allowed", node)
        if isinstance(constant, complex):
            raise self.error("complex numbers are not allowed", node)
        raise self.error(f"{constant!r} is not allowed", node)

    def check_digits(self, text: str, node: ast.expr) -> None:
        digits = sum(char.isdigit() for char in text)
        if digits > MAX_NUMBER_DIGITS:
            raise self.error(f"a number has at most {MAX_NUMBER_DIGITS} digits", node)

    def name(self, node: ast.Name) -> _Fn:
        ident = node.id
        if ident in _CONSTANT_NAMES:
            return _const(_CONSTANT_NAMES[ident])
        if ident == "value":
            if not self.allow_value:
                raise self.error("value can only be used in a constraint", node)
            self.uses_value = True
            offset = self.offset(node)

            def read_value(scope: Scope, value: object) -> object:
                if value is NO_VALUE:
                    raise ExpressionEvalError("value is only known when checking an answer", offset)
                return value

            return read_value
        self.note_name(ident)

        def read(scope: Scope, value: object) -> object:
            return scope.value(ident)

        return read

    def note_name(self, ident: str) -> None:
        self.names.add(ident)
        if not self.in_aggregate:
            self.free_names.add(ident)

    def bool_op(self, node: ast.BoolOp) -> _Fn:
        parts = tuple(self.build(part) for part in node.values)
        if isinstance(node.op, ast.And):

            def run_and(scope: Scope, value: object) -> object:
                return all(_truthy(part(scope, value)) for part in parts)

            return run_and

        def run_or(scope: Scope, value: object) -> object:
            return any(_truthy(part(scope, value)) for part in parts)

        return run_or

    def unary_op(self, node: ast.UnaryOp) -> _Fn:
        operand = self.build(node.operand)
        if isinstance(node.op, ast.Not):

            def run_not(scope: Scope, value: object) -> object:
                return not _truthy(operand(scope, value))

            return run_not
        if isinstance(node.op, ast.USub | ast.UAdd):
            function = _neg if isinstance(node.op, ast.USub) else _pos

            def run_sign(scope: Scope, value: object) -> object:
                return function(operand(scope, value))

            return _guard(run_sign, self.offset(node))
        raise self.error("'~' is not allowed", node)

    def bin_op(self, node: ast.BinOp) -> _Fn:
        kind = type(node.op)
        if kind not in _BINARY:
            symbol = _BINARY_SYMBOLS.get(kind, kind.__name__)
            raise self.error(f"'{symbol}' is not allowed; use + - * /", node)
        _symbol, function = _BINARY[kind]
        left, right = self.build(node.left), self.build(node.right)

        def run(scope: Scope, value: object) -> object:
            return function(left(scope, value), right(scope, value))

        return _guard(run, self.offset(node))

    def compare(self, node: ast.Compare) -> _Fn:
        for operand in (node.left, *node.comparators):
            if _is_null(operand):
                raise self.error(
                    "a comparison with null is always false; use answered(x) or known(x)",
                    operand,
                )
        operators: list[Callable[[object, object], bool]] = []
        for op in node.ops:
            if isinstance(op, ast.Is | ast.IsNot):
                raise self.error("'is' is not allowed; use == or known(x)", node)
            operators.append(_COMPARE[type(op)])
        first = self.build(node.left)
        steps = tuple(zip(operators, (self.build(c) for c in node.comparators), strict=True))

        def run(scope: Scope, value: object) -> object:
            left = first(scope, value)
            for operator, right_fn in steps:
                right = right_fn(scope, value)
                if not operator(left, right):
                    return False
                left = right
            return True

        return _guard(run, self.offset(node))

    def if_exp(self, node: ast.IfExp) -> _Fn:
        """`a if condition else b`: only the chosen side is evaluated; None counts as false."""
        condition, yes, no = self.build(node.test), self.build(node.body), self.build(node.orelse)

        def run(scope: Scope, value: object) -> object:
            return yes(scope, value) if _truthy(condition(scope, value)) else no(scope, value)

        return run

    def case_field(self, node: ast.Attribute) -> _Fn:
        """`case.<field>`: a fact of the new-intake form, where the caller allows it (defaults)."""
        if isinstance(node.value, ast.Name) and node.value.id == "choice":
            return self.choice_attr(node)
        base, parts = _dotted(node)
        if base is not None and base in self.context_fields:
            return self.context_name(base, parts, node)
        if not (isinstance(node.value, ast.Name) and node.value.id == "case") or not (
            self.case_fields
        ):
            raise self.error(_REJECTED[ast.Attribute], node)
        name = node.attr
        if name not in self.case_fields:
            close = difflib.get_close_matches(name, sorted(self.case_fields), n=1, cutoff=0.6)
            hint = f"; did you mean case.{close[0]}?" if close else ""
            fields = ", ".join(f"case.{f}" for f in sorted(self.case_fields))
            raise self.error(f"unknown case field {name!r}{hint} (there are {fields})", node)
        return lambda scope, value: scope.case(name)

    def context_name(self, prefix: str, parts: list[str], node: ast.Attribute) -> _Fn:
        """`intake.<id>`, `plan.<field>` (dotted), `followup.<id>`: another part of the case."""
        key = ".".join(parts)
        known = self.context_fields[prefix]
        if known is not None and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
            hint = f"; did you mean {prefix}.{close[0]}?" if close else ""
            raise self.error(f"unknown name {prefix}.{key}{hint}", node)
        return lambda scope, value: scope.context(prefix, key)

    def choice_attr(self, node: ast.Attribute) -> _Fn:
        """`choice.<attr>`: a filter attribute of the candidate choice (in a choice_filter)."""
        if self.choice_fields is None:
            raise self.error("choice.<attribute> is only allowed in a choice_filter", node)
        name = node.attr
        if name not in self.choice_fields:
            if not self.choice_fields:
                raise self.error(
                    f"unknown choice attribute {name!r}: the choices of this question have no "
                    "attrs",
                    node,
                )
            close = difflib.get_close_matches(name, sorted(self.choice_fields), n=1, cutoff=0.6)
            hint = f"; did you mean choice.{close[0]}?" if close else ""
            fields = ", ".join(f"choice.{f}" for f in sorted(self.choice_fields))
            raise self.error(f"unknown choice attribute {name!r}{hint} (there are {fields})", node)
        return lambda scope, value: scope.choice(name)

    def list_(self, node: ast.List) -> _Fn:
        if len(node.elts) > MAX_LIST_ITEMS:
            raise self.error(f"a list has at most {MAX_LIST_ITEMS} items", node)
        items = tuple(self.build(item) for item in node.elts)

        def run(scope: Scope, value: object) -> object:
            return tuple(item(scope, value) for item in items)

        return run

    def subscript(self, node: ast.Subscript) -> _Fn:
        index = _int_literal(node.slice)
        if index is None:
            raise self.error("only a whole-number literal can index a list, as in x[0]", node)
        base = self.build(node.value)

        def run(scope: Scope, value: object) -> object:
            container = base(scope, value)
            if container is None:
                return None
            if not isinstance(container, tuple | list):
                raise _Mismatch(f"only a list can be indexed, not {_kind(container)}")
            if -len(container) <= index < len(container):
                return container[index]
            return None

        return _guard(run, self.offset(node))

    # ---- calls

    def call(self, node: ast.Call) -> _Fn:
        if not isinstance(node.func, ast.Name):
            raise self.error("only the listed functions can be called", node)
        function = node.func.id
        if function not in _FUNCTIONS:
            raise self.error(_unknown_function(function), node.func)
        if node.keywords:
            raise self.error(f"{function}() takes no named arguments", node.keywords[0])
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(_REJECTED[ast.Starred], arg)
        least, most = _FUNCTIONS[function]
        count = len(node.args)
        if count < least or (most is not None and count > most):
            raise self.error(f"{function}() {_arity(least, most)}, not {count}", node)
        offset = self.offset(node)
        if function in _STATE_FUNCTIONS or function == "count":
            return _guard(self.question_function(function, node), offset)
        if function in ("any_of", "all_of", "max_of", "min_of", "sum") and count == 1:
            repeat = self.aggregate_repeat(function, node.args[0])
            if repeat is not None:
                return _guard(self.aggregate(function, repeat, node.args[0]), offset)
        if function == "regex":
            return _guard(self.regex(node), offset)
        if function == "round" and count == 2:
            self.check_places(node.args[1])
        args = tuple(self.build(arg) for arg in node.args)
        if function in NEW_FUNCTIONS:
            return _guard(new_function(function, args), offset)
        return _guard(_plain_function(function, args), offset)

    def regex(self, node: ast.Call) -> _Fn:
        """`regex(x, 'pattern')`: the pattern is a string literal, compiled by RE2 now."""
        text_node, pattern_node = node.args
        if not (isinstance(pattern_node, ast.Constant) and isinstance(pattern_node.value, str)):
            raise self.error(
                "regex() needs its pattern written as a text, as in regex(x, '[0-9]+')",
                pattern_node,
            )
        self.constant(pattern_node)  # the limits of a string literal
        written = _RAW_TEXT.fullmatch(self.segment(pattern_node))
        if written is None:
            raise self.error(
                "regex() needs its pattern written as one text in '...' or \"...\"", pattern_node
            )
        # Read as written, backslashes and all (as r'...'): '\bword\b' is a word boundary, not
        # a backspace, and '\1' is refused as the backreference it looks like.
        pattern = written.group(2)
        try:
            compiled = compile_pattern(pattern)
        except PatternError as error:
            raise self.error(f"invalid regular expression: {error}", pattern_node) from None
        return regex_function(self.build(text_node), compiled.fullmatch)

    def check_places(self, places: ast.expr) -> None:
        """round(x, n) with a literal n: 0 to MAX_ROUND_PLACES, checked now."""
        literal = _int_literal(places)
        if literal is not None and not 0 <= literal <= MAX_ROUND_PLACES:
            raise self.error(
                f"round() rounds to 0 to {MAX_ROUND_PLACES} decimals, not {literal}", places
            )

    def question_function(self, function: str, node: ast.Call) -> _Fn:
        arg = node.args[0]
        if not isinstance(arg, ast.Name) or arg.id in _RESERVED:
            raise self.error(f"{function}() needs a question id, as in {function}(q)", arg)
        question = arg.id
        self.note_name(question)
        if function == "answered":
            return lambda scope, value: scope.state(question) is not None
        if function == "known":
            return lambda scope, value: (
                scope.state(question) == "answered" and scope.value(question) is not None
            )
        if function == "is_unknown":
            return lambda scope, value: scope.state(question) == "unknown"
        if function == "is_declined":
            return lambda scope, value: scope.state(question) == "declined"

        def run_count(scope: Scope, value: object) -> object:
            answer = scope.value(question)
            if answer is None:
                return 0
            if isinstance(answer, tuple | list):
                return len(answer)
            raise _Mismatch(
                f"count() needs a repeat or a multi-choice question, not {_kind(answer)}"
            )

        return run_count

    def aggregate_repeat(self, function: str, arg: ast.expr) -> str | None:
        """The one repeat whose questions `arg` names, or None when it names none."""
        repeats: set[str] = set()
        for child in ast.walk(arg):
            if isinstance(child, ast.Name) and child.id in self.repeat_of:
                repeats.add(self.repeat_of[child.id])
        if len(repeats) > 1:
            listed = ", ".join(sorted(repeats))
            raise self.error(
                f"{function}() names questions of more than one repeat ({listed})", arg
            )
        return next(iter(repeats), None)

    def aggregate(self, function: str, repeat: str, arg: ast.expr) -> _Fn:
        if self.in_aggregate:
            raise self.error(
                f"{function}() over a repeat cannot be inside another aggregate over a repeat",
                arg,
            )
        self.in_aggregate = True
        try:
            inner = self.build(arg)
        finally:
            self.in_aggregate = False
        self.aggregated.add(repeat)

        if function == "any_of":

            def run_any(scope: Scope, value: object) -> object:
                return any(_truthy(inner(each, value)) for each in scope.instances(repeat))

            return run_any
        if function == "all_of":

            def run_all(scope: Scope, value: object) -> object:
                instances = scope.instances(repeat)
                return len(instances) > 0 and all(_truthy(inner(each, value)) for each in instances)

            return run_all
        if function == "sum":

            def run_sum(scope: Scope, value: object) -> object:
                return total(inner(each, value) for each in scope.instances(repeat))

            return run_sum
        largest = function == "max_of"

        def run_extreme(scope: Scope, value: object) -> object:
            return _extreme((inner(each, value) for each in scope.instances(repeat)), largest)

        return run_extreme


# One string literal (no implicit concatenation of two), optionally r/u: its quote and its text.
_RAW_TEXT = re.compile(r"""[rRuU]?(['"])((?:[^\\'"]|\\.|(?!\1)['"])*)\1""", re.DOTALL)


def _is_null(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is None
    return isinstance(node, ast.Name) and node.id == "null"


def _int_literal(node: ast.expr) -> int | None:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    ):
        return sign * node.value
    return None


def _arity(least: int, most: int | None) -> str:
    if most is None:
        return f"takes at least {least} argument{'s' if least != 1 else ''}"
    if least == most:
        return f"takes {least} argument{'s' if least != 1 else ''}"
    return f"takes {least} to {most} arguments"


def _unknown_function(function: str) -> str:
    close = difflib.get_close_matches(function, sorted(_FUNCTIONS), n=1, cutoff=0.6)
    if close:
        return f"unknown function {function!r}; did you mean {close[0]!r}?"
    return f"unknown function {function!r}; the functions are: " + ", ".join(sorted(_FUNCTIONS))


def _bad_char_offset(text: str) -> int | None:
    for index, char in enumerate(text):
        if char == "\x00" or 0xD800 <= ord(char) <= 0xDFFF:
            return index
    return None


def _dotted(node: ast.Attribute) -> tuple[str | None, list[str]]:
    """`a.b.c` as ("a", ["b", "c"]); (None, []) when the chain does not start at a name."""
    parts: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        parts.insert(0, current.attr)
        current = current.value
    return (current.id, parts) if isinstance(current, ast.Name) else (None, [])
