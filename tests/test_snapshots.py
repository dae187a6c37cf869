"""SVG snapshots of every screen at 80x24 and 120x40, on the demo data with a frozen clock.

Regenerate after an intended change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the report before committing. Pilot tests (test_tui.py) check behaviour; these
keep the screens from drifting.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from intake_tui.core import FrozenClock
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.app import IntakeApp

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def colour_as_committed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The committed pictures are in colour; a NO_COLOR in the environment (honoured by
    # Textual, as it should be for caseworkers) would turn every snapshot monochrome.
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("snap") / "demo", kdf=TEST_KDF).root


async def _settle(pilot: Any, name: str) -> None:
    for _ in range(200):
        await pilot.pause(0.02)
        if type(pilot.app.screen).__name__ == name:
            break
    # No blinking cursor in a picture: it would make snapshots flicker between runs.
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause(0.05)


async def _unlock(pilot: Any) -> None:
    await _settle(pilot, "UnlockScreen")
    pilot.app.screen.query_one("#passphrase", Input).value = "demo-passphrase"
    await pilot.press("enter")
    await _settle(pilot, "CasesScreen")


async def _open_rami(pilot: Any) -> None:
    await _unlock(pilot)
    pilot.app.screen.query_one("#search", Input).value = "rami"
    await pilot.pause(0.05)
    pilot.app.screen.query_one("#cases", DataTable).focus()
    await pilot.press("enter")
    await _settle(pilot, "InterviewScreen")


def _open(name: str) -> Callable[[Any], Awaitable[None]]:
    """Open a persona's interview at its first choice question (text in both languages)."""

    async def run(pilot: Any) -> None:
        await _unlock(pilot)
        pilot.app.screen.query_one("#search", Input).value = name
        await pilot.pause(0.05)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        await _settle(pilot, "InterviewScreen")
        screen = pilot.app.screen
        screen.jump_to(_first_choice_for_the_newcomer(screen))
        await pilot.pause(0.05)

    return run


def _first_choice_for_the_newcomer(screen: Any) -> Any:
    """The first choice question put to the newcomer (`audience: caseworker` shows no text of
    theirs, so it would show one language only)."""
    items = screen.bundle.items
    return next(
        s
        for s in screen.engine.steps()
        if items[s.id].type == "choice" and not items[s.id].for_caseworker
    )


async def _arabic_choices(pilot: Any) -> None:
    """Abdullah reads Arabic: a choice list whose Arabic options wrap and hold brackets."""
    from intake_tui.core.engine import Step

    await _open("abdullah")(pilot)
    pilot.app.screen.show(Step("nl_onderwijs_soort"))
    await pilot.pause(0.05)


async def _newcomer_view(pilot: Any) -> None:
    await _open("rami")(pilot)
    await pilot.press("f7")
    await _settle(pilot, "NewcomerView")


async def _information(pilot: Any, language: str = "ar") -> None:
    from textual.widgets import Select

    await _new_intake(pilot)
    screen = pilot.app.screen
    screen.query_one("#given", Input).value = "Nieuwe"
    screen.query_one("#family", Input).value = "Persoon"
    screen.query_one("#language", Select).value = language
    await pilot.pause(0.05)
    screen.start()
    await _settle(pilot, "InformationScreen")


async def _persian(pilot: Any) -> None:
    # No demo persona reads Persian (Farid reads Dari): a new intake in Persian.
    await _information(pilot, "fa")
    await pilot.press("y")
    await _settle(pilot, "InterviewScreen")
    screen = pilot.app.screen
    screen.jump_to(_first_choice_for_the_newcomer(screen))
    await pilot.pause(0.05)


async def _review(pilot: Any) -> None:
    await _open_rami(pilot)
    await pilot.press("f5")
    await _settle(pilot, "ReviewScreen")


async def _plan(pilot: Any) -> None:
    await _review(pilot)
    await pilot.press("p")
    await _settle(pilot, "PlanScreen")


async def _help(pilot: Any) -> None:
    await _unlock(pilot)
    await pilot.press("f1")
    await _settle(pilot, "HelpScreen")


async def _help_interview(pilot: Any, end: bool = False) -> None:
    """F1 over an interview (the keys the footer leaves out), at the top or scrolled down."""
    await _open_rami(pilot)
    await pilot.press("f1")
    await _settle(pilot, "HelpScreen")
    if end:
        await pilot.press("end")
        await pilot.pause(0.05)


