"""One row of the review or the plan: a head ("  Label: ") and a text hung under its first line.

An `OptionList` asks each prompt for its height at the list's width, then for its lines, so this
Visual wraps the text itself and nothing is cut (at 40 cells):

      Opleiding: Mbo niveau 2 verzorgende,      <- the head, then the first words
                 afgebroken in 2019; wil ik     <- later lines under the first word
                 afmaken

A line break the caseworker typed starts a new line under the same indent. A head wider than
half the list gets lines of its own; a short text stays beside its last line, a longer one
follows under it, two cells further in than the head.
`after` are lines drawn as given (the newcomer's words, already wrapped and shaped), `indent`
cells in.
"""

from __future__ import annotations

import rich.repr
from rich.cells import cell_len
from textual.css.styles import RulesMap

from intake_tui.i18n.bidi import display_lines
from intake_tui.ui.widgets.lines_visual import LinesVisual

STEP = 2
"""Cells further in than the head for the text under a head too wide to hang from."""
_UNWRAPPED = 10_000
_CACHED_WIDTHS = 8


@rich.repr.auto
class HangingRow(LinesVisual):
    """`head` then `text`, the text's later lines indented under its first; `after` as given."""

    def __init__(
        self, head: str, text: str = "", after: tuple[str, ...] = (), *, indent: int = 0
    ) -> None:
        self.head = head
        self.text = text
        self.after = after
        self.indent = indent
        self._lines: dict[int, tuple[str, ...]] = {}

    def __str__(self) -> str:
        """Plain text for searching and tests: the row unwrapped, `after` on lines of its own."""
        return "\n".join([self.head + self.text, *self.after])

    def __rich_repr__(self) -> rich.repr.Result:
        yield self.head
        yield self.text
        yield "after", self.after, ()
        yield "indent", self.indent, 0

    # -- layout ---------------------------------------------------------------------------------

    def lines(self, width: int) -> tuple[str, ...]:
        """The lines as drawn at `width` cells, each padded to exactly `width` cells."""
        width = max(1, width)
        if (found := self._lines.get(width)) is None:
            if len(self._lines) >= _CACHED_WIDTHS:
                self._lines.clear()
            found = self._lines[width] = tuple(
                line + " " * max(0, width - cell_len(line)) for line in self._layout(width)
            )
        return found

    def _layout(self, width: int) -> list[str]:
        head_width = cell_len(self.head)
        if "\n" not in self.text and head_width + cell_len(self.text) <= width:
            lines = [self.head + self.text]
        elif head_width <= width // 2:
            first, *rest = display_lines(self.text, width - head_width, rtl=False)
            lines = [self.head + first, *(" " * head_width + line for line in rest)]
        else:
            lead = head_width - cell_len(self.head.lstrip())
            indent = min(lead + STEP, width // 2)
            head = display_lines(self.head.strip(), width - indent, rtl=False)
            lines = [" " * lead + head[0], *(" " * indent + line for line in head[1:])]
            after_head = cell_len(lines[-1]) + 1
            if self.text and "\n" not in self.text and after_head + cell_len(self.text) <= width:
                lines[-1] += " " + self.text  # a short answer stays beside its question
            elif self.text:
                body = display_lines(self.text, width - indent, rtl=False)
                lines.extend(" " * indent + line for line in body)
        return [*lines, *(" " * self.indent + line for line in self.after)]

    # -- the Visual protocol ----------------------------------------------------------------------

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        widths = [cell_len(line) for line in display_lines(self.text, _UNWRAPPED, rtl=False)]
        widths += [self.indent + cell_len(line) for line in self.after]
        return max([cell_len(self.head) + widths[0], *widths[1:]])
