"""The header of our screens: Textual's Header, its title written at once and never later.

Textual's `Header` (8.2.8) fills its title from an `async` watcher: the first fill is queued as
a coroutine on the app's and the screen's callback queues. The app runs its queue only after
the screen switch in flight (mounting the new screen, removing the old one); a header whose
screen goes before that — the app closing, or locking, while unlocking still switches screens —
then finds its title gone and the app stops with `NoMatches: ... 'HeaderTitle' on Header()`,
leaving the other queued fill never awaited (issue 12 item 5). Here the fill is synchronous:
at mount, and from each watcher while this header is still there (Textual skips the watchers of
a closing node, and a header's parts go only after it closes). It looks the same.
"""

from __future__ import annotations

from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Header, Static


class IntakeHeader(Header):
    """The app's (or the screen's) title at the top of a screen."""

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # not Header._on_mount: its fill is the deferred one
        Widget._on_mount(self, event)
        for reactable, name in (
            (self.app, "title"),
            (self.app, "sub_title"),
            (self.screen, "title"),
            (self.screen, "sub_title"),
        ):
            self.watch(reactable, name, self._show_title)  # init: called now, not queued

    def _show_title(self) -> None:
        # By the type's name: the class lives in Textual's private `_header` module.
        self.query_one("HeaderTitle", Static).update(self.format_title())