async def _new_intake(pilot: Any) -> None:
    await _unlock(pilot)
    await pilot.press("n")
    await _settle(pilot, "NewIntakeScreen")


async def _settings(pilot: Any) -> None:
    await _unlock(pilot)
    await pilot.press("f9")
    await _settle(pilot, "SettingsScreen")


async def _sync(pilot: Any) -> None:
    await _unlock(pilot)
    await pilot.press("f8")
    await _settle(pilot, "SyncScreen")


async def _locked(pilot: Any) -> None:
    await _open_rami(pilot)
    await pilot.press("ctrl+l")
    await _settle(pilot, "UnlockScreen")


async def _finalize_confirm(pilot: Any) -> None:
    """Hodan's review with nothing blocking, and `f`: the question before finalizing."""
    from intake_tui.core import Answer
    from intake_tui.store import interviews

    await _unlock(pilot)
    (case,) = interviews.list_interviews(pilot.app.store, "hodan").items
    interviews.save_answer(pilot.app.store, case.id, "samenvatting_besproken", Answer.of(True))
    pilot.app.screen.query_one("#search", Input).value = "hodan"
    await pilot.pause(0.05)
    pilot.app.screen.query_one("#cases", DataTable).focus()
    await pilot.press("enter")
    await _settle(pilot, "InterviewScreen")
    await pilot.press("f5")
    await _settle(pilot, "ReviewScreen")
    await pilot.press("f")
    await _settle(pilot, "ConfirmScreen")


async def _plan_final_confirm(pilot: Any) -> None:
    """Rami's plan with every decision taken, and `f`: the question before signing."""
    from intake_tui.store import plans

    await _plan(pilot)
    screen = pilot.app.screen
    for field in screen.plan.open_decisions():
        plans.set_override(
            pilot.app.store, screen.interview_id, field.key, field.rule_value, "besproken"
        )
    screen.refresh_plan()
    await pilot.press("f")
    await _settle(pilot, "ConfirmScreen")


async def _note(pilot: Any) -> None:
    """ctrl+n on a question: the caseworker's own note (never exported)."""
    await _open_rami(pilot)
    await pilot.press("ctrl+n")
    await _settle(pilot, "NoteScreen")


async def _reopen_reason(pilot: Any) -> None:
    """`r` on a finalized review: the reason to reopen, kept with the case."""
    await _review(pilot)
    await pilot.press("r")
    await _settle(pilot, "AskScreen")


async def _erase_confirm(pilot: Any) -> None:
    """Delete on a case in progress: the question names the case."""
    await _unlock(pilot)
    pilot.app.screen.query_one("#search", Input).value = "hodan"
    await pilot.pause(0.05)
    pilot.app.screen.query_one("#cases", DataTable).focus()
    await pilot.press("delete")
    await _settle(pilot, "ConfirmScreen")


async def _first_run(pilot: Any) -> None:
    await _settle(pilot, "UnlockScreen")


async def _proposed(pilot: Any) -> None:
    """A new intake at the given-names question: the form's name proposed, not saved."""
    from intake_tui.core.engine import Step

    await _information(pilot, "so")
    await pilot.press("y")
    await _settle(pilot, "InterviewScreen")
    pilot.app.screen.jump_to(Step("voornamen"))
    await pilot.pause(0.05)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def _plan_change(pilot: Any) -> None:
    """`o` on a plan field: the change dialog, titled with the field's label."""
    from textual.widgets import OptionList

    await _plan(pilot)
    screen = pilot.app.screen
    line = next(i for i, key in screen.line_fields.items() if key == "participatie.activiteiten")
    listing = screen.query_one("#plan", OptionList)
    listing.highlighted = listing.get_option_index(line)
    await pilot.press("o")
    await _settle(pilot, "AskScreen")


SCREENS: dict[str, Callable[[Any], Awaitable[None]]] = {
    "unlock": lambda pilot: _settle(pilot, "UnlockScreen"),
    "cases": _unlock,
    "interview": _open_rami,
    "review": _review,
    "plan": _plan,
    "help": _help,
    "help_interview": _help_interview,
    "help_interview_end": lambda pilot: _help_interview(pilot, end=True),
    "new_intake": _new_intake,
    "lock": _locked,
    "settings": _settings,
    "sync": _sync,
    # The newcomer's language beside the question: Arabic (right to left, shaped), Tigrinya
    # (Ge'ez), Dari (Persian script); the newcomer's own view; the information step.
    "interview_arabic": _open("rami"),
    "interview_tigrinya": _open("semhar"),
    "interview_dari": _open("farid"),
    "interview_persian": _persian,
    "newcomer_view": _newcomer_view,
    "choices_arabic": _arabic_choices,
    "information": _information,
    # Dialogs: centred, their whole text wrapped, the safe answer focused and marked.
    "finalize_confirm": _finalize_confirm,
    "plan_final_confirm": _plan_final_confirm,
    "note": _note,
    "reopen_reason": _reopen_reason,
    "erase_confirm": _erase_confirm,
    "first_run": _first_run,
    "interview_proposed": _proposed,
    "plan_change": _plan_change,
}


