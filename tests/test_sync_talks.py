"""A completed and a missed talk reach the central system exactly once (issue 19, item 5),
from a real encrypted store to the real reference server on loopback (uvicorn), through a real
TCP proxy for transport faults (docs/security-and-sync.md §6): dropped responses, resets in
the upload and 503s. Each talk is its own record, sent after its case's plan revision, with the
same outcomes as a plan revision: acked with a receipt that echoes it, pending with backoff,
conflict, refused for another laptop's case, stopped when revoked; received content is purged
after the retention. Each test prints its figures."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.store import followups
from intake_tui.store.models import OutboxRow
from intake_tui.store.session import Store
from intake_tui.sync import service
from intake_tui.sync.protocol import payload_sha256
from intake_tui.sync.service import Policy

from .central_helpers import enrolled as enrol_device
from .central_helpers import run_uvicorn
from .fault_proxy import fault_proxy
from .sync_fixtures import FAST, Central, Scripted, Sleeps, enrolled, report, states
from .sync_helpers import outbox, store_with_frozen, store_with_talks


class Recorder:
    """Notes the kind of every record the server is sent, in order (one entry per item)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.kinds: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/submissions"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        data = json.loads(b"".join(chunks) or b"{}")
        items = [i.get("submission", {}) for i in data.get("items", [])] or [data]
        self.kinds += [str(item.get("kind", "plan")) for item in items]
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Central, Recorder]]:
    from intake_tui.central.app import create_app

    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    recorder = Recorder(create_app(db_url))
    app = Scripted(recorder)
    with run_uvicorn(app) as url:
        yield Central(db_url, app, url), recorder


def central_talks(central: Central) -> list[tuple[str, str, str]]:
    engine = sa.create_engine(central.db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT interview_id, followup_id, status FROM central_followup")
            ).fetchall()
    finally:
        engine.dispose()
    return sorted((str(a), str(b), str(c)) for a, b, c in rows)


def talk_rows(store: Store) -> list[OutboxRow]:
    return [row for row in outbox(store) if row.kind == "followup"]


@contextlib.contextmanager
def talks_store(tmp_path: Path) -> Iterator[tuple[Store, str, str, str]]:
    store, case_id, held, missed = store_with_talks(tmp_path / "data")
    try:
        yield store, case_id, held, missed
    finally:
        store.close()


def test_a_held_and_a_missed_talk_arrive_once_through_drops_resets_and_503s(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    central, recorder = server
    # reset_after: the upload is cut inside its headers, so that try never reaches the app.
    with (
        talks_store(tmp_path) as (store, case_id, held, missed),
        fault_proxy(central.port, reset_after=60) as proxy,
    ):
        enrolled(store, central, proxy.url)
        # The batch (the plan and both talks) is taken, its answer lost; then the upload is
        # cut; then the server is busy; then it goes through.
        proxy.modes.extend(["drop_response", "reset_upload"])
        central.app.queue.extend(["pass", "503"])
        sleeps = Sleeps()
        summary = service.run_sync(store, policy=FAST, sleep=sleeps)
        report(
            "talks-batch",
            attempts=summary.attempts,
            acked=summary.acked,
            replayed=summary.replayed,
            connections=proxy.connections,
            talks=len(central_talks(central)),
            delays=[round(d, 2) for d in sleeps.delays],
        )
        assert summary.acked == 3 and summary.replayed == 3 and summary.exit_code == 0
        assert summary.attempts == 4 * 3  # four tries of a batch of three
        assert sleeps.delays[2] >= 1.0  # the 503's Retry-After
        assert central.records() == [(case_id, 1)]
        assert central_talks(central) == sorted(
            [(case_id, held, "completed"), (case_id, missed, "missed")]
        )
        assert states(store) == ["acked"] * 3
        for row in talk_rows(store):
            receipt = json.loads(row.receipt_json or "{}")
            assert (receipt["kind"], receipt["followup_id"]) == ("followup", row.talk_id)
            assert receipt["payload_sha256"] == row.payload_sha256
        # A third talk missed later goes alone (the single endpoint): its answer is lost once.
        third = followups.talks(store, case_id)[2]
        followups.miss(store, third.id, "verhuisd")
        proxy.modes.append("drop_response")
        alone = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report("talks-single", attempts=alone.attempts, replayed=alone.replayed)
        assert (alone.acked, alone.replayed, alone.attempts) == (1, 1, 2)
        assert len(central_talks(central)) == 3
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).nothing_to_do
    assert recorder.kinds[:3] == ["plan", "followup", "followup"]


