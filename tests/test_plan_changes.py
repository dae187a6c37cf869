"""A plan changed after its final revision (PIP bijstellen, issue 19 item 4): every changed
field with from → to and a reason - the caseworker's for a change by hand, the rule's for one a
follow-up's answers brought - on the plan screen, against the latest final revision."""

from __future__ import annotations

import re
from pathlib import Path

from intake_tui.core import Answer, load_bundle
from intake_tui.core.plan.compare import document_values
from intake_tui.store import followups, interviews, plans

from .conftest import BUNDLES
from .store_helpers import PASSPHRASE, make_store
from .test_followups import final_case, intake_with_followup_rule


def final_values(store, case_id):  # type: ignore[no-untyped-def]
    import json

    final = [r for r in plans.revisions(store, case_id) if r.status == "final"][-1]
    return final.revision, document_values(json.loads(final.document_json))


def test_a_change_by_hand_is_listed_with_its_reason(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        opened = interviews.open_interview(store, case_id)
        revision, before = final_values(store, case_id)
        assert plans.changes(store, opened, plans.draft(store, opened)) == (revision, [])
        old = before.get("participatie.uren_per_week")
        new = (old or 0) + 4
        plans.set_override(store, case_id, "participatie.uren_per_week", new, "meer tijd vrij")
        number, found = plans.changes(store, opened, plans.draft(store, opened))
        assert number == revision
        assert [(c.key, c.before, c.after, c.reason) for c in found] == [
            ("participatie.uren_per_week", old, new, "meer tijd vrij")
        ]
    finally:
        store.close()


def test_a_follow_up_answer_changes_the_plan_through_a_rule_with_its_reason(
    tmp_path: Path,
) -> None:
    folder = intake_with_followup_rule(tmp_path / "bundles")
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "ayse", folder)
        talk = followups.talks(store, case_id)[0]
        followup_id = followups.start(store, talk.id, load_bundle(BUNDLES / "followup"))
        interviews.save_answer(store, followup_id, "aanwezigheid", Answer.of("soms"))
        interviews.finalize_interview(store, followup_id)
        opened = interviews.open_interview(store, case_id)
        _number, found = plans.changes(store, opened, plans.draft(store, opened))
        (change,) = found
        assert change.key == "begeleiding" and "taalmaatje" in change.after
        assert "taalmaatje" not in (change.before or [])
        assert "Een taalmaatje helpt u bij te blijven." in change.reason
    finally:
        store.close()


async def test_the_plan_screen_shows_the_changes_since_the_final_plan(tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from .tui_helpers import make_app, unlock, wait_for

    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        plans.set_override(store, case_id, "participatie.uren_per_week", 30, "meer tijd vrij")
    finally:
        store.close()
    app = make_app(tmp_path / "data", user="anna")
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        from intake_tui.ui.screens.plan import PlanScreen

        app.push_screen(PlanScreen(case_id))
        await wait_for(pilot, "PlanScreen")
        await pilot.pause(0.2)
        listing = app.screen.query_one("#plan", OptionList)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(4)]
        assert "Changed since the final plan (version 1)" in shown[0]
        assert "30" in shown[1]
        assert "meer tijd vrij" in shown[2]


async def test_the_plan_key_of_a_follow_ups_review_opens_the_cases_plan(tmp_path: Path) -> None:
    from intake_tui.ui.screens.review import ReviewScreen

    from .tui_helpers import make_app, unlock, wait_for

    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        talk = followups.talks(store, case_id)[0]
        followup_id = followups.start(store, talk.id, load_bundle(BUNDLES / "followup"))
        interviews.save_answer(store, followup_id, "aanwezigheid", Answer.of("altijd"))
        interviews.finalize_interview(store, followup_id)
    finally:
        store.close()
    app = make_app(tmp_path / "data", user="anna")
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await wait_for(pilot, "CasesScreen")
        app.push_screen(ReviewScreen(followup_id))
        await wait_for(pilot, "ReviewScreen")
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        assert app.screen.interview_id == case_id


def test_the_printed_plan_says_what_changed_since_the_last_final_version(tmp_path: Path) -> None:
    from intake_tui.store import exports

    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        plans.set_override(store, case_id, "participatie.uren_per_week", 30, "meer tijd <vrij>")
        plans.mark_final(store, case_id, plans.revisions(store, case_id)[-1].dagtekening)
        page = exports.export_plans(store, case_id, tmp_path / "plan.html", fmt="html")[0]
        html = page.read_text("utf-8")
        first = exports.export_plans(store, case_id, tmp_path / "p.json")  # the JSON: unchanged
        assert first
    finally:
        store.close()
    assert "Wat is er veranderd sinds versie 1" in html
    assert "meer tijd &lt;vrij&gt;" in html  # the caseworker's words, escaped
    assert html.index("Wat is er veranderd") < html.index("Participatie")
    # One change, in both columns (Dutch and Arabic): the dates of signing are no change.
    assert len(re.findall(r"was: [^·]*· nu: ", html)) == 2


def test_a_first_final_plan_prints_no_changes(tmp_path: Path) -> None:
    from intake_tui.store import exports

    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        html = exports.export_plans(store, case_id, tmp_path / "plan.html", fmt="html")[0]
        assert "Wat is er veranderd" not in html.read_text("utf-8")
    finally:
        store.close()
