"""Dialogs a caseworker can read at 80x24: the whole text wraps inside a centred box, the focused
button shows it has focus (a marker, not only colour), the safe answer has the focus and says
what it keeps, so a stray Enter never finalizes or signs anything. The plan's `d` and `f` ask
first; the new-intake form keeps every field's name visible and shows no empty error bar."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Footer, Input, Label, Select

from intake_tui.core import Answer
from intake_tui.store import interviews
from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import confirmed, make_app, open_case, unlock, wait_for

SMALL = (80, 24)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("dialogs") / "demo", kdf=TEST_KDF).root


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    # Each test its own copy: some finalize or freeze a plan.
    return Path(shutil.copytree(demo_template, tmp_path / "demo"))


def screen_text(pilot: Any) -> list[str]:
    """The lines the current screen shows, as a terminal would show them."""
    return [strip.text for strip in pilot.app.screen._compositor.render_strips()]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def assert_centred(pilot: Any, selector: str) -> None:
    box = pilot.app.screen.query_one(selector).region
    width, height = pilot.app.size
    footers = pilot.app.screen.query(Footer)
    if footers:  # centred in the room above the keys line
        height = footers.first().region.y
    left, right = box.x, width - box.right
    top, bottom = box.y, height - box.bottom
    assert abs(left - right) <= 1, (box, pilot.app.size)
    assert abs(top - bottom) <= 1, (box, pilot.app.size)


def assert_all_words_shown(pilot: Any, text: str) -> None:
    shown = words(" ".join(screen_text(pilot)))
    missing = [word for word in words(text) if word not in shown]
    assert not missing, (missing, screen_text(pilot))


async def finalize_dialog(pilot: Any) -> Any:
    """Hodan's review, with nothing blocking, and `f` pressed: the confirmation."""
    await open_case(pilot, "hodan")
    (case,) = interviews.list_interviews(pilot.app.store, "hodan").items
    interviews.save_answer(pilot.app.store, case.id, "samenvatting_besproken", Answer.of(True))
    await pilot.press("f5")
    await wait_for(pilot, "ReviewScreen")
    review = pilot.app.screen
    await pilot.press("f")
    await wait_for(pilot, "ConfirmScreen")
    await pilot.pause(0.05)
    return review


async def test_the_finalize_question_is_centred_and_shown_whole_at_80x24(demo: Path) -> None:
    async with make_app(demo).run_test(size=SMALL) as pilot:
        await finalize_dialog(pilot)
        dialog = pilot.app.screen
        assert_centred(pilot, "#dialog-box")
        question = dialog.query_one("#question", Label)
        assert question.region.height >= 2  # wrapped, not cut to one line
        assert_all_words_shown(pilot, dialog.question)


async def test_the_safe_answer_has_a_visible_focus_and_names_what_it_keeps(demo: Path) -> None:
    async with make_app(demo).run_test(size=SMALL) as pilot:
        review = await finalize_dialog(pilot)
        dialog = pilot.app.screen
        no, yes = dialog.query_one("#no", Button), dialog.query_one("#yes", Button)
        assert dialog.focused is no
        assert "not finalize" in str(no.label)
        # Focus is marked in the text itself (seen without colour) and the style differs.
        shown = "\n".join(screen_text(pilot))
        assert "▸ No, do not finalize ◂" in shown
        assert "▸" not in str(yes.label)
        assert no.rich_style != yes.rich_style
        await pilot.press("right")
        assert dialog.focused is yes
        assert "▸ Yes, finalize ◂" in "\n".join(screen_text(pilot))
        await pilot.press("left")
        assert dialog.focused is no
        # Enter right after the dialog opens keeps the interview as it is.
        await pilot.press("enter")
        await wait_for(pilot, "ReviewScreen")
        assert review.opened.summary.status == "in_progress"


async def test_a_reason_dialog_keeps_each_fields_name_and_sits_centred(demo: Path) -> None:
    from intake_tui.ui.screens.ask import AskScreen

    async with make_app(demo).run_test(size=SMALL) as pilot:
        await unlock(pilot)
        prompts = ["New value (ja / nee)", "Reason (required)"]
        pilot.app.push_screen(AskScreen("Change a field with a rather long title", prompts))
        await wait_for(pilot, "AskScreen")
        ask = pilot.app.screen
        ask.query_one("#ask-0", Input).value = "ja"
        ask.query_one("#ask-1", Input).value = "because"
        await pilot.pause(0.05)
        assert_centred(pilot, "#dialog-box")
        shown = "\n".join(screen_text(pilot))
        for prompt in prompts:  # filled in, yet each field still says what it is
            assert prompt in shown
        assert not ask.query_one("#ask-message", Label).display  # no empty error bar


async def test_the_note_dialog_is_centred_and_says_what_escape_keeps(demo: Path) -> None:
    async with make_app(demo).run_test(size=SMALL) as pilot:
        await open_case(pilot, "rami")
        await pilot.press("ctrl+n")
        await wait_for(pilot, "NoteScreen")
        await pilot.pause(0.05)
        assert_centred(pilot, "#dialog-box")
        assert_all_words_shown(
            pilot, "Enter: keep the note · Escape: cancel, the note stays as it was"
        )


