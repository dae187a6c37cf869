"""The review refuses to finalize while a required question has no answer, and says why calmly:
the blocking questions are listed on top, Enter goes to each, nothing is finalized."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Label, OptionList

from intake_tui.core import Answer
from intake_tui.core.engine import Step
from intake_tui.demo import open_or_make_demo
from intake_tui.store import interviews
from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import confirmed, make_app, open_case, wait_for


def message(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#message", Label).render())


async def test_finalize_is_refused_and_enter_goes_to_what_blocks_it(tmp_path: Path) -> None:
    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await open_case(pilot, "hodan")  # her afsluiting is for the next appointment
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        listing = review.query_one("#review", OptionList)
        header, first = listing.get_option_at_index(0), listing.get_option_at_index(1)
        assert str(header.prompt) == "── Needed before finalizing ──"
        assert review.targets[str(first.id)] == Step("samenvatting_besproken")
        assert str(first.prompt).startswith("✗ ")
        assert str(first.prompt).endswith(": an answer is required")
        # Besides that line, only its answer row in its section: not again under "needs attention".
        rows = [o for o, step in review.targets.items() if step.id == "samenvatting_besproken"]
        assert rows[0] == first.id and len(rows) == 2
        assert str(listing.get_option(rows[1]).prompt).startswith("  ")

        await pilot.press("f")
        await pilot.pause(0.2)
        assert pilot.app.screen is review  # no "Finalize?" question: there is nothing to confirm
        assert message(review) == (
            "Not finalized yet: 1 required question still needs an answer, listed at the top. "
            "Enter goes to it."
        )
        case_id = review.interview_id
        assert interviews.open_interview(pilot.app.store, case_id).summary.status == "in_progress"

        assert listing.highlighted == 1  # the cursor waits on the first reason
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        assert pilot.app.screen.step == Step("samenvatting_besproken")


async def test_a_blocker_that_appears_behind_the_review_is_refused_without_a_crash(
    tmp_path: Path,
) -> None:
    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await open_case(pilot, "hodan")
        store = pilot.app.store
        (case,) = interviews.list_interviews(store, "hodan").items
        case_id = case.id
        interviews.save_answer(store, case_id, "samenvatting_besproken", Answer.of(True))
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        assert review.opened.interview.finalize_blockers() == []
        # Another screen or a script takes the answer away while the review is open.
        interviews.save_answer(store, case_id, "samenvatting_besproken", None)
        await confirmed(pilot, "f", "ReviewScreen")
        assert pilot.app.is_running
        assert message(review).startswith("Not finalized yet: 1 required question")
        assert review.opened.summary.status == "in_progress"
        assert Step("samenvatting_besproken") in review.targets.values()


LONG_ANSWER = (
    "Blind sinds de kindertijd.\n"
    "Leest met brailleleesregel en voorleessoftware; heeft daarom bij elke les en elk examen "
    "toegankelijk lesmateriaal nodig, en een tolk bij de gesprekken met de gemeente."
)


@pytest.mark.parametrize(
    "question",
    ["vervolgafspraken", "belemmeringen_toelichting"],  # a short label, and one too wide to hang
)
async def test_later_lines_of_an_answer_are_indented_under_its_first_line(
    tmp_path: Path, question: str
) -> None:
    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(80, 24)) as pilot:
        await open_case(pilot, "hodan")
        store = pilot.app.store
        (case,) = interviews.list_interviews(store, "hodan").items
        interviews.save_answer(store, case.id, question, Answer.of(LONG_ANSWER))
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        listing = review.query_one("#review", OptionList)
        row = next(o for o, step in review.targets.items() if step == Step(question))
        listing.highlighted = listing.get_option_index(row)
        await pilot.pause(0.1)
        drawn = [listing.render_line(y).text.rstrip() for y in range(listing.size.height)]
    first_words = LONG_ANSWER.split()[:3]
    start = next((i for i, line in enumerate(drawn) if " ".join(first_words) in line), None)
    assert start is not None, drawn  # the answer starts on one line with its first words
    column = drawn[start].index(first_words[0])
    assert column > 0
    answer = drawn[start][column:].split()
    for line in drawn[start + 1 :]:
        if len(answer) >= len(LONG_ANSWER.split()):
            break
        assert line[:column].strip() == "", (line, drawn)  # under the first line, not at the edge
        assert line[column] != " ", (line, drawn)
        answer += line.split()
    assert answer == LONG_ANSWER.split()  # every word, none cut, in order


async def test_a_chosen_answer_is_named_in_the_ui_language(tmp_path: Path) -> None:
    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "hodan")
        engine, bundle = screen.engine, screen.bundle
        step = next(
            s
            for s in engine.steps()
            if bundle.items[s.id].type == "choice"
            and bundle.items[s.id].choice_source is None
            and engine.value(s.id) is not None
        )
        item = bundle.items[step.id]
        choice = next(c for c in item.choices if c.value == engine.value(step.id))
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        listing = review.query_one("#review", OptionList)
        row = next(o for o, s in review.targets.items() if s == step)
        shown = str(listing.get_option(row).prompt).splitlines()[0]
    label = po_text(bundle, "en", f"question.{step.id}.label")
    assert shown == f"  {label}: {po_text(bundle, 'en', choice.key)}"
    assert po_text(bundle, "en", choice.key) != choice.label  # not the Dutch of the bundle


def po_text(bundle, lang: str, key: str) -> str:  # type: ignore[no-untyped-def]
    """The translation in the catalog file itself, read without the app's own code."""
    import io

    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(bundle.files[f"translations/{lang}.po"]))
    return next(str(m.string) for m in catalog if m.context == key)
