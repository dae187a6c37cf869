"""One open interview as the interview screen works with it: the engine, the store, every change.

The screen shows and asks; this class changes the store and the engine together, so a change
is in both or in neither, and a store refusal (a finalized intake, a missing interview) comes
back as a message for the screen, never as an exception that reaches the top of the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from intake_tui.core.display import show_answer
from intake_tui.core.engine import Key, Step
from intake_tui.core.values import Answer
from intake_tui.i18n import _
from intake_tui.store import drafts, history, interviews
from intake_tui.store.session import Store, StoreError


@dataclass(frozen=True)
class UndoResult:
    """What a ctrl+z did: the message, the question to show, and what a second ctrl+z undoes."""

    message: str
    show: Step | None = None
    armed: Key | None = None


class InterviewSession:
    """The interview behind the screen; `read_only` when it is finalized."""

    def __init__(self, store: Store, interview_id: str) -> None:
        self.store = store
        self.interview_id = interview_id
        self.reload()

    def reload(self) -> None:
        """Read the interview again (after the review finalized or reopened it)."""
        opened = interviews.open_interview(self.store, self.interview_id)
        self.summary = opened.summary
        self.bundle = opened.bundle
        self.engine = opened.interview
        self.notes = opened.notes
        self.current_step = opened.current_step
        self.shown = opened.shown  # intake./plan. values its texts show
        self.read_only = opened.summary.status != "in_progress"
        self.drafts = drafts.drafts(self.store, self.interview_id)

    # -- answers --------------------------------------------------------------------------------

    def save(self, step: Step, answer: Answer | None, language_shown: str | None) -> str | None:
        """Validate and store an answer; the problem in words when it was not saved."""
        if self.read_only:
            return read_only_message()
        problems = self.engine.validate(step.id, answer, step.instance)
        if problems:
            return "; ".join(problems)
        try:
            interviews.save_answer(
                self.store,
                self.interview_id,
                step.id,
                answer,
                step.instance,
                language_shown=language_shown,
                current_step=step.id + (f"#{step.instance}" if step.instance else ""),
            )
        except StoreError as error:
            return str(error)  # e.g. finalized on another laptop's sync meanwhile
        self.drafts.pop(step.key, None)  # saving the answer removed the stored draft
        self.engine.set_answer(step.id, answer, step.instance)
        return None

    def undo(self, here: Key | None, armed: Key | None, label: Callable[[str], str]) -> UndoResult:
        """Undo the last change; when it was another question, first show it and ask again."""
        try:
            target = history.last_undoable(self.store, self.interview_id)
            if target is None:
                return UndoResult(_("Nothing to undo."))
            if target != here and armed != target:
                step = Step(*target)
                return UndoResult(
                    _("The last change was to “{question}”. Press ctrl+z again to undo it.").format(
                        question=label(target[0])
                    ),
                    show=step if step in self.engine.steps() else None,
                    armed=target,
                )
            undone = history.undo_last_answer(self.store, self.interview_id)
        except StoreError as error:
            return UndoResult(str(error))
        if undone is None:
            return UndoResult(_("Nothing to undo."))
        self.engine.set_answer(undone.question_id, undone.restored, undone.instance)
        step = Step(undone.question_id, undone.instance)
        return UndoResult(
            _("Undone: “{question}”.").format(question=label(undone.question_id)),
            show=step if step in self.engine.steps() else None,
        )

    # -- moving on ------------------------------------------------------------------------------

    def onward(self, step: Step) -> tuple[Step | None, int | None]:
        """Where Page Down (or a saved answer) goes from `step`, and the entry it just finished.

        The last question of a repeat entry leads back to the list of entries, so the caseworker
        can add another or go on; from the list, Page Down goes on past its entries (Enter opens
        one)."""
        engine = self.engine
        item = self.bundle.items[step.id]
        if item.type == "repeat":
            steps = engine.steps()
            if step not in steps:
                return engine.next_step(step), None
            inside = set(engine.instances(step.id))
            rest = steps[steps.index(step) + 1 :]
            return next(
                (
                    s
                    for s in rest
                    if not (s.instance in inside and self.bundle.items[s.id].repeat == step.id)
                ),
                None,
            ), None
        following = engine.next_step(step)
        repeat = item.repeat
        if (
            repeat is not None
            and step.instance is not None
            and (following is None or following.instance != step.instance)
            and step.instance in engine.instances(repeat)
        ):
            return Step(repeat), engine.instances(repeat).index(step.instance) + 1
        return following, None

    # -- repeats --------------------------------------------------------------------------------

    def entries(self, repeat: str) -> list[tuple[str, str]]:
        """(instance, summary) of each entry: the entry's first answer, or a dash."""
        first = next(iter(self.bundle.items[repeat].children), None)
        rows = []
        for instance in self.engine.instances(repeat):
            summary = "—"
            if first is not None and self.bundle.items[first].holds_value:
                summary = show_answer(self.bundle.items[first], self.engine.answer(first, instance))
            rows.append((instance, summary))
        return rows

    def _save_instances(self, repeat: str, before: tuple[str, ...]) -> str | None:
        if self.read_only:
            problem: str | None = read_only_message()
        else:
            try:
                interviews.save_answer(
                    self.store, self.interview_id, repeat, self.engine.answer(repeat)
                )
                return None
            except StoreError as error:
                problem = str(error)
        self.engine.set_answer(repeat, Answer.of(before) if before else None)  # as it was
        return problem

    def filter_note(self, step: Step) -> str | None:
        """What the screen says about a question whose choices follow an earlier answer
        (`choice_filter:`): that nothing is offered yet, or that the answer no longer is."""
        item = self.engine.item(step.id)
        if item.choice_filter is None:
            return None
        offered = {c.value for c in self.engine.choices(step.id, step.instance)}
        answer = self.engine.answer(step.id, step.instance)
        value = answer.value if answer is not None and answer.state == "answered" else None
        codes = value if isinstance(value, tuple) else () if value is None else (value,)
        if answer is not None and any(code not in offered for code in codes):
            return _(
                "Answered: {answer}. That is no longer offered after an earlier answer "
                "changed: choose again."
            ).format(answer=show_answer(item, answer))
        if not offered:
            return _("Nothing to choose yet: these choices follow an earlier answer.")
        return None

    def add_instance(self, repeat: str) -> str | None:
        before = self.engine.instances(repeat)
        self.engine.add_instance(repeat)
        return self._save_instances(repeat, before)

    def remove_instance(self, repeat: str, instance: str) -> str | None:
        """Remove an entry; its answers stay stored (listed as hidden) and undo brings it back."""
        before = self.engine.instances(repeat)
        self.engine.remove_instance(repeat, instance)
        return self._save_instances(repeat, before)

    def move_instance(self, repeat: str, instance: str, offset: int) -> int | None:
        """Move an entry up or down; its new position, or None when it did not move."""
        before = self.engine.instances(repeat)
        position = before.index(instance) + offset
        if not 0 <= position < len(before):
            return None
        self.engine.move_instance(repeat, instance, position)
        return None if self._save_instances(repeat, before) else position

    # -- notes and drafts -----------------------------------------------------------------------

    def set_note(self, key: Key, text: str | None = None, *, toggle_flag: bool = False) -> bool:
        """Save the note and flag of a question (text None keeps the text); the new flag."""
        note = self.notes.get(key)
        flagged = (note.flagged if note else False) ^ toggle_flag
        text = text if text is not None else (note.text if note else "")
        interviews.set_note(
            self.store, self.interview_id, key[0], text, flagged=flagged, instance=key[1]
        )
        self.notes[key] = interviews.Note(text, flagged)
        return flagged

    def proposal(self, step: Step, *, typed: bool) -> str | None:
        """The question's proposed default as the field shows it: typed text (`typed`), or a
        choice code ("true"/"false" for yes/no). None when there is none or nothing may change."""
        if self.read_only:
            return None
        value = self.engine.proposal(step.id, step.instance)
        if value is None:
            return None
        if typed:
            return show_answer(self.bundle.items[step.id], Answer.of(value))
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    def keep_draft(self, key: Key, text: str) -> None:
        """Store typed text that is not an answer yet (never for a finalized intake)."""
        if not self.read_only:
            drafts.save_draft(self.store, self.interview_id, key[0], text, key[1])
            self.drafts[key] = text

    def discard_draft(self, key: Key) -> None:
        if self.drafts.pop(key, None) is not None:
            drafts.discard_draft(self.store, self.interview_id, *key)


def read_only_message() -> str:
    # "conversation": an intake or a voortgangsgesprek, both read only once finalized.
    return _("This conversation is finalized: reopen it in the review (F5) to change answers.")


def read_only_banner() -> str:
    return _(
        "Finalized: read only. To change an answer, open the review (F5) and reopen "
        "the conversation with a reason."
    )
