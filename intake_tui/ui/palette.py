"""The command palette in the caseworker's language.

Textual's palette writes "No matches found" in English, from inside a private method; this
subclass says it through `_()` (the rest is Textual's, unchanged; textual is pinned). The
placeholder is a constructor argument and is translated where the palette is opened.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from intake_tui.i18n import _
from intake_tui.ui.keys import LocalizedBindings


class IntakeCommandPalette(LocalizedBindings, CommandPalette):
    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
