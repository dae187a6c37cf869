"""The TUI driven by Pilot: unlock, the cases table, answering, undo, lock. Clock frozen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label, Static

from intake_tui.core import FrozenClock
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.app import IntakeApp

from .store_helpers import PASSPHRASE
from .tui_helpers import confirmed, make_app, open_case, plan_at_field, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("tui") / "demo", kdf=TEST_KDF).root


async def test_wrong_passphrase_gets_one_calm_line(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test() as pilot:
        await unlock(pilot, "not the passphrase")
        await pilot.pause(0.3)
        assert type(pilot.app.screen).__name__ == "UnlockScreen"
        message = str(pilot.app.screen.query_one("#message", Label).render())
        assert message == "unknown caseworker or wrong passphrase"
        assert pilot.app.screen.query_one("#passphrase", Input).value == ""


async def test_unlock_shows_the_cases_and_search_narrows_them(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        table = pilot.app.screen.query_one("#cases", DataTable)
        assert table.row_count == 8
        pilot.app.screen.query_one("#search", Input).value = "hodan"
        await pilot.pause(0.1)
        assert table.row_count == 1


async def test_answer_undo_and_lock_resume(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        screen = pilot.app.screen
        screen.query_one("#search", Input).value = "farid"
        await pilot.pause(0.1)
        screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        interview = pilot.app.screen
        assert type(interview).__name__ == "InterviewScreen"
        # Jump to a text question and answer it.
        from intake_tui.core.engine import Step

        interview.show(Step("voornamen"))
        await pilot.pause(0.05)
        field = interview.query_one("#field-text", Input)
        field.value = "Farid Tweede"
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert interview.engine.answer("voornamen").value == "Farid Tweede"
        assert "saved" in str(interview.query_one("#message", Label).render())
        # Undo from the next question first shows the answer it would undo, then undoes it.
        await pilot.press("ctrl+z")
        await pilot.pause(0.1)
        assert interview.step == Step("voornamen")
        assert interview.engine.answer("voornamen").value == "Farid Tweede"
        await pilot.press("ctrl+z")
        await pilot.pause(0.1)
        assert interview.engine.answer("voornamen").value != "Farid Tweede"
        # A bad date gets a message next to the field, nothing is saved.
        interview.show(Step("geboortedatum"))
        await pilot.pause(0.05)
        interview.query_one("#field-text", Input).value = "31-02-2001"
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert str(interview.query_one("#message", Label).render()) == "this date does not exist"
        # Lock: the store is dropped and the unlock screen shows.
        await pilot.press("ctrl+l")
        await pilot.pause(0.1)
        assert pilot.app.store is None
        assert type(pilot.app.screen).__name__ == "UnlockScreen"
        # Unlocking again resumes at the same question.
        await unlock(pilot)
        await wait_for(pilot, "InterviewScreen")
        assert pilot.app.screen.step == Step("geboortedatum")


async def test_first_run_creates_the_first_caseworker(tmp_path: Path) -> None:
    async with make_app(tmp_path / "new", user=None).run_test() as pilot:
        screen = pilot.app.screen
        screen.query_one("#name", Input).value = "anna"
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        screen.query_one("#again", Input).value = PASSPHRASE
        screen.query_one("#again", Input).focus()
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.05)
            if type(pilot.app.screen).__name__ == "CasesScreen":
                break
        assert type(pilot.app.screen).__name__ == "CasesScreen"
        assert pilot.app.screen.query_one("#cases", DataTable).row_count == 0


async def test_the_app_may_close_while_unlocking_still_switches_screens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 item 5: the cases screen goes (here: the app closes) while the app is still
    removing the unlock screen. Textual's Header filled its title from the app's queue, after
    that removal, found its title gone and the app stopped with NoMatches. The first unlock
    screen stays (the app's first screen); the one after a lock is the one that is removed."""
    import asyncio

    from intake_tui.ui.screens.cases import CasesScreen
    from intake_tui.ui.screens.unlock import UnlockScreen

    cases: list[CasesScreen] = []

    async def leave_slowly(self: UnlockScreen) -> None:
        # A loaded laptop: the unlock screen is still going when the cases screen has gone.
        for _ in range(1000):
            if cases and cases[0]._task is None:
                return
            await asyncio.sleep(0.01)

    app = make_app(tmp_path / "new", user=None)
    async with app.run_test() as pilot:
        screen = pilot.app.screen
        screen.query_one("#name", Input).value = "anna"
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        screen.query_one("#again", Input).value = PASSPHRASE
        screen.submit()
        await wait_for(pilot, "CasesScreen")
        await pilot.press("ctrl+l")
        await wait_for(pilot, "UnlockScreen")
        monkeypatch.setattr(UnlockScreen, "on_unmount", leave_slowly, raising=False)
        screen = pilot.app.screen
        assert isinstance(screen, UnlockScreen)
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        screen.submit()  # what Enter does; pilot.press would wait for the switch to end
        for _ in range(1000):
            await asyncio.sleep(0.01)  # likewise not pilot.pause
            if isinstance(app.screen, CasesScreen) and app.screen.is_mounted:
                break
        assert isinstance(app.screen, CasesScreen)
        # The title is there at once, not after the switch (the app is still busy with it).
        title = app.screen.query_one("HeaderTitle", Static)
        assert str(title.render()) == "intake-tui"
        cases.append(app.screen)
    # Leaving the block closed the app (run_test raises what stopped it), with no fatal error.
    assert app.return_code is None


