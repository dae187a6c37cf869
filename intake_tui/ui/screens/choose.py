"""A small dialog to pick one of a few things (which follow-up questionnaire to use)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from intake_tui.i18n import N_, _
from intake_tui.ui.keys import LocalizedBindings


class ChooseScreen(LocalizedBindings, ModalScreen[int | None]):
    """Enter picks the highlighted choice (its index); Escape picks nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="choose.cancel"),
    ]

    def __init__(self, title: str, choices: list[str]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self.title_text, classes="title")
            yield OptionList(*self.choices, id="choices")
            yield Label(_("Enter: choose. Escape: cancel."), classes="hint")

    def on_mount(self) -> None:
        listing = self.query_one("#choices", OptionList)
        listing.highlighted = 0
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
