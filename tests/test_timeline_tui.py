"""A case over its termijn in the TUI (issue 19, items 3 and 6): the cases screen shows the next
talk and counts and filters the overdue ones; `t` opens the case's timeline, where a talk is
moved or missed with a reason, or started as a follow-up conversation."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Label

from intake_tui.core import FrozenClock
from intake_tui.store import followups
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.app import IntakeApp

from .conftest import BUNDLES, DEFAULT_BUNDLE
from .store_helpers import PASSPHRASE, make_store
from .test_followups import final_case
from .tui_helpers import unlock, wait_for

# The final plans are signed on 28-11-2026: talks on 28-02, 28-05 and 28-11-2027. On 1 March
# 2027 the first one is overdue.
LATER = "2027-03-01"


@pytest.fixture
def termijn(tmp_path: Path) -> Path:
    """A laptop with Rami's final plan (his talks planned), Ayşe's intake in progress, and the
    follow-up questionnaire installed."""
    from intake_tui.core import load_bundle

    from .store_helpers import entered_persona

    root = tmp_path / "data"
    store = make_store(root)
    try:
        final_case(store, "rami")
        entered_persona(store, load_bundle(DEFAULT_BUNDLE), "ayse")
    finally:
        store.close()
    shutil.copytree(BUNDLES / "followup", root / "bundles" / "voortgang-test" / "1.0.0")
    return root


def _app(root: Path, day: str = LATER) -> IntakeApp:
    return IntakeApp(root, clock=FrozenClock.on(day), user="anna", kdf_floor=TEST_KDF)


def _text(pilot: Any, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Label).render())


def _rows(pilot: Any) -> list[str]:
    from intake_tui.ui.widgets.timeline_list import TimelineList

    listing = pilot.app.screen.query_one(TimelineList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def _select(pilot: Any, case: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#search", Input).value = case
    await pilot.pause(0.1)
    screen.query_one("#cases", DataTable).focus()
    await pilot.pause(0.05)


async def _to_talk(pilot: Any, due: str) -> None:
    from intake_tui.ui.widgets.timeline_list import TimelineList

    listing = pilot.app.screen.query_one(TimelineList)
    option = next(
        key for key, e in listing.entries.items() if e.talk and e.talk.due.isoformat() == due
    )
    listing.highlighted = listing.get_option_index(option)
    await pilot.pause(0.05)


async def _answer(pilot: Any, values: list[str]) -> None:
    """Fill the open AskScreen's fields and press Enter in the last one."""
    await wait_for(pilot, "AskScreen")
    for index, value in enumerate(values):
        pilot.app.screen.query_one(f"#ask-{index}", Input).value = value
    pilot.app.screen.query_one(f"#ask-{len(values) - 1}", Input).focus()
    await pilot.press("enter")
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_talk_is_moved_missed_and_started_from_the_timeline(
    termijn: Path, size: tuple[int, int]
) -> None:
    async with _app(termijn).run_test(size=size) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        cases = pilot.app.screen
        # The summary counts the case with a talk overdue; the filter finds it alone.
        assert "1 with a talk overdue" in _text(pilot, "#summary")
        await _select(pilot, "rami")
        detail = str(cases.query_one("#case-detail", Label).render())
        assert "Next talk: ! 28-02-2027, overdue" in detail
        await _select(pilot, "ayse")
        assert "Next talk" not in str(cases.query_one("#case-detail", Label).render())
        await _select(pilot, "")
        for _ in range(len(cases.FILTERS) - 1):
            await pilot.press("f")
        assert cases.filter == "talk_overdue"
        await pilot.pause(0.05)
        assert len(cases.row_ids) == 1
        assert "Rami" in str(cases.query_one("#cases", DataTable).get_row_at(0)[0])
        assert "talk overdue" in _text(pilot, "#summary")
        # Nothing of the newcomer in the terminal's title.
        assert "Rami" not in pilot.app.title and "Rami" not in (pilot.app.sub_title or "")

        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        await pilot.pause(0.1)
        rows = _rows(pilot)
        assert any(
            "revision 1" in r and "final" in r and "dagtekening 28-11-2026" in r for r in rows
        )
        talks = [r for r in rows if r.lstrip("! ").startswith(("28-02-2027", "28-05-2027"))]
        assert talks[0].startswith("! 28-02-2027") and "overdue" in talks[0]
        assert "planned" in talks[1] and not talks[1].startswith("!")
        assert "1 talk overdue" in _text(pilot, "#timeline-title")
        assert "Rami" not in pilot.app.title

        # Moving the overdue talk needs a reason: an empty one is refused in the dialog.
        await _to_talk(pilot, "2027-02-28")
        await pilot.press("r")
        await _answer(pilot, ["15-03-2027", "  "])
        assert type(pilot.app.screen).__name__ == "AskScreen"
        assert "Fill in every line" in _text(pilot, "#ask-message")
        # A date that does not exist is refused with the reason, and what was typed is kept.
        await _answer(pilot, ["31-02-2027", "tolk ziek"])
        await wait_for(pilot, "AskScreen")
        assert "does not exist" in _text(pilot, "#ask-message")
        assert pilot.app.screen.query_one("#ask-1", Input).value == "tolk ziek"
        await _answer(pilot, ["15-03-2027", "tolk ziek"])
        await wait_for(pilot, "TimelineScreen")
        moved = next(r for r in _rows(pilot) if "15-03-2027" in r)
        assert "moved from 28-02-2027: tolk ziek" in moved and not moved.startswith("!")
        assert "overdue" not in _text(pilot, "#timeline-title")

        # The second is missed, with its reason.
        await _to_talk(pilot, "2027-05-28")
        await pilot.press("m")
        await _answer(pilot, ["niet gekomen"])
        await wait_for(pilot, "TimelineScreen")
        assert any("28-05-2027" in r and "missed: niet gekomen" in r for r in _rows(pilot))
        await pilot.press("r")  # a missed talk is not moved
        await pilot.pause(0.05)
        assert type(pilot.app.screen).__name__ == "TimelineScreen"
        assert "missed" in _text(pilot, "#message")

        # The third is started: its follow-up conversation opens; one answer, and back.
        await _to_talk(pilot, "2027-11-28")
        await pilot.press("s")
        # Two follow-up questionnaires: the built-in one and the test's (first, by id).
        await wait_for(pilot, "ChooseScreen")
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        interview = pilot.app.screen
        case_id = followups.case_of(pilot.app.store, interview.interview_id)
        assert case_id is not None and interview.interview_id != case_id
        assert interview.step is not None and interview.step.id == "aanwezigheid"
        await pilot.press("1")
        await pilot.pause(0.2)
        assert interview.engine.answers()[("aanwezigheid", None)].value == "altijd"
        await pilot.press("escape")
        await wait_for(pilot, "TimelineScreen")
        await pilot.pause(0.1)
        started = next(r for r in _rows(pilot) if "28-11-2027" in r)
        assert "in progress" in started
        # Enter on it opens the same conversation again.
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        assert pilot.app.screen.interview_id == interview.interview_id
        await pilot.press("escape")
        await wait_for(pilot, "TimelineScreen")
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")


