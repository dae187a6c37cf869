"""Issue 19's walk, as a caseworker does it on the keyboard: a case with a final plan → its
timeline → start the voortgangsgesprek → answer → finalize → the plan proposes a change → a
change of the caseworker's own with its reason → discussed → final (revision 3) → export. The
JSON validates against schemas/intake-export-2.schema.json and carries the talk and the
changes; a sync through a faulty network delivers every revision and the talk exactly once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from textual.widgets import DataTable, Input, Label, OptionList

from intake_tui.core import Answer, FrozenClock, load_bundle
from intake_tui.core.engine import Step
from intake_tui.personas import talks as demo_talks
from intake_tui.store import followups, plans
from intake_tui.store.keyring import TEST_KDF
from intake_tui.sync import service
from intake_tui.ui.app import IntakeApp
from intake_tui.ui.widgets.choice_list import ChoiceList

from .conftest import DEFAULT_BUNDLE
from .fault_proxy import fault_proxy
from .store_helpers import PASSPHRASE, make_store
from .sync_fixtures import FAST, Central, Sleeps, enrolled
from .sync_helpers import outbox
from .test_followups import final_case
from .test_sync_talks import Recorder, central_talks, server  # noqa: F401 - a fixture
from .test_text_refs import _label_in
from .tui_helpers import burst, confirmed, settled, unlock, wait_for

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "intake-export-2.schema.json"
TALK_DAY = "2027-03-01"  # the first talk (28-02-2027) is due
HOURS_REASON = "In het gesprek afgesproken: 12 uur participatie per week, naast de MAP."
REASON = "Meer uren voor de MAP: hij wil zich op de bouw oriënteren."


@pytest.fixture
def case(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "data"
    store = make_store(root)
    try:
        case_id = final_case(store, "rami")  # final plan (revision 1), signed 28-11-2026
    finally:
        store.close()
    return root, case_id


async def _press_number_of(pilot: Any, label: str) -> None:
    """Press the number the screen shows next to `label` (never a number assumed)."""
    listing = pilot.app.screen.query_one(ChoiceList)
    prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
    shown = next(p for p in prompts if label in p)
    number = re.match(r"\s*(\d+)", shown)
    assert number is not None, shown
    await pilot.press(*number.group(1))
    await pilot.pause(0.2)


async def test_a_talk_changes_the_plan_and_the_export_and_the_sync_carry_both(
    case: tuple[Path, str],
    tmp_path: Path,
    server: tuple[Central, Recorder],  # noqa: F811 - the fixture imported above
) -> None:
    root, case_id = case
    app = IntakeApp(root, clock=FrozenClock.on(TALK_DAY), user="anna", kdf_floor=TEST_KDF)
    followup_bundle = load_bundle(DEFAULT_BUNDLE.parent / "voortgangsgesprek")
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        pilot.app.screen.query_one("#search", Input).value = "rami"
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("t")
        await wait_for(pilot, "TimelineScreen")
        await pilot.pause(0.1)
        # The first talk (due 28-02-2027): start it.
        from intake_tui.ui.widgets.timeline_list import TimelineList

        talks = pilot.app.screen.query_one(TimelineList)
        first = next(
            k for k, e in talks.entries.items() if e.talk and e.talk.due.isoformat() == "2027-02-28"
        )
        talks.highlighted = talks.get_option_index(first)
        await pilot.pause(0.05)
        await pilot.press("s")
        await wait_for(pilot, "InterviewScreen")
        interview = pilot.app.screen
        assert interview.bundle.id == followup_bundle.id
        assert followups.case_of(app.store, interview.interview_id) == case_id

        # The opening shows the plan's route: filled in, never a {name}.
        interview.jump_to(Step("opening_pip"))
        await pilot.pause(0.1)
        label = str(interview.query_one("#label", Label).render())
        final = json.loads(plans.latest_frozen(app.store, case_id).document_json)  # type: ignore[union-attr]
        route = final["plan"]["fields"]["leerroute"]["value"]
        route_label = _label_in(
            DEFAULT_BUNDLE / "translations" / "en.po", f"plan.field.leerroute.value.{route}"
        )
        assert route_label in label and "{" not in label

        # Most answers as Rami gave them; how the language goes, by its number on screen.
        for question, value in demo_talks.RAMI_TALK.items():
            if question != "voortgang_taal":
                assert interview.session.save(Step(question), Answer.of(value), None) is None
        for agreement in demo_talks.RAMI_AGREEMENTS:
            entry = interview.engine.add_instance("afspraken_lijst")
            repeat = interview.engine.answer("afspraken_lijst")
            assert interview.session.save(Step("afspraken_lijst"), repeat, None) is None
            for question, value in agreement.items():
                step = Step(question, entry)
                assert interview.session.save(step, Answer.of(value), None) is None
        interview.jump_to(Step("voortgang_taal"))
        await pilot.pause(0.1)
        english = _label_in(
            DEFAULT_BUNDLE.parent / "voortgangsgesprek" / "translations" / "en.po",
            "choice_list.voortgang.achter",
        )
        await _press_number_of(pilot, english)
        assert interview.engine.value("voortgang_taal") == "achter"

        # Review and finalize, then the case's plan from the review.
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        await confirmed(pilot, "f", "ReviewScreen")
        assert pilot.app.screen.opened.summary.status == "finalized"
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        plan = pilot.app.screen
        assert plan.interview_id == case_id
        await pilot.pause(0.2)
        listing = plan.query_one("#plan", OptionList)
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert "Changed since the final plan" in lines[0]
        assert any("aalmaatje" in line for line in lines[:6]), lines[:6]  # the rule's proposal

        # The caseworker's own change, with a reason.
        ids = [key for key, field in plan.line_fields.items() if field == "map.uren"]
        listing.highlighted = listing.get_option_index(ids[0])
        hours = plan.plan.fields["map.uren"].value + 8
        await pilot.press("o")
        await wait_for(pilot, "AskScreen")
        pilot.app.screen.query_one("#ask-0", Input).value = str(hours)
        pilot.app.screen.query_one("#ask-1", Input).value = REASON
        pilot.app.screen.query_one("#ask-1", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, "PlanScreen")
        # The hours agreed in the talk: a field the plan had no value for yet.
        assert plan.plan.fields["participatie.uren_per_week"].value is None
        await pilot.press("n")
        await wait_for(pilot, "ChooseScreen")
        choices = pilot.app.screen.query_one("#choices", OptionList)
        wanted = plan.texts.label("participatie.uren_per_week")
        prompts = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        choices.highlighted = prompts.index(wanted)
        # Typed in one burst, as a hurried caseworker does: the keys after Enter belong to
        # the dialog Enter opens, not to the list that is closing (it recorded 2, not 12).
        burst(pilot.app, ["enter", "1", "2", "tab", *HOURS_REASON, "enter"])
        await settled(pilot, lambda: type(pilot.app.screen).__name__ == "PlanScreen")
        await wait_for(pilot, "PlanScreen")
        assert plan.plan.fields["participatie.uren_per_week"].value == 12
        for key in ("d", "f"):
            await pilot.press(key)
            await wait_for(pilot, "ConfirmScreen")
            await pilot.click("#yes")
            await wait_for(pilot, "PlanScreen")
            await pilot.pause(0.1)
        latest = plans.latest_frozen(app.store, case_id)
        assert latest is not None and latest.status == "final" and latest.revision >= 3
        await pilot.press("e")
        await pilot.pause(0.3)
        assert "Written:" in str(plan.query_one("#message", Label).render())

        # Sync through a proxy that loses the first answer and cuts the next upload: every
        # plan revision and the held talk arrive once, each acknowledged by its own receipt.
        central, recorder = server
        store = app.store
        assert store is not None
        with fault_proxy(central.port, reset_after=60) as proxy:
            enrolled(store, central, proxy.url)
            proxy.modes.extend(["drop_response", "reset_upload"])
            summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        assert summary.exit_code == 0 and summary.replayed > 0
        revisions = [r.revision for r in plans.revisions(store, case_id)]
        assert sorted(central.records()) == [(case_id, n) for n in revisions]
        (talk_id,) = [t.id for t in followups.talks(store, case_id) if t.status == "held"]
        assert central_talks(central) == [(case_id, talk_id, "completed")]
        assert recorder.kinds.count("followup") >= 2  # sent again after the lost answer
        assert all(row.state == "acked" for row in outbox(store))

    exported = root / "exports" / f"{case_id}-r{latest.revision}.json"
    document = json.loads(exported.read_text("utf-8"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text("utf-8")))
    assert document["schema"] == "intake-export/2"
    (talk,) = [f for f in document["followups"] if f["status"] == "completed"]
    assert talk["bundle"]["id"] == "voortgangsgesprek"
    changes = {c["field"]: c for c in document["plan"]["changes"]}
    assert changes["map.uren"]["to"] == hours == changes["map.uren"]["from"] + 8
    assert changes["map.uren"]["reason"] == REASON
    hours_change = changes["participatie.uren_per_week"]
    assert (hours_change["from"], hours_change["to"]) == (None, 12)
    assert hours_change["reason"] == HOURS_REASON
    assert "taalmaatje" in changes["begeleiding"]["to"]
    assert "taalmaatje" not in (changes["begeleiding"]["from"] or [])
