"""Every footer fits 80 columns in Dutch: no key cut at the edge or hidden under the command
palette's key, and F1 (which lists the rest) always among them (issue 13, item 2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import make_app, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("demo") / "d", kdf=TEST_KDF).root


async def _cases(pilot: Any) -> None:
    await unlock(pilot)
    await wait_for(pilot, "CasesScreen")


async def _interview(pilot: Any, draft: bool = False) -> None:
    await _cases(pilot)
    pilot.app.screen.query_one("#search", Input).value = "hodan"
    await pilot.pause(0.1)
    pilot.app.screen.query_one("#cases", DataTable).focus()
    await pilot.press("enter")
    await wait_for(pilot, "InterviewScreen")
    if draft:  # a restored draft adds F9 (throw it away) to the footer
        from intake_tui.core.engine import Step

        screen = pilot.app.screen
        screen.session.keep_draft(("voornamen", None), "Hodann")
        screen.show(Step("voornamen"))
        await pilot.pause(0.1)
        assert screen.answer.restored


async def _then(pilot: Any, first: Callable[[Any], Awaitable[None]], key: str, name: str) -> None:
    await first(pilot)
    await pilot.press(key)
    await wait_for(pilot, name)


SCREENS: dict[str, Callable[[Any], Awaitable[None]]] = {
    "unlock": lambda pilot: wait_for(pilot, "UnlockScreen"),
    "cases": _cases,
    "interview": _interview,
    "interview_with_draft": lambda pilot: _interview(pilot, draft=True),
    "review": lambda pilot: _then(pilot, _interview, "f5", "ReviewScreen"),
    "new_intake": lambda pilot: _then(pilot, _cases, "n", "NewIntakeScreen"),
    "sync": lambda pilot: _then(pilot, _cases, "f8", "SyncScreen"),
    "settings": lambda pilot: _then(pilot, _cases, "f9", "SettingsScreen"),
    "timeline": lambda pilot: _then(pilot, _cases, "t", "TimelineScreen"),
    "help": lambda pilot: _then(pilot, _interview, "f1", "HelpScreen"),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_the_footer_fits_80_columns_in_dutch(demo_dir: Path, dutch: None, name: str) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await SCREENS[name](pilot)
        await pilot.pause(0.1)
        keys = list(pilot.app.screen.query("FooterKey"))
        assert keys or name == "help"  # the help's own keys are in its text
        for key in keys:
            text = str(key.render()).strip()
            assert key.region.right <= 80, text
            assert key.region.width >= len(text), text
            for other in keys:
                if other is not key:
                    assert not key.region.overlaps(other.region), (text, str(other.render()))
        if name not in ("help",):  # the help itself has no F1
            assert "f1" in {key.key for key in keys}  # type: ignore[attr-defined]


async def test_the_plan_footer_fits_80_columns_in_dutch(demo_dir: Path, dutch: None) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await _then(pilot, _cases, "enter", "InterviewScreen")
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        await pilot.pause(0.1)
        keys = list(pilot.app.screen.query("FooterKey"))
        for key in keys:
            text = str(key.render()).strip()
            assert key.region.right <= 80 and key.region.width >= len(text), text
            for other in keys:
                assert other is key or not key.region.overlaps(other.region), text
        assert "f1" in {key.key for key in keys}  # type: ignore[attr-defined]


async def test_the_dutch_cases_table_fits_80_columns(demo_dir: Path, dutch: None) -> None:
    # "Synchroniseren" as a column title pushed "Laatst gewijzigd" off the right edge.
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await _cases(pilot)
        await pilot.pause(0.1)
        table = pilot.app.screen.query_one("#cases", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_a_long_list_leaves_its_status_line_on_the_screen(demo_dir: Path) -> None:
    """At 80x24 a question with a long heading and a long list (the languages): the list gets
    the rows that are left, and the status line under it (proposal, digits typed) stays visible."""
    from intake_tui.core.engine import Step
    from intake_tui.ui.widgets.choice_list import ChoiceList

    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await _interview(pilot)
        screen = pilot.app.screen
        screen.jump_to(Step("tolk_taal"))
        await pilot.pause(0.2)
        await pilot.press("2", "2")  # more than nine shown: the digits wait in the status line
        await pilot.pause(0.2)
        panel = screen.query_one("#question-panel")
        status = screen.query_one("#field-info")
        assert "22" in str(status.render())
        bottom = panel.content_region.bottom
        assert screen.query_one(ChoiceList).region.bottom <= bottom
        assert status.region.height >= 1 and status.region.bottom <= bottom
        assert screen.query_one("#message").region.bottom <= bottom
