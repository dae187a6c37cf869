"""Sync under faults, against the real reference server on loopback (uvicorn), through a real
TCP proxy where the fault is in the transport. docs/security-and-sync.md §6 rows 3-13: each test
prints its figures, and in every case no record is lost, none is duplicated on the server,
nothing is marked delivered before its receipt.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.sync import service
from intake_tui.sync.client import SyncClient, http_client
from intake_tui.sync.service import Policy

from .central_helpers import run_uvicorn
from .fault_proxy import fault_proxy
from .sync_fixtures import (  # noqa: F401 - central is a fixture
    FAST,
    Central,
    Scripted,
    Sleeps,
    central,
    demo_store,
    enrolled,
    report,
    states,
)
from .sync_helpers import clone_revisions, outbox, store_with_frozen


def test_500_503_429_then_ok_is_one_record_with_retry_after_honoured(
    tmp_path: Path, central: Central
) -> None:
    store, made = store_with_frozen(tmp_path / "data")
    try:
        enrolled(store, central)
        central.app.queue.extend(["500", "503", "429"])
        sleeps = Sleeps()
        summary = service.run_sync(store, policy=FAST, sleep=sleeps)
        report(
            "row3",
            attempts=summary.attempts,
            records=len(central.records()),
            delays=[round(d, 2) for d in sleeps.delays],
        )
        assert summary.attempts == 4 and summary.acked == 1
        assert central.records() == [(made[0], 1)]
        assert sleeps.delays[1] >= 1.0 and sleeps.delays[2] >= 1.0  # Retry-After: 1
        assert states(store) == ["acked"]
        assert summary.exit_code == 0
    finally:
        store.close()


def test_lost_acknowledgement_is_replayed_not_duplicated(tmp_path: Path, central: Central) -> None:
    store, made = store_with_frozen(tmp_path / "data")
    try:
        enrolled(store, central)
        central.app.queue.append("commit_then_hang")  # server commits; the answer is too late
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report(
            "row4",
            attempts=summary.attempts,
            records=len(central.records()),
            replayed=summary.replayed,
        )
        assert summary.attempts == 2 and summary.acked == 1 and summary.replayed == 1
        assert central.records() == [(made[0], 1)]
        receipt = json.loads(outbox(store)[0].receipt_json or "{}")
        assert receipt["replayed"] is True
    finally:
        store.close()


def test_a_reset_in_the_middle_of_the_upload_is_retried(tmp_path: Path, central: Central) -> None:
    store, made = store_with_frozen(tmp_path / "data")
    try:
        with fault_proxy(central.port, reset_after=300) as proxy:
            enrolled(store, central, proxy.url)
            proxy.modes.extend(["reset_upload", "reset_upload"])
            summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
            report(
                "row5",
                attempts=summary.attempts,
                connections=proxy.connections,
                records=len(central.records()),
            )
            assert summary.attempts == 3 and summary.acked == 1
            assert proxy.connections >= 3  # one connection per attempt (+ enrolment)
        assert central.records() == [(made[0], 1)]
    finally:
        store.close()


def test_a_response_dropped_after_the_commit_is_replayed(tmp_path: Path, central: Central) -> None:
    store, made = store_with_frozen(tmp_path / "data")
    try:
        with fault_proxy(central.port) as proxy:
            enrolled(store, central, proxy.url)
            proxy.modes.append("drop_response")
            summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
            report(
                "row6",
                attempts=summary.attempts,
                records=len(central.records()),
                replayed=summary.replayed,
            )
        assert summary.attempts == 2 and summary.acked == 1 and summary.replayed == 1
        assert central.records() == [(made[0], 1)]
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_down_for_the_whole_run_defers_and_keeps_everything(
    tmp_path: Path, central: Central
) -> None:
    store, made = store_with_frozen(tmp_path / "data", discussed=2)
    try:
        enrolled(store, central)
        sleeps = Sleeps()
        policy = Policy(max_attempts=4, budget_s=20, timeout_s=1.0)
        dead = f"http://127.0.0.1:{free_port()}"  # nobody listens there
        summary = service.run_sync(store, server_url=dead, policy=policy, sleep=sleeps)
        report(
            "row7",
            deferred=summary.deferred,
            attempts=summary.attempts,
            planned_wait_s=round(sum(sleeps.delays), 2),
        )
        assert summary.deferred == 2 and summary.acked == 0 and summary.exit_code == 0
        assert sum(sleeps.delays) <= policy.budget_s
        assert states(store) == ["pending", "pending"]
        assert all(row.attempts >= 1 and row.last_error for row in outbox(store))
        assert central.records() == []
        # Later the server is back: everything goes, once.
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 2
        assert sorted(central.records()) == sorted((m, 1) for m in made)
    finally:
        store.close()


def test_a_captive_portal_answering_200_html_is_not_a_receipt(
    tmp_path: Path, central: Central
) -> None:
    store, _made = store_with_frozen(tmp_path / "data")
    try:
        enrolled(store, central)
        central.app.queue.extend(["portal"] * 3)
        summary = service.run_sync(
            store, policy=Policy(max_attempts=3, timeout_s=1.0), sleep=Sleeps()
        )
        report("row8", acked=summary.acked, attempts=summary.attempts, state=states(store))
        assert summary.acked == 0 and summary.deferred == 1
        assert states(store) == ["pending"]
        assert "without a matching receipt" in (outbox(store)[0].last_error or "")
    finally:
        store.close()


def test_a_batch_with_one_bad_record_delivers_the_others(tmp_path: Path, central: Central) -> None:
    store, _made = store_with_frozen(tmp_path / "data")
    try:
        clone_revisions(store, 2)
        enrolled(store, central)
        rows = outbox(store)
        with store.session() as session:  # the middle record's hash no longer fits its content
            from intake_tui.store.models import OutboxRow

            middle = session.get(OutboxRow, rows[1].id)
            assert middle is not None
            middle.payload_sha256 = "0" * 64
            session.add(middle)
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report("row9", results=states(store), records=len(central.records()))
        assert states(store) == ["acked", "rejected", "acked"]
        assert len(central.records()) == 2 and summary.exit_code == 2
        again = service.run_sync(store, policy=FAST, sleep=Sleeps())
        assert again.nothing_to_do and len(central.records()) == 2
    finally:
        store.close()


def test_a_key_reused_with_another_body_is_refused(tmp_path: Path, central: Central) -> None:
    store, _made = store_with_frozen(tmp_path / "data")
    try:
        enrolled(store, central)
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 1
        row = outbox(store)[0]
        submission = service._submission(store, row)
        changed = json.loads(json.dumps(submission))
        changed["document"] = json.loads(changed["document"])
        changed["document"]["plan"]["fields"]["leerroute"]["value"] = "C"
        from intake_tui.sync.protocol import payload_sha256

        changed["payload_sha256"] = payload_sha256(changed["document"])
        device = service.device(store)
        assert device is not None
        client = SyncClient(http_client(central.url, token=device.token))
        try:
            outcome = client.submit(changed, row.idempotency_key)
        finally:
            client.close()
        report("row11", status=outcome.status, verdict=outcome.verdict)
        assert (outcome.status, outcome.verdict) == (422, "rejected")
        assert len(central.records()) == 1
    finally:
        store.close()


def test_a_changed_record_under_an_old_id_is_a_conflict_for_a_human(
    tmp_path: Path, central: Central
) -> None:
    store, _made = store_with_frozen(tmp_path / "data")
    try:
        enrolled(store, central)
        assert service.run_sync(store, policy=FAST, sleep=Sleeps()).acked == 1
        # Another laptop (or a bug) holds different content under the same record id.
        with store.session() as session:
            from intake_tui.store.models import OutboxRow, PlanRevisionRow

            row = session.get(OutboxRow, outbox(store)[0].id)
            frozen = session.get(PlanRevisionRow, row.plan_revision_id) if row else None
            assert row is not None and frozen is not None
            document = json.loads(frozen.document_json)
            document["plan"]["fields"]["leerroute"]["value"] = "C"
            frozen.document_json = json.dumps(document)
            from intake_tui.sync.protocol import payload_sha256

            row.payload_sha256 = payload_sha256(document)
            row.idempotency_key = "another-key"
            row.state = "pending"
            session.add_all([row, frozen])
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report("row9b", conflicts=summary.conflicts, state=states(store))
        assert summary.conflicts == 1 and summary.exit_code == 2
        assert states(store) == ["conflict"]
        assert len(central.records()) == 1
    finally:
        store.close()


@pytest.mark.parametrize("fault", ["bad", "expired", "revoked"])
def test_a_bad_expired_or_revoked_token_stops_without_hammering_or_deleting(
    tmp_path: Path, central: Central, fault: str
) -> None:
    store, _made = store_with_frozen(tmp_path / "data", discussed=2)
    try:
        enrolled(store, central)
        device = service.device(store)
        assert device is not None
        if fault == "bad":
            with store.session() as session:
                from intake_tui.store.models import SyncDeviceRow

                row = session.get(SyncDeviceRow, 1)
                assert row is not None
                row.token = "not-a-token"
                session.add(row)
        elif fault == "expired":
            admin.expire_device(central.db_url, device.device_id)
        else:
            admin.revoke_device(central.db_url, device.device_id)
        summary = service.run_sync(store, policy=FAST, sleep=Sleeps())
        report(
            f"row12-{fault}",
            attempts=summary.attempts,
            stopped=summary.stopped,
            kept=len(outbox(store)),
        )
        assert summary.attempts == 2  # one request (a batch of two), not retried
        assert summary.stopped == ("revoked" if fault == "revoked" else "unauthorized")
        assert summary.exit_code == 2
        assert states(store) == ["pending", "pending"]  # nothing deleted, nothing acked
        assert central.records() == []
        if fault == "revoked":
            assert service.device(store).revoked_at is not None  # type: ignore[union-attr]
            later = service.run_sync(store, policy=FAST, sleep=Sleeps())
            assert later.stopped == "revoked" and later.attempts == 0
    finally:
        store.close()


def test_drafts_are_never_sent(tmp_path: Path, central: Central) -> None:
    from intake_tui.store import interviews

    from .sync_helpers import bundle

    store, made = store_with_frozen(tmp_path / "data")
    try:
        interviews.create_interview(
            store, bundle(), client_display_name="Concept", client_language="so"
        )
        enrolled(store, central)
        service.run_sync(store, policy=FAST, sleep=Sleeps())
        assert central.records() == [(made[0], 1)]
    finally:
        store.close()


def test_an_unknown_certificate_authority_is_refused_and_the_organisations_is_trusted(
    tmp_path: Path,
) -> None:
    """TLS: the laptop trusts the system's CAs, or only the organisation's CA from config; a
    server whose certificate neither signs is not spoken to (nothing sent, all kept)."""
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    certificate.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    authority.cert_pem.write_to_path(str(ca_file))
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    store, made = store_with_frozen(tmp_path / "data")
    try:
        with run_uvicorn(
            create_app(db_url), ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)
        ) as url:
            assert url.startswith("https://")
            code = admin.new_enrolment_code(db_url)
            from intake_tui.sync.client import SyncConfigError

            with pytest.raises(SyncConfigError) as refused:  # system trust: unknown CA
                service.enrol(store, url, code)
            assert "ConnectError" in refused.value.message
            service.enrol(store, url, code, ca_file=str(ca_file))
            unknown = service.run_sync(
                store, policy=Policy(max_attempts=2, timeout_s=2.0), sleep=Sleeps()
            )
            error = outbox(store)[0].last_error
            report("row13", acked=unknown.acked, deferred=unknown.deferred, error=error)
            assert unknown.acked == 0 and unknown.deferred == 1 and error == "ConnectError"
            trusted = service.run_sync(store, ca_file=str(ca_file), policy=FAST, sleep=Sleeps())
            assert trusted.acked == 1
        engine = sa.create_engine(db_url)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT interview_id FROM central_submission")
            ).fetchall()
        engine.dispose()
        assert [r[0] for r in rows] == made
    finally:
        store.close()
