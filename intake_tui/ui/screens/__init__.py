"""The screens of the TUI: unlock, cases, interview."""
