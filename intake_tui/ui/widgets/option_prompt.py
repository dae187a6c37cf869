"""One choice option over as many lines as it needs: never cut, RTL lines in reading order.

An `OptionList` asks each prompt for its height at the list's width and then for its lines, so
this Visual wraps the texts itself (at 40 cells, Arabic shown here as "x"):

      3  Redelijk: apps, internet,
         formulieren met hulp
            xxxxxxxx xxxxxxx xxxxxxx xxxxxx    <- the first Arabic words, at the right
                                    xxxxxxx

The number sits right-aligned in a small column; the caseworker's text follows two spaces
later and wraps with a hanging indent under itself; the newcomer's text starts on the next line
under the same indent, wrapped and drawn by `display_lines` (wrap the logical text first, then
shape and reorder each line), so RTL lines come out first words first, right-aligned.
"""

from __future__ import annotations

import rich.repr
from rich.cells import cell_len
from textual.css.styles import RulesMap

from intake_tui.i18n.bidi import RtlMode, display_lines
from intake_tui.ui.widgets.lines_visual import LinesVisual

NUMBER_WIDTH = 3
"""Cells for the number, right-aligned: room for "99" plus a space, or "100"."""
GAP = 2
"""Spaces between the number column and the text."""
MIN_TEXT_WIDTH = 6
"""Below this many cells beside the number, the number gets a line of its own."""
_UNWRAPPED = 10_000
_CACHED_WIDTHS = 8


@rich.repr.auto
class OptionPrompt(LinesVisual):
    """The prompt of one option: `number`, the caseworker's `mine`, the newcomer's `theirs`.

    `rtl` and `mode` are about `theirs` (the newcomer's language and the `rtl_rendering`
    setting); `mine` is always left to right. All texts are logical Unicode.
    """

    def __init__(
        self, number: str, mine: str, theirs: str = "", *, rtl: bool = False, mode: RtlMode = "app"
    ) -> None:
        self.number = number
        self.mine = mine
        self.theirs = theirs
        self.rtl = rtl
        self.mode: RtlMode = mode
        self._lines: dict[int, tuple[str, ...]] = {}

    def __str__(self) -> str:
        """Plain text for searching and tests: the number and the caseworker's text."""
        return f"{self.number}  {self.mine}"

    def __rich_repr__(self) -> rich.repr.Result:
        yield self.number
        yield self.mine
        yield "theirs", self.theirs, ""
        yield "rtl", self.rtl, False
        yield "mode", self.mode, "app"

    # -- layout ---------------------------------------------------------------------------------

    def lines(self, width: int) -> tuple[str, ...]:
        """The lines as drawn at `width` cells, each padded to exactly `width` cells."""
        width = max(1, width)
        if (found := self._lines.get(width)) is None:
            if len(self._lines) >= _CACHED_WIDTHS:
                self._lines.clear()
            found = self._lines[width] = tuple(
                line + " " * (width - cell_len(line)) for line in self._layout(width)
            )
        return found

    def _layout(self, width: int) -> list[str]:
        column = max(NUMBER_WIDTH, cell_len(self.number))
        indent = column + GAP
        text_width = width - indent
        if text_width < MIN_TEXT_WIDTH:
            # Too narrow for a column: the number alone, then both texts at the full width.
            indent, text_width = 0, width
            head = list(display_lines(self.number, width, rtl=False))
            mine = list(display_lines(self.mine, width, rtl=False))
        else:
            number = " " * (column - cell_len(self.number)) + self.number
            first, *rest = display_lines(self.mine, text_width, rtl=False)
            head = [number + " " * GAP + first]
            mine = [" " * indent + line for line in rest]
        lines = head + mine
        if self.theirs:
            for line in display_lines(self.theirs, text_width, rtl=self.rtl, mode=self.mode):
                pad = text_width - cell_len(line) if self.rtl else 0
                lines.append(" " * (indent + max(0, pad)) + line)
        return lines

    # -- the Visual protocol ----------------------------------------------------------------------

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """Wide enough for the number column and the longer text on one line each."""
        widths = [cell_len(line) for line in display_lines(self.mine, _UNWRAPPED, rtl=False)]
        if self.theirs:
            visual = display_lines(self.theirs, _UNWRAPPED, rtl=self.rtl, mode=self.mode)
            widths.extend(cell_len(line) for line in visual)
        return max(NUMBER_WIDTH, cell_len(self.number)) + GAP + max(widths, default=0)
