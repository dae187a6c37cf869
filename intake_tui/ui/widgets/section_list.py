"""The interview's sidebar: each visible section with its progress; Enter jumps to it.

One widget, not a list item per section: every keystroke in an answer makes Textual arrange
the screen again, and fewer widgets keep that short.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from intake_tui.core.engine import SectionProgress


class SectionList(OptionList):
    """`✓` complete, `!` a required answer missing, `·` under way, `⚑` a flagged question."""

    def load(
        self,
        progress: Mapping[str, SectionProgress],
        flagged: Collection[str],
        title: Callable[[str], str],
    ) -> None:
        highlighted = self.highlighted
        self.clear_options()
        for section_id, section in progress.items():
            if not section.visible:
                continue
            mark = "✓" if section.complete else ("!" if section.missing_required else "·")
            if section_id in flagged:
                mark += "⚑"
            count = f"{section.answered}/{section.total}"
            self.add_option(Option(f"{mark} {count:>7}  {title(section_id)}", id=section_id))
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted
