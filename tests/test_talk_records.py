"""A completed or missed talk is a sync record of its own (issue 19, item 5): written into the
outbox in the transaction that completes or misses it, carrying the talk exactly as the export
lists it (whole: health answers too), refreshed only while it waits; planned and rescheduled
talks stay local. The migration to 0013 keeps every pending plan record; retention empties a
received talk's copy; erasure and the person's export cover talks and their records. Real
encrypted stores throughout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from intake_tui.core import Answer, load_bundle
from intake_tui.core.export import FollowupDocument
from intake_tui.store import database, erasures, followups, interviews, migrate, talk_records
from intake_tui.store.datadir import DataDir
from intake_tui.store.models import OutboxRow
from intake_tui.store.session import StoreError
from intake_tui.sync import service
from intake_tui.sync.protocol import payload_sha256

from .conftest import BUNDLES, REPO
from .store_helpers import make_store, reopen
from .sync_helpers import outbox, store_with_frozen, store_with_talks
from .test_followups import final_case

FOLLOWUP = BUNDLES / "followup"


def talk_rows(store):  # type: ignore[no-untyped-def]
    return [row for row in outbox(store) if row.kind == "followup"]


def test_a_held_and_a_missed_talk_are_records_exactly_as_the_export_lists_them(
    tmp_path: Path,
) -> None:
    store, case_id, held_id, missed_id = store_with_talks(tmp_path / "data")
    try:
        rows = outbox(store)
        assert [(r.kind, r.talk_id) for r in rows] == [
            ("plan", None),
            ("followup", missed_id),
            ("followup", held_id),
        ]
        listed = {
            e.id: e.model_dump(mode="json", by_alias=True)
            for e in followups.export_entries(store, case_id)
        }
    finally:
        store.close()
    schema = json.loads((REPO / "schemas" / "intake-export-2.schema.json").read_text("utf-8"))
    for row in rows[1:]:
        assert (row.interview_id, row.revision, row.plan_revision_id) == (case_id, None, None)
        assert row.state == "pending" and len(row.idempotency_key) == 36
        document = json.loads(row.document_json or "")
        assert row.payload_sha256 == payload_sha256(document)
        parsed = FollowupDocument.model_validate(document)
        assert (parsed.record.interview_id, parsed.record.followup_id) == (case_id, row.talk_id)
        # The talk exactly as the export document lists it, valid against its committed schema.
        assert document["followup"] == listed[row.talk_id]
        followup_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/FollowupOut"}
        jsonschema.validate(document["followup"], followup_schema)
    missed, held = (json.loads(r.document_json or "") for r in rows[1:])
    assert (
        missed["record"]["status"] == "missed"
        and missed["followup"]["reason"] == "niet gekomen, ziek"
    )
    assert missed["followup"]["answers"] == {}
    assert held["record"]["status"] == "completed"
    assert held["followup"]["bundle"]["id"] == "voortgangsgesprek"
    # Whole, as a plan revision is synced: the health answer is in it, named as special.
    assert "belemmeringen.gezondheid" in held["followup"]["special"]
    assert held["followup"]["answers"]["belemmeringen.gezondheid"]["value"] == (
        "Rugklachten (verzonnen)"
    )


def test_planned_rescheduled_and_started_talks_stay_local(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        first, second, *_rest = followups.talks(store, case_id)
        followups.reschedule(store, first.id, first.due + dt.timedelta(days=7), "tolk ziek")
        followups.start(store, second.id, load_bundle(FOLLOWUP))
        assert [r.kind for r in outbox(store)] == ["plan"]
    finally:
        store.close()


def test_a_failing_record_undoes_the_finalize_and_the_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: when the record cannot be written, the talk is neither held nor
    missed (so a held or missed talk never lacks its record)."""
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
        first, second, *_rest = followups.talks(store, case_id)
        followup_id = followups.start(store, first.id, load_bundle(FOLLOWUP))
        interviews.save_answer(store, followup_id, "aanwezigheid", Answer.of("soms"))

        def broken(*_args: object) -> str:
            raise StoreError("disk full")

        monkeypatch.setattr(talk_records, "freeze", broken)
        with pytest.raises(StoreError):
            interviews.finalize_interview(store, followup_id)
        with pytest.raises(StoreError):
            followups.miss(store, second.id, "niet gekomen")
        assert [t.status for t in followups.talks(store, case_id)][:2] == [
            "in_progress",
            "planned",
        ]
        assert interviews.open_interview(store, followup_id).summary.status == "in_progress"
        monkeypatch.undo()
        interviews.finalize_interview(store, followup_id)
        followups.miss(store, second.id, "niet gekomen")
        assert [r.talk_id for r in talk_rows(store)] == [first.id, second.id]
    finally:
        store.close()


