"""The selected case under the cases table: its name and the interview id, in full, and its
next talk.

The id is the one `intake-tui cases list` prints and `export ID` and `person export ID` take, so
a caseworker can carry it from the screen to the command line. The next talk (a voortgangsgesprek
its final plan scheduled, neither held nor missed) is on a line of its own; an overdue one
carries the same sign as an overdue PIP and says "overdue" in words, not only in colour. The
table has no room for it as a column at 80 columns in Dutch, so it is shown here; `t` opens the
case's timeline.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.widgets import Label

from intake_tui.i18n import _

OVERDUE_SIGN = "!"  # in front of an overdue date: a PIP in the table, a talk here


class CaseDetail(Label):
    """One or two lines about the case under the cursor (nothing when there is none)."""

    DEFAULT_CSS = """
    CaseDetail {
        width: 100%;
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def show_case(
        self,
        name: str | None,
        interview_id: str | None,
        next_talk: dt.date | None = None,
        today: dt.date | None = None,
    ) -> None:
        if not interview_id:
            self.update("")
            return
        # Text, not markup: a name may hold "[" and the id must show exactly as it is.
        text = _("{name} · interview id {id}").format(name=name or "—", id=interview_id)
        if next_talk is not None:
            when = next_talk.strftime("%d-%m-%Y")
            if today is not None and next_talk < today:
                text += "\n" + _("Next talk: {sign} {date}, overdue (t: timeline)").format(
                    sign=OVERDUE_SIGN, date=when
                )
            else:
                text += "\n" + _("Next talk: {date} (t: timeline)").format(date=when)
        self.update(Text(text))
