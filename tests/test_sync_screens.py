"""Sync seen from the caseworker and the admin: the sync screen and a revoked laptop in the
TUI, retention after receipts, published bundles, the command line, a demo folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.sync import service

from .conftest import DEFAULT_VERSION
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