def test_a_reopened_talk_refreshes_a_waiting_record_and_keeps_a_received_one(
    tmp_path: Path,
) -> None:
    store, _case_id, held_id, _missed = store_with_talks(tmp_path / "data")
    try:
        (one,) = [t.followup_id for t in followups.talks(store, _case_id) if t.id == held_id]
        assert one is not None
        (waiting,) = [r for r in talk_rows(store) if r.talk_id == held_id]

        def record():  # type: ignore[no-untyped-def]
            return next(r for r in talk_rows(store) if r.talk_id == held_id)

        # Finalized again unchanged: nothing to send again.
        interviews.reopen_interview(store, one, "typefout")
        interviews.finalize_interview(store, one)
        assert record().idempotency_key == waiting.idempotency_key
        # Changed while still waiting: the record follows, under a new key.
        interviews.reopen_interview(store, one, "typefout")
        interviews.save_answer(store, one, "voortgang_toelichting", Answer.of("Gaat nu beter."))
        interviews.finalize_interview(store, one)
        refreshed = record()
        assert refreshed.id == waiting.id
        assert refreshed.idempotency_key != waiting.idempotency_key
        assert refreshed.payload_sha256 != waiting.payload_sha256
        document = json.loads(refreshed.document_json or "")
        answers = document["followup"]["answers"]
        assert "Gaat nu beter." in json.dumps(answers)
        assert refreshed.payload_sha256 == payload_sha256(document)
        # Once received, it stays as received (the change travels in the next plan revision).
        with store.session() as session:
            row = session.get(OutboxRow, refreshed.id)
            assert row is not None
            row.state, row.receipt_json, row.acked_at = "acked", "{}", store.now()
            session.add(row)
        interviews.reopen_interview(store, one, "nog een fout")
        interviews.save_answer(store, one, "voortgang_toelichting", Answer.of("Toch niet."))
        interviews.finalize_interview(store, one)
        kept = record()
        assert (kept.state, kept.payload_sha256) == ("acked", refreshed.payload_sha256)
        assert kept.document_json == refreshed.document_json
    finally:
        store.close()


def test_a_record_cannot_be_half_a_plan_and_half_a_talk(tmp_path: Path) -> None:
    store, _case, _held, _missed = store_with_talks(tmp_path / "data")
    try:
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE outbox SET revision = 1 WHERE kind = 'followup'")
    finally:
        store.close()


def test_a_folder_from_before_0013_keeps_its_pending_plan_records(tmp_path: Path) -> None:
    """An older data folder (outbox of 0012: plans only, plan_revision_id NOT NULL) is backed
    up and migrated at unlock; every row keeps its id, key, state and tries, and the records
    still go out once."""
    root = tmp_path / "data"
    store, made = store_with_frozen(root, discussed=2)
    with store.session() as session:
        row = session.get(OutboxRow, outbox(store)[1].id)
        assert row is not None
        row.attempts, row.last_error = 2, "503 unavailable"
        session.add(row)
    before = [
        (r.id, r.interview_id, r.revision, r.idempotency_key, r.state, r.attempts, r.payload_sha256)
        for r in outbox(store)
    ]
    dek = store._dek
    store.close()
    engine = database.make_engine(root / "intake.db", dek)
    migrate.downgrade(engine, "0012")
    with engine.connect() as connection:
        columns = [r[1] for r in connection.exec_driver_sql("PRAGMA table_info(outbox)")]
    engine.dispose()
    assert "kind" not in columns and "talk_id" not in columns
    backups = list((root / "backups").glob("intake-*.db"))
    again = reopen(root)
    try:
        assert migrate.current_revision(again.engine) == migrate.head_revision()
        assert len(list((root / "backups").glob("intake-*.db"))) == len(backups) + 1
        rows = outbox(again)
        assert [
            (
                r.id,
                r.interview_id,
                r.revision,
                r.idempotency_key,
                r.state,
                r.attempts,
                r.payload_sha256,
            )
            for r in rows
        ] == before
        assert {r.kind for r in rows} == {"plan"} and all(r.talk_id is None for r in rows)
        assert [s["interview_id"] for s in service._submissions(again, rows)] == made
    finally:
        again.close()


