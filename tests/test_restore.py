"""A damaged database is checked and restored from the command line (issue 16, items 3 and 5):
`db check` reports the damage and the sound backups without a working intake.db; `db restore`
puts the newest sound backup in place, keeps the damaged file aside, re-applies the erasures
made since the backup, records the restore and declares it for the next anchor.

A real data folder (production key costs, as the command line asks) whose intake.db is damaged
on disk the way a bad sector or a cut-short copy damages it: bytes overwritten mid-file."""

from __future__ import annotations

from pathlib import Path

from intake_tui.core import load_bundle
from intake_tui.store import audit, erasures, interviews
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import PRODUCTION_KDF
from intake_tui.store.session import unlock

from .conftest import DEFAULT_BUNDLE
from .store_helpers import PASSPHRASE
from .sync_helpers import store_with_frozen
from .test_cli_cases import run


def _damage(db: Path) -> None:
    """Overwrite 64 bytes in the middle of a page well inside the file."""
    size = db.stat().st_size
    assert size > 8 * 4096, "the database must have pages to damage"
    with open(db, "r+b") as handle:
        handle.seek((size // 4096 // 2) * 4096 + 1000)
        handle.write(b"\xa5" * 64)


def test_a_damaged_database_is_checked_and_restored_with_erasures_reapplied(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    store, (kept,) = store_with_frozen(root, production_kdf=True)
    bundle = load_bundle(DEFAULT_BUNDLE)
    drafts = [
        interviews.create_interview(
            store, bundle, client_display_name=f"Test Persoon {n}", client_language="ar"
        ).id
        for n in range(2)
    ]
    store.backup()  # the newest backup (finalizing made the first) holds both drafts
    interviews.delete_draft(store, drafts[0])  # erased after the backup
    assert erasures.erased_ids(store.data_dir, store._dek) == [drafts[0]]
    store.close()
    _damage(root / "intake.db")

    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    args = ["--data-dir", str(root), "--user", "anna", "--passphrase-file", str(secret)]
    unlocked = run("cases", "list", *args)
    assert unlocked.returncode == 1 and "damaged" in unlocked.stderr

    check = run("db", "check", *args)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "database: cannot be opened: the database is damaged" in check.stdout
    assert "backup intake-000002-" in check.stdout and ": sound" in check.stdout
    assert "intake-tui db restore" in check.stdout
    assert "Traceback" not in check.stderr

    restored = run("db", "restore", *args)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "restored intake-000002-" in restored.stdout  # the newest sound one
    assert "1 erasure re-applied" in restored.stdout
    aside = list(root.glob("intake.db.damaged-*"))
    assert len(aside) == 1  # the damaged file is kept, not deleted

    store = unlock(DataDir(root), "anna", PASSPHRASE, floor=PRODUCTION_KDF)
    try:
        ids = {s.id for s in interviews.list_interviews(store, page_size=100).items}
        assert kept in ids and drafts[1] in ids
        assert drafts[0] not in ids  # the erasure survived the restore
        with store.session() as session:
            assert audit.restore_declared(session)
            assert not audit.verify_chain(session)
        again = run("db", "check", *args)
        assert again.returncode == 0, again.stdout
        assert "database: sound" in again.stdout
    finally:
        store.close()


def test_a_backup_of_another_folder_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    ours, _made = store_with_frozen(tmp_path / "ours", production_kdf=True)
    ours.close()
    theirs, _other = store_with_frozen(tmp_path / "theirs", production_kdf=True)
    theirs.backup()
    theirs.close()
    foreign = next((tmp_path / "theirs" / "backups").glob("intake-*.db"))
    before = (tmp_path / "ours" / "intake.db").read_bytes()
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    args = [
        "--data-dir",
        str(tmp_path / "ours"),
        "--user",
        "anna",
        "--passphrase-file",
        str(secret),
    ]
    refused = run("db", "restore", str(foreign), *args)
    assert refused.returncode == 1
    assert "cannot be restored" in refused.stderr and "nothing was changed" in refused.stderr
    assert (tmp_path / "ours" / "intake.db").read_bytes() == before
    assert list((tmp_path / "ours").glob("intake.db.damaged-*")) == []
