"""References across a case (issue 19, item 2): a follow-up reads the intake as `intake.<id>`
and the current plan as `plan.<field>`; the intake's plan rules read the latest completed
follow-up as `followup.<id>`. Names are checked at load against the bundles they name."""

from __future__ import annotations

import shutil
from pathlib import Path

from intake_tui.core import Answer, load_bundle
from intake_tui.core.questionnaire import check_bundle
from intake_tui.store import followups, interviews

from .conftest import BUNDLES
from .store_helpers import make_store
from .test_followups import FOLLOWUP_RULE, final_case, intake_with_followup_rule

REFS = BUNDLES / "followup_refs"


def test_a_follow_up_reads_the_intake_and_the_current_plan(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "rami")  # an asielstatushouder, B1-route
        talk = followups.talks(store, case_id)[0]
        followup_id = followups.start(store, talk.id, load_bundle(REFS))
        engine = interviews.open_interview(store, followup_id).interview
        assert engine.context["intake"]["doelgroep"] == "asielstatushouder"
        assert engine.value("route_in_plan") == engine.context["plan"]["leerroute"] == "B"
        assert engine.is_visible("asiel_begeleiding")
        # And the intake reads the latest completed follow-up.
        interviews.save_answer(store, followup_id, "aanwezigheid", Answer.of("soms"))
        assert "followup" not in interviews.open_interview(store, case_id).interview.context
        interviews.finalize_interview(store, followup_id)
        intake = interviews.open_interview(store, case_id).interview
        assert intake.context["followup"]["aanwezigheid"] == "soms"
    finally:
        store.close()


def test_a_follow_up_of_another_newcomer_sees_their_intake(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "ayse")  # gezinsmigrant: not an asielstatushouder
        talk = followups.talks(store, case_id)[0]
        engine = interviews.open_interview(
            store, followups.start(store, talk.id, load_bundle(REFS))
        ).interview
        assert engine.context["intake"]["doelgroep"] == "gezinsmigrant_overig"
        assert not engine.is_visible("asiel_begeleiding")
    finally:
        store.close()


def test_followup_names_in_plan_rules_are_checked_against_the_bundles_that_follow(
    tmp_path: Path,
) -> None:
    folder = intake_with_followup_rule(tmp_path)
    bundle, problems = check_bundle(folder)
    assert problems == [] and bundle is not None
    shutil.rmtree(tmp_path / "brede-intake")
    shutil.rmtree(tmp_path / "voortgang-test")
    folder = intake_with_followup_rule(
        tmp_path, FOLLOWUP_RULE.replace("aanwezigheid", "aanwezighied")
    )
    _bundle, problems = check_bundle(folder)
    assert [p.message for p in problems] == [
        "unknown name followup.aanwezighied; did you mean followup.aanwezigheid?"
    ]


def test_a_follow_up_whose_intake_bundle_is_nowhere_gets_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "alleen"
    shutil.copytree(REFS, folder)
    source = folder / "questionnaire.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("follows: brede-intake", "follows: elders"),
        encoding="utf-8",
    )
    bundle, problems = check_bundle(folder)
    assert problems == [] and bundle is not None
    assert [w.message for w in bundle.warnings] == [
        "no bundle 'elders' found beside this one or built in: intake.<id> names are not checked"
    ]
