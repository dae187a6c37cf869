"""intake-tui: a keyboard-first terminal app for the brede intake under the Wet inburgering 2021."""

__version__ = "0.1.0"
