"""A case's timeline as a list: the intake, the plan's revisions, and the talks, oldest first.

Each row wraps (a `HangingRow`), so a long reason is never cut at 80 columns. A talk shows its
due date, its status in words (planned, in progress, held, missed), the date it was first
planned on and why it moved, and the overdue sign with the word "overdue" (not only colour).
The three parts have headings of their own, which the cursor passes over. The list knows what
each row is (`Entry`); what to do with it is the screen's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from intake_tui.i18n import _
from intake_tui.ui.widgets.cases_detail import OVERDUE_SIGN
from intake_tui.ui.widgets.review_row import HangingRow

if TYPE_CHECKING:
    from intake_tui.store.followups import Talk
    from intake_tui.store.interviews import InterviewSummary
    from intake_tui.store.plans import Revision


@dataclass(frozen=True)
class Entry:
    """What a row of the timeline stands for."""

    kind: Literal["intake", "revision", "talk"]
    revision: int | None = None
    talk: Talk | None = None


def _date(day: dt.date | dt.datetime | None) -> str:
    return day.strftime("%d-%m-%Y") if day is not None else "—"


def talk_status_names() -> dict[str, str]:
    return {
        "planned": _("planned"),
        "in_progress": _("in progress"),
        "held": _("held"),
        "missed": _("missed"),
    }


def talk_text(talk: Talk) -> str:
    """A talk's status, and why it moved or did not take place, in words."""
    parts = [talk_status_names()[talk.status]]
    if talk.overdue:
        parts.append(_("overdue"))
    if talk.status == "held" and talk.held_on is not None and talk.held_on != talk.due:
        # Held early or late: the day it was held, so a talk in the past is not dated ahead.
        parts[0] = _("held on {date}").format(date=_date(talk.held_on))
    if talk.status == "missed" and talk.reason:
        parts[0] = _("missed: {reason}").format(reason=talk.reason)
    elif talk.rescheduled_from is not None:
        moved = _("moved from {date}").format(date=_date(talk.rescheduled_from))
        parts.append(f"{moved}: {talk.reason}" if talk.reason else moved)
    return " · ".join(parts)


class TimelineList(OptionList):
    """The rows of one case's timeline; `entry()` is the one under the cursor."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: dict[str, Entry] = {}

    def show(
        self, intake: InterviewSummary, revisions: Sequence[Revision], talks: Sequence[Talk]
    ) -> None:
        """Fill the list again, keeping the cursor on the same row where it still is."""
        kept = self.highlighted_option.id if self.highlighted_option is not None else None
        self.clear_options()
        self.entries = {}
        statuses = {
            "in_progress": _("in progress"),
            "finalized": _("finalized"),
            "discussed": _("discussed"),
            "final": _("final"),
        }
        self.add_option(Option(_("Intake"), disabled=True))
        # Its status in words with its date: "finalized 28-11-2026" says both at once.
        head = "  " + _("started {date}").format(date=_date(intake.created_at)) + " · "
        if intake.finalized_at is not None and intake.status == "finalized":
            detail = _("finalized {date}").format(date=_date(intake.finalized_at))
        else:
            detail = statuses.get(intake.status, intake.status)
        self._add("intake", Entry("intake"), HangingRow(head, detail))
        self.add_option(Option(_("Plan"), disabled=True))
        if not revisions:
            self.add_option(Option("  " + _("no plan revision yet"), disabled=True))
        for revision in revisions:
            head = "  " + _("revision {n}").format(n=revision.revision) + " · "
            text = statuses.get(revision.status, revision.status)
            if revision.dagtekening is not None:
                text += " · " + _("dagtekening {date}").format(date=_date(revision.dagtekening))
            self._add(
                f"revision-{revision.revision}",
                Entry("revision", revision=revision.revision),
                HangingRow(head, text),
            )
        self.add_option(Option(_("Talks"), disabled=True))
        if not talks:
            self.add_option(
                Option("  " + _("no talks: a final plan schedules them"), disabled=True)
            )
        for talk in talks:
            sign = OVERDUE_SIGN if talk.overdue else " "
            self._add(
                f"talk-{talk.id}",
                Entry("talk", talk=talk),
                HangingRow(f"{sign} {_date(talk.due)} · ", talk_text(talk)),
            )
        if kept is not None and kept in self.entries:
            self.highlighted = self.get_option_index(kept)
        else:
            self.highlighted = self.get_option_index("intake")

    def _add(self, option_id: str, entry: Entry, row: HangingRow) -> None:
        self.entries[option_id] = entry
        self.add_option(Option(row, id=option_id))

    def entry(self) -> Entry | None:
        option = self.highlighted_option
        return self.entries.get(option.id) if option is not None and option.id else None

    def select_talk(self, talk_id: str) -> None:
        """Put the cursor on a talk (after it was started or moved)."""
        if f"talk-{talk_id}" in self.entries:
            self.highlighted = self.get_option_index(f"talk-{talk_id}")
