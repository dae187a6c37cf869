"""Two small screens over the interview: the newcomer's own view (F7) and a note (ctrl+n)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from intake_tui.core.questionnaire import Item
from intake_tui.i18n import N_, _
from intake_tui.ui.base import intake_app
from intake_tui.ui.bidi_label import BidiLabel
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.texts import BundleTexts


class NewcomerView(LocalizedBindings, ModalScreen[str | None]):
    """The question for the newcomer alone: their language, large and calm, numbers to choose.

    A terminal cannot make letters bigger; space, bold and one option per line do the work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f7", "close", N_("Back"), id="newcomer.close"),
    ]

    def __init__(
        self,
        label: str,
        hint: str,
        choices: list[tuple[str, str]],
        mark: str,
        *,
        rtl: bool,
        lang: str = "nl",
        unreviewed: bool = False,
    ) -> None:
        super().__init__()
        self.lang = lang
        self.unreviewed = unreviewed
        self.label = label
        self.hint = hint
        self.choices = choices
        self.mark = mark
        self.rtl = rtl
        self.buffer = ""  # digits typed, waiting for Enter (more than nine options)

    def compose(self) -> ComposeResult:
        mode = intake_app(self).rtl_rendering
        with VerticalScroll(id="newcomer-view"):
            yield BidiLabel(self.label, rtl=self.rtl, mode=mode, classes="big")
            if self.hint:
                yield BidiLabel(self.hint, rtl=self.rtl, mode=mode, classes="newcomer")
            for number, (_code, text) in enumerate(self.choices, start=1):
                yield BidiLabel(f"{number}  {text}", rtl=self.rtl, mode=mode, classes="big-choice")
            if self.mark:
                # Their language first: the mark is for the person reading the screen.
                from intake_tui.i18n.locale_format import unreviewed_notice

                if self.unreviewed:
                    notice = f"({unreviewed_notice(self.lang)})"
                    yield BidiLabel(notice, rtl=self.rtl, mode=mode, classes="marker")
                yield Label(f"({self.mark})", classes="marker")
            yield Label("", id="newcomer-number", classes="title")
            yield Label(_("F7 or Escape: back to the caseworker's view"), classes="hint")

    def on_key(self, event: events.Key) -> None:
        # As in the caseworker's list: with more than nine options a digit waits for Enter.
        from intake_tui.ui.widgets.choice_list import type_digit

        character = event.character or ""
        if character.isdigit():
            event.stop()
            typed = type_digit(self.buffer, character, len(self.choices))
            if typed is None:
                self.app.bell()
            elif typed[1] is not None:
                self.dismiss(self.choices[typed[1] - 1][0])
                return
            else:
                self.buffer = typed[0]
        elif event.key == "backspace" and self.buffer:
            event.stop()
            self.buffer = self.buffer[:-1]
        elif event.key == "enter" and self.buffer:
            event.stop()
            self.dismiss(self.choices[int(self.buffer) - 1][0])
            return
        else:
            return
        self.query_one("#newcomer-number", Label).update(
            _("Number: {n} (Enter chooses)").format(n=self.buffer) if self.buffer else ""
        )

    def action_close(self) -> None:
        self.dismiss(None)


def newcomer_view(
    texts: BundleTexts, item: Item, ui_language: str, offered: Any = None
) -> NewcomerView:
    """The newcomer's view of one question: their texts, their options (those `offered` now,
    see `Interview.choices`), and any mark."""
    from intake_tui.core.catalogs import marker

    found = texts.newcomer(item.id, "label")
    _key, hint_source = texts.key(item.id, "hint")
    hint = texts.newcomer(item.id, "hint").text if hint_source else ""
    choices = []
    if item.type in ("choice", "yes_no", "multi_choice"):
        choices = [(code, theirs) for code, _mine, theirs in texts.choices(item, offered)]
    return NewcomerView(
        found.text,
        hint,
        choices,
        marker(found.status, found.lang, ui_language),
        rtl=texts.rtl,
        lang=found.lang,
        unreviewed=texts.localizer.is_unreviewed(found.lang),
    )


class NoteScreen(LocalizedBindings, ModalScreen[str | None]):
    """A note for the caseworker on one question; Enter keeps it, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="note.cancel"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__(classes="dialog")
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(_("Note (for you only; never exported)"), classes="title")
            yield Input(value=self.text, id="note")
            yield Label(
                _("Enter: keep the note · Escape: cancel, the note stays as it was"), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
