"""`db check` on a database that will not open, and `db restore [BACKUP]`.

Both need only the keyring (the caseworker's passphrase gives the data key), never a working
intake.db: that is the file that may be damaged. Backups are opened read-only and immutable
(database.connect_readonly), so checking them never changes them.

A restore verifies the backup (SQLCipher's page HMACs, SQLite's quick_check, and that it is
this data folder's database), keeps the damaged file aside (intake.db.damaged-<time>, never
deleted by us), puts a copy of the backup in place, opens it the normal way (migrations run if
the backup is older), re-applies the erasure log (store/erasures.py), records the restore in
the audit chain and declares it with the next audit anchor (sync/anchor.py).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from intake_tui.core.clock import Clock, SystemClock
from intake_tui.i18n import _
from intake_tui.store import audit, database, erasures, files
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import PRODUCTION_KDF, KdfParams, Keyring
from intake_tui.store.session import DB_ID, StoreError, backup_number, restrict, unlock


@dataclass(frozen=True)
class BackupState:
    path: Path
    sound: bool
    problem: str | None = None


@dataclass(frozen=True)
class Restored:
    backup: Path
    aside: Path | None
    erasures: int


def data_key(data_dir: DataDir, user: str, passphrase: str, floor: KdfParams) -> tuple[str, bytes]:
    """(the keyring's database id, the data key) from the caseworker's slot alone."""
    keyring = Keyring.load(data_dir.keyring_path, floor=floor)
    unlocked = keyring.unlock_with_pending(user, passphrase)
    return keyring.db_id, unlocked.dek


def _problem(path: Path, dek: bytes, db_id: str) -> str | None:
    """Why `path` is not a sound copy of this folder's database (None: it is)."""
    try:
        connection = database.connect_readonly(path, dek)
    except database.DatabaseError as error:
        return str(error)
    try:
        bad = [str(r[0]) for r in connection.execute("PRAGMA cipher_integrity_check")]
        bad += [str(r[0]) for r in connection.execute("PRAGMA quick_check") if r[0] != "ok"]
        if bad:
            return _("damaged ({n} problems; first: {first})").format(n=len(bad), first=bad[0])
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (DB_ID,)).fetchone()
    except Exception as error:  # a damaged file can fail in any statement
        return _("damaged ({reason})").format(reason=type(error).__name__)
    finally:
        connection.close()
    if row is None or bytes(row[0]).decode() != db_id:
        return _("it belongs to another data folder")
    return None


def backups(data_dir: DataDir, dek: bytes, db_id: str) -> list[BackupState]:
    """Every backup, newest first, each checked (read-only)."""
    found = sorted(
        data_dir.backups_dir.glob("intake-*.db"),
        key=lambda p: backup_number(p) or 0,
        reverse=True,
    )
    states = []
    for path in found:
        problem = _problem(path, dek, db_id)
        states.append(BackupState(path, problem is None, problem))
    return states


def damaged_report(
    data_dir: DataDir, user: str, passphrase: str, reason: str, *, floor: KdfParams
) -> list[str]:
    """`db check` when intake.db will not open: the damage, and which backups are sound."""
    db_id, dek = data_key(data_dir, user, passphrase, floor)
    lines = [_("database: cannot be opened: {reason}").format(reason=reason)]
    states = backups(data_dir, dek, db_id)
    if not states:
        lines.append(_("backups: none"))
    for state in states:
        if state.sound:
            lines.append(_("backup {name}: sound").format(name=state.path.name))
        else:
            lines.append(
                _("backup {name}: not usable ({why})").format(
                    name=state.path.name, why=state.problem
                )
            )
    if any(s.sound for s in states):
        lines.append(_("restore the newest sound backup with: intake-tui db restore"))
    return lines


def restore(
    data_dir: DataDir,
    user: str,
    passphrase: str,
    backup: Path | None = None,
    *,
    clock: Clock | None = None,
    floor: KdfParams = PRODUCTION_KDF,
) -> Restored:
    """Put a verified backup in place of intake.db (see the module); the damaged file is kept."""
    clock = clock or SystemClock()
    db_id, dek = data_key(data_dir, user, passphrase, floor)
    if backup is None:
        sound = [s for s in backups(data_dir, dek, db_id) if s.sound]
        if not sound:
            raise StoreError(_("no sound backup to restore; nothing was changed"))
        chosen = sound[0].path
    else:
        chosen = backup
        problem = _problem(chosen, dek, db_id) if chosen.is_file() else _("no such file")
        if problem is not None:
            raise StoreError(
                _("{name} cannot be restored: {why}; nothing was changed").format(
                    name=chosen.name, why=problem
                )
            )
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = _set_aside(data_dir, stamp)
    temp = data_dir.root / f".intake.db.restoring-{stamp}"
    shutil.copyfile(chosen, temp)
    restrict(temp)
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, data_dir.db_path)
    files.fsync_dir(data_dir.root)
    store = unlock(data_dir, user, passphrase, clock=clock, floor=floor)
    try:
        erased = reapply_erasures(store)
        with store.session() as session:
            store.audit(session, "db_restore", "database", chosen.name, f"{erased} erasures")
            audit.set_restore_declared(session, True)  # the next anchor says so
    finally:
        store.close()
    return Restored(chosen, aside, erased)


def _set_aside(data_dir: DataDir, stamp: str) -> Path | None:
    """Move intake.db (and its -wal/-shm) aside, owner-only; None when there was none."""
    if not data_dir.db_path.exists():
        return None
    aside = data_dir.root / f"intake.db.damaged-{stamp}"
    for suffix in ("", "-wal", "-shm"):
        source = data_dir.root / f"intake.db{suffix}"
        if source.exists():
            target = data_dir.root / f"{aside.name}{suffix}"
            os.replace(source, target)
            restrict(target)
    files.fsync_dir(data_dir.root)
    return aside


def reapply_erasures(store: object) -> int:
    """Erase again what the erasure log holds and the restored database still has."""
    from intake_tui.store.interviews import delete_draft
    from intake_tui.store.models import InterviewRow
    from intake_tui.store.session import Store

    assert isinstance(store, Store)
    done = 0
    for interview_id in erasures.erased_ids(store.data_dir, store._dek):
        with store.session() as session:
            present = session.get(InterviewRow, interview_id) is not None
        if present:
            delete_draft(store, interview_id)
            done += 1
    return done
