"""Sync under faults, against the real reference server on loopback (uvicorn), through a real
TCP proxy where the fault is in the transport. docs/security-and-sync.md §6 rows 3-13: each test
prints its figures, and in every case no record is lost, none is duplicated on the server,
nothing is marked delivered before its receipt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.store.session import Store
from intake_tui.sync import service
from intake_tui.sync.client import SyncClient, http_client
from intake_tui.sync.service import Policy

from .central_helpers import run_uvicorn
from .conftest import DEFAULT_VERSION
from .fault_proxy import fault_proxy
from .sync_helpers import clone_revisions, outbox, store_with_frozen


class Scripted:
    """Application-level faults in front of the real app, one per request to /v1/submissions:
    "500", "503", "429" (with Retry-After: 1), "portal" (200 text/html, like a reception
    centre's Wi-Fi login page), "commit_then_hang" (the app commits, the answer comes late)."""

    def __init__(self, app: Any, hang_s: float = 3.0) -> None:
        self.app = app
        self.queue: deque[str] = deque()
        self.hang_s = hang_s
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/submissions"):
            await self.app(scope, receive, send)
            return
        self.requests += 1
        action = self.queue.popleft() if self.queue else "pass"
        if action in ("500", "503", "429", "portal"):
            while (await receive()).get("more_body"):
                pass
            if action == "portal":
                headers = [(b"content-type", b"text/html; charset=utf-8")]
                body = b"<html><body>Welkom op het gastennetwerk. Log in.</body></html>"
                status = 200
            else:
                headers = [(b"content-type", b"application/problem+json")]
                if action != "500":
                    headers.append((b"retry-after", b"1"))
                body = json.dumps({"code": "scripted", "status": int(action)}).encode()
                status = int(action)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if action == "commit_then_hang":
            held: list[Any] = []

            async def hold(message: Any) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(self.hang_s)
            with contextlib.suppress(Exception):
                for message in held:
                    await send(message)
            return
        await self.app(scope, receive, send)


class Central:
    """A running reference server with its database, for one test."""

    def __init__(self, db_url: str, app: Scripted, url: str) -> None:
        self.db_url = db_url
        self.app = app
        self.url = url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def records(self) -> list[tuple[str, int]]:
        engine = sa.create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT interview_id, revision FROM central_submission")
                ).fetchall()
        finally:
            engine.dispose()
        return [(str(a), int(b)) for a, b in rows]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    app = Scripted(create_app(db_url))
    with run_uvicorn(app) as url:
        yield Central(db_url, app, url)


def enrolled(store: Store, central: Central, url: str | None = None) -> None:
    code = admin.new_enrolment_code(central.db_url)
    service.enrol(store, url or central.url, code)