def test_a_received_talks_copy_is_emptied_after_the_retention_only(tmp_path: Path) -> None:
    store, _case, held_id, missed_id = store_with_talks(tmp_path / "data")
    try:
        rows = {r.talk_id: r for r in talk_rows(store)}
        with store.session() as session:  # the held talk was received; the missed one waits
            row = session.get(OutboxRow, rows[held_id].id)
            assert row is not None
            row.state, row.receipt_json, row.acked_at = (
                "acked",
                '{"receipt_id": "r-1"}',
                store.now(),
            )
            session.add(row)
        assert service.purge_synced(store, 30) == 0
        store.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
        assert service.purge_synced(store, 30) == 1
        assert service.purge_synced(store, 30) == 0
        after = {r.talk_id: r for r in talk_rows(store)}
        tombstone, waiting = after[held_id], after[missed_id]
        assert tombstone.document_json == "" and tombstone.purged_at is not None
        assert tombstone.payload_sha256 == rows[held_id].payload_sha256  # the tombstone
        assert tombstone.receipt_json and tombstone.talk_id == held_id
        assert waiting.document_json == rows[missed_id].document_json  # never purged unsent
        # The case runs on: the follow-up's answers stay, and the talk is still held.
        assert [t.status for t in followups.talks(store, _case)][:2] == ["held", "missed"]
    finally:
        store.close()


def test_erasing_a_follow_up_draft_keeps_the_missed_talks_record_and_is_re_applied(
    tmp_path: Path,
) -> None:
    """A follow-up started, its talk then missed, the draft erased: the talk stays missed with
    its record (which holds none of the draft's answers), the draft's id is in the erasure log
    and the follow-up interview is gone; a held talk's follow-up cannot be erased here. A
    restore of a backup made before the erasure erases the draft again, records intact."""
    from intake_tui.core import FrozenClock
    from intake_tui.store import restore
    from intake_tui.store.keyring import TEST_KDF

    from .store_helpers import PASSPHRASE

    root = tmp_path / "data"
    store = make_store(root)

    def records() -> list[tuple[object, ...]]:
        return [
            (r.id, r.talk_id, r.state, r.idempotency_key, r.payload_sha256, r.document_json)
            for r in talk_rows(store)
        ]

    def left(interview_id: str) -> int:
        with store.session() as session:
            found = session.connection().exec_driver_sql(
                "SELECT count(*) FROM answer WHERE interview_id = ?", (interview_id,)
            )
            return int(found.scalar_one())

    try:
        case_id = final_case(store)
        first, second, *_rest = followups.talks(store, case_id)
        draft = followups.start(store, second.id, load_bundle(FOLLOWUP))
        interviews.save_answer(store, draft, "afspraken", Answer.of("Geheim concept"))
        followups.miss(store, second.id, "niet gekomen")
        held = followups.start(store, first.id, load_bundle(FOLLOWUP))
        interviews.save_answer(store, held, "aanwezigheid", Answer.of("soms"))
        interviews.finalize_interview(store, held)  # makes a backup: the draft is in it
        before = records()
        assert [r[1] for r in before] == [second.id, first.id]
        interviews.delete_draft(store, draft)
        assert erasures.erased_ids(store.data_dir, store._dek) == [draft]
        with pytest.raises(StoreError, match="only a draft"):
            interviews.delete_draft(store, held)
        assert records() == before  # both records as they were
        assert "Geheim concept" not in str(before)
        talks = followups.talks(store, case_id)
        assert [(t.status, t.followup_id) for t in talks[:2]] == [
            ("held", held),
            ("missed", None),
        ]
        assert left(draft) == 0
    finally:
        store.close()
    newest = max((root / "backups").glob("intake-*.db"))
    done = restore.restore(
        DataDir(root),
        "anna",
        PASSPHRASE,
        newest,
        clock=FrozenClock.on("2026-11-28"),
        floor=TEST_KDF,
    )
    assert done.erasures == 1
    store = reopen(root)
    try:
        assert left(draft) == 0 and records() == before
        talks = followups.talks(store, case_id)
        assert [(t.status, t.followup_id) for t in talks[:2]] == [
            ("held", held),
            ("missed", None),
        ]
    finally:
        store.close()


