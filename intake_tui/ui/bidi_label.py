"""A label for text in the newcomer's language, drawn right to left when that language is RTL.

Textual draws text in logical order, so this widget holds the logical text and asks
`display_lines` for visual lines at its current width, padding RTL lines on the left.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from intake_tui.i18n.bidi import RtlMode, display_lines


class BidiLabel(Widget):
    """Logical text in, wrapped visual lines out; re-wraps whenever its width changes."""

    DEFAULT_CSS = """
    BidiLabel {
        height: auto;
    }
    """

    text: reactive[str] = reactive("", layout=True)
    rtl: reactive[bool] = reactive(False, layout=True)
    mode: reactive[RtlMode] = reactive[RtlMode]("app", layout=True)

    def __init__(
        self,
        text: str = "",
        *,
        rtl: bool = False,
        mode: RtlMode = "app",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(BidiLabel.text, text)
        self.set_reactive(BidiLabel.rtl, rtl)
        self.set_reactive(BidiLabel.mode, mode)

    def update(self, text: str) -> None:
        """Show new logical text (the live preview under an Input calls this per keystroke)."""
        self.text = text

    def lines(self, width: int) -> tuple[str, ...]:
        """The visual lines at `width` cells, aligned and padded to exactly that width."""
        width = max(1, width)
        raw = self._unpadded(width)
        if self.rtl:
            return tuple(" " * max(0, width - cell_len(line)) + line for line in raw)
        return tuple(line + " " * max(0, width - cell_len(line)) for line in raw)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((cell_len(line) for line in self._unpadded(container.width)), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._unpadded(width)) if width else 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self.lines(width)
        style = self.rich_style
        if 0 <= y < len(lines):
            return Strip([Segment(lines[y], style)]).adjust_cell_length(width, style)
        return Strip.blank(width, style)

    def _unpadded(self, width: int) -> tuple[str, ...]:
        return display_lines(self.text, max(1, width), rtl=self.rtl, mode=self.mode)
