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


class AskScreen(LocalizedBindings, ModalScreen[list[str] | None]):
    """Enter in the last field answers; Escape cancels. Every field must be filled in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="ask.cancel"),
    ]

    def __init__(self, title: str, prompts: list[str], values: list[str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.prompts = prompts
        self.values = values or [""] * len(prompts)

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Label(self.title_text, classes="title")
            for index, (prompt, value) in enumerate(zip(self.prompts, self.values, strict=True)):
                yield Input(value=value, placeholder=prompt, id=f"ask-{index}")
            yield Label("", id="ask-message", classes="error")

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