def test_erasing_a_case_takes_its_talks_records_with_it(tmp_path: Path) -> None:
    """An erased case leaves no record of it waiting to be sent (a draft intake has no talks
    today: the rule is checked by giving one talks and a record by hand)."""
    store = make_store(tmp_path / "data")
    try:
        from .store_helpers import entered_persona
        from .sync_helpers import bundle

        case_id = entered_persona(store, bundle(), "ayse")
        with store.session() as session:
            followups.plan_talks(session, store, case_id, [dt.date(2027, 3, 1)])
        (talk,) = followups.talks(store, case_id)
        followups.miss(store, talk.id, "verhuisd")
        assert len(talk_rows(store)) == 1
        interviews.delete_draft(store, case_id)
        assert talk_rows(store) == [] and followups.talks(store, case_id) == []
        assert case_id in erasures.erased_ids(store.data_dir, store._dek)
    finally:
        store.close()


def test_a_persons_export_names_each_talks_record_and_its_receipt(tmp_path: Path) -> None:
    from intake_tui.store import exports

    store, case_id, held_id, missed_id = store_with_talks(tmp_path / "data")
    try:
        rows = {r.talk_id: r for r in talk_rows(store)}
        with store.session() as session:
            row = session.get(OutboxRow, rows[held_id].id)
            assert row is not None
            row.state, row.acked_at = "acked", store.now()
            row.receipt_json = json.dumps({"receipt_id": "receipt-held"})
            session.add(row)
        document = json.loads(
            exports.export_person(store, case_id, tmp_path / "person.json").read_text("utf-8")
        )
        page = exports.export_person(
            store, case_id, tmp_path / "person.html", fmt="html"
        ).read_text("utf-8")
    finally:
        store.close()
    talks = [r for r in document["recipients"] if "talk" in r]
    assert [(r["talk"], r["status"], r["state"]) for r in talks] == [
        (missed_id, "missed", "waiting"),
        (held_id, "completed", "received"),
    ]
    assert talks[1]["receipt_id"] == "receipt-held"
    assert [r["revision"] for r in document["recipients"] if "revision" in r] == [1]
    assert {t["id"] for t in document["talks"]} >= {held_id, missed_id}
    # The page speaks Dutch (and the newcomer's language): the talk's sentence with its receipt.
    assert "receipt-held" in page and "Uw voortgangsgesprek van" in page


def test_a_case_whose_current_plan_was_purged_by_an_older_version_still_opens(
    tmp_path: Path,
) -> None:
    """Before issue 19 retention emptied every received revision, the current plan too: a
    follow-up of such a case opens with no `plan.` values instead of failing."""
    from intake_tui.store.models import PlanRevisionRow

    store, case_id, held_id, _missed = store_with_talks(tmp_path / "data")
    try:
        with store.session() as session:
            for row in session.exec(sa.select(PlanRevisionRow)).scalars():
                row.document_json = ""
                session.add(row)
        (followup_id,) = [t.followup_id for t in followups.talks(store, case_id) if t.id == held_id]
        assert followup_id is not None
        assert interviews.open_interview(store, followup_id).summary.status == "finalized"
    finally:
        store.close()
