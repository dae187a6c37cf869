"""The app is what its screens see of it: every attribute and method of `IntakeAppView`
(ui/base.py) is on `IntakeApp`, with the annotated type and the same parameters, so the Protocol
cannot drift from the app (mypy checks the same through `_as_view` in ui/app.py)."""

from __future__ import annotations

import ast
import inspect
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from intake_tui.ui import app as app_module
from intake_tui.ui import base
from intake_tui.ui.app import IntakeApp
from intake_tui.ui.base import IntakeAppView


def namespace(module: types.ModuleType) -> dict[str, Any]:
    """The module's globals plus what it imports only for the type checker."""
    names = dict(vars(module))
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            imports = [n for n in node.body if isinstance(n, ast.Import | ast.ImportFrom)]
            exec(compile(ast.Module(imports, []), module.__file__ or "", "exec"), names)
    return names


def fits(value: object, hint: Any) -> bool:
    """Does a value have the annotated type (as far as a value can tell)?"""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(fits(value, arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if getattr(hint, "_is_protocol", False) and not getattr(hint, "_is_runtime_protocol", False):
        members = [n for n in vars(hint) if not n.startswith("_")]
        return all(callable(getattr(value, n, None)) for n in members)
    return isinstance(value, origin or hint)


ATTRIBUTES = typing.get_type_hints(IntakeAppView, globalns=namespace(base))
METHODS = sorted(
    name
    for name, member in vars(IntakeAppView).items()
    if inspect.isfunction(member) and not name.startswith("_")
)


def test_the_view_names_the_app_and_its_store() -> None:
    # Guards the two lists below against coming out empty.
    assert {"store", "clock", "rtl_rendering"} <= set(ATTRIBUTES)
    assert {"unlocked", "action_lock", "screen_classes"} <= set(METHODS)


@pytest.mark.parametrize("name", sorted(ATTRIBUTES))
def test_the_app_has_each_attribute_of_the_view(name: str, tmp_path: Path) -> None:
    app = IntakeApp(tmp_path / "data")
    assert hasattr(app, name), f"IntakeApp has no {name!r}"
    value = getattr(app, name)
    assert fits(value, ATTRIBUTES[name]), f"{name} = {value!r} is not {ATTRIBUTES[name]}"


@pytest.mark.parametrize("name", METHODS)
def test_the_app_has_each_method_of_the_view_with_its_parameters(name: str) -> None:
    wanted = getattr(IntakeAppView, name)
    found = getattr(IntakeApp, name, None)
    assert inspect.isfunction(found), f"IntakeApp has no method {name!r}"

    def shape(function: Any, module: types.ModuleType) -> list[tuple[str, Any, bool, Any]]:
        hints = typing.get_type_hints(function, globalns=namespace(module))
        return [
            (p.name, p.kind, p.default is inspect.Parameter.empty, hints.get(p.name))
            for p in inspect.signature(function).parameters.values()
        ] + [("return", None, True, hints.get("return"))]

    assert shape(found, app_module) == shape(wanted, base)
