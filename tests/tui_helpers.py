"""Driving the TUI in tests: an app on a frozen clock, unlocking, waiting for a screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input

from intake_tui.core import FrozenClock
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.app import IntakeApp


def make_app(root: Path, user: str | None = "demo") -> IntakeApp:
    return IntakeApp(root, clock=FrozenClock.on("2026-11-28"), user=user, kdf_floor=TEST_KDF)


async def unlock(pilot: Any, passphrase: str = "demo-passphrase") -> None:
    field = pilot.app.screen.query_one("#passphrase", Input)
    field.value = passphrase
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.05)
        if type(pilot.app.screen).__name__ != "UnlockScreen":
            return


async def wait_for(pilot: Any, screen_name: str, tries: int = 100) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if type(pilot.app.screen).__name__ == screen_name:
            return
    raise AssertionError(f"{screen_name} did not appear; now {type(pilot.app.screen).__name__}")


async def open_case(pilot: Any, name: str, passphrase: str = "demo-passphrase") -> Any:
    """Unlock, find the case by name, open its interview; the interview screen."""
    await unlock(pilot, passphrase)
    pilot.app.screen.query_one("#search", Input).value = name
    await pilot.pause(0.1)
    pilot.app.screen.query_one("#cases", DataTable).focus()
    await pilot.press("enter")
    await wait_for(pilot, "InterviewScreen")
    await pilot.pause(0.05)  # the first question shown
    return pilot.app.screen
