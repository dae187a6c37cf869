"""Keys as a terminal delivers a fast typist's burst: all queued before the first is handled.

A text field handles letters itself, but its editing keys (backspace, ctrl+u, arrows) are
bindings the app resolves after the key has passed up the screen. Each key must still act
where it was typed: "abc", ctrl+u, "ram" leaves "ram", not an empty field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import burst, make_app, settled, unlock


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("keys") / "demo", kdf=TEST_KDF).root


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["a", "b", "c", "ctrl+u", "r", "a", "m"], "ram"),
        (["a", "b", "c", "backspace", "d"], "abd"),
        (["a", "c", "left", "b"], "abc"),
        (["x", "y", "home", "w", "end", "z"], "wxyz"),
        (["o", "n", "e", " ", "t", "w", "o", "ctrl+w", "s", "i", "x"], "one six"),
    ],
)
async def test_editing_keys_in_a_burst_act_where_they_were_typed(
    demo_dir: Path, keys: list[str], expected: str
) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.pause(0.2)
        search = pilot.app.screen.query_one("#search", Input)
        search.focus()
        await pilot.pause(0.05)
        burst(pilot.app, keys)
        await settled(pilot, lambda: search.value == expected)
        assert search.value == expected


async def test_a_cleared_field_then_tab_in_oneburst(demo_dir: Path) -> None:
    """ctrl+u, a new name and Tab to the next field, as fast as the terminal sends them."""
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.pause(0.2)
        burst(pilot.app, ["n", "Z", "a", "m", "ctrl+u", "A", "m", "a", "l", "tab", "T", "e"])

        def done() -> bool:
            screen = pilot.app.screen
            return type(screen).__name__ == "NewIntakeScreen" and (
                screen.query_one("#family", Input).value == "Te"
            )

        await settled(pilot, done)
        screen = pilot.app.screen
        assert type(screen).__name__ == "NewIntakeScreen"
        assert screen.query_one("#given", Input).value == "Amal"
        assert screen.query_one("#family", Input).value == "Te"
