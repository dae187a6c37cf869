"""The demo shows a case over its termijn (issue 19, item 9): a held voortgangsgesprek and the
changed final plan it led to (revision 3, with its reason), and a talk that is overdue."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.core.plan.compare import document_values
from intake_tui.demo import DEMO_NAMESPACE, DEMO_PASSPHRASE, DEMO_USER, open_or_make_demo
from intake_tui.personas import DEMO_TODAY
from intake_tui.personas import talks as demo_talks
from intake_tui.store import followups, interviews, plans
from intake_tui.store.keyring import TEST_KDF
from intake_tui.store.session import unlock

from .conftest import DEFAULT_BUNDLE

RULE = "taalmaatje_na_voortgang"


def test_the_demo_has_a_held_talk_a_changed_plan_and_an_overdue_talk(tmp_path: Path) -> None:
    data_dir = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF)
    store = unlock(
        data_dir, DEMO_USER, DEMO_PASSPHRASE, clock=FrozenClock.on(DEMO_TODAY), floor=TEST_KDF
    )
    try:
        rami = uuid.uuid5(DEMO_NAMESPACE, "rami").hex
        held = [t for t in followups.talks(store, rami) if t.status == "held"]
        assert len(held) == 1 and held[0].followup_id is not None
        followup = interviews.open_interview(store, held[0].followup_id)
        assert followup.summary.status == "finalized"
        assert followup.interview.value("pip_bijstellen") == "ja"
        revisions = plans.revisions(store, rami)
        assert [r.status for r in revisions][-2:] == ["final", "final"]
        last, before = revisions[-1], revisions[-2]
        assert last.revision >= 3 and last.dagtekening == demo_talks.RAMI_TALK_DAY
        # The changes against the final plan before it: the caseworker's, with its reason, and
        # the one plan.yaml proposes from the talk (speaking lags: a taalmaatje), with the rule's.
        document = json.loads(last.document_json)
        previous = document_values(json.loads(before.document_json))
        field, value, reason = demo_talks.RAMI_CHANGE
        assert document["plan"]["fields"][field]["value"] == value != previous[field]
        assert document["plan"]["fields"][field]["override"]["reason"] == reason
        assert "taalmaatje" in document["plan"]["fields"]["begeleiding"]["value"]
        assert "taalmaatje" not in (previous["begeleiding"] or [])
        changes = {c["field"]: c for c in document["plan"]["changes"]}
        assert changes[field]["reason"] == reason and changes[field]["to"] == value
        rule = next(r for r in load_bundle(DEFAULT_BUNDLE).plan.rules if r.id == RULE)
        assert " ".join(rule.because.split()) in " ".join(changes["begeleiding"]["reason"].split())
        # The termijn still runs from the first final plan.
        assert document["plan"]["termijn"]["start"] == "2026-11-21"
        kwame = uuid.uuid5(DEMO_NAMESPACE, "kwame").hex
        overdue = [t for t in followups.talks(store, kwame) if t.overdue]
        assert [(t.due, t.reason) for t in overdue] == [
            (demo_talks.KWAME_RESCHEDULED_TO, demo_talks.KWAME_RESCHEDULE_REASON)
        ]
    finally:
        store.close()
