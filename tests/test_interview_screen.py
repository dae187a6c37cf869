"""The interview screen with the demo data: what a key records, read-only finalized cases,
exclusive options, undo that never changes another question unseen, and unsaved typing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label

from intake_tui.core.engine import Step
from intake_tui.store import drafts, interviews
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.widgets.choice_list import ChoiceList

from .store_helpers import reopen
from .tui_helpers import make_app, open_case, wait_for


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root


async def _show(pilot: Any, screen: Any, step: Step) -> None:
    screen.show(step)
    await pilot.pause(0.05)


def _message(screen: Any) -> str:
    return str(screen.query_one("#message", Label).render())


async def test_a_finalized_case_is_read_only_and_keys_never_crash(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "rami")
        assert screen.session.summary.status == "finalized"
        banner = screen.query_one("#read-only", Label)
        assert banner.display and "F5" in str(banner.render())
        before = dict(screen.engine.answers())
        await _show(pilot, screen, Step("achternaam"))
        await pilot.press("enter", "f2", "enter", "f3", "ctrl+z", "1")
        await pilot.pause(0.1)
        assert pilot.app.is_running and pilot.app.screen is screen
        assert "finalized" in _message(screen).lower()
        await _show(pilot, screen, Step("geslacht"))
        await pilot.press("1", "enter", "2")
        await pilot.pause(0.1)
        assert pilot.app.is_running and pilot.app.screen is screen
        reread = interviews.open_interview(pilot.app.store, screen.interview_id).interview
        assert reread.answers() == before == screen.engine.answers()
        bindings = {b.binding.action for b in pilot.app.active_bindings.values()}
        assert "unknown" not in bindings and "undo" not in bindings  # hidden, not just inert


async def test_a_country_filtered_by_letters_is_answered_with_the_number_shown(
    demo: Path,
) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await _show(pilot, screen, Step("geboorteland"))
        choice = screen.query_one(ChoiceList)
        await pilot.press("s", "y", "r", "i")
        await pilot.pause(0.05)
        number = [item.code for item in choice.shown].index("SY") + 1
        await pilot.press(*str(number))
        if len(choice.shown) >= 10:
            await pilot.press("enter")
        await pilot.pause(0.05)
        assert screen.engine.answer("geboorteland").value == "SY"


async def test_digits_in_the_full_country_list_record_nothing_until_enter(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await _show(pilot, screen, Step("geboorteland"))
        before = screen.engine.answer("geboorteland")
        choice = screen.query_one(ChoiceList)
        await pilot.press("2", "2")
        await pilot.pause(0.05)
        assert screen.step == Step("geboorteland")  # nothing saved, nothing moved on
        assert screen.engine.answer("geboorteland") == before
        assert "22" in str(screen.query_one("#field-info", Label).render())
        expected = choice.shown[21].code  # the line numbered 22 on screen
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert screen.engine.answer("geboorteland").value == expected


async def test_the_interpreter_language_arabisch_is_listed_first(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        pilot.app.set_ui_language("nl")  # the caseworker's Dutch names of the languages
        try:
            screen.engine.set_answer("tolk_ingezet", interviews.Answer.of(True))
            await _show(pilot, screen, Step("tolk_taal"))
            await pilot.press(*"arabisch")
            await pilot.pause(0.05)
            shown = screen.query_one(ChoiceList).shown
            assert [item.mine for item in shown[:2]] == ["Arabisch", "Algerijns Arabisch"]
            await pilot.press("1")
            if len(shown) >= 10:
                await pilot.press("enter")
            await pilot.pause(0.05)
            assert screen.engine.answer("tolk_taal").value == "ar"
        finally:
            pilot.app.set_ui_language("en")


async def test_none_of_these_clears_the_other_ticks_and_back(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await _show(pilot, screen, Step("belemmeringen_leren"))
        codes = [c.value for c in screen.bundle.items["belemmeringen_leren"].choices]
        none = str(codes.index("geen") + 1)
        await pilot.press("1", "2")
        await pilot.pause(0.05)
        assert screen.engine.answer("belemmeringen_leren").value == tuple(codes[:2])
        await pilot.press(none)
        await pilot.pause(0.05)
        assert screen.engine.answer("belemmeringen_leren").value == ("geen",)
        await pilot.press("1")
        await pilot.pause(0.05)
        assert screen.engine.answer("belemmeringen_leren").value == (codes[0],)
        stored = interviews.open_interview(pilot.app.store, screen.interview_id).interview
        assert stored.answer("belemmeringen_leren").value == (codes[0],)


async def test_undo_shows_another_question_first_and_undoes_on_the_second_press(
    demo: Path,
) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await _show(pilot, screen, Step("achternaam"))
        before = screen.engine.answer("achternaam")
        field = screen.query_one("#field-text", Input)
        field.value = "Testnaam"
        await pilot.press("enter")
        await pilot.pause(0.05)
        await _show(pilot, screen, Step("geslacht"))
        await pilot.press("ctrl+z")
        await pilot.pause(0.05)
        assert screen.step == Step("achternaam")  # shown, not yet undone
        assert screen.engine.answer("achternaam").value == "Testnaam"
        assert "ctrl+z" in _message(screen)
        await pilot.press("ctrl+z")
        await pilot.pause(0.05)
        assert screen.engine.answer("achternaam") == before


async def test_typed_text_is_kept_as_a_draft_within_two_seconds_and_offered_back(
    demo: Path,
) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await _show(pilot, screen, Step("achternaam"))
        await pilot.press(*"Nog niet af")
        await pilot.pause(2.1)
        key = ("achternaam", None)
        assert drafts.drafts(pilot.app.store, screen.interview_id)[key].endswith("Nog niet af")
        await _show(pilot, screen, Step("geslacht"))
        await _show(pilot, screen, Step("achternaam"))
        assert screen.query_one("#field-text", Input).value.endswith("Nog niet af")
        draft = screen.query_one("#draft", Label)
        assert draft.display and "F9" in str(draft.render())
        await pilot.press("f9")
        await pilot.pause(0.05)
        assert key not in drafts.drafts(pilot.app.store, screen.interview_id)
        assert not screen.query_one("#field-text", Input).value.endswith("Nog niet af")


async def test_locking_keeps_what_was_typed_at_once(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        interview_id = screen.interview_id
        await _show(pilot, screen, Step("achternaam"))
        await pilot.press(*"halverwege")
        await pilot.press("ctrl+l")  # well within two seconds of the last key
        await wait_for(pilot, "UnlockScreen")
    store = reopen(demo, "demo", "demo-passphrase")
    try:
        assert drafts.drafts(store, interview_id)[("achternaam", None)].endswith("halverwege")
    finally:
        store.close()


async def test_after_a_repeat_entry_the_list_offers_another_or_goes_on(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        repeat = Step("werkervaring")
        await _show(pilot, screen, repeat)
        await pilot.press("f4")  # a new entry, highlighted
        await pilot.pause(0.05)
        entry = screen.engine.instances("werkervaring")[-1]
        await pilot.press("enter")  # open it
        await pilot.pause(0.05)
        for _ in range(40):  # through the entry's questions, leaving them unanswered
            if screen.step is None or screen.step.instance != entry:
                break
            await pilot.press("pagedown")
            await pilot.pause(0.02)
        assert screen.step == repeat  # back at the list, not on to the next question
        assert "F4" in _message(screen)
        position = screen.engine.instances("werkervaring").index(entry)
        assert screen.query_one("#field-entries").highlighted == position
        await pilot.press("pagedown")  # go on: past every entry of the list
        await pilot.pause(0.05)
        after = screen.step
        assert after is not None and after != repeat
        assert screen.bundle.items[after.id].repeat != "werkervaring"


async def test_the_end_of_the_questionnaire_points_to_review(demo: Path) -> None:
    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        await _show(pilot, screen, None)
        assert "F5" in str(screen.query_one("#hint", Label).render())


async def test_a_caseworker_item_shows_nothing_in_the_newcomers_language(demo: Path) -> None:
    from intake_tui.ui.bidi_label import BidiLabel
    from intake_tui.ui.widgets.question_heading import QuestionHeading

    async with make_app(demo).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "abdullah")  # Arabic, in progress; the caseworker: en
        heading = screen.query_one(QuestionHeading)
        column = heading.query_one("#texts-newcomer")
        theirs = heading.query_one("#label-newcomer", BidiLabel)
        options = screen.query_one("#field-choice")
        # A question put to the newcomer: their words under the question and its options.
        await _show(pilot, screen, Step("staatloos"))
        assert column.display and theirs.text
        assert options.get_option_at_index(0).prompt.theirs
        await pilot.press("f7")
        await wait_for(pilot, "NewcomerView")
        await pilot.press("escape")
        await wait_for(pilot, "InterviewScreen")
        # `audience: caseworker`: what the caseworker records shows no newcomer's text.
        assert screen.bundle.items["tolk_ingezet"].for_caseworker
        await _show(pilot, screen, Step("tolk_ingezet"))
        assert not column.display and not theirs.text
        assert not options.get_option_at_index(0).prompt.theirs
        await pilot.press("f7")
        await pilot.pause(0.1)
        assert pilot.app.screen is screen
        assert "caseworker only" in _message(screen)
        before = screen.engine.value("tolk_ingezet")
        screen.query_one(ChoiceList).focus()
        await pilot.press("2" if before else "1")  # the other answer, so it is saved anew
        await pilot.pause(0.05)
        assert screen.engine.value("tolk_ingezet") is (not before)
        shown = interviews_language_shown(pilot.app.store, screen.interview_id, "tolk_ingezet")
        assert shown is None  # the newcomer saw no text of theirs


def interviews_language_shown(store: Any, interview_id: str, question_id: str) -> str | None:
    with store.session() as session:
        row = (
            session.connection()
            .exec_driver_sql(
                "SELECT language_shown FROM answer WHERE interview_id = ? AND question_id = ?",
                (interview_id, question_id),
            )
            .first()
        )
    assert row is not None, "the answer was saved"
    return row[0]
