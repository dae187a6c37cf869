"""F1: the keys of the screen in front of you, with what each does.

Everything it shows is in the caseworker's language: our own keys (each has an id), and of
Textual's the few a caseworker uses in the field that has the cursor (`keys.worth_showing`);
Textual's internal ones (copy, scroll sideways, …) are left out. Each key is one line that wraps
(never cut), and the list scrolls (at 80x24 the lower keys are reached with the arrows or Page
Down), including the keys the footer leaves out for room.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label

from intake_tui.i18n import N_, _
from intake_tui.ui.keys import LocalizedBindings, worth_showing

KEY_NAMES = {"slash": "/", "ctrl+": "ctrl-", "question_mark": "?"}


def key_text(keys: str) -> str:
    """Keys as a caseworker types them: `/`, not `slash`."""
    for name, shown in KEY_NAMES.items():
        keys = keys.replace(name, shown)
    return keys


def _binding_lines(node: DOMNode, app: App[Any], seen: set[tuple[str, str]]) -> list[str]:
    lines: list[str] = []
    for _key, binding in node._bindings:
        if not isinstance(binding, Binding) or not worth_showing(binding):
            continue
        marker = (binding.action, binding.description)
        if marker in seen:
            continue
        seen.add(marker)
        keys = app._keymap.get(binding.id, binding.key) if binding.id else binding.key
        text = f"{key_text(keys):>12}  {binding.description}"
        if binding.tooltip:
            text += f" — {binding.tooltip}"
        if binding.id:
            text += f"  [{binding.id}]"
        lines.append(text)
    return lines


def key_groups(screen: Screen[Any], app: App[Any]) -> list[tuple[str, list[str]]]:
    """(heading, lines) for the screen, the field with the cursor and the app: the keys as they
    are now (keymap overrides included), the name, what it does and the binding id (settings
    change keys by id). Keys the footer leaves out (show=False) are listed too."""
    seen: set[tuple[str, str]] = set()
    groups = [(_("Keys on this screen"), _binding_lines(screen, app, seen))]
    focused = screen.focused
    if focused is not None:
        groups.append((_("In the selected field"), _binding_lines(focused, app, seen)))
    groups.append((_("On every screen"), _binding_lines(app, app, seen)))
    return [(heading, lines) for heading, lines in groups if lines]


def key_lines(screen: Screen[Any], app: App[Any]) -> list[str]:
    """Every line of `key_groups`, without the headings."""
    return [line for _heading, lines in key_groups(screen, app) for line in lines]


class HelpScreen(LocalizedBindings, ModalScreen[None]):
    """The keys of the screen underneath; Escape or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-box {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $panel;
        padding: 0 1;
    }
    #help-box Label {
        width: 100%;
    }
    #help-box .heading {
        text-style: bold;
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", N_("Close"), id="help.close"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Label(
                _("Escape closes this help; the arrows and Page Down scroll."), classes="hint"
            )
            for heading, lines in key_groups(self.under, self.app):
                yield Label(heading, classes="heading")
                for line in lines:
                    yield Label(line, classes="key")

    def on_mount(self) -> None:
        self.query_one("#help-box", VerticalScroll).focus()  # the arrows scroll it at once

    def action_close(self) -> None:
        self.dismiss(None)
