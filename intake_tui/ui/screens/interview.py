"""The interview: one question at a time, in the caseworker's and the newcomer's language.

The screen orchestrates. Each answer kind is a widget (ui/widgets/: a numbered choice list
whose digits pick what is shown beside them, one-line and long text, repeat entries, the
section sidebar); the interview and the store change together in ui/interview_session.py.
Enter saves and moves on; "saved" appears only after the answer is committed to disk. F2 is
"weet niet", F3 "wil niet zeggen", ctrl+z undoes the last answer (showing it first when it
was another question), page up/down move between questions (saving what was typed). Typing
that is not an answer yet is kept as a draft (ui/drafts.py) and offered back. A finalized
interview is read-only. F7 turns the laptop into the newcomer's view: their language, large.

The newcomer's text comes from the bundle's catalogs with a visible mark when it is a
fallback, may be outdated, or was never reviewed (core/catalogs.py); right-to-left text is
shaped and ordered for display only (i18n/bidi.py), and what is stored stays logical Unicode.
Dialogs and the store are imported inside methods: the first frame does not wait for them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList

from intake_tui.core.engine import Interview, Key, Step
from intake_tui.core.questionnaire import Bundle
from intake_tui.core.values import DECLINED, UNKNOWN, Answer
from intake_tui.i18n import _, current_language
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.interview_session import (
    InterviewSession,
    read_only_banner,
    read_only_message,
)
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.screens.interview_commands import QuestionProvider
from intake_tui.ui.screens.interview_keys import INTERVIEW_BINDINGS
from intake_tui.ui.screens.interview_repeats import RepeatActions
from intake_tui.ui.screens.interview_versions import VersionActions
from intake_tui.ui.texts import answer_text
from intake_tui.ui.widgets.answer_area import AnswerArea
from intake_tui.ui.widgets.choice_list import ChoiceList, choice_items, chosen_codes
from intake_tui.ui.widgets.question_heading import QuestionHeading
from intake_tui.ui.widgets.repeat_entries import RepeatEntries
from intake_tui.ui.widgets.section_list import SectionList
from intake_tui.ui.widgets.text_answer import TEXT_TYPES, as_typed

CHOICE_KINDS = frozenset({"choice", "yes_no", "multi_choice"})
ANSWER_KINDS = TEXT_TYPES | CHOICE_KINDS | {"longtext"}


class InterviewScreen(RepeatActions, VersionActions, AppAccess, LocalizedBindings, Screen[None]):
    """One interview, question by question."""

    BINDINGS: ClassVar[list[BindingType]] = INTERVIEW_BINDINGS

    COMMANDS: ClassVar[set[Any]] = {QuestionProvider}

    # What a finalized interview refuses (notes, flags, moving and the newcomer view stay).
    EDITING = frozenset(
        {"unknown", "declined", "undo", "add_instance", "remove_instance", "move_entry"}
    )

    def __init__(self, interview_id: str, *, start: Step | None = None) -> None:
        super().__init__()
        self.interview_id = interview_id
        self.step: Step | None = None
        self.start = start  # where to begin (after unlocking: the question the lock came at)
        self.shown_language: str | None = None  # the newcomer language shown for this step
        self.undo_armed: Key | None = None  # ctrl+z pressed once for another question

    @property
    def resume_point(self) -> tuple[str, Step | None]:
        return (self.interview_id, self.step)

    @property
    def engine(self) -> Interview:
        return self.session.engine

    @property
    def bundle(self) -> Bundle:
        return self.session.bundle

    @property
    def read_only(self) -> bool:
        return self.session.read_only

    def compose(self) -> ComposeResult:
        from intake_tui.ui.texts import BundleTexts

        self.session = InterviewSession(self.store, self.interview_id)
        self.language = self.session.summary.client_language
        self.ui_language = current_language()
        mode = self.intake.rtl_rendering
        self.texts = texts = BundleTexts(self.bundle, self.ui_language, self.language, mode)
        self.rtl = texts.attach(lambda: self.session.engine, self.session.shown).rtl
        display = self.intake.newcomer_display
        # The newcomer's column is left out when it would repeat the caseworker's own text.
        self.bilingual = display != "off" and self.language != self.ui_language
        yield IntakeHeader()
        with Horizontal():
            yield SectionList(id="sections")
            with Vertical(id="question-panel"):
                yield Label("", id="read-only", classes="marker")
                yield QuestionHeading(
                    rtl=self.rtl, mode=mode, beside=display == "beside", id="heading"
                )
                yield AnswerArea(self._keep_draft, rtl=self.rtl, mode=mode, id="answer")
                yield Label("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "intake-tui"  # never a newcomer's name in the terminal title
        self.answer = self.query_one(AnswerArea)
        self.query_one(QuestionHeading).set_bilingual(self.bilingual)
        self._show_read_only()
        current = self.session.current_step
        start: Step | None = self.start if self.start in self.engine.steps() else None
        if current and start is None:
            question, _sep, instance = current.partition("#")
            candidate = Step(question, instance or None)
            if candidate in self.engine.steps():
                start = candidate
        self.show(start or self.engine.next_step(None))
        self.look_for_newer_version()

    def _show_read_only(self) -> None:
        banner = self.query_one("#read-only", Label)
        banner.update(read_only_banner())
        banner.display = self.read_only
        self.refresh_bindings()

    # -- texts in two languages -----------------------------------------------------------------

    def caseworker_text(self, item_id: str, field: str = "label") -> str:
        """A bundle text in the caseworker's language (the Dutch source for nl)."""
        return self.texts.caseworker(item_id, field)

    def newcomer_text(self, key: str, source: str) -> tuple[str, str, str]:
        """(text, language shown, status) of a bundle text in the newcomer's language."""
        found = self.texts.text(key, source, self.language)
        return found.text, found.lang, found.status

    def relabel(self) -> None:
        """The UI language changed: the caseworker's texts follow at once."""
        self.ui_language = current_language()
        self.texts.ui_language = self.ui_language
        self.bilingual = self.intake.newcomer_display != "off" and self.language != self.ui_language
        self.query_one(QuestionHeading).set_bilingual(self.bilingual)
        self._show_read_only()
        self.show(self.step)

    # -- showing a question ---------------------------------------------------------------------

    def refresh_sections(self) -> None:
        flagged = {
            self.bundle.items[key[0]].section
            for key, note in self.session.notes.items()
            if note.flagged and key[0] in self.bundle.items
        }
        self.query_one(SectionList).load(self.engine.progress(), flagged, self.caseworker_text)

    def show(self, step: Step | None, *, keep_undo: bool = False) -> None:
        from intake_tui.core.catalogs import marker

        self.step = step
        self.undo_armed = self.undo_armed if keep_undo else None
        self.refresh_sections()
        self.say("")
        self.answer.clear()
        heading = self.query_one(QuestionHeading)
        if step is None:
            self.shown_language = None
            end = _("End of the questionnaire.")
            back = _("F5: review the answers and finalize. Escape: back to the cases.")
            heading.show("", end, back, "", "", "")
            self.focus_panel()
            self.refresh_bindings()
            return
        item = self.bundle.items[step.id]
        theirs_too = self.bilingual and not item.for_caseworker  # `audience: caseworker`: no
        heading.set_bilingual(theirs_too)  # text in the newcomer's language, nor its column
        where = self.caseworker_text(item.section)
        if step.instance is not None and item.repeat:
            position = self.engine.instances(item.repeat).index(step.instance) + 1
            where += f" › {self.caseworker_text(item.repeat)} {position}"
        required = " *" if self.engine.is_required(step.id, step.instance) else ""
        hint = self.caseworker_text(step.id, "hint") if item.is_question else ""
        if item.type == "date":
            hint = (hint + "  " if hint else "") + _("Date as dd-mm-yyyy, e.g. 31-12-1990.")
        theirs, shown, status = self.newcomer_text(*self.texts.key(step.id, "label"))
        hint_key, hint_source = self.texts.key(step.id, "hint")
        their_hint = self.newcomer_text(hint_key, hint_source)[0] if hint_source else ""
        if not theirs_too:
            theirs, their_hint = "", ""
        self.shown_language = shown if theirs_too else None
        # Never silent: a fallback, an outdated or an unreviewed text says so.
        mark = marker(status, shown, self.ui_language) if theirs else ""
        label = self.caseworker_text(step.id) + required
        heading.show(where, label, hint, theirs, their_hint, mark)
        current = self.engine.answer(step.id, step.instance)
        if current is not None and (current.state != "answered" or item.type in CHOICE_KINDS):
            self.say(_("Answered: {answer}").format(answer=answer_text(self.texts, item, current)))
        if item.type in TEXT_TYPES or item.type == "longtext":
            stored = as_typed(item, current)
            draft = self.session.drafts.get(step.key)
            proposed = self.session.proposal(step, typed=True) if current is None else None
            self.answer.show_text(
                step.key, item.type, stored, draft, read_only=self.read_only, proposed=proposed
            )
            if self.read_only:
                self.focus_panel()
        elif item.type in CHOICE_KINDS:
            multi = item.type == "multi_choice"
            chosen = chosen_codes(current)
            offered = self.engine.choices(step.id, step.instance)  # a choice_filter's choice
            items = choice_items(self.texts.choices(item, offered), item, bilingual=theirs_too)
            if (note := self.session.filter_note(step)) is not None:
                self.say(note)
            proposed = self.session.proposal(step, typed=False) if current is None else None
            self.answer.show_choices(
                items, chosen, multi=multi, read_only=self.read_only, proposed=proposed
            )
        elif item.type == "repeat":
            counted = item.repeat_count is not None  # its entries follow an answer
            self.answer.show_entries(self.session.entries(step.id), counted=counted)
            if not self.engine.instances(step.id):
                self.focus_panel()
        else:  # a note
            self.answer.set_info(_("Press Enter to go on."))
            self.focus_panel()
        self.refresh_bindings()

    def say(self, text: str) -> None:
        self.query_one("#message", Label).update(text)

    def fit_answer(self) -> None:
        """A list gets the rows the question's texts leave: at 80x24 a long heading pushed the
        list's status line and the message off the screen. Runs when the heading or the answer
        area changed size, i.e. after Textual laid the new texts out."""
        panel = self.query_one("#question-panel", Vertical)
        others = [w for w in panel.children if w.display and w is not self.answer]
        self.answer.fit(panel.content_size.height - sum(w.outer_size.height for w in others))

    def on_question_heading_resized(self) -> None:
        self.fit_answer()

    def on_answer_area_resized(self) -> None:
        self.fit_answer()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_answer)

    def focus_panel(self) -> None:
        self.query_one("#question-panel", Vertical).can_focus = True
        self.query_one("#question-panel", Vertical).focus()

    # -- typing: drafts and commits -------------------------------------------------------------

    def _keep_draft(self, key: Key, text: str) -> None:
        if self.intake.store is not None:  # never after the lock closed the store
            self.session.keep_draft(key, text)

    def before_lock(self) -> None:
        """The app is about to lock: keep what was typed."""
        self.answer.drafts.flush()

    def on_screen_suspend(self) -> None:
        # Another screen on top (help, a note, the review): the typed text goes to disk now.
        self.answer.drafts.flush()

    def action_discard_draft(self) -> None:
        if not self.answer.restored or self.step is None:
            return
        self.answer.drafts.forget()
        self.session.discard_draft(self.step.key)
        self.show(self.step)
        self.say(_("Unsaved text thrown away."))

    def parse_typed(self) -> tuple[bool, Answer | None]:
        """(ok, answer) from the text field or the long-text area of the current question."""
        assert self.step is not None
        answer, problem = self.answer.parse(self.bundle.items[self.step.id].type)
        if problem is not None:
            self.say(problem)
            return False, None
        return True, answer

    def commit_typed(self) -> bool:
        """Save typed text that differs from what is stored; False when it is not valid."""
        if self.step is None or self.read_only:
            return True
        item = self.bundle.items[self.step.id]
        if item.type not in TEXT_TYPES and item.type != "longtext":
            return True
        current = self.engine.answer(self.step.id, self.step.instance)
        typed = self.answer.field(item.type).typed
        # Unchanged, or a proposal nobody confirmed: moving on never records it.
        if typed == as_typed(item, current) or (
            self.answer.proposed and typed == self.answer.loaded
        ):
            self.answer.drafts.forget()
            self.session.discard_draft(self.step.key)
            return True
        ok, answer = self.parse_typed()
        if not ok:
            self.answer.drafts.flush()  # not an answer yet, but not lost either
            return False
        return self.save(answer, move_on=False)

    # -- answering ------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if event.key.startswith("f") and event.key[1:].isdigit():
            self.answer.drafts.flush()  # an F-key may leave the question: keep the typing first
        answering = event.key == "enter" or (event.character or "").isdigit()
        kind = self.bundle.items[self.step.id].type if self.step is not None else None
        if self.read_only and answering and kind in ANSWER_KINDS:
            event.stop()
            self.say(read_only_message())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "field-text" or self.step is None:
            return
        ok, answer = self.parse_typed()
        if ok:
            self.save(answer)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sections":
            # Jump to the first question of the chosen section.
            steps = self.engine.steps(str(event.option.id))
            if steps and self.commit_typed():
                self.show(steps[0])

    def on_repeat_entries_opened(self, event: RepeatEntries.Opened) -> None:
        inside = [s for s in self.engine.steps() if s.instance == event.instance]
        if inside:
            self.show(inside[0])

    def on_choice_list_picked(self, event: ChoiceList.Picked) -> None:
        if self.step is None:
            return
        item = self.bundle.items[self.step.id]
        if item.type == "multi_choice":
            # Every tick is committed at once; the screen stays on the question.
            if self.save(Answer.of(event.codes) if event.codes else None, move_on=False):
                event.choice_list.set_chosen(event.codes)
        elif item.type == "yes_no":
            self.save(Answer.of(event.code == "true"))
        else:
            self.save(Answer.of(event.code))

    def save(self, answer: Answer | None, *, move_on: bool = True) -> bool:
        step = self.step
        assert step is not None
        # The language the newcomer actually saw (a fallback shows another one).
        shown = self.shown_language if self.bilingual else None
        problem = self.session.save(step, answer, shown)
        if problem is not None:
            self.say(problem)
            return False
        self.answer.drafts.forget()
        if move_on:
            self.go_on(step, saved=True)
        else:
            self.refresh_sections()
            self.say(_("✓ saved"))
        return True

    def go_on(self, step: Step, *, saved: bool) -> None:
        """The next question; after a repeat entry's last one, its list (add another or go on).
        "Saved" only when something was: moving on from a note or an untouched field is not."""
        target, finished = self.session.onward(step)
        self.show(target)
        if finished is None:
            self.say(_("✓ saved") if saved else "")
            return
        self.query_one(RepeatEntries).highlighted = finished - 1
        self.say(_("Entry {n} done. F4 adds another; Page Down goes on.").format(n=finished))

    def action_unknown(self) -> None:
        if self.step is not None:
            self.save(UNKNOWN)

    def action_declined(self) -> None:
        if self.step is not None:
            self.save(DECLINED)

    def action_undo(self) -> None:
        here = self.step.key if self.step is not None else None
        result = self.session.undo(here, self.undo_armed, self.caseworker_text)
        if result.show is not None:
            self.show(result.show, keep_undo=True)
        elif result.armed is None and self.step is not None:
            self.show(self.step)  # an undo elsewhere may change what this question shows
        self.undo_armed = result.armed
        self.say(result.message)

    # -- notes, the newcomer's view (repeat entries: interview_repeats.py) ----------------------

    def action_flag(self) -> None:
        if self.step is None:
            return
        flagged = self.session.set_note(self.step.key, toggle_flag=True)
        self.refresh_sections()
        self.say(_("⚑ flagged to come back to") if flagged else _("flag removed"))

    def action_note(self) -> None:
        from intake_tui.ui.screens.interview_dialogs import NoteScreen

        if self.step is None:
            return
        note = self.session.notes.get(self.step.key)
        step = self.step

        def done(text: str | None) -> None:
            if text is not None and self.step == step:
                self.session.set_note(step.key, text)
                self.say(_("note saved"))

        self.app.push_screen(NoteScreen(note.text if note else ""), done)

    def action_newcomer_view(self) -> None:
        from intake_tui.ui.screens.interview_dialogs import newcomer_view

        if self.step is None:
            return
        step = self.step

        def chosen(code: str | None) -> None:
            if code is not None and self.step == step:
                self.query_one(ChoiceList).pick(code)

        item = self.bundle.items[step.id]
        if item.for_caseworker:
            self.say(_("For the caseworker only: nothing to show in the newcomer's view."))
            return
        offered = self.engine.choices(step.id, step.instance)
        self.app.push_screen(newcomer_view(self.texts, item, self.ui_language, offered), chosen)

    # -- moving ---------------------------------------------------------------------------------

    def jump_to(self, step: Step) -> None:
        """Show `step` (from the command palette), keeping what was typed."""
        if self.commit_typed() and step in self.engine.steps():
            self.show(step)

    def action_next(self) -> None:
        before = self.engine.answers() if self.step is not None else None
        if self.step is not None and self.commit_typed():
            self.go_on(self.step, saved=self.engine.answers() != before)

    def action_previous(self) -> None:
        if self.step is not None and self.commit_typed():
            self.show(self.engine.previous_step(self.step) or self.step)

    def key_enter(self, event: events.Key) -> None:
        # Only for a note or a list question, where the panel itself has the focus; from
        # anywhere else (the sidebar, a choice list) Enter belongs to that widget.
        kind = self.bundle.items[self.step.id].type if self.step is not None else None
        if self.focused is self.query_one("#question-panel") and kind in ("note", "repeat"):
            event.stop()
            self.action_next()

    def action_close(self) -> None:
        if self.commit_typed():
            self.answer.drafts.flush()
            self.app.pop_screen()

    def action_review(self) -> None:
        from intake_tui.ui.screens.review import ReviewScreen

        if not self.commit_typed():
            return

        def back(step: Step | None) -> None:
            # The review may have finalized or reopened the interview: read it again.
            self.session.reload()
            self._show_read_only()
            self.show(step or self.step)

        self.app.push_screen(ReviewScreen(self.interview_id), back)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "discard_draft":
            return self.is_mounted and self.answer.restored
        if action == "move_version":
            return self.newer is not None and not self.read_only
        if action in self.EDITING and self.read_only:
            return False  # a finalized intake is not changed here; the banner says how
        # Escape clears a choice list's filter or number before it closes the interview.
        choice = self.query(ChoiceList).first() if self.is_mounted else None
        busy = choice is not None and choice.display and bool(choice.filter or choice.buffer)
        return not (action == "close" and busy)
