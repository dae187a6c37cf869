"""The interview's keys for a repeat's entries (F4 adds, F6 removes, shift+up/down move), kept
apart from the screen so that it orchestrates; the session does the work and saves."""

from __future__ import annotations

from typing import Any

from intake_tui.core.engine import Step
from intake_tui.i18n import _
from intake_tui.ui.interview_session import InterviewSession
from intake_tui.ui.widgets.answer_area import AnswerArea
from intake_tui.ui.widgets.repeat_entries import RepeatEntries


class RepeatActions:
    """Mixed into `InterviewScreen`: the actions on the entries of the repeat shown."""

    # What the screen provides.
    step: Step | None
    session: InterviewSession
    answer: AnswerArea
    bundle: Any
    show: Any
    say: Any
    query_one: Any

    def _repeat(self) -> tuple[str, str | None] | None:
        """(repeat, selected entry) when a repeat is shown whose entries can be changed here."""
        if self.step is None or self.bundle.items[self.step.id].type != "repeat":
            return None
        if self.bundle.items[self.step.id].repeat_count is not None:
            # A counted repeat has as many entries as an answer says (core/choice_filter.py).
            self.say(_("The number of entries follows an earlier answer: change that answer."))
            return None
        return self.step.id, self.query_one(RepeatEntries).selected

    def action_add_instance(self) -> None:
        if (shown := self._repeat()) is None:
            return
        problem = self.session.add_instance(shown[0])
        self.show(self.step)
        if problem:
            self.say(problem)
        entries = self.query_one(RepeatEntries)
        entries.highlighted = entries.option_count - 1 if entries.option_count else None

    def action_remove_instance(self) -> None:
        if (shown := self._repeat()) is None or shown[1] is None:
            return
        problem = self.session.remove_instance(shown[0], shown[1])
        self.show(self.step)
        if problem:
            self.say(problem)

    def action_move_entry(self, offset: int) -> None:
        if (shown := self._repeat()) is None or shown[1] is None:
            return
        position = self.session.move_instance(shown[0], shown[1], offset)
        if position is not None:
            self.answer.show_entries(self.session.entries(shown[0]), highlight=position)
            self.say(_("✓ saved"))