async def test_several_follow_up_questionnaires_are_a_choice_and_none_is_a_calm_message(
    termijn: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = termijn / "bundles" / "voortgang-test" / "1.0.0"
    other = termijn / "bundles" / "voortgang-ander" / "1.0.0"
    shutil.copytree(newer, other)
    text = (other / "questionnaire.yaml").read_text(encoding="utf-8")
    (other / "questionnaire.yaml").write_text(
        text.replace("id: voortgang-test", "id: voortgang-ander"), encoding="utf-8"
    )
    async with _app(termijn).run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        await _select(pilot, "rami")
        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        await _to_talk(pilot, "2027-02-28")
        await pilot.press("s")
        await wait_for(pilot, "ChooseScreen")
        await pilot.press("escape")  # nothing chosen, nothing started
        await wait_for(pilot, "TimelineScreen")
        assert all(t.status == "planned" for t in followups.talks(pilot.app.store, _case(pilot)))
        await pilot.press("s")
        await wait_for(pilot, "ChooseScreen")
        await pilot.press("down", "enter")
        await wait_for(pilot, "InterviewScreen")
        # voortgang-ander, voortgang-test, voortgangsgesprek (built in): the second, by id
        assert pilot.app.screen.bundle.id == "voortgang-test"
        await pilot.press("escape")
        await wait_for(pilot, "TimelineScreen")
    shutil.rmtree(termijn / "bundles")
    # An installation whose intake bundle no follow-up bundle follows (a gemeente's own).
    import intake_tui.resources

    monkeypatch.setattr(intake_tui.resources, "builtin_bundle_dirs", lambda: [DEFAULT_BUNDLE])
    async with _app(termijn).run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        await _select(pilot, "rami")
        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        await _to_talk(pilot, "2027-05-28")
        await pilot.press("s")
        await pilot.pause(0.1)
        assert type(pilot.app.screen).__name__ == "TimelineScreen"
        assert "No follow-up questionnaire" in _text(pilot, "#message")


def _case(pilot: Any) -> str:
    return str(pilot.app.screen.case_id)


async def test_the_timeline_in_dutch_fits_80_columns(termijn: Path, dutch: None) -> None:
    from intake_tui.ui.widgets.timeline_list import TimelineList

    async with _app(termijn).run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        await _select(pilot, "rami")
        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        await pilot.pause(0.1)
        rows = _rows(pilot)
        assert any("definitief" in r for r in rows)  # "final", in Dutch
        listing = pilot.app.screen.query_one(TimelineList)
        assert listing.virtual_size.width <= listing.scrollable_content_region.width
        keys = list(pilot.app.screen.query("FooterKey"))
        assert {"enter", "s", "r", "m", "f1"} <= {k.key for k in keys}  # type: ignore[attr-defined]
        for key in keys:
            text = str(key.render()).strip()
            assert key.region.right <= 80 and key.region.width >= len(text), text
            for other in keys:
                assert other is key or not key.region.overlaps(other.region), text


async def test_locking_on_the_timeline_and_unlocking_again(termijn: Path) -> None:
    async with _app(termijn).run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        await _select(pilot, "rami")
        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        before = _rows(pilot)
        await pilot.press("ctrl+l")
        await wait_for(pilot, "UnlockScreen")
        assert pilot.app.store is None  # locked: the key is gone, nothing of the case shows
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "TimelineScreen")  # back where the lock came
        await pilot.pause(0.1)
        # The same case's timeline again, read afresh from the unlocked store.
        assert "Rami Haddad" in _text(pilot, "#timeline-title")
        assert _rows(pilot) == before and any("planned" in row for row in before)
        # Locked in a talk's conversation: back in it, and Escape leads to the timeline.
        await _to_talk(pilot, "2027-02-28")
        await pilot.press("s")
        await wait_for(pilot, "ChooseScreen")
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        talk_id = pilot.app.screen.interview_id
        await pilot.press("ctrl+l")
        await wait_for(pilot, "UnlockScreen")
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "InterviewScreen")
        assert pilot.app.screen.interview_id == talk_id
        await pilot.press("escape")
        await wait_for(pilot, "TimelineScreen")
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")


async def test_f1_lists_the_timeline_keys(termijn: Path) -> None:
    async with _app(termijn).run_test(size=(120, 40)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        text = "\n".join(str(k.render()) for k in pilot.app.screen.query("#help-box Label.key"))
        assert "[cases.timeline]" in text
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        await _select(pilot, "rami")
        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        text = "\n".join(str(k.render()) for k in pilot.app.screen.query("#help-box Label.key"))
        for binding_id in ("open", "start", "reschedule", "missed", "back"):
            assert f"[timeline.{binding_id}]" in text
