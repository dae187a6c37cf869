"""F1: the keys of the screen in front of you, with what each does."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label

from intake_tui.i18n import _


def key_lines(screen: Screen[Any], app_bindings: list[BindingType]) -> list[str]:
    """One line per binding of the screen and the app: keys, name and what it does."""
    lines: list[str] = []
    for binding in [*getattr(type(screen), "BINDINGS", []), *app_bindings]:
        if not isinstance(binding, Binding):
            continue
        keys = binding.key.replace("ctrl+", "ctrl-")
        text = f"{keys:>10}  {binding.description}"
        if binding.tooltip:
            text += f" — {binding.tooltip}"
        lines.append(text)
    return lines


class HelpScreen(ModalScreen[None]):
    """The keys of the screen underneath; any key closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", _("Close"), id="help.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        app_bindings = list(getattr(type(self.app), "BINDINGS", []))
        with VerticalScroll(id="unlock-box"):
            yield Label(_("Keys on this screen"), classes="title")
            for line in key_lines(self.under, app_bindings):
                yield Label(line)
            yield Label(_("Escape closes this help."), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
