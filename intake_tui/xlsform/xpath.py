"""Bundle expressions written back as XLSForm XPath, for `export-xlsform` (the subset that has an
equivalent; anything else gives None, and the bundle column keeps the expression)."""

from __future__ import annotations

import ast

_COMPARE = {ast.Eq: "=", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "div"}
_CALLS = {
    "count": "count-selected",
    "coalesce": "coalesce",
    "sum": "sum",
    "len": "string-length",
    "regex": "regex",
    "today": "today",
    "round": "round",
    "concat": "concat",
}


class _NoXPath(Exception):
    pass


def to_xpath(expression: str, kinds: dict[str, str]) -> str | None:
    """The XPath for a bundle expression, or None when it has no XLSForm equivalent."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return _node(tree.body, kinds)
    except (SyntaxError, _NoXPath, RecursionError):
        return None


def _node(node: ast.expr, kinds: dict[str, str]) -> str:
    if isinstance(node, ast.Name):
        if node.id in ("true", "True"):
            return "true()"
        if node.id in ("false", "False"):
            return "false()"
        if node.id == "value":
            return "."
        if node.id not in kinds:
            raise _NoXPath
        return "${" + node.id + "}"
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return "true()" if node.value else "false()"
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return repr(node.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "'" not in node.value:
        return f"'{node.value}'"
    if isinstance(node, ast.BoolOp):
        op = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + op.join(_node(v, kinds) for v in node.values) + ")"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"not({_node(node.operand, kinds)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"-{_node(node.operand, kinds)}"
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        left, right = _node(node.left, kinds), _node(node.right, kinds)
        return f"({left} {_ARITH[type(node.op)]} {right})"
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        first, second = node.left, node.comparators[0]
        if isinstance(first, ast.Name) and kinds.get(first.id) == "yes_no":
            raise _NoXPath
        return f"({_node(first, kinds)} {_COMPARE[type(node.ops[0])]} {_node(second, kinds)})"
    if isinstance(node, ast.IfExp):
        parts = (_node(node.test, kinds), _node(node.body, kinds), _node(node.orelse, kinds))
        return "if({}, {}, {})".format(*parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        name = node.func.id
        args = [_node(a, kinds) for a in node.args]
        if name == "selected" and len(args) == 2:
            return f"selected({args[0]}, {args[1]})"
        if name == "known" and len(args) == 1:
            return f"({args[0]} != '')"
        first_arg = node.args[0] if node.args else None
        if (
            name == "count"
            and isinstance(first_arg, ast.Name)
            and kinds.get(first_arg.id) == "repeat"
        ):
            return f"count({args[0]})"
        if name in _CALLS:
            return f"{_CALLS[name]}({', '.join(args)})"
    raise _NoXPath
