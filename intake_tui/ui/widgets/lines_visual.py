"""A Textual `Visual` that is a list of plain text lines it lays out itself, for option lists
whose prompts wrap (option_prompt.py, review_row.py): the height is the number of lines at the
given width, and every line is drawn in the style the OptionList passes (so its highlight covers
the whole option)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class LinesVisual(Visual):
    """Subclasses give `lines(width)`: each line at most `width` cells."""

    def lines(self, width: int) -> Sequence[str]:
        raise NotImplementedError

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.lines(width))

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        if width <= 0:
            return []
        rich_style = style.rich_style
        lines = list(self.lines(width))
        if height is not None:
            lines = lines[:height]
        return [Strip([Segment(line, rich_style)], width).crop(0, width) for line in lines]
