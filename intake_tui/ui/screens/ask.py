"""A small dialog that asks for one or more lines of text (a reason, a value)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from intake_tui.i18n import N_, _
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.screens.dialogs import MessageLine


class AskScreen(LocalizedBindings, ModalScreen[list[str] | None]):
    """Enter in the last field answers; Escape cancels. Every field must be filled in.

    Each field has its prompt as a label above it, so a filled field still says what it is."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="ask.cancel"),
    ]

    def __init__(
        self, title: str, prompts: list[str], values: list[str] | None = None, message: str = ""
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.prompts = prompts
        self.values = values or [""] * len(prompts)
        self.message = message  # why it asks again (what was typed did not do)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self.title_text, classes="title")
            for index, (prompt, value) in enumerate(zip(self.prompts, self.values, strict=True)):
                yield Label(prompt, classes="field-label")
                yield Input(value=value, id=f"ask-{index}")
            yield MessageLine(self.message, id="ask-message")
            yield Label(
                _("Enter: next field; Enter in the last one keeps it. Escape: cancel."),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#ask-0", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        answers = [
            self.query_one(f"#ask-{i}", Input).value.strip() for i in range(len(self.prompts))
        ]
        if event.input.id != f"ask-{len(self.prompts) - 1}":
            self.focus_next()
            return
        if not all(answers):
            self.query_one("#ask-message", Label).update(_("Fill in every line."))
            return
        self.dismiss(answers)

    def action_cancel(self) -> None:
        self.dismiss(None)
