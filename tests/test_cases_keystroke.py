"""A keystroke in the cases screen's search box asks the store for the page, not for the
summary's counts again: none of them changes while the caseworker types, pages, filters or
sorts (issue 21: each count reads thousands of rows at 100,000 cases). They are counted when
the screen comes up, when it comes back from another screen and after an erasure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Label

from intake_tui.store import followups, interviews
from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import make_app, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("keys") / "demo", kdf=TEST_KDF).root


async def test_typing_paging_and_filtering_do_not_count_the_cases_again(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    case_counts, overdue_count = interviews.case_counts, followups.overdue_count

    def counting(name: str, real: Any) -> Any:
        def count(*args: Any, **kwargs: Any) -> Any:
            counted.append(name)
            return real(*args, **kwargs)

        return count

    monkeypatch.setattr(interviews, "case_counts", counting("cases", case_counts))
    monkeypatch.setattr(followups, "overdue_count", counting("talks", overdue_count))
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await wait_for(pilot, "CasesScreen")
        screen = pilot.app.screen
        assert counted == ["cases", "talks"]
        summary = screen.query_one("#summary", Label)
        opened = str(summary.render())
        assert "in progress" in opened

        search = screen.query_one("#search", Input)
        for typed in ("h", "ho", "hod", "hodan"):
            search.value = typed
            await pilot.pause(0.05)
        assert screen.query_one("#cases", DataTable).row_count == 1
        screen.query_one("#cases", DataTable).focus()
        await pilot.press("f", "s")  # a filter, an order
        await pilot.pause(0.1)
        assert counted == ["cases", "talks"]
        # The counts are of all cases, whatever is typed: the same numbers after the search.
        after = str(summary.render())

        def counts(text: str) -> list[str]:  # "… · 3 in progress, … · 1 with a talk overdue"
            return [part.strip() for part in text.split("·")[1:3]]

        assert counts(after) == counts(opened)
        assert "in progress" in counts(opened)[0] and "talk overdue" in counts(opened)[1]

        await pilot.press("f9")  # another screen, and back: counted again
        await wait_for(pilot, "SettingsScreen")
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        assert counted == ["cases", "talks", "cases", "talks"]
