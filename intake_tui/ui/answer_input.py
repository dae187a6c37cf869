"""A text field for answers that does not re-arrange the whole screen on every keystroke.

Textual's Input (8.2.8) sets its `virtual_size` — a reactive with `layout=True` — from the text
length on every change, so each typed character asks the screen for a full layout pass
(measured: one reflow of every widget per key; docs/performance.md). Only the field's own
horizontal scrolling uses that size, so here it is set without the layout request and the
field repaints itself. The rest of `_watch_value` is Textual's, unchanged (textual is pinned).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class AnswerInput(Input):
    def _watch_value(self, value: str) -> None:
        size = Size(self.content_width, 1)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self.refresh()
        self._suggestion = ""
        if self.suggester and value:
            self.run_worker(self.suggester._get_suggestion(self, value))
        if self.styles.auto_dimensions:
            self.refresh(layout=True)
        validation_result = self.validate(value) if "changed" in self.validate_on else None
        self.post_message(self.Changed(self, value, validation_result))
        if self._initial_value:
            self.cursor_position = len(self.value)
            self._initial_value = False
        else:
            self.selection = self.selection
