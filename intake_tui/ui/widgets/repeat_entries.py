"""The entries of a repeat (children, earlier schooling, jobs): one line each, numbered.

The list shows each entry by its first answer; Enter on one opens it (the screen shows its
first question). Adding, removing and moving entries change the interview, so the screen does
them and reloads this list.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class RepeatEntries(OptionList):
    """Numbered entries of one repeat; `selected` is the highlighted entry's instance id."""

    DEFAULT_CSS = """
    RepeatEntries {
        height: auto;
        max-height: 14;
    }
    """

    class Opened(Message):
        """Enter on an entry: show its questions."""

        def __init__(self, entries: RepeatEntries, instance: str) -> None:
            super().__init__()
            self.entries = entries
            self.instance = instance

        @property
        def control(self) -> RepeatEntries:
            return self.entries

    def load(self, entries: Sequence[tuple[str, str]], *, highlight: int | None = None) -> None:
        """Show (instance id, summary) pairs; keep the highlight where it was unless told."""
        before = self.highlighted
        self.clear_options()
        self.add_options(
            [
                Option(f"{position}  {summary}", id=instance)
                for position, (instance, summary) in enumerate(entries, start=1)
            ]
        )
        if self.option_count:
            wanted = highlight if highlight is not None else (before or 0)
            self.highlighted = max(0, min(wanted, self.option_count - 1))

    @property
    def selected(self) -> str | None:
        """The highlighted entry, else the last one, else None."""
        if not self.option_count:
            return None
        index = self.highlighted if self.highlighted is not None else self.option_count - 1
        return self.get_option_at_index(index).id

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Opened(self, event.option.id))
