"""The interview: one question at a time, in the caseworker's and the newcomer's language.

Enter saves and moves on; "saved" appears only after the answer is committed to disk. F2 is
"weet niet", F3 "wil niet zeggen", ctrl+z undoes the last answer, page up/down move between
questions, and the sidebar shows each section's progress. A validation problem is shown next
to the field, never in a dialog.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    SelectionList,
)
from textual.widgets.option_list import Option

from intake_tui.core.display import show_answer
from intake_tui.core.engine import Step
from intake_tui.core.values import DECLINED, UNKNOWN, VALUE_TYPES, Answer, ValueProblem
from intake_tui.i18n import _

TEXT_TYPES = {"text", "longtext", "integer", "decimal", "date", "year"}


class InterviewScreen(Screen[None]):
    """One interview, question by question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Page Down/Up always move between questions, also from inside a choice list
        # (which would otherwise page through its options).
        Binding(
            "pagedown",
            "next",
            _("Next"),
            id="interview.next",
            tooltip=_("Next question"),
            priority=True,
        ),
        Binding(
            "pageup",
            "previous",
            _("Previous"),
            id="interview.previous",
            tooltip=_("Previous question"),
            priority=True,
        ),
        Binding(
            "f2",
            "unknown",
            _("Don't know"),
            id="interview.unknown",
            tooltip=_("Answer: don't know"),
        ),
        Binding(
            "f3",
            "declined",
            _("Prefer not to say"),
            id="interview.declined",
            tooltip=_("Answer: prefer not to say"),
        ),
        Binding(
            "ctrl+z", "undo", _("Undo"), id="interview.undo", tooltip=_("Undo the last answer")
        ),
        Binding(
            "f4",
            "add_instance",
            _("Add"),
            id="interview.add",
            tooltip=_("Add an entry to this list"),
        ),
        Binding(
            "f5",
            "review",
            _("Review"),
            id="interview.review",
            tooltip=_("All answers, and finalize"),
        ),
        Binding(
            "escape", "close", _("Cases"), id="interview.close", tooltip=_("Back to the cases")
        ),
        Binding(
            "f6",
            "remove_instance",
            _("Remove"),
            id="interview.remove",
            show=False,
            tooltip=_("Remove the last entry of this list (ctrl+z brings it back)"),
        ),
        Binding(
            "ctrl+f",
            "flag",
            _("Flag"),
            id="interview.flag",
            tooltip=_("Flag this question to come back to"),
        ),
        Binding(
            "ctrl+n",
            "note",
            _("Note"),
            id="interview.note",
            tooltip=_("A note for yourself on this question (never exported)"),
        ),
    ]

    def __init__(self, interview_id: str, *, start: Step | None = None) -> None:
        super().__init__()
        self.interview_id = interview_id
        self.step: Step | None = None
        self.start = start  # where to begin (after unlocking: the question the lock came at)

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def resume_point(self) -> tuple[str, Step | None]:
        return (self.interview_id, self.step)

    def compose(self) -> ComposeResult:
        from intake_tui.core.html_plan import bundle_translator
        from intake_tui.store import interviews

        self.opened = interviews.open_interview(self.store, self.interview_id)
        self.engine = self.opened.interview
        self.bundle = self.opened.bundle
        self.language = self.opened.summary.client_language
        self.translate = bundle_translator(self.bundle)
        yield Header()
        with Horizontal():
            # One widget, not a list item per section: every keystroke in an answer makes
            # Textual arrange the screen again, and fewer widgets keep that short.
            yield OptionList(id="sections")
            with Vertical(id="question-panel"):
                yield Label("", id="where", classes="hint")
                yield Label("", id="label", classes="title")
                yield Label("", id="label-newcomer", classes="newcomer")
                yield Label("", id="hint", classes="hint")
                # One widget of each kind, shown as the question needs it (no remounting per
                # question: it keeps key-to-frame short).
                yield Input(id="field-text")
                yield OptionList(id="field-choice")
                yield SelectionList[str](id="field-multi")
                yield Label("", id="field-info", classes="hint")
                yield Label("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "intake-tui"  # never a newcomer's name in the terminal title
        current = self.opened.current_step
        start: Step | None = self.start if self.start in self.engine.steps() else None
        if current and start is None:
            question, _sep, instance = current.partition("#")
            candidate = Step(question, instance or None)
            if candidate in self.engine.steps():
                start = candidate
        self.show(start or self.engine.next_step(None))

    # -- showing a question ---------------------------------------------------------------------

    def refresh_sections(self) -> None:
        sections = self.query_one("#sections", OptionList)
        sections.clear_options()
        for section_id, progress in self.engine.progress().items():
            if not progress.visible:
                continue
            item = self.bundle.items[section_id]
            mark = "✓" if progress.complete else ("!" if progress.missing_required else "·")
            if any(
                note.flagged and self.bundle.items[key[0]].section == section_id
                for key, note in self.opened.notes.items()
                if key[0] in self.bundle.items
            ):
                mark += "⚑"
            count = f"{progress.answered}/{progress.total}"
            sections.add_option(Option(f"{mark} {count:>7}  {item.label}", id=section_id))

    def show(self, step: Step | None) -> None:
        self.step = step
        self.refresh_sections()
        text = self.query_one("#field-text", Input)
        choice = self.query_one("#field-choice", OptionList)
        multi = self.query_one("#field-multi", SelectionList)
        info = self.query_one("#field-info", Label)
        message = self.query_one("#message", Label)
        message.update("")
        text.display = choice.display = info.display = multi.display = False
        if step is None:
            self.query_one("#where", Label).update("")
            self.query_one("#label", Label).update(_("End of the questionnaire."))
            self.query_one("#label-newcomer", Label).update("")
            self.query_one("#hint", Label).update(_("Press escape to go back to the cases."))
            return
        item = self.bundle.items[step.id]
        where = self.bundle.items[item.section].label
        if step.instance is not None and item.repeat:
            position = self.engine.instances(item.repeat).index(step.instance) + 1
            where += f" › {self.bundle.items[item.repeat].label} {position}"
        self.query_one("#where", Label).update(where)
        label = item.label + (" *" if self.engine.is_required(step.id, step.instance) else "")
        self.query_one("#label", Label).update(label)
        newcomer = self.translate(f"question.{item.id}.label", self.language)
        self.query_one("#label-newcomer", Label).update(newcomer or "")
        hint = item.question.hint if item.is_question else None
        self.query_one("#hint", Label).update(hint or "")
        current = self.engine.answer(step.id, step.instance)
        if current is not None and current.state != "answered":
            message.update(_("Answered: {answer}").format(answer=show_answer(item, current)))
        if item.type in TEXT_TYPES:
            text.value = (
                "" if current is None or current.state != "answered" else show_answer(item, current)
            )
            text.display = True
            text.focus()
        elif item.type == "multi_choice":
            chosen = (
                current.value if current is not None and isinstance(current.value, tuple) else ()
            )
            self._loading_multi = True
            multi.clear_options()
            multi.add_options(
                [
                    (f"{index}  {c.label}", c.value, c.value in chosen)
                    for index, c in enumerate(item.choices or (), start=1)
                ]
            )
            self._loading_multi = False
            multi.highlighted = 0
            multi.display = True
            multi.focus()
            info.update(_("Space or a number chooses (saved at once); Page Down goes on."))
            info.display = True
        elif item.type in ("choice", "yes_no"):
            choice.clear_options()
            options = self.options_for(item)
            choice.add_options(options)
            chosen = current.value if current is not None and current.state == "answered" else None
            codes = [o.id for o in options]
            marker = ("true" if chosen else "false") if isinstance(chosen, bool) else chosen
            if isinstance(marker, tuple):
                marker = marker[0] if marker else None
            choice.highlighted = codes.index(marker) if marker in codes else 0
            choice.display = True
            choice.focus()
            if current is not None and current.state == "answered":
                message.update(_("Answered: {answer}").format(answer=show_answer(item, current)))
        elif item.type == "repeat":
            count = len(self.engine.instances(step.id))
            info.update(_("{n} entries. F4 adds one; Enter goes on.").format(n=count))
            info.display = True
            self.focus_panel()
        else:  # a note
            info.update(_("Press Enter to go on."))
            info.display = True
            self.focus_panel()

    def focus_panel(self) -> None:
        self.query_one("#question-panel", Vertical).can_focus = True
        self.query_one("#question-panel", Vertical).focus()

    def options_for(self, item: Any) -> list[Option]:
        if item.type == "yes_no":
            return [Option(f"1  {_('yes')}", id="true"), Option(f"2  {_('no')}", id="false")]
        return [
            Option(f"{index}  {choice.label}", id=choice.value)
            for index, choice in enumerate(item.choices or (), start=1)
        ]

    # -- answering ------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "field-text" or self.step is None:
            return
        item = self.bundle.items[self.step.id]
        text = event.value.strip()
        if not text:
            self.save(None)
            return
        parse = VALUE_TYPES[item.type].parse
        assert parse is not None
        try:
            value = parse(text)
        except ValueProblem as problem:
            self.query_one("#message", Label).update(str(problem))
            return
        self.save(Answer.of(value))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sections":
            # Jump to the first question of the chosen section.
            steps = self.engine.steps(str(event.option.id))
            if steps:
                self.show(steps[0])
            return
        if event.option_list.id != "field-choice" or self.step is None:
            return
        item = self.bundle.items[self.step.id]
        code = event.option.id
        if item.type == "yes_no":
            self.save(Answer.of(code == "true"))
        else:
            self.save(Answer.of(str(code)))

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        if getattr(self, "_loading_multi", False) or self.step is None:
            return
        # Every choice is committed at once; the screen stays on the question.
        self.save(Answer.of(tuple(event.selection_list.selected)), move_on=False)

    def on_key(self, event: Any) -> None:
        # Number keys choose: 1 is the first option (the caseworker reads the numbers aloud).
        if not event.character or not event.character.isdigit() or event.character == "0":
            return
        index = int(event.character) - 1
        focused = self.focused
        if isinstance(focused, SelectionList) and index < focused.option_count:
            focused.toggle(focused.get_option_at_index(index).value)
            event.stop()
        elif isinstance(focused, OptionList) and index < focused.option_count:
            focused.highlighted = index
            focused.action_select()
            event.stop()

    def key_enter(self, event: Any) -> None:
        # Only for a note or a list question, where the panel itself has the focus; from
        # anywhere else (the sidebar, a choice list) Enter belongs to that widget.
        panel = self.query_one("#question-panel", Vertical)
        if (
            self.focused is panel
            and self.step is not None
            and self.bundle.items[self.step.id].type in ("note", "repeat")
        ):
            event.stop()
            self.action_next()

    def save(self, answer: Answer | None, *, move_on: bool = True) -> None:
        from intake_tui.store import interviews

        step = self.step
        assert step is not None
        problems = self.engine.validate(step.id, answer, step.instance)
        if problems:
            self.query_one("#message", Label).update("; ".join(problems))
            return
        interviews.save_answer(
            self.store,
            self.interview_id,
            step.id,
            answer,
            step.instance,
            language_shown=self.language,
            current_step=step.id + (f"#{step.instance}" if step.instance else ""),
        )
        self.engine.set_answer(step.id, answer, step.instance)
        if move_on:
            self.show(self.engine.next_step(step))
        else:
            self.refresh_sections()
        self.query_one("#message", Label).update(_("✓ saved"))

    def action_unknown(self) -> None:
        if self.step is not None:
            self.save(UNKNOWN)

    def action_declined(self) -> None:
        if self.step is not None:
            self.save(DECLINED)

    def action_undo(self) -> None:
        from intake_tui.store import interviews

        undone = interviews.undo_last_answer(self.store, self.interview_id)
        if undone is None:
            self.query_one("#message", Label).update(_("Nothing to undo."))
            return
        self.engine.set_answer(undone.question_id, undone.restored, undone.instance)
        self.show(Step(undone.question_id, undone.instance))
        self.query_one("#message", Label).update(_("Undone."))

    def action_add_instance(self) -> None:
        from intake_tui.store import interviews

        if self.step is None or self.bundle.items[self.step.id].type != "repeat":
            return
        repeat = self.step.id
        self.engine.add_instance(repeat)
        interviews.save_answer(self.store, self.interview_id, repeat, self.engine.answer(repeat))
        self.show(self.step)

    def action_remove_instance(self) -> None:
        from intake_tui.store import interviews

        if self.step is None or self.bundle.items[self.step.id].type != "repeat":
            return
        instances = self.engine.instances(self.step.id)
        if not instances:
            return
        # The entry's answers stay stored (listed as hidden); undo brings the entry back.
        self.engine.remove_instance(self.step.id, instances[-1])
        interviews.save_answer(
            self.store, self.interview_id, self.step.id, self.engine.answer(self.step.id)
        )
        self.show(self.step)

    def set_note(self, text: str | None = None, *, toggle_flag: bool = False) -> None:
        """Save the note and flag of the current question (text None keeps the text)."""
        from intake_tui.store import interviews

        assert self.step is not None
        key = (self.step.id, self.step.instance)
        note = self.opened.notes.get(key)
        flagged = (note.flagged if note else False) ^ toggle_flag
        text = text if text is not None else (note.text if note else "")
        interviews.set_note(
            self.store, self.interview_id, key[0], text, flagged=flagged, instance=key[1]
        )
        self.opened.notes[key] = interviews.Note(text, flagged)

    def action_flag(self) -> None:
        if self.step is None:
            return
        self.set_note(toggle_flag=True)
        flagged = self.opened.notes[(self.step.id, self.step.instance)].flagged
        self.query_one("#message", Label).update(
            _("⚑ flagged to come back to") if flagged else _("flag removed")
        )

    def action_note(self) -> None:
        if self.step is None:
            return
        note = self.opened.notes.get((self.step.id, self.step.instance))
        step = self.step

        def done(text: str | None) -> None:
            if text is not None and self.step == step:
                self.set_note(text)
                self.query_one("#message", Label).update(_("note saved"))

        self.app.push_screen(NoteScreen(note.text if note else ""), done)

    def action_next(self) -> None:
        if self.step is not None:
            self.show(self.engine.next_step(self.step))

    def action_previous(self) -> None:
        if self.step is not None:
            self.show(self.engine.previous_step(self.step) or self.step)

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_review(self) -> None:
        from intake_tui.ui.screens.review import ReviewScreen

        def jump(step: Step | None) -> None:
            from intake_tui.store import interviews

            # The review may have finalized the interview: reload what the screen holds.
            self.opened = interviews.open_interview(self.store, self.interview_id)
            self.engine = self.opened.interview
            self.show(step or self.step)

        self.app.push_screen(ReviewScreen(self.interview_id), jump)


class NoteScreen(ModalScreen[str | None]):
    """A note for the caseworker on one question; Enter keeps it, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="note.cancel"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Label(_("Note (for you only; never exported)"), classes="title")
            yield Input(value=self.text, id="note")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
