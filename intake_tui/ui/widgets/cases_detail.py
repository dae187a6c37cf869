"""The selected case under the cases table: its name and the interview id, in full.

The id is the one `intake-tui cases list` prints and `export ID` and `person export ID` take, so
a caseworker can carry it from the screen to the command line.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Label

from intake_tui.i18n import _


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

    def show_case(self, name: str | None, interview_id: str | None) -> None:
        if not interview_id:
            self.update("")
            return
        # Text, not markup: a name may hold "[" and the id must show exactly as it is.
        self.update(Text(_("{name} · interview id {id}").format(name=name or "—", id=interview_id)))
