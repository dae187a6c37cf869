"""Where the current question is answered: one field of the right kind, its hint, and the
draft of what was typed but not saved yet.

One widget of each kind lives here and is shown as the question needs it (no remounting per
question: it keeps key-to-frame short). Typing goes to a `DraftKeeper` (ui/drafts.py); text
that was restored from a draft is marked until it is saved or thrown away.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, TextArea

from intake_tui.core.engine import Key
from intake_tui.core.values import Answer
from intake_tui.i18n import _, ngettext
from intake_tui.i18n.bidi import RtlMode
from intake_tui.ui.drafts import DraftKeeper
from intake_tui.ui.widgets.choice_list import ChoiceItem, ChoiceList
from intake_tui.ui.widgets.repeat_entries import RepeatEntries
from intake_tui.ui.widgets.text_answer import LongTextAnswer, TextAnswer

LIST_ROWS = 14
"""The most rows a choice list or a repeat's entries take, border included."""


class AnswerArea(Vertical):
    """The field of the current question, and the lines under it."""

    DEFAULT_CSS = """
    AnswerArea {
        height: auto;
    }
    """

    def __init__(
        self, keep_draft: Callable[[Key, str], None], *, rtl: bool, mode: RtlMode, id: str
    ) -> None:
        super().__init__(id=id)
        self.keep_draft = keep_draft
        self.rtl = rtl
        self.mode: RtlMode = mode
        self.info_text = ""  # the hint under the field while a choice list waits for nothing
        self.loaded = ""  # what the text field was filled with (not typed by anyone)
        self.key: Key | None = None  # the question a text field is showing
        self.restored = False  # the field holds unsaved text from a draft
        self.proposed = False  # the field holds the question's proposed default (not saved)
        self.read_only = False
        self.list_rows = LIST_ROWS  # what `fit` gave the lists last

    def compose(self) -> ComposeResult:
        yield TextAnswer(id="text-answer", mode=self.mode)
        yield LongTextAnswer(id="field-long")
        yield ChoiceList(id="field-choice", rtl=self.rtl, mode=self.mode)
        yield RepeatEntries(id="field-entries")
        yield Label("", id="field-info", classes="hint")
        yield Label("", id="draft", classes="marker")

    def on_mount(self) -> None:
        self.drafts = DraftKeeper(self, self.keep_draft)

    def clear(self) -> None:
        """Nothing shown (before the next question)."""
        for kind in (TextAnswer, LongTextAnswer, ChoiceList, RepeatEntries):
            self.query_one(kind).display = False
        self.query_one("#draft", Label).display = False
        self.key = None
        self.restored = self.proposed = False
        self.set_info("")

    # -- the kinds ------------------------------------------------------------------------------

    def show_text(
        self,
        key: Key,
        kind: str,
        stored: str,
        draft: str | None,
        *,
        read_only: bool,
        proposed: str | None = None,
    ) -> None:
        """A text field of `kind` holding the stored answer, a restored draft of it, or (with
        neither) the question's proposed default, which only Enter confirms."""
        self.key, self.read_only = key, read_only
        typed = draft if draft is not None and draft.strip() != stored else stored
        self.proposed = not typed and draft is None and bool(proposed)
        if self.proposed and proposed:
            typed = stored = proposed  # shown, not saved: typing over it is not a draft yet
        self.loaded = typed
        if kind == "longtext":
            long = self.query_one(LongTextAnswer)
            long.load(typed, read_only=read_only)
            long.display = True
            long.focus()
            self.set_info(_("Enter starts a new line; Page Down saves and goes on."))
        else:
            field = self.query_one(TextAnswer)
            field.load(kind, typed, read_only=read_only)
            field.display = True
            field.focus_field()
        self.restored = typed != stored
        note = self.query_one("#draft", Label)
        note.update(
            _("Proposed answer, not saved yet: Enter confirms it, or type another.")
            if self.proposed
            else _("Unsaved text restored: Enter saves it, F9 throws it away.")
        )
        note.display = self.restored or self.proposed

    def show_choices(
        self,
        items: Sequence[ChoiceItem],
        chosen: Collection[str],
        *,
        multi: bool,
        read_only: bool,
        proposed: str | None = None,
    ) -> None:
        """The options; a proposed default is highlighted (not chosen) until Enter confirms it."""
        choice = self.query_one(ChoiceList)
        choice.load(items, chosen, multi=multi, read_only=read_only, proposed=proposed)
        choice.display = True
        choice.focus()
        shown = next((item for item in items if item.code == proposed), None)
        if shown is not None and not chosen:
            self.proposed = True
            note = self.query_one("#draft", Label)
            note.update(
                _("Proposed: {choice}. Enter confirms it; a number or ↑↓ chooses another.").format(
                    choice=shown.mine
                )
            )
            note.display = True
        if multi:
            self.set_info(
                _("Space or a number ticks (saved at once); letters filter; Page Down goes on.")
            )

    def show_entries(
        self,
        rows: Sequence[tuple[str, str]],
        highlight: int | None = None,
        *,
        counted: bool = False,
    ) -> None:
        """The entries of a repeat; the list takes the focus when there is one. A `counted`
        repeat (`repeat_count:`) has as many as an answer says: no adding or removing here."""
        entries = self.query_one(RepeatEntries)
        entries.load(rows, highlight=highlight)
        entries.display = bool(rows)
        if counted:
            self.set_info(
                ngettext(
                    "{n} entry: as many as an earlier answer says. Enter opens it; "
                    "Page Down goes on.",
                    "{n} entries: as many as an earlier answer says. Enter opens one; "
                    "Page Down goes on.",
                    len(rows),
                ).format(n=len(rows))
            )
        else:
            self.set_info(
                ngettext(
                    "{n} entry. F4 adds one, F6 removes the selected one, shift+up/down "
                    "move it; Enter opens it; Page Down goes on.",
                    "{n} entries. F4 adds one, F6 removes the selected one, shift+up/down "
                    "move it; Enter opens it; Page Down goes on.",
                    len(rows),
                ).format(n=len(rows))
            )
        if rows:
            entries.focus()

    class Resized(Message):
        """Its height changed (another field, a hint or a proposal shown): fit the list again."""

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())

    def fit(self, room: int) -> bool:
        """Give a list the rows left of `room` once the lines under it are counted (3 to
        LIST_ROWS), so that its status line stays on the screen at 80x24. True when that
        changed the list's height: the caller measures again after the next layout."""
        lists = (ChoiceList, RepeatEntries)
        lines = [w for w in self.children if w.display and not isinstance(w, lists)]
        rows = max(3, min(LIST_ROWS, room - sum(w.outer_size.height for w in lines)))
        if rows == self.list_rows:
            return False
        self.list_rows = rows
        for kind in lists:
            self.query_one(kind).styles.max_height = rows
        return True

    def set_info(self, text: str) -> None:
        """The hint under the field; a choice list's own status shows there while it has one."""
        self.info_text = text
        info = self.query_one("#field-info", Label)
        info.update(text)
        info.display = bool(text)

    def on_choice_list_status_changed(self, event: ChoiceList.StatusChanged) -> None:
        info = self.query_one("#field-info", Label)
        info.update(event.text or self.info_text)
        info.display = bool(event.text or self.info_text)

    # -- typed text -----------------------------------------------------------------------------

    def field(self, kind: str) -> TextAnswer | LongTextAnswer:
        return self.query_one(LongTextAnswer) if kind == "longtext" else self.query_one(TextAnswer)

    def is_proposal(self, typed: str) -> bool:
        """`typed` is still the proposed default as shown: nobody confirmed or changed it."""
        return self.proposed and typed == self.loaded.strip()

    def parse(self, kind: str) -> tuple[Answer | None, str | None]:
        """(answer, None) from what was typed (None: nothing typed), or (None, the problem)."""
        return self.field(kind).parse()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "field-text":
            self._typed(event.value)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._typed(event.text_area.text)

    def _typed(self, text: str) -> None:
        if self.proposed and text != self.loaded:
            self.query_one("#draft", Label).display = False  # typed over: no longer proposed
        if self.key is not None and not self.read_only and text != self.loaded:
            self.drafts.typed(self.key, text)
