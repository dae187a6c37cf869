"""Typed text that is not an answer yet is kept in the encrypted store, so a crash, a power
cut or the idle lock loses at most two seconds of typing.

The keeper saves the text about 1.5 s after the last keystroke (a check every 0.5 s, so
never later than 2 s), and at once when the screen asks (lock, an F-key, a screen change).
Saving the answer itself removes the draft (store/interviews.py `save_answer`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from intake_tui.core.engine import Key

QUIET_S = 1.5  # save after this long without a keystroke
CHECK_S = 0.5  # how often to look: QUIET_S + CHECK_S is the most a crash can lose
LONGEST_S = 5.0  # a caseworker who never pauses still has a copy this often


class DraftKeeper:
    """The one unsaved text of the screen, and when it goes to the store."""

    def __init__(self, owner: Widget, save: Callable[[Key, str], None]) -> None:
        self._save = save
        self._pending: tuple[Key, str] | None = None
        self._first = 0.0
        self._last = 0.0
        self._timer: Timer = owner.set_interval(CHECK_S, self._check, pause=True)

    @property
    def pending(self) -> tuple[Key, str] | None:
        return self._pending

    def typed(self, key: Key, text: str) -> None:
        """The caseworker typed: `text` is what the field of `key` holds now."""
        now = time.monotonic()
        if self._pending is None or self._pending[0] != key:
            self.flush()
            self._first = now
        self._pending = (key, text)
        self._last = now
        self._timer.resume()

    def _check(self) -> None:
        now = time.monotonic()
        if now - self._last >= QUIET_S or now - self._first >= LONGEST_S:
            self.flush()

    def flush(self) -> None:
        """Save the pending text now (lock, F-key, screen change)."""
        pending, self._pending = self._pending, None
        self._timer.pause()
        if pending is not None:
            self._save(*pending)

    def forget(self) -> None:
        """The text became an answer (or was thrown away): nothing to keep."""
        self._pending = None
        self._timer.pause()