def test_a_talk_is_sent_after_its_cases_plan_revision(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    """A case the server never saw: its plan revisions go before its talks, even a revision
    frozen after the talks, so the case is there before a talk of it arrives."""
    from intake_tui.store import plans

    central, recorder = server
    with talks_store(tmp_path) as (store, case_id, _held, _missed):
        plans.mark_final(store, case_id, dt.date(2026, 11, 28))  # revision 2, after the talks
        assert [r.kind for r in outbox(store)] == ["plan", "followup", "followup", "plan"]
        enrolled(store, central)
        one_by_one = Policy(max_attempts=6, budget_s=120, timeout_s=1.0, batch_size=1)
        summary = service.run_sync(store, policy=one_by_one, sleep=Sleeps())
        assert summary.acked == 4
        assert recorder.kinds == ["plan", "plan", "followup", "followup"]
        assert sorted(central.records()) == [(case_id, 1), (case_id, 2)]


def test_another_laptops_case_refuses_the_talk_and_the_laptop_keeps_it(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    central, _recorder = server
    with talks_store(tmp_path) as (store, case_id, _held, _missed):
        enrolled(store, central)
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 3
        other_id, _token = enrol_device(central.db_url, central.url, name="other laptop")
        admin.transfer_case(central.db_url, case_id, other_id)
        third = followups.talks(store, case_id)[2]
        followups.miss(store, third.id, "verhuisd")
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report("talk-404", rejected=summary.rejected, state=states(store))
        assert summary.rejected == 1 and summary.exit_code == 2
        refused = talk_rows(store)[-1]
        assert (refused.talk_id, refused.state, refused.last_error) == (
            third.id,
            "rejected",
            "404 not_found",
        )
        assert refused.document_json  # kept on the laptop
        assert len(central_talks(central)) == 2


def test_a_changed_talk_under_its_old_record_id_is_a_conflict_for_a_human(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    central, _recorder = server
    with talks_store(tmp_path) as (store, _case_id, held, _missed):
        enrolled(store, central)
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 3
        with store.session() as session:  # another version under the same record id
            row = next(r for r in talk_rows(store) if r.talk_id == held)
            stored = session.get(OutboxRow, row.id)
            assert stored is not None and stored.document_json
            document = json.loads(stored.document_json)
            document["followup"]["answers"]["voortgang.toelichting"] = {
                "state": "answered",
                "value": "anders",
            }
            stored.document_json = json.dumps(document)
            stored.payload_sha256 = payload_sha256(document)
            stored.idempotency_key, stored.state = "another-key", "pending"
            session.add(stored)
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report("talk-409", conflicts=summary.conflicts, state=states(store))
        assert summary.conflicts == 1 and summary.exit_code == 2
        assert states(store) == ["acked", "acked", "conflict"]
        assert len(central_talks(central)) == 2


def test_a_revoked_laptop_stops_and_keeps_its_talks(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    central, _recorder = server
    with talks_store(tmp_path) as (store, _case_id, _held, _missed):
        enrolled(store, central)
        device = service.device(store)
        assert device is not None
        admin.revoke_device(central.db_url, device.device_id)
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        assert summary.stopped == "revoked" and summary.attempts == 3
        assert states(store) == ["pending"] * 3 and all(r.document_json for r in talk_rows(store))
        assert central_talks(central) == []


def test_a_received_talks_content_is_purged_after_the_retention_and_the_export_says_so(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    from intake_tui.store import exports, interviews, plans

    central, _recorder = server
    with talks_store(tmp_path) as (store, case_id, held, missed):
        enrolled(store, central)
        with store.session() as session:  # the missed talk is not received (a person decides)
            row = session.get(
                OutboxRow, next(r.id for r in talk_rows(store) if r.talk_id == missed)
            )
            assert row is not None
            row.state = "conflict"
            session.add(row)
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 2
        assert service.purge_synced(store, 30) == 0
        store.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
        # The held talk's copy goes; the final revision is the plan the case runs on (its
        # follow-ups read it, the next revision's changes are against it): it stays.
        assert service.purge_synced(store, 30) == 1
        rows = {r.talk_id: r for r in talk_rows(store)}
        assert rows[held].document_json == "" and rows[held].purged_at is not None
        assert rows[missed].document_json and rows[missed].purged_at is None
        assert plans.revisions(store, case_id)[0].document_json
        # The case runs on: its follow-up opens (and reads the plan), the talk is still held.
        (followup_id,) = [t.followup_id for t in followups.talks(store, case_id) if t.id == held]
        assert followup_id is not None
        opened = interviews.open_interview(store, followup_id)
        assert opened.summary.status == "finalized"
        # A later final revision takes the plan's place; then the received first one goes.
        plans.mark_final(store, case_id, dt.date(2026, 12, 29))
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 1
        store.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
        assert service.purge_synced(store, 30) == 1
        first, second = plans.revisions(store, case_id)
        assert first.document_json == "" and second.document_json
        document = json.loads(
            exports.export_person(store, case_id, tmp_path / "person.json").read_text("utf-8")
        )
        sent = {r["talk"]: r for r in document["recipients"] if "talk" in r}
        assert sent[held]["state"] == "received" and sent[held]["removed_at"]
        assert sent[held]["status"] == "completed"
        assert sent[missed]["state"] == "conflict"
    assert len(central_talks(central)) == 1  # the central system keeps what it received
    assert sorted(central.records()) == [(case_id, 1), (case_id, 2)]


def test_a_folder_from_before_0013_sends_its_waiting_plans_once_with_their_keys(
    tmp_path: Path, server: tuple[Central, Recorder]
) -> None:
    from intake_tui.store import database, migrate

    from .store_helpers import reopen

    central, _recorder = server
    root = tmp_path / "data"
    store, made = store_with_frozen(root, discussed=2)
    enrolled(store, central)
    keys = [r.idempotency_key for r in outbox(store)]
    dek = store._dek
    store.close()
    engine = database.make_engine(root / "intake.db", dek)
    migrate.downgrade(engine, "0012")
    engine.dispose()
    again = reopen(root)
    try:
        assert [r.idempotency_key for r in outbox(again)] == keys
        summary = service.run_sync(again, policy=FAST, sleep=Sleeps())
        assert summary.acked == 2 and summary.replayed == 0
        assert sorted(central.records()) == sorted((m, 1) for m in made)
    finally:
        again.close()
    engine = sa.create_engine(central.db_url)
    try:
        with engine.connect() as connection:
            stored_keys = connection.execute(
                sa.text("SELECT key FROM central_idempotency")
            ).scalars()
            assert sorted(stored_keys) == sorted(keys)
    finally:
        engine.dispose()
