"""Audit anchors (issue 16, item 1): every sync sends the head of the laptop's audit chain; the
server refuses one that goes back (409 anchor_rollback) unless a declared restore was accepted
by an admin; `db check` compares the local chain with the server's last anchor.

Real encrypted data folders, the real reference server on loopback, and a rollback made the way
the red team made it: an old copy of intake.db put back over the live one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from intake_tui.central import admin
from intake_tui.store import audit, plans
from intake_tui.store.session import Store
from intake_tui.sync import service

from .central_helpers import enrolled, serve_central
from .store_helpers import PASSPHRASE, reopen
from .sync_fixtures import FAST
from .sync_helpers import store_with_frozen


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with serve_central(db_url) as (base, _app):
        yield base, db_url


def sync(store: Store) -> service.Summary:
    """One sync run with the fast test policy, backoff recorded instead of slept."""
    return service.run_sync(store, policy=FAST, sleep=lambda _s: None)


def post(base: str, token: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(
        f"{base}/v1/anchors", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_the_server_refuses_an_anchor_that_goes_back(server: tuple[str, str]) -> None:
    base, db_url = server
    device, token = enrolled(db_url, base)
    h = {n: f"{n:064x}" for n in range(1, 30)}
    assert post(base, token, {"seq": 10, "hash": h[10]}).status_code == 201
    assert post(base, token, {"seq": 12, "hash": h[12], "confirms": {"seq": 10, "hash": h[10]}})
    for body in (
        {"seq": 11, "hash": h[11]},  # lower than the last
        {"seq": 12, "hash": h[13]},  # the same seq with another entry
        {"seq": 20, "hash": h[20], "confirms": {"seq": 12, "hash": h[14]}},  # another history
    ):
        refused = post(base, token, body)
        assert refused.status_code == 409, body
        assert refused.json()["code"] == "anchor_rollback" and refused.json()["last_seq"] == 12
    latest = httpx.get(
        f"{base}/v1/anchors/latest", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert (latest.json()["seq"], latest.json()["hash"]) == (12, h[12])  # nothing refused kept
    log = admin.audit_log(db_url, object_id=device)
    assert [e["action"] for e in log].count("anchor_rollback") == 3

    # A declared restore waits for an admin, then is accepted once.
    restored = {"seq": 5, "hash": h[5], "confirms": {"seq": 12, "hash": "0" * 64}, "restore": True}
    pending = post(base, token, restored)
    assert pending.status_code == 409 and pending.json()["restore"] == "pending"
    assert [d["device_id"] for d in admin.restore_declarations(db_url)] == [device]
    admin.acknowledge_restore(db_url, device)
    assert post(base, token, restored).status_code == 201
    assert admin.restore_declarations(db_url) == []
    with pytest.raises(admin.AdminError):
        admin.acknowledge_restore(db_url, device)  # nothing left to accept
    assert post(base, token, {"seq": 4, "hash": h[4], "restore": True}).status_code == 409


def _copy_db(source: Path, target: Path) -> None:
    """intake.db of a closed store, with its WAL if one is left."""
    target.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        found = source / f"intake.db{suffix}"
        if found.exists():
            shutil.copy2(found, target / found.name)


def _put_back(saved: Path, root: Path) -> None:
    for suffix in ("-wal", "-shm"):
        (root / f"intake.db{suffix}").unlink(missing_ok=True)
    for file in saved.iterdir():
        shutil.copy2(file, root / file.name)


def test_a_folder_put_back_to_an_old_copy_is_found_out(
    tmp_path: Path, server: tuple[str, str]
) -> None:
    base, db_url = server
    root = tmp_path / "laptop"
    store, (case,) = store_with_frozen(root)
    service.enrol(store, base, admin.new_enrolment_code(db_url))
    first = sync(store)
    assert first.anchor is not None and first.anchor.state == "accepted"
    store.close()
    _copy_db(root, tmp_path / "old")  # the copy someone keeps

    store = reopen(root)
    plans.set_override(store, case, "contactpersoon.naam", "J. Bakker", "nieuwe contactpersoon")
    plans.mark_discussed(store, case)
    later = sync(store)
    assert (later.acked, later.anchor.state) == (1, "accepted")  # type: ignore[union-attr]
    store.close()

    _put_back(tmp_path / "old", root)
    store = reopen(root)
    try:
        assert service.check_anchor_online(store).state == "rollback"  # type: ignore[union-attr]
        caught = sync(store)
        assert caught.anchor is not None and caught.anchor.state == "rollback"
        assert caught.exit_code == 2
        assert any("went back" in line for line in service.central_messages(caught))

        # Declared as a restore, accepted by an admin: anchored again, no longer a rollback.
        with store.session() as session:
            audit.set_restore_declared(session, True)
        assert service.check_anchor_online(store).state == "restore_pending"  # type: ignore[union-attr]
        waiting = sync(store)
        assert waiting.anchor.state == "restore_pending"  # type: ignore[union-attr]
        device = service.device(store).device_id  # type: ignore[union-attr]
        admin.acknowledge_restore(db_url, device)
        accepted = sync(store)
        assert (accepted.anchor.state, accepted.exit_code) == ("accepted", 0)  # type: ignore[union-attr]
        assert service.check_anchor_online(store).state == "accepted"  # type: ignore[union-attr]
        with store.session() as session:
            assert not audit.restore_declared(session)
    finally:
        store.close()


def test_db_check_says_offline_and_does_not_fail_on_it(tmp_path: Path) -> None:
    from .test_cli_cases import run

    root = tmp_path / "data"
    store, _made = store_with_frozen(root, production_kdf=True)
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with serve_central(db_url) as (base, _app):
        service.enrol(store, base, admin.new_enrolment_code(db_url))
        sync(store)
        store.close()
        secret = tmp_path / "pass"
        secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
        unlock_args = ["--data-dir", str(root), "--user", "anna", "--passphrase-file", str(secret)]
        online = run("db", "check", *unlock_args)
        assert online.returncode == 0, online.stdout + online.stderr
        assert "anchor: the chain holds the central system's last anchor" in online.stdout
    offline = run("db", "check", *unlock_args)  # the server is gone
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "anchor: not checked (offline)" in offline.stdout


def test_a_restore_is_declared_and_once_accepted_is_no_rollback(
    tmp_path: Path, server: tuple[str, str]
) -> None:
    from intake_tui.store import restore
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import TEST_KDF

    base, db_url = server
    root = tmp_path / "laptop"
    store, (case,) = store_with_frozen(root)
    service.enrol(store, base, admin.new_enrolment_code(db_url))
    assert sync(store).anchor.state == "accepted"  # type: ignore[union-attr]
    store.backup()  # as finalizing another intake would: enrolled, anchored once
    plans.mark_discussed(store, case)  # work after the backup, anchored by the next sync
    assert sync(store).anchor.state == "accepted"  # type: ignore[union-attr]
    device = service.device(store).device_id  # type: ignore[union-attr]
    store.close()

    # The database is lost; the caseworker restores the backup (an older chain).
    (root / "intake.db").write_bytes(b"\0" * 8192)
    restore.restore(DataDir(root), "anna", PASSPHRASE, floor=TEST_KDF)
    store = reopen(root)
    try:
        declared = sync(store)
        assert declared.anchor.state == "restore_pending"  # type: ignore[union-attr]
        assert [d["device_id"] for d in admin.restore_declarations(db_url)] == [device]
        admin.acknowledge_restore(db_url, device)
        accepted = sync(store)
        assert (accepted.anchor.state, accepted.exit_code) == ("accepted", 0)  # type: ignore[union-attr]
        assert service.check_anchor_online(store).state == "accepted"  # type: ignore[union-attr]
        log = [e["action"] for e in admin.audit_log(db_url, object_id=device)]
        assert "anchor_restore_accepted" in log and "anchor_rollback" in log  # held, then taken
    finally:
        store.close()