async def test_the_first_run_box_is_centred_and_wraps_its_explanation(tmp_path: Path) -> None:
    async with make_app(tmp_path / "empty", user=None).run_test(size=SMALL) as pilot:
        await wait_for(pilot, "UnlockScreen")
        await pilot.pause(0.05)
        screen = pilot.app.screen
        assert screen.first_run
        for field, value in (("#name", "eerste"), ("#passphrase", "x"), ("#again", "x")):
            screen.query_one(field, Input).value = value
        await pilot.pause(0.05)
        assert_centred(pilot, "#unlock-box")
        assert_all_words_shown(
            pilot, "Nobody can unlock this laptop yet. Create the first caseworker."
        )
        shown = "\n".join(screen_text(pilot))
        for name in ("Your name (login)", "Passphrase (a short sentence)", "The same passphrase"):
            assert name in shown  # filled in, the fields still say which is which
        assert "Create and unlock" in shown  # the whole box fits at 80x24
        assert not screen.query_one("#message", Label).display


async def plan_of_finalized(pilot: Any) -> Any:
    await finalize_dialog(pilot)
    await pilot.press("right", "enter")  # yes, finalize
    await wait_for(pilot, "ReviewScreen")
    await pilot.press("p")
    await wait_for(pilot, "PlanScreen")
    return pilot.app.screen


async def test_discussed_asks_first_and_enter_keeps_the_plan_a_draft(demo: Path) -> None:
    from intake_tui.store import plans

    async with make_app(demo).run_test(size=SMALL) as pilot:
        plan = await plan_of_finalized(pilot)
        await pilot.press("d")
        await wait_for(pilot, "ConfirmScreen")
        await pilot.pause(0.05)
        dialog = pilot.app.screen
        assert "discussed with the newcomer" in dialog.question
        assert_centred(pilot, "#dialog-box")
        assert_all_words_shown(pilot, dialog.question)
        await pilot.press("enter")  # the safe answer: not discussed yet
        await wait_for(pilot, "PlanScreen")
        assert plans.latest_frozen(pilot.app.store, plan.interview_id) is None
        await confirmed(pilot, "d", "PlanScreen")
        latest = plans.latest_frozen(pilot.app.store, plan.interview_id)
        assert latest is not None and latest.status == "discussed"


async def test_final_says_it_signs_today_and_freezes_and_asks_first(demo: Path) -> None:
    from intake_tui.store import plans

    async with make_app(demo).run_test(size=SMALL) as pilot:
        plan = await plan_of_finalized(pilot)
        for key in [f.key for f in plan.plan.open_decisions()]:  # decided, so final may go on
            plans.set_override(
                pilot.app.store, plan.interview_id, key, plan.plan.fields[key].rule_value, "test"
            )
        plan.refresh_plan()
        assert not plan.failing  # nothing refuses it: the question is asked
        await pilot.press("f")
        await wait_for(pilot, "ConfirmScreen")
        await pilot.pause(0.05)
        dialog = pilot.app.screen
        assert "28-11-2026" in dialog.question and "frozen" in dialog.question
        assert str(dialog.query_one("#no", Button).label).strip("▸◂ ") == "No, not final yet"
        assert_all_words_shown(pilot, dialog.question)
        await pilot.press("escape")
        await wait_for(pilot, "PlanScreen")
        assert plans.latest_frozen(pilot.app.store, plan.interview_id) is None


async def test_final_that_would_be_refused_says_why_without_asking(demo: Path) -> None:
    async with make_app(demo).run_test(size=SMALL) as pilot:
        plan = await plan_of_finalized(pilot)
        assert plan.failing or plan.plan.open_decisions()
        await pilot.press("f")
        await pilot.pause(0.2)
        assert pilot.app.screen is plan
        refused = str(plan.query_one("#message", Label).render())
        assert refused.startswith("the plan cannot be final yet"), refused


async def test_new_intake_fields_keep_their_names_and_no_empty_error_bar(demo: Path) -> None:
    async with make_app(demo).run_test(size=SMALL) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await wait_for(pilot, "NewIntakeScreen")
        screen = pilot.app.screen
        screen.query_one("#given", Input).value = "Nieuwe"
        screen.query_one("#family", Input).value = "Persoon"
        screen.query_one("#language", Select).value = "ar"
        screen.query_one("#interpreter", Select).value = "video"
        screen.query_one("#notice", Input).value = "01-11-2026"
        await pilot.pause(0.1)
        message = screen.query_one("#message", Label)
        assert not message.display  # nothing to say: no red bar under the button
        shown = "\n".join(screen_text(pilot))
        for name in (
            "Given names",
            "Family name",
            "Newcomer's language",
            "Interpreter",
            "Interpreter's language",
            "Date of DUO's notice (dd-mm-yyyy), if known",
        ):
            assert name in shown, (name, shown)
        start = screen.query_one("#start", Button)
        assert start.region.bottom <= pilot.app.size.height - 1  # above the footer at 80x24
        screen.query_one("#given", Input).value = ""
        screen.query_one("#family", Input).value = ""
        start.press()
        await pilot.pause(0.1)
        assert message.display and "given names, family name or both" in str(message.render())
