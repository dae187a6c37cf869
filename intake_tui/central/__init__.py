"""`intake-central`: the reference central server the laptops sync to (docs/sync-protocol.md).

FastAPI + SQLModel; SQLite by default, PostgreSQL by URL. Nothing on the laptop's path imports
this package, so the TUI never loads FastAPI.

    from intake_tui.central import create_app
    app = create_app("sqlite:///central.db")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intake_tui.central.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m intake_tui.central.cli --help` does not load FastAPI.
    if name == "create_app":
        from intake_tui.central.app import create_app

        return create_app
    raise AttributeError(name)
