"""Driving the TUI in tests: an app on a frozen clock, unlocking, waiting for a screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.css.query import NoMatches
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


# Characters whose key has a name of its own in Textual (the rest are named by themselves).
KEY_NAMES = {
    " ": "space", ";": "semicolon", ".": "full_stop", ",": "comma", ":": "colon", "/": "slash"
}  # fmt: skip


def burst(app: object, keys: list[str]) -> None:
    """Post keys as a fast typist's terminal delivers them: all queued before the first is
    handled. A one-character item is typed as that character; longer items are key names."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(KEY_NAMES.get(key, key), character))  # type: ignore[attr-defined]


async def settled(pilot: Any, done: Callable[[], bool]) -> None:
    """Until `done()` and no key is waiting (at most 10 s: a loaded machine is slow). The
    values checked are reached only by the last key, so a key out of order never passes."""
    for _ in range(200):
        await pilot.pause(0.05)
        try:
            reached = done()
        except NoMatches:  # the screen is still being built
            reached = False
        if reached and not pilot.app._held_keys and pilot.app._key_in_flight is None:
            return


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


async def plan_at_field(pilot, key: str):  # type: ignore[no-untyped-def]
    """From an open interview: review, then the plan, with the cursor on `key`'s line."""
    from textual.widgets import OptionList

    await pilot.press("f5")
    await wait_for(pilot, "ReviewScreen")
    await pilot.press("p")
    await wait_for(pilot, "PlanScreen")
    plan_screen = pilot.app.screen
    listing = plan_screen.query_one("#plan", OptionList)
    target = next(i for i, k in plan_screen.line_fields.items() if k == key)
    listing.highlighted = listing.get_option_index(target)
    return plan_screen, listing


async def confirmed(pilot: Any, key: str, back_to: str) -> None:
    """Press `key`, answer its confirmation dialog with a click on Yes, wait for `back_to`."""
    await pilot.press(key)
    await wait_for(pilot, "ConfirmScreen")
    await pilot.click("#yes")
    await wait_for(pilot, back_to)


async def key_set_in_settings(pilot: Any, binding_id: str, typed: str) -> None:
    """On the settings screen: Enter on a binding in the key list, type its new key, Enter."""
    keys = pilot.app.screen.query_one("#keys")
    ids = [str(keys.get_option_at_index(i).id) for i in range(keys.option_count)]
    keys.highlighted = ids.index(binding_id)
    keys.focus()
    await pilot.press("enter")
    await wait_for(pilot, "AskScreen")
    pilot.app.screen.query_one("#ask-0", Input).value = typed
    await pilot.press("enter")
    await wait_for(pilot, "SettingsScreen")