class Sleeps:
    """Records the backoff instead of waiting it out (the delays are asserted, not slept)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


FAST = Policy(max_attempts=6, budget_s=120, timeout_s=1.0)


def report(name: str, **figures: object) -> None:
    print(f"\n[{name}] " + " ".join(f"{k}={v}" for k, v in figures.items()))


def states(store: Store) -> list[str]:
    return [row.state for row in outbox(store)]


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


@contextlib.contextmanager
def demo_store(tmp_path: Path) -> Iterator[tuple[Path, Store]]:
    """The demo folder (six personas, five frozen plans) and its store, unlocked, then closed."""
    from intake_tui.demo import DEMO_PASSPHRASE, DEMO_USER, open_or_make_demo
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.session import unlock

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    store = unlock(DataDir(root), DEMO_USER, DEMO_PASSPHRASE, floor=TEST_KDF)
    try:
        yield root, store
    finally:
        store.close()


async def test_the_sync_screen_sends_with_a_progress_bar_and_shows_each_state(
    tmp_path: Path, central: Central
) -> None:
    from textual.widgets import DataTable, Label

    from .tui_helpers import make_app, wait_for
    from .tui_helpers import unlock as unlock_screen

    with demo_store(tmp_path) as (root, store):
        enrolled(store, central)
        waiting = len(outbox(store))
    assert waiting >= 3  # the demo's discussed and final plans
    app = make_app(root)
    app.SYNC_EVERY_S = 3600  # no background try during this test: the screen sends
    app.start_background_sync = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock_screen(pilot)
        await pilot.press("f8")
        await wait_for(pilot, "SyncScreen")
        screen = pilot.app.screen
        assert f"{waiting} waiting" in str(screen.query_one("#sync-state", Label).render())
        await pilot.press("s")
        for _ in range(200):
            await pilot.pause(0.05)
            if "Received" in str(screen.query_one("#sync-result", Label).render()):
                break
        assert f"Received {waiting}" in str(screen.query_one("#sync-result", Label).render())
        table = screen.query_one("#outbox", DataTable)
        assert [str(table.get_row_at(i)[3]) for i in range(table.row_count)] == [
            "received"
        ] * waiting
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        cases = pilot.app.screen.query_one("#cases", DataTable)
        column = [str(cases.get_row_at(i)[3]) for i in range(cases.row_count)]
        from intake_tui.demo import DEMO_PLANS

        # One row per case with a plan sent (its latest revision), "—" for the others.
        assert column.count("received") == len(DEMO_PLANS) and set(column) == {"received", "—"}
    # Every plan revision, and Rami's held talk as a record of its own.
    engine = sa.create_engine(central.db_url)
    try:
        with engine.connect() as connection:
            talks = connection.execute(sa.text("SELECT status FROM central_followup")).scalars()
            assert list(talks) == ["completed"]
    finally:
        engine.dispose()
    assert len(central.records()) + 1 == waiting


async def test_a_revoked_laptop_locks_and_explains_in_the_tui(
    tmp_path: Path, central: Central
) -> None:
    from .tui_helpers import make_app, wait_for
    from .tui_helpers import unlock as unlock_screen

    with demo_store(tmp_path) as (root, store):
        enrolled(store, central)
        device = service.device(store)
        assert device is not None
        admin.revoke_device(central.db_url, device.device_id)
        kept = len(outbox(store))
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock_screen(pilot)  # unlocking starts a background sync, which hears 403
        await wait_for(pilot, "UnlockScreen", tries=200)
        assert pilot.app.store is None  # locked: the key is dropped
        assert any("revoked" in str(n.message) for n in pilot.app._notifications)
    with demo_store(tmp_path) as (_root, store):
        assert len(outbox(store)) == kept  # nothing deleted
        assert service.device(store).revoked_at is not None  # type: ignore[union-attr]
    assert central.records() == []


def test_content_is_purged_only_after_its_receipt_and_the_retention(
    tmp_path: Path, central: Central
) -> None:
    import datetime as dt

    from intake_tui.store import exports
    from intake_tui.store.models import PlanRevisionRow
    from intake_tui.store.session import StoreError

    store, made = store_with_frozen(tmp_path / "data", discussed=2)
    try:
        enrolled(store, central)
        rows = outbox(store)
        with store.session() as session:  # the second record waits (not acked)
            from intake_tui.store.models import OutboxRow

            second = session.get(OutboxRow, rows[1].id)
            assert second is not None
            second.state = "conflict"
            session.add(second)
        service.run_sync(store, policy=FAST, sleep=Sleeps())
        assert service.purge_synced(store, 30) == 0  # received today: kept 30 days
        store.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
        assert service.purge_synced(store, 30) == 1
        assert service.purge_synced(store, 30) == 0  # once
        tombstone, waiting = outbox(store)
        assert tombstone.purged_at is not None and tombstone.receipt_json
        assert waiting.purged_at is None
        with store.session() as session:
            first = session.get(PlanRevisionRow, tombstone.plan_revision_id)
            other = session.get(PlanRevisionRow, waiting.plan_revision_id)
            assert first is not None and other is not None
            assert first.document_json == "" and first.document_sha256
            assert other.document_json  # not received: never purged, however old
        with pytest.raises(StoreError) as refused:
            exports.export_plans(store, made[0], tmp_path / "out.json", fmt="json")
        assert "municipality received it" in refused.value.message
    finally:
        store.close()


def newer_bundle(tmp_path: Path, version: str = "1.5.0") -> Path:
    import shutil

    from .conftest import DEFAULT_BUNDLE

    folder = tmp_path / f"bundle-{version}"
    shutil.copytree(DEFAULT_BUNDLE, folder)
    source = folder / "questionnaire.yaml"
    text = source.read_text(encoding="utf-8")
    assert f'version: "{DEFAULT_VERSION}"' in text
    source.write_text(
        text.replace(f'version: "{DEFAULT_VERSION}"', f'version: "{version}"', 1), encoding="utf-8"
    )
    return folder


def test_published_bundles_are_verified_before_use_and_running_interviews_stay_pinned(
    tmp_path: Path, central: Central
) -> None:
    from intake_tui.core.questionnaire import load_bundle
    from intake_tui.store import interviews
    from intake_tui.sync.bundles import downloaded_bundle_dirs, fetch_bundles

    store, (interview_id,) = store_with_frozen(tmp_path / "data")
    try:
        enrolled(store, central)
        admin.publish_bundle(central.db_url, newer_bundle(tmp_path, "1.5.0"))
        first = fetch_bundles(store)
        assert [(f.id, f.version, f.state) for f in first] == [("brede-intake", "1.5.0", "new")]
        (folder,) = downloaded_bundle_dirs(store.data_dir.root)
        assert load_bundle(folder).version == "1.5.0"
        assert [f.state for f in fetch_bundles(store)] == ["known"]  # once
        # The interview that was running keeps the version pinned in it.
        assert interviews.open_interview(store, interview_id).bundle.version == DEFAULT_VERSION
        # A bundle whose files were changed on the way is refused and never written.
        admin.publish_bundle(central.db_url, newer_bundle(tmp_path, "1.6.0"))
        engine = sa.create_engine(central.db_url)
        with engine.begin() as connection:
            stored = connection.execute(
                sa.text("SELECT files FROM central_bundle WHERE version = '1.6.0'")
            ).scalar_one()
            import base64

            files = json.loads(stored)
            plan = base64.b64decode(files["plan.yaml"]) + b"\n# changed on the way\n"
            files["plan.yaml"] = base64.b64encode(plan).decode()
            connection.execute(
                sa.text("UPDATE central_bundle SET files = :f WHERE version = '1.6.0'"),
                {"f": json.dumps(files)},
            )
        engine.dispose()
        tampered = [f for f in fetch_bundles(store) if f.version == "1.6.0"]
        report("bundles", states=[(f.version, f.state, f.reason) for f in tampered])
        assert [(f.state, f.reason) for f in tampered] == [("refused", "sha256 does not match")]
        assert [p.name for p in downloaded_bundle_dirs(store.data_dir.root)] == ["1.5.0"]
    finally:
        store.close()


def test_the_command_line_enrols_syncs_and_exits_2_when_revoked(
    tmp_path: Path, central: Central
) -> None:
    import subprocess
    import sys

    from .conftest import REPO
    from .store_helpers import PASSPHRASE

    store, made = store_with_frozen(tmp_path / "data", production_kdf=True)
    store.close()
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "intake_tui",
                *args,
                "--data-dir",
                str(tmp_path / "data"),
                "--user",
                "anna",
                "--passphrase-file",
                str(secret),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )

    code = admin.new_enrolment_code(central.db_url)
    enrolled_now = run("device", "enrol", "--server", central.url, "--code", code)
    assert enrolled_now.returncode == 0, enrolled_now.stderr
    assert run("device", "enrol", "--server", central.url, "--code", code).returncode == 1
    first = run("sync")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sent 1 ")
    assert central.records() == [(made[0], 1)]
    assert run("sync").stdout.strip() == "nothing to send"
    device_id = enrolled_now.stdout.split()[3]
    refused = run("sync", "--server", "http://example.org")
    assert refused.returncode == 1 and "http" in refused.stderr
    # Revoked: the next record is not accepted; exit 2 with the explanation, nothing deleted.
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import PRODUCTION_KDF
    from intake_tui.store.session import unlock

    admin.revoke_device(central.db_url, device_id)
    again = unlock(DataDir(tmp_path / "data"), "anna", PASSPHRASE, floor=PRODUCTION_KDF)
    try:
        clone_revisions(again, 1)
    finally:
        again.close()
    revoked = run("sync")
    assert revoked.returncode == 2, revoked.stderr
    assert "revoked" in revoked.stderr and "Nothing was" in revoked.stderr
    assert len(central.records()) == 1


def test_a_demo_folder_enrols_and_syncs_only_with_a_server_on_this_laptop(tmp_path: Path) -> None:
    from intake_tui.sync.client import SyncConfigError

    with demo_store(tmp_path) as (_root, store):
        with pytest.raises(SyncConfigError) as refused:
            service.enrol(store, "https://central.gemeente.example", "code")
        assert "demo" in refused.value.message
        assert service.device(store) is None
