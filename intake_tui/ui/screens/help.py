"""F1: the keys of the screen in front of you, with what each does."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label

from intake_tui.i18n import N_, _
from intake_tui.ui.keys import LocalizedBindings


def key_lines(screen: Screen[Any], app: App[Any]) -> list[str]:
    """One line per binding of the screen (and its focused widget) and the app: the keys as
    they are now (keymap overrides included), the name, what it does and the binding id
    (settings change keys by id)."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    nodes = [screen, app]
    focused = screen.focused
    if focused is not None:
        nodes.insert(0, focused)
    for node in nodes:
        for _key, binding in node._bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            marker = (binding.action, binding.description)
            if marker in seen:
                continue
            seen.add(marker)
            keys = app._keymap.get(binding.id, binding.key) if binding.id else binding.key
            text = f"{keys.replace('ctrl+', 'ctrl-'):>12}  {binding.description}"
            if binding.tooltip:
                text += f" — {binding.tooltip}"
            if binding.id:
                text += f"  [{binding.id}]"
            lines.append(text)
    return lines


class HelpScreen(LocalizedBindings, ModalScreen[None]):
    """The keys of the screen underneath; any key closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", N_("Close"), id="help.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="unlock-box"):
            yield Label(_("Keys on this screen"), classes="title")
            for line in key_lines(self.under, self.app):
                yield Label(line)
            yield Label(_("Escape closes this help."), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
