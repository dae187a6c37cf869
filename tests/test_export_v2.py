"""Export schema intake-export/2 (issue 19, item 5): the case's follow-ups and the plan's
changes in the document; a /1 document is still read, and its schema file stays as published."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from intake_tui.core import Answer, load_bundle
from intake_tui.core.export import ExportDocument, plain_copy
from intake_tui.store import followups, interviews, plans

from .conftest import BUNDLES, DEFAULT_BUNDLE, REPO
from .store_helpers import make_store
from .test_followups import final_case

SCHEMAS = REPO / "schemas"


def latest_document(store, case_id):  # type: ignore[no-untyped-def]
    return json.loads(plans.revisions(store, case_id)[-1].document_json)


def test_a_revision_after_a_held_talk_carries_it_and_its_changes(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        first, second, *_ = followups.talks(store, case_id)
        followups.miss(store, second.id, "ziek")
        followup_id = followups.start(store, first.id, load_bundle(BUNDLES / "followup"))
        interviews.save_answer(store, followup_id, "aanwezigheid", Answer.of("soms"))
        interviews.finalize_interview(store, followup_id)
        plans.set_override(store, case_id, "participatie.uren_per_week", 30, "meer tijd vrij")
        plans.mark_final(store, case_id, plans.revisions(store, case_id)[-1].dagtekening)
        document = latest_document(store, case_id)
    finally:
        store.close()
    jsonschema.validate(document, json.loads((SCHEMAS / "intake-export-2.schema.json").read_text()))
    assert document["schema"] == "intake-export/2"
    statuses = [(f["status"], f["reason"]) for f in document["followups"]]
    assert statuses[:2] == [("completed", None), ("missed", "ziek")]
    held = document["followups"][0]
    assert held["bundle"]["id"] == "voortgang-test" and held["caseworker"] == "anna"
    assert [c["field"] for c in document["plan"]["changes"]] == ["participatie.uren_per_week"]
    assert document["plan"]["changes"][0]["to"] == 30
    assert document["plan"]["changes"][0]["reason"] == "meer tijd vrij"


def test_a_plain_copy_withholds_a_follow_ups_health_answers(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        talk = followups.talks(store, case_id)[0]
        bundle = load_bundle(REPO / "questionnaires" / "voortgangsgesprek")
        followup_id = followups.start(store, talk.id, bundle)
        from intake_tui.personas import talks as demo_talks

        for question, value in demo_talks.RAMI_TALK.items():
            interviews.save_answer(store, followup_id, question, Answer.of(value))
        interviews.save_answer(
            store, followup_id, "belemmeringen_soort", Answer.of(("gezondheid",))
        )
        interviews.save_answer(
            store, followup_id, "belemmering_gezondheid", Answer.of("Rugklachten (verzonnen)")
        )
        interviews.finalize_interview(store, followup_id)
        plans.mark_final(store, case_id, plans.revisions(store, case_id)[-1].dagtekening)
        sealed = ExportDocument.model_validate(latest_document(store, case_id))
    finally:
        store.close()
    held = sealed.followups[0]
    health = [k for k in held.answers if k in held.special]
    assert health  # the sealed document has them
    plain = plain_copy(sealed, load_bundle(DEFAULT_BUNDLE))
    assert not [k for k in plain.followups[0].answers if k in held.special]
    assert {f"followups.{held.id}.{k}" for k in health} <= set(plain.withheld)
    assert "Rugklachten" not in plain.model_dump_json()


def test_a_published_version_1_document_is_still_read(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        document = latest_document(store, case_id)
    finally:
        store.close()
    old = {k: v for k, v in document.items() if k != "followups"}
    old["schema"] = "intake-export/1"
    old["plan"] = {k: v for k, v in old["plan"].items() if k != "changes"}
    v1 = json.loads((SCHEMAS / "intake-export-1.schema.json").read_text())
    jsonschema.validate(old, v1)  # the schema as it was published
    read = ExportDocument.model_validate(old)  # and the models (the server) read it
    assert read.followups == [] and read.plan.changes == []
