"""An unlocked data folder: set it up, unlock it, and hand out database sessions.

`initialize()` makes a new data folder with its first caseworker (no unlock needed: there is
nobody yet); `unlock()` opens an existing one with a caseworker's passphrase. Both return a
`Store`, which the service functions (`store.interviews`, `store.users`) take as their first
argument. Nothing here ever creates a database where one was expected.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from intake_tui.core.clock import Clock, SystemClock
from intake_tui.i18n import _
from intake_tui.store import audit, database, erasures, migrate, name_search
from intake_tui.store.datadir import DataDir, DataDirError
from intake_tui.store.keyring import PRODUCTION_KDF, KdfParams, Keyring
from intake_tui.store.models import CaseworkerRow, MetaRow

DB_ID = "db_id"
BACKUPS_KEPT = 5


class StoreError(Exception):
    """A calm, specific reason the store cannot do what was asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Store:
    """An unlocked data folder: the engine, who is working, on which device, and the clock."""

    data_dir: DataDir
    engine: Engine
    keyring: Keyring
    actor: str
    device_id: str
    clock: Clock
    demo: bool = False
    _dek: bytes = field(default=b"", repr=False)
    _audit_key: bytes | None = field(default=None, repr=False)
    preview: bool = False  # `questionnaire preview`: in memory, no folder, nothing written

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends (durably: WAL + synchronous=FULL)."""
        with (
            database.translate_write_errors(),
            Session(self.engine, expire_on_commit=False) as s,
            s.begin(),
        ):
            yield s

    def now(self) -> dt.datetime:
        return self.clock.now()

    def audit(
        self, session: Session, action: str, object_type: str, object_id: str, result: str = "ok"
    ) -> None:
        if self._audit_key is None:
            self._audit_key = audit.ensure_audit_key(session)
        audit.append(
            session,
            key=self._audit_key,
            at=self.now().isoformat(),
            actor=self.actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            origin=self.device_id,
            result=result,
        )

    def backup(self, reason: str = "backup") -> dt.datetime:
        """An encrypted copy (same key) in backups/, by online backup; keeps the last few."""
        target_dir = self.data_dir.backups_dir
        target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Named by a counter that only grows, so "newest" never depends on the clock (which
        # may be reset or step back an hour) or on how names sort.
        numbers = [backup_number(p) for p in target_dir.glob("intake-*.db")]
        number = max([0, *(n for n in numbers if n is not None)]) + 1
        stamp = self.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = target_dir / f"intake-{number:06d}-{stamp}.db"
        partial = target.with_suffix(".partial")
        with suppress(FileNotFoundError):
            partial.unlink()
        # Owner-only from its first byte: a kill mid-copy must not leave a 0644 file behind
        # (and the next unlock removes whatever partial copy is left, remove_partial_backups).
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        source = database.connect(self.data_dir.db_path, self._dek)
        copy = database.connect(partial, self._dek)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE").fetchall()
        finally:
            copy.close()
            source.close()
        restrict(partial)
        partial.replace(target)
        kept = sorted(target_dir.glob("intake-*.db"), key=lambda p: backup_number(p) or 0)
        for old in kept[:-BACKUPS_KEPT]:
            old.unlink()
        with self.session() as session:
            self.audit(session, "backup", "database", target.name)
        return self.now()

    def close(self) -> None:
        """Dispose of the connections and drop the key (the engine's connect function holds it)."""
        if self.engine is not None:  # closing twice is harmless
            self.engine.dispose()
        self.engine = None  # type: ignore[assignment]
        self._dek = b""


def backup_number(path: Path) -> int | None:
    """The counter in a backup's name (intake-000012-….db), or None for a foreign file."""
    parts = path.name.split("-")
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


def remove_partial_backups(data_dir: DataDir) -> int:
    """Copies a kill left unfinished (`*.partial`): never sound, never restored; removed."""
    removed = 0
    for partial in data_dir.backups_dir.glob("*.partial"):
        with suppress(FileNotFoundError):
            partial.unlink()
            removed += 1
    return removed


def rekey_backups(data_dir: DataDir, old: bytes, new: bytes) -> tuple[int, int]:
    """Re-encrypt every backup from `old` to `new`, so a removed caseworker's key opens none of
    them and a restore works with the new key. A backup that opens with neither is removed
    (it could never be restored). Returns (re-encrypted, removed)."""
    rekeyed = removed = 0
    for path in sorted(data_dir.backups_dir.glob("intake-*.db")):
        try:
            database.rekey_file(path, old, new)
            rekeyed += 1
        except database.WrongDatabaseKey:
            try:
                database.connect_readonly(path, new).close()  # done before a crash: keep
            except database.DatabaseError:
                path.unlink()
                removed += 1
        except database.DatabaseError:
            path.unlink()
            removed += 1
    return rekeyed, removed


def restrict(path: Path) -> None:
    """Owner-only permissions (POSIX): the files are encrypted, but no copy for other users."""
    import os

    if os.name == "posix":
        path.chmod(0o700 if path.is_dir() else 0o600)


def initialize(
    data_dir: DataDir,
    user: str,
    passphrase: str,
    *,
    clock: Clock | None = None,
    kdf: KdfParams = PRODUCTION_KDF,
    floor: KdfParams | None = None,
    demo: bool = False,
    recovery_public_key: bytes | None = None,
) -> Store:
    """Set up a new data folder with its first caseworker and return it unlocked."""
    clock = clock or SystemClock()
    existing = data_dir.device()
    if existing is not None and existing.setup_complete:
        raise StoreError(_("this data folder is already set up"))
    if data_dir.keyring_path.exists():
        raise StoreError(
            _("a keyring exists but the data folder is not set up; it was left untouched")
        )
    if data_dir.db_path.exists():
        if existing is None:
            raise StoreError(_("a database exists in this folder; it was left untouched"))
        # A setup that was interrupted before its keyring was written: the file holds nothing
        # anyone can ever read (its key was never stored), so it is safe to start over.
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                (data_dir.db_path.parent / (data_dir.db_path.name + suffix)).unlink()
    device = existing or DataDir.new_device(demo=demo)
    data_dir.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    restrict(data_dir.root)
    data_dir.write_device(device)
    keyring, dek = Keyring.create(
        data_dir.keyring_path, kdf=kdf, floor=floor or kdf, recovery_public_key=recovery_public_key
    )
    database.create_database_file(data_dir.db_path, dek)
    restrict(data_dir.db_path)
    engine = database.make_engine(data_dir.db_path, dek)
    migrate.upgrade(engine)
    store = Store(data_dir, engine, keyring, user, device.device_id, clock, device.demo, dek)
    with store.session() as session:
        session.add(MetaRow(key=DB_ID, value=keyring.db_id.encode()))
        audit.ensure_audit_key(session)
        store.audit(session, "database_create", "database", keyring.db_id)
        session.add(CaseworkerRow(name=user, created_at=clock.now()))
        store.audit(session, "user_add", "caseworker", user)
    keyring.add_user(user, passphrase, dek)  # writes keyring.json: from here the data is reachable
    data_dir.write_device(type(device)(device.device_id, device.demo, setup_complete=True))
    return store


def unlock(
    data_dir: DataDir,
    user: str,
    passphrase: str,
    *,
    clock: Clock | None = None,
    floor: KdfParams = PRODUCTION_KDF,
    check_integrity: bool = True,
) -> Store:
    """Open a set-up data folder as `user`. Every refusal leaves the files as they were."""
    clock = clock or SystemClock()
    device = data_dir.device()
    if device is None or not device.setup_complete:
        raise StoreError(
            _("no intake data in {path}; set it up first (intake-tui user add NAME)").format(
                path=data_dir.root
            )
        )
    database.check_database_file(data_dir.db_path)
    keyring = Keyring.load(data_dir.keyring_path, floor=floor)
    unlocked = keyring.unlock_with_pending(user, passphrase)
    # The name as the slot spells it: the audit trail and "not yourself" checks compare it.
    user = next((u for u in keyring.users() if u.casefold() == user.casefold()), user)
    dek = _finish_rekey(data_dir, keyring, unlocked.dek, unlocked.pending_dek)
    remove_partial_backups(data_dir)
    engine = database.make_engine(data_dir.db_path, dek)
    store = Store(data_dir, engine, keyring, user, device.device_id, clock, device.demo, dek)
    try:
        if check_integrity:
            database.require_integrity(engine)
        _check_db_id(store)
        migrate.upgrade(engine, backup=lambda: store.backup("before-migration"))
        # The search index in few segments: a search asks each one (name_search.py). The merge
        # needs room for a copy of the index; without it, searches are slower, nothing else.
        with suppress(database.DiskFull), store.session() as session:
            name_search.compact(session.connection())
        with store.session() as session:
            store.audit(session, "unlock", "caseworker", user)
    except BaseException:
        engine.dispose()
        raise
    return store


def _finish_rekey(data_dir: DataDir, keyring: Keyring, dek: bytes, pending: bytes | None) -> bytes:
    """After a crash during a re-key: keep whichever key the database really has now."""
    if pending is None:
        return dek
    try:
        database.connect(data_dir.db_path, pending).close()
    except database.WrongDatabaseKey:
        # The crash came before the database switched. Finish the switch rather than undo
        # it: the re-key may be removing someone who knows the old key.
        connection = database.connect(data_dir.db_path, dek)
        try:
            connection.execute(f"PRAGMA rekey = \"x'{pending.hex()}'\"")
        finally:
            connection.close()
    rekey_backups(data_dir, dek, pending)  # before the old key is forgotten
    erasures.rekey(data_dir, dek, pending)
    keyring.commit_rekey(pending)
    return pending


def _check_db_id(store: Store) -> None:
    with Session(store.engine) as session:
        try:
            row = session.get(MetaRow, DB_ID)
        except Exception:
            row = None
    if row is None or row.value.decode() != store.keyring.db_id:
        raise StoreError(
            _("the keyring and the database do not belong together; nothing was changed")
        )


def remove_data_dir(data_dir: DataDir) -> None:
    """Delete a demo data folder entirely (refuses anything that is not a demo folder)."""
    info = data_dir.device()
    if info is None or not info.demo:
        raise DataDirError(_("{path} is not a demo data folder").format(path=data_dir.root))
    shutil.rmtree(data_dir.root)
