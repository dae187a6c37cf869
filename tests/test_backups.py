"""Backups a privacy officer can defend (issue 16, item 4): after a caseworker is removed no
backup opens with the old key (and every one opens with the new key); a backup killed midway
leaves an owner-only partial file that the next unlock removes; checking backups never changes
them. Real SQLCipher files and a real kill -9."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from intake_tui.store import database, maintenance, users

from .store_helpers import make_store, reopen

REPO = Path(__file__).resolve().parent.parent


def _backups(root: Path) -> list[Path]:
    return sorted((root / "backups").glob("intake-*.db"))


def test_after_removing_a_caseworker_no_backup_opens_with_the_old_key(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    try:
        users.add_user(store, "bob", "another long passphrase for bob")
        store.backup()
        store.backup()
        old = store._dek
        users.remove_user(store, "bob")
        new = store._dek
        assert new != old and len(_backups(root)) == 2
        for path in _backups(root):
            with pytest.raises(database.WrongDatabaseKey):
                database.connect_readonly(path, old).close()
            database.connect_readonly(path, new).close()
        assert maintenance.newest_sound_backup(store) == _backups(root)[-1]
    finally:
        store.close()


CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from intake_tui.store import database
    from tests.store_helpers import reopen

    real_connect = database.connect

    class Slow:
        # The live database's connection, copying one page at a time and then waiting.
        def __init__(self, connection):
            self.connection = connection
        def backup(self, target):
            def progress(status, remaining, total):
                print("COPYING", flush=True)
                time.sleep(60)
            self.connection.backup(target, pages=1, progress=progress)
        def __getattr__(self, name):
            return getattr(self.connection, name)

    def connect(path, dek):
        connection = real_connect(path, dek)
        return Slow(connection) if Path(path).name == "intake.db" else connection

    store = reopen(Path({root!r}))
    database.connect = connect
    store.backup()
    """
)


@pytest.mark.skipif(os.name != "posix", reason="file modes and SIGKILL are POSIX")
def test_a_backup_killed_midway_leaves_nothing_readable_behind(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    store.backup()  # a finished one, which must survive
    store.close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(repo=str(REPO), root=str(root))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "COPYING"  # mid-copy, pages on disk
        child.kill()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    (partial,) = (root / "backups").glob("*.partial")
    assert stat.S_IMODE(partial.stat().st_mode) == 0o600  # owner-only from its first byte
    store = reopen(root)
    try:
        assert list((root / "backups").glob("*.partial")) == []  # removed at the next start
        assert len(_backups(root)) == 1
        assert maintenance.newest_sound_backup(store) == _backups(root)[0]
    finally:
        store.close()


def test_checking_the_backups_never_changes_them(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    try:
        store.backup()
        store.backup()
        before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _backups(root)}
        maintenance.check(store)
        assert maintenance.newest_sound_backup(store) is not None
        after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in _backups(root)}
        assert after == before
        beside = sorted(p.name for p in (root / "backups").iterdir())
        assert beside == sorted(before)  # no -wal or -shm left next to a backup
    finally:
        store.close()