async def test_enter_again_while_unlocking_checks_the_passphrase_once(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second Enter while the key is derived started a second unlock, whose cases screen
    replaced the first one (and what was typed on it). Now it waits for the first."""
    import time

    from intake_tui.store import session

    real_unlock = session.unlock
    checks: list[str] = []

    def slow_unlock(*args: object, **kwargs: object) -> object:
        checks.append("unlock")
        time.sleep(0.3)
        return real_unlock(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session, "unlock", slow_unlock)
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        pilot.app.screen.query_one("#passphrase", Input).value = "demo-passphrase"
        await pilot.press("enter", "enter")
        await wait_for(pilot, "CasesScreen")
        first = pilot.app.screen
        await pilot.pause(0.6)  # as long as a second check would take, and more
        assert checks == ["unlock"]
        assert pilot.app.screen is first
        # The first screen stays below the cases, and the passphrase went with its fields.
        typed = [field.value for screen in pilot.app.screen_stack for field in screen.query(Input)]
        assert "demo-passphrase" not in typed


async def test_the_switch_interval_is_shortened_only_until_the_first_frame(tmp_path: Path) -> None:
    import sys

    before = 0.005  # Python's own, whatever a test before this one left
    sys.setswitchinterval(before)
    app = make_app(tmp_path / "new", user=None)
    seen: list[float] = []
    app.call_later(lambda: seen.append(sys.getswitchinterval()))  # before the first frame
    async with app.run_test() as pilot:
        await wait_for(pilot, "UnlockScreen")
        await pilot.pause(0.1)
        assert seen == [0.001]
        assert sys.getswitchinterval() == before


async def test_no_screenshot_command_and_no_selection(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test() as pilot:
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert titles and not any("screenshot" in t.casefold() for t in titles)
        assert pilot.app.ALLOW_SELECT is False


def test_a_crash_prints_no_local_variables_and_exits_non_zero(tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import sys
        from intake_tui.ui.app import IntakeApp

        class Crashing(IntakeApp):
            def on_mount(self):
                bsn = "900000028"  # synthetic, passes the elfproef
                name = "Zamzam Testpersoon"
                raise RuntimeError("boom")

        app = Crashing(sys.argv[1])
        app.run(headless=True)
        sys.exit(app.return_code or 0)
        """
    )
    program = tmp_path / "crash.py"  # a file: Textual looks up the app class's source file
    program.write_text(script)
    result = subprocess.run(
        [sys.executable, str(program), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "RuntimeError" in output  # the kind of error is said
    assert "900000028" not in output and "Zamzam" not in output


async def test_review_finalize_plan_discussed_export(tmp_path: Path) -> None:
    """Hodan's intake misses one answer: review finds it, the caseworker answers it, finalizes,
    opens the plan, marks it discussed and exports it - all from the keyboard."""
    import json

    from intake_tui.demo import open_or_make_demo

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pilot.app.screen.query_one("#search", Input).value = "hodan"
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        # The first line under "needs attention" is the missing answer; Enter jumps to it.
        await pilot.press("down", "enter")
        await wait_for(pilot, "InterviewScreen")
        interview = pilot.app.screen
        assert interview.step.id == "samenvatting_besproken"
        await pilot.press("enter")  # the first option: yes
        await pilot.pause(0.1)
        assert interview.engine.answer("samenvatting_besproken").value is True
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        assert not review.opened.interview.issues()
        await confirmed(pilot, "f", "ReviewScreen")
        assert review.opened.summary.status == "finalized"
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        await confirmed(pilot, "d", "PlanScreen")
        message = str(pilot.app.screen.query_one("#message", Label).render())
        assert "revision 1" in message
        await pilot.press("e")
        await pilot.pause(0.2)
    exported = list((root / "exports").glob("*-r1.json"))
    assert len(exported) == 1
    document = json.loads(exported[0].read_text())
    assert document["record"]["status"] == "discussed"
    assert document["interview"]["client_language"] == "so"
    assert document["answers"]["afsluiting.samenvatting_besproken"]["value"] is True
    assert list((root / "exports").glob("*-r1.html"))


async def test_new_intake_from_the_cases_screen(tmp_path: Path) -> None:
    from intake_tui.demo import open_or_make_demo

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await wait_for(pilot, "NewIntakeScreen")
        screen = pilot.app.screen
        screen.query_one("#given", Input).value = "Nieuwe"
        screen.query_one("#family", Input).value = "Persoon"
        from textual.widgets import Select

        screen.query_one("#language", Select).value = "ti"
        await pilot.click("#start")
        # The information step comes first, in both languages; `y` records it was given.
        await wait_for(pilot, "InformationScreen")
        shown = " ".join(str(w.render()) for w in pilot.app.screen.query("Label"))
        assert "privacy" in shown.lower()
        ti = pilot.app.screen.query("BidiLabel")
        assert ti and all(not w.rtl for w in ti)  # Tigrinya is left to right
        await pilot.press("y")
        await wait_for(pilot, "InterviewScreen")
        interview = pilot.app.screen
        assert interview.session.summary.client_language == "ti"
        engine = interview.engine
        assert engine.value("informatie_intake_gegeven") is True
        assert engine.value("privacy_informatie_gegeven") is True
        assert engine.value("privacy_informatie_taal") == "ti"
        assert engine.value("informatie_datum") == pilot.app.clock.today()


async def test_the_screen_locks_itself_after_idle_time(demo_dir: Path) -> None:
    app = IntakeApp(
        demo_dir,
        clock=FrozenClock.on("2026-11-28"),
        user="demo",
        kdf_floor=TEST_KDF,
        idle_seconds=1.5,  # room for a busy test machine between unlocking and the check
    )
    async with app.run_test() as pilot:
        await unlock(pilot)
        assert pilot.app.store is not None
        await pilot.pause(3.5)
        assert pilot.app.store is None
        assert type(pilot.app.screen).__name__ == "UnlockScreen"


async def test_number_keys_multi_choice_unknown_declined_note_flag_and_repeats(
    tmp_path: Path,
) -> None:
    from intake_tui.core.engine import Step
    from intake_tui.demo import open_or_make_demo
    from intake_tui.store import interviews

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        engine = screen.engine
        # A choice by its number: 2 is the second option, saved at once.
        screen.show(Step("geslacht"))
        await pilot.pause(0.05)
        await pilot.press("2")
        await pilot.pause(0.05)
        second = screen.bundle.items["geslacht"].choices[1].value
        assert engine.answer("geslacht").value == second
        # Multi-choice: every toggle is committed; the screen stays on the question.
        screen.show(Step("mobiliteit"))
        await pilot.pause(0.05)
        await pilot.press("1", "3")
        await pilot.pause(0.1)
        codes = [c.value for c in screen.bundle.items["mobiliteit"].choices]
        assert set(engine.answer("mobiliteit").value) == {codes[0], codes[2]}
        assert screen.step == Step("mobiliteit")
        # "Weet niet" where allowed, refused where not.
        screen.show(Step("geboortedatum"))
        await pilot.pause(0.05)
        allows_unknown = "unknown" in screen.bundle.items["geboortedatum"].question.allow
        await pilot.press("f2")
        await pilot.pause(0.05)
        assert (engine.answer("geboortedatum").state == "unknown") is allows_unknown
        screen.show(Step("bsn"))
        await pilot.pause(0.05)
        await pilot.press("f3")
        await pilot.pause(0.05)
        assert engine.answer("bsn").state == "answered"  # not allowed: the BSN stays
        assert "not an option" in str(screen.query_one("#message", Label).render())
        # A note and a flag, stored with the case and never exported.
        await pilot.press("ctrl+f")
        await pilot.press("ctrl+n")
        await wait_for(pilot, "NoteScreen")
        pilot.app.screen.query_one("#note", Input).value = "vraag naar BSN-brief"
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        notes = interviews.open_interview(pilot.app.store, screen.interview_id).notes
        assert notes[("bsn", None)] == interviews.Note("vraag naar BSN-brief", True)
        # Repeats: F4 adds an entry, F6 removes the last one again.
        screen.show(Step("werkervaring"))
        await pilot.pause(0.05)
        before = len(engine.instances("werkervaring"))
        await pilot.press("f4")
        await pilot.pause(0.05)
        assert len(engine.instances("werkervaring")) == before + 1
        await pilot.press("f6")
        await pilot.pause(0.05)
        assert len(engine.instances("werkervaring")) == before


async def test_f1_lists_the_keys_of_the_screen_underneath(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        lines = [str(label.render()) for label in pilot.app.screen.query(Label)]
        assert any("Search by name or id" in line for line in lines)  # a cases-screen key
        assert any("Lock the screen now" in line for line in lines)  # an app key
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")


async def test_cases_filters_summary_and_deleting_a_draft(tmp_path: Path) -> None:
    from intake_tui.demo import open_or_make_demo

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        screen = pilot.app.screen
        table = screen.query_one("#cases", DataTable)
        summary = str(screen.query_one("#summary", Label).render())
        assert "3 in progress, 5 finalized, 1 overdue, 1 due within 14 days" in summary
        await pilot.press("f")  # in progress
        assert table.row_count == 3
        await pilot.press("f", "f")  # due within 14 days (not yet overdue, as the summary)
        assert table.row_count == 1
        await pilot.press("f")  # overdue
        assert table.row_count == 1
        await pilot.press("f")  # a talk overdue: Kwame's, brought forward (personas/talks.py)
        assert table.row_count == 1 and screen.filter == "talk_overdue"
        await pilot.press("f")  # all
        assert table.row_count == 8
        # A finalized case cannot be erased; a draft can, after a yes.
        screen.query_one("#search", Input).value = "rami"
        await pilot.pause(0.1)
        table.focus()
        await pilot.press("delete")
        await wait_for(pilot, "ConfirmScreen")
        await pilot.click("#yes")
        await wait_for(pilot, "CasesScreen")
        assert table.row_count == 1  # refused: Rami's intake was finalized
        from intake_tui.store import interviews

        draft = interviews.create_interview(
            pilot.app.store,
            interviews.open_interview(pilot.app.store, screen.row_ids[0]).bundle,
            client_display_name="Weg Ermee",
            client_language="en",
        )
        screen.query_one("#search", Input).value = "weg ermee"
        await pilot.pause(0.1)
        table.focus()
        await pilot.press("delete")
        await wait_for(pilot, "ConfirmScreen")
        await pilot.click("#yes")
        await wait_for(pilot, "CasesScreen")
        assert table.row_count == 0
        assert interviews.list_interviews(pilot.app.store, draft.id).total == 0


async def test_override_a_plan_field_with_a_reason_and_reopen_with_a_reason(tmp_path: Path) -> None:

    from intake_tui.demo import open_or_make_demo
    from intake_tui.store import interviews, plans

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "rami")
        interview_id = screen.interview_id
        # Move to the line of the hoofddoel field and change it, with a reason.
        _plan_screen, listing = await plan_at_field(pilot, "hoofddoel")
        await pilot.press("o")
        await wait_for(pilot, "AskScreen")
        ask = pilot.app.screen
        ask.query_one("#ask-0", Input).value = "onderwijs"
        ask.query_one("#ask-1", Input).value = "wil eerst een opleiding afmaken"
        ask.query_one("#ask-1", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, "PlanScreen")
        chosen = plans.overrides(pilot.app.store, interview_id)["hoofddoel"]
        assert (chosen.value, chosen.reason) == ("onderwijs", "wil eerst een opleiding afmaken")
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert any("wil eerst een opleiding afmaken" in line for line in lines)
        # Back to the review; reopening needs a reason.
        await pilot.press("escape")
        await wait_for(pilot, "ReviewScreen")
        await pilot.press("r")
        await wait_for(pilot, "AskScreen")
        pilot.app.screen.query_one("#ask-0", Input).value = "LBT-uitslag gecorrigeerd"
        await pilot.press("enter")
        await wait_for(pilot, "ReviewScreen")
        summary = interviews.open_interview(pilot.app.store, interview_id).summary
        assert summary.status == "in_progress"


async def test_the_sidebar_jumps_to_a_section(demo_dir: Path) -> None:
    from textual.widgets import OptionList

    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await pilot.pause(0.2)  # the first question has taken the focus by now
        sections = screen.query_one("#sections", OptionList)
        sections.focus()
        await pilot.pause(0.05)
        assert pilot.app.focused is sections
        sections.highlighted = sections.get_option_index("gezondheid")
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert screen.bundle.items[screen.step.id].section == "gezondheid"


async def test_settings_apply_at_once_and_are_kept_in_config(tmp_path: Path) -> None:
    from textual.widgets import Select

    from intake_tui.config import load_settings
    from intake_tui.demo import open_or_make_demo

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("f9")
        await wait_for(pilot, "SettingsScreen")
        await pilot.pause(0.1)  # let the selects finish mounting before changing them
        screen = pilot.app.screen
        screen.query_one("#theme", Select).value = "intake-high-contrast"
        screen.query_one("#lock-minutes", Input).value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert "1 to 120" in str(screen.query_one("#message", Label).render())
        screen.query_one("#lock-minutes", Input).value = "12"
        screen.query_one("#newcomer", Select).value = "beside"
        screen.query_one("#rtl", Select).value = "terminal"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert pilot.app.theme == "intake-high-contrast"
        assert pilot.app.idle_seconds == 12 * 60
        assert (pilot.app.newcomer_display, pilot.app.rtl_rendering) == ("beside", "terminal")
        settings = load_settings(root / "config.toml")
        assert (settings.theme, settings.lock_minutes) == ("intake-high-contrast", 12)
        assert (settings.newcomer_display, settings.rtl_rendering) == ("beside", "terminal")
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        await pilot.press("f8")
        await wait_for(pilot, "SyncScreen")
        text = str(pilot.app.screen.query_one("#sync-state", Label).render())
        from intake_tui.demo import DEMO_PLANS

        # Every planned demo case was discussed; the final ones have a second revision, and
        # Rami a third: the plan changed after his voortgangsgesprek (personas/talks.py), which
        # waits as a record of its own.
        frozen = len(DEMO_PLANS) + sum(stage != "discussed" for stage in DEMO_PLANS.values()) + 1
        assert "not enrolled with a central server" in text
        assert f"{frozen + 1} records (discussed or final plans, held or missed talks)" in text
