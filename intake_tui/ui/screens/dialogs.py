"""What every dialog shares: a centred box whose text wraps, and buttons that show their focus.

The box (`#dialog-box` in app.tcss) is centred on the screen and its labels take its whole
width, so a long question wraps instead of being cut at the border. A focused button carries
a marker (▸ label ◂) besides the theme's colour, so focus is visible without colour too; the
safe button is focused on open, so a stray Enter never does the irreversible thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from intake_tui.i18n import N_, _
from intake_tui.ui.keys import LocalizedBindings

if TYPE_CHECKING:
    from textual.visual import VisualType


class DialogButton(Button):
    """A button whose label is framed by ▸ ◂ while it has focus (the same width either way)."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        self.text = text
        super().__init__(f"  {text}  ", id=id)

    def on_focus(self) -> None:
        self.label = f"▸ {self.text} ◂"

    def on_blur(self) -> None:
        self.label = f"  {self.text}  "


class ConfirmScreen(LocalizedBindings, ModalScreen[bool]):
    """A yes/no question that says what the answer means; the safe answer has the focus.

    `no` names what the safe answer keeps ("No, do not finalize"); Escape is the same answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "no", N_("No"), id="confirm.no"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, yes: str, no: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes
        self.no = no if no is not None else _("No, change nothing")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield DialogButton(self.no, id="no")
                yield DialogButton(self.yes, id="yes")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)


class MessageLine(Label):
    """A line for what went wrong, shown only while it says something (no empty red bar)."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, classes="error")
        self.display = bool(text)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(content)
