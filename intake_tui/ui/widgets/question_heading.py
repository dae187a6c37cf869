"""The question's texts: where it is, its label and hint in the caseworker's language, and
beside or below them the newcomer's, right to left where their language is, with a mark when
that text is a fallback, may be outdated, or was never reviewed."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label

from intake_tui.i18n.bidi import RtlMode
from intake_tui.ui.bidi_label import BidiLabel


class QuestionHeading(Vertical):
    """`show` the texts of one question; `bilingual` shows or hides the newcomer's column."""

    class Resized(Message):
        """Its height changed (another question, another language): the answer's list fits again."""

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())

    DEFAULT_CSS = """
    QuestionHeading {
        height: auto;
    }
    """

    def __init__(self, *, rtl: bool, mode: RtlMode, beside: bool, id: str) -> None:
        super().__init__(id=id)
        self.rtl = rtl
        self.mode: RtlMode = mode
        self.beside = beside

    def compose(self) -> ComposeResult:
        yield Label("", id="where", classes="hint")
        with Horizontal(id="texts", classes="-beside" if self.beside else ""):
            with Vertical(id="texts-caseworker"):
                yield Label("", id="label", classes="title")
                yield Label("", id="hint", classes="hint")
            with Vertical(id="texts-newcomer"):
                rtl, mode = self.rtl, self.mode
                yield BidiLabel("", rtl=rtl, mode=mode, id="label-newcomer", classes="newcomer")
                yield BidiLabel("", rtl=rtl, mode=mode, id="hint-newcomer")
                yield Label("", id="newcomer-mark", classes="marker")

    def set_bilingual(self, bilingual: bool) -> None:
        self.query_one("#texts-newcomer").display = bilingual

    def show(
        self, where: str, label: str, hint: str, theirs: str, their_hint: str, mark: str
    ) -> None:
        self.query_one("#where", Label).update(where)
        self.query_one("#label", Label).update(label)
        self.query_one("#hint", Label).update(hint)
        self.query_one("#label-newcomer", BidiLabel).update(theirs)
        newcomer_hint = self.query_one("#hint-newcomer", BidiLabel)
        newcomer_hint.update(their_hint)
        newcomer_hint.display = bool(their_hint)
        self.query_one("#newcomer-mark", Label).update(f"({mark})" if mark else "")
