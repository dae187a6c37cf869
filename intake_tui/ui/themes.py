"""The app's own themes, kept apart from the screens so that registering them at start-up
imports no widgets (start to first frame is measured against a minimal Textual app)."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="intake-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00ff00",
    warning="#ffff00",
    error="#ff5555",
    dark=True,
)
# No colour at all: meaning is carried by text and marks (✓ ! ⚑ ?), never by colour alone.
# Chosen by default when NO_COLOR is set (https://no-color.org).
MONOCHROME = Theme(
    name="intake-monochrome",
    primary="#ffffff",
    secondary="#bbbbbb",
    accent="#ffffff",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#222222",
    success="#ffffff",
    warning="#ffffff",
    error="#ffffff",
    dark=True,
)
THEMES = (
    "textual-dark",
    "textual-light",
    "intake-high-contrast",
    "intake-monochrome",
    "ansi-dark",
    "ansi-light",
)