# Screens whose way there creates a case or changes one.
WRITES = {"interview_persian", "finalize_confirm", "plan_final_confirm", "interview_proposed"}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(
    snap_compare: Any, demo_root: Path, screen: str, size: tuple[int, int], tmp_path: Path
) -> None:
    root = demo_root
    if screen in WRITES:  # its own copy: the cases screen of other snapshots must not see it
        import shutil

        root = tmp_path / "demo"
        shutil.copytree(demo_root, root)
    user: str | None = "demo"
    if screen == "first_run":  # an empty folder: the first caseworker is set up here
        root, user = tmp_path / "new", None
    app = IntakeApp(root, clock=FrozenClock.on("2026-11-28"), user=user, kdf_floor=TEST_KDF)

    async def run_before(pilot: Any) -> None:
        await SCREENS[screen](pilot)
        await pilot.pause(0.3)  # the interview fits its list to the screen on short timers
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def _preview_question(pilot: Any) -> None:
    """The preview of the default bundle at its first choice put to the newcomer (Arabic)."""
    await _settle(pilot, "InterviewScreen")
    for _ in range(50):
        if pilot.app.screen.query("PreviewMark"):
            break
        await pilot.pause(0.02)
    screen = pilot.app.screen
    screen.jump_to(_first_choice_for_the_newcomer(screen))
    await pilot.pause(0.05)


async def _preview_newcomer_view(pilot: Any) -> None:
    await _preview_question(pilot)
    await pilot.press("f7")
    await _settle(pilot, "NewcomerView")
    for _ in range(50):
        if pilot.app.screen.query("PreviewMark"):
            break
        await pilot.pause(0.02)


PREVIEW_SCREENS = {"question": _preview_question, "newcomer_view": _preview_newcomer_view}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("screen", list(PREVIEW_SCREENS))
def test_preview_snapshot(snap_compare: Any, screen: str, size: tuple[int, int]) -> None:
    """`questionnaire preview`: the caseworker's screens with the VOORBEELD mark on top."""
    from intake_tui.core import load_bundle
    from intake_tui.ui.preview import PreviewApp

    from .conftest import DEFAULT_BUNDLE

    app = PreviewApp(load_bundle(DEFAULT_BUNDLE), "ar", clock=FrozenClock.on("2026-11-28"))

    async def run_before(pilot: Any) -> None:
        await PREVIEW_SCREENS[screen](pilot)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def _timeline(pilot: Any) -> None:
    """Rami's timeline (issue 19): the talk he held (demo), one moved to a day already past (so
    overdue, with its reason), one missed."""
    import datetime as dt

    from intake_tui.store import followups, interviews

    await _unlock(pilot)
    store = pilot.app.store
    (case,) = interviews.list_interviews(store, "rami").items
    first, second, *_rest = [t for t in followups.talks(store, case.id) if t.status == "planned"]
    followups.reschedule(store, first.id, dt.date(2026, 11, 27), "de tolk was ziek")
    followups.miss(store, second.id, "niet gekomen, geen bericht")
    pilot.app.screen.query_one("#search", Input).value = "rami"
    await pilot.pause(0.05)
    pilot.app.screen.query_one("#cases", DataTable).focus()
    await pilot.press("t")
    await _settle(pilot, "TimelineScreen")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_timeline_snapshot(
    snap_compare: Any, demo_root: Path, size: tuple[int, int], tmp_path: Path
) -> None:
    """The timeline of a case with a final plan: intake, revisions, talks (on its own copy of
    the demo: the way there moves and misses talks)."""
    import shutil

    root = tmp_path / "demo"
    shutil.copytree(demo_root, root)
    app = IntakeApp(root, clock=FrozenClock.on("2026-11-28"), user="demo", kdf_floor=TEST_KDF)

    async def run_before(pilot: Any) -> None:
        await _timeline(pilot)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
