"""One-line answers (text, numbers, dates, years), and free text over several lines.

`TextAnswer` is the field plus a live, correctly ordered preview of right-to-left text (the
field itself draws, and must store, logical order). `LongTextAnswer` is a text area where
Enter starts a new line. Both turn what was typed into an `Answer` or a message that says
what is wrong; neither saves anything: the screen does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, TextArea

from intake_tui.core.display import show_answer
from intake_tui.core.questionnaire import Item
from intake_tui.core.values import VALUE_TYPES, Answer, ValueProblem
from intake_tui.i18n import _
from intake_tui.i18n.bidi import RtlMode, is_rtl_text
from intake_tui.ui.answer_input import AnswerInput
from intake_tui.ui.bidi_label import BidiLabel

TEXT_TYPES = frozenset({"text", "integer", "decimal", "date", "year"})


class TextAnswer(Vertical):
    """A one-line answer of one value type, with its right-to-left preview."""

    DEFAULT_CSS = """
    TextAnswer {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None, mode: RtlMode = "app") -> None:
        super().__init__(id=id)
        self.value_type = "text"
        self.mode: RtlMode = mode

    def compose(self) -> ComposeResult:
        yield AnswerInput(id="field-text")
        yield BidiLabel("", rtl=True, mode=self.mode, id="preview", classes="newcomer")

    @property
    def input(self) -> Input:
        return self.query_one("#field-text", Input)

    def load(self, value_type: str, text: str, *, read_only: bool = False) -> None:
        """Show `text` (the stored answer as typed, or a restored draft) for `value_type`."""
        self.value_type = value_type
        field = self.input
        field.value = text
        field.placeholder = {"date": _("dd-mm-yyyy"), "year": _("yyyy")}.get(value_type, "")
        field.disabled = read_only
        self._preview(text)

    @property
    def typed(self) -> str:
        return self.input.value.strip()

    def parse(self) -> tuple[Answer | None, str | None]:
        """(answer, None) for what was typed (None: nothing typed), or (None, problem)."""
        text = self.typed
        if not text:
            return None, None
        parse = VALUE_TYPES[self.value_type].parse
        assert parse is not None
        try:
            return Answer.of(parse(text)), None
        except ValueProblem as problem:
            return None, str(problem)

    def focus_field(self) -> None:
        self.input.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    def _preview(self, value: str) -> None:
        preview = self.query_one("#preview", BidiLabel)
        show = bool(value) and is_rtl_text(value)
        if show or preview.display:
            preview.update(value if show else "")
            preview.display = show


class LongTextAnswer(TextArea):
    """Free text over several lines: Enter starts a new line, Page Down saves and goes on."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False)

    def load(self, text: str, *, read_only: bool = False) -> None:
        self.text = text
        self.read_only = read_only

    @property
    def typed(self) -> str:
        return self.text.strip()

    def parse(self) -> tuple[Answer | None, str | None]:
        return (Answer.of(self.typed) if self.typed else None), None


def as_typed(item: Item, current: Answer | None) -> str:
    """A stored answer as the caseworker would type it ("" when there is none to type)."""
    if current is None or current.state != "answered":
        return ""
    return str(current.value) if item.type == "longtext" else show_answer(item, current)
