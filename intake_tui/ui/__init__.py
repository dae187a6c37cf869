"""The caseworker's terminal UI (Textual). Imported only when the TUI starts."""
