"""Prefill in the interview (issue 13, item 5): what the new-intake form recorded is proposed in
the questions, shown in the field or highlighted, and only Enter makes it an answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, Select

from intake_tui.core.engine import Step
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.widgets.choice_list import ChoiceList

from .tui_helpers import make_app, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("demo") / "d", kdf=TEST_KDF).root


async def new_intake(pilot, given: str, family: str, interpreter: str = "video"):  # type: ignore[no-untyped-def]
    await unlock(pilot)
    await pilot.press("n")
    await wait_for(pilot, "NewIntakeScreen")
    screen = pilot.app.screen
    screen.query_one("#given", Input).value = given
    screen.query_one("#family", Input).value = family
    screen.query_one("#language", Select).value = "ar"
    screen.query_one("#interpreter", Select).value = interpreter
    await pilot.click("#start")
    await wait_for(pilot, "InformationScreen")
    await pilot.press("y")
    await wait_for(pilot, "InterviewScreen")
    return pilot.app.screen


async def test_a_proposed_text_answer_needs_enter(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        interview = await new_intake(pilot, "Zamzam", "Testpersoon")
        interview.jump_to(Step("voornamen"))
        await pilot.pause(0.05)
        field = interview.query_one("#field-text", Input)
        assert field.value == "Zamzam"
        marker = interview.query_one("#draft", Label)
        assert marker.display and "not saved yet" in str(marker.render())
        # Page Down moves on without recording the proposal ...
        await pilot.press("pagedown")
        await pilot.pause(0.05)
        assert interview.step == Step("achternaam")
        assert interview.engine.answer("voornamen") is None
        message = interview.query_one("#message", Label)
        assert "saved" not in str(message.render())  # nothing was, so it does not say so
        # ... Enter confirms it.
        await pilot.press("pageup")
        await pilot.pause(0.05)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert interview.engine.value("voornamen") == "Zamzam"
        assert "saved" in str(message.render())
        # Typing over a proposal records what was typed.
        assert interview.step == Step("achternaam")
        field.value = "Test-Persoon"
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert interview.engine.value("achternaam") == "Test-Persoon"


async def test_a_proposed_choice_is_highlighted_not_chosen(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        interview = await new_intake(pilot, "Zamzam", "Testpersoon")
        interview.jump_to(Step("tolk_ingezet"))
        await pilot.pause(0.05)
        choices = interview.query_one(ChoiceList)
        assert choices.chosen == ()
        assert choices.highlighted is not None
        highlighted = choices.get_option_at_index(choices.highlighted).id
        assert highlighted == "true"  # the form said: an interpreter, by video
        assert interview.engine.answer("tolk_ingezet") is None
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert interview.engine.value("tolk_ingezet") is True
        assert interview.step == Step("tolk_vorm")
        choices = interview.query_one(ChoiceList)
        assert choices.highlighted is not None
        assert choices.get_option_at_index(choices.highlighted).id == "video"
        # A number picks what is shown beside it, whatever was proposed.
        await pilot.press("1")
        await pilot.pause(0.1)
        assert interview.engine.value("tolk_vorm") == "telefonisch"


async def test_no_interpreter_on_the_form_highlights_no(demo_dir: Path) -> None:
    """The proposal is not simply the first option: "nee" is the second one."""
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        interview = await new_intake(pilot, "Zamzam", "Testpersoon", interpreter="none")
        interview.jump_to(Step("tolk_ingezet"))
        await pilot.pause(0.05)
        choices = interview.query_one(ChoiceList)
        assert choices.highlighted == 1
        assert choices.get_option_at_index(1).id == "false"
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert interview.engine.value("tolk_ingezet") is False
