"""A whole intake on the keyboard, from the first run to the export, and the plan screen's
decisions and the answers behind a field. Clock frozen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Label, TextArea

from intake_tui.store.keyring import TEST_KDF

from .store_helpers import PASSPHRASE
from .tui_helpers import confirmed, make_app, open_case, plan_at_field, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("tui") / "demo", kdf=TEST_KDF).root


async def test_a_whole_intake_from_first_run_to_export(tmp_path: Path) -> None:
    """First run -> new intake -> every question the interview asks, answered with the keys a
    caseworker uses (typed text, numbers for choices, F2 where "weet niet" is the answer) ->
    review -> finalize -> plan -> discussed -> export -> decisions -> final -> export; then the
    exported JSON documents are checked."""
    import json

    from textual.widgets import Select

    from benchmarks.scripted import answer_step
    from intake_tui.core.display import show_value
    from intake_tui.core.values import Answer

    async with make_app(tmp_path / "data", user=None).run_test(size=(120, 40)) as pilot:
        first = pilot.app.screen
        first.query_one("#name", Input).value = "anna"
        first.query_one("#passphrase", Input).value = PASSPHRASE
        first.query_one("#again", Input).value = PASSPHRASE
        first.query_one("#again", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, "CasesScreen", tries=200)
        await pilot.press("n")
        await wait_for(pilot, "NewIntakeScreen")
        await pilot.pause(0.1)
        new = pilot.app.screen
        new.query_one("#given", Input).value = "Test"
        new.query_one("#family", Input).value = "Persoon"
        new.query_one("#language", Select).value = "en"
        new.query_one("#notice", Input).value = "01-11-2026"
        await pilot.click("#start")
        await wait_for(pilot, "InformationScreen")
        await pilot.press("n")  # not recorded here: the walk answers those questions itself
        await wait_for(pilot, "InterviewScreen")
        screen = pilot.app.screen
        engine = screen.engine
        answered = 0
        for _ in range(600):
            step = screen.step
            if step is None:
                break
            item = engine.item(step.id)
            if item.type in ("note", "group"):
                await pilot.press("enter")
                continue
            if item.type == "repeat":
                if engine.instances(step.id):  # back from its entry: go on past the list
                    await pilot.press("pagedown")
                    continue
                await pilot.press("f4", "enter")  # add an entry and open it
                continue
            answer = answer_step(engine, step)
            if step.id == "lbt_status":  # taken, so the plan can be signed (a DUO check)
                answer = Answer.of("afgenomen")
            if answer is None:
                await pilot.press("pagedown")
                continue
            if answer.state == "unknown":
                await pilot.press("f2")
            elif item.type == "multi_choice":
                codes = [c.value for c in item.choices or ()]
                await pilot.press(str(codes.index(answer.value[0]) + 1), "pagedown")
            elif item.type in ("choice", "yes_no"):
                codes = (
                    ["true", "false"]
                    if item.type == "yes_no"
                    else [c.value for c in item.choices or ()]
                )
                code = (
                    ("true" if answer.value else "false") if item.type == "yes_no" else answer.value
                )
                number = str(codes.index(code) + 1)
                if len(codes) <= 9:
                    await pilot.press(number)  # a short list: the digit chooses at once
                else:  # a long list (countries): the number, then Enter
                    await pilot.press(*number, "enter")
            elif item.type == "longtext":
                # Long text is set, not typed; Page Down saves it and goes on.
                screen.query_one("#field-long", TextArea).text = show_value(item, answer.value)
                await pilot.press("pagedown")
            else:
                screen.query_one("#field-text", Input).value = show_value(item, answer.value)
                await pilot.press("enter")
            answered += 1
        assert screen.step is None, "the interview did not reach its end"
        assert answered > 100
        assert [i for i in engine.issues() if i.kind == "missing_required"] == []
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        await confirmed(pilot, "f", "ReviewScreen")
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        plan_screen = pilot.app.screen
        await confirmed(pilot, "d", "PlanScreen")
        await pilot.press("e")
        await pilot.pause(0.3)
        # Final is refused while decisions are open; the caseworker takes each one, with a
        # reason, through the same dialog a person uses, then signs.
        await pilot.press("f")
        await pilot.pause(0.1)
        refused = str(plan_screen.query_one("#message", Label).render())
        open_fields = [f.key for f in plan_screen.plan.open_decisions()]
        assert open_fields and all(key in refused for key in open_fields)
        for key in open_fields:
            await decide(pilot, plan_screen, key)
        assert plan_screen.plan.open_decisions() == []
        await confirmed(pilot, "f", "PlanScreen")
        signed = str(plan_screen.query_one("#message", Label).render())
        assert signed.startswith("Plan is final"), signed
        await pilot.press("e")
        await pilot.pause(0.3)
        interview_id = screen.interview_id
    exported = tmp_path / "data" / "exports" / f"{interview_id}-r1.json"
    document = json.loads(exported.read_text())
    assert document["record"]["status"] == "discussed"
    written = sorted(p.name for p in (tmp_path / "data" / "exports").iterdir())
    assert f"{interview_id}-r2.json" in written, written
    final = json.loads((tmp_path / "data" / "exports" / f"{interview_id}-r2.json").read_text())
    assert final["record"]["status"] == "final"
    assert final["record"]["previous_revision"] == 1
    assert final["plan"]["fields"][open_fields[0]]["override"]["reason"] == "besproken"
    assert document["interview"]["client_language"] == "en"
    assert document["answers"]["persoon.bsn"]["value"] == "111222333"  # typed, as the script did
    # The notice date lives in the answers and on the case; the plan's deadline follows it.
    import datetime as dt

    notice = dt.date.fromisoformat(
        document["answers"]["inburgeringsplicht.datum_kennisgeving"]["value"]
    )
    due = dt.date.fromisoformat(document["plan"]["fields"]["pip_uiterlijk"]["value"])
    assert due == notice + dt.timedelta(weeks=10)


async def decide(pilot, plan_screen, key: str) -> None:  # type: ignore[no-untyped-def]
    """Take the decision on plan field `key` with the first value its rules considered."""
    from intake_tui.core.plan import FIELDS

    listing = plan_screen.query_one("#plan")
    line = next(o for o, k in plan_screen.line_fields.items() if k == key)
    listing.highlighted = next(
        i for i in range(listing.option_count) if listing.get_option_at_index(i).id == line
    )
    field = plan_screen.plan.fields[key]
    codes = getattr(FIELDS[key].type, "__args__", ())
    value = field.rule_value if field.rule_value not in (None, []) else codes[0]
    await pilot.press("o")
    await wait_for(pilot, "AskScreen")
    ask = pilot.app.screen
    typed = ", ".join(value) if isinstance(value, list) else str(value)  # as a person types it
    ask.query_one("#ask-0", Input).value = typed
    ask.query_one("#ask-1", Input).value = "besproken"
    ask.query_one("#ask-1", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, "PlanScreen")
    await pilot.pause(0.05)


async def test_the_plan_shows_the_answers_behind_a_field(demo_dir: Path) -> None:

    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await open_case(pilot, "rami")
        plan_screen, _listing = await plan_at_field(pilot, "leerroute")
        await pilot.press("a")
        await pilot.pause(0.05)
        message = str(plan_screen.query_one("#message", Label).render())
        lbt = plan_screen.bundle.items["lbt_resultaat"]
        shown = next(c.label for c in lbt.choices if c.value == "haalbaar")
        assert f"{lbt.label}: {shown}" in message
