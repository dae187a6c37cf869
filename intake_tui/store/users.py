"""Caseworkers on this laptop: add (from an unlocked session), remove with a re-key, recover.

The secrets live in keyring.json (store/keyring.py); the database keeps who exists and the
audit trail of every change. Removing a caseworker re-keys the database, because they may have
learnt the old key: first the keyring seals a new key to everyone left (pending), then the
database is re-keyed, then the keyring drops the old key. A crash in between is finished at the
next unlock (store/session.py).
"""

from __future__ import annotations

from sqlmodel import select

from intake_tui.i18n import _
from intake_tui.store import database, erasures
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import KdfParams, Keyring
from intake_tui.store.models import CaseworkerRow
from intake_tui.store.session import Store, StoreError, rekey_backups


def add_user(store: Store, name: str, passphrase: str) -> None:
    """Give a new caseworker a key slot; only from an unlocked session."""
    store.keyring.add_user(name, passphrase, store._dek)
    with store.session() as session:
        existing = session.exec(select(CaseworkerRow).where(CaseworkerRow.name == name)).first()
        if existing is None:
            session.add(CaseworkerRow(name=name, created_at=store.now()))
        else:
            existing.removed_at = None
            session.add(existing)
        store.audit(session, "user_add", "caseworker", name)


def list_users(data_dir: DataDir) -> list[str]:
    """The caseworkers who can unlock (no unlock needed: names are in the keyring)."""
    # Listing names needs no unlock, so no slot's KDF cost matters here.
    return Keyring.load(data_dir.keyring_path, floor=KdfParams(1, 1024, 1)).users()


def remove_user(store: Store, name: str) -> None:
    """Remove a caseworker and re-key the database so an old key no longer opens it."""
    if name.casefold() == store.actor.casefold():
        raise StoreError(_("you cannot remove yourself; ask a colleague"))
    old = store._dek
    new = store.keyring.remove_user_and_rekey(name, old)
    rekey_database(store, new)
    # The backups too: else every older copy still opens with the key the removed caseworker
    # may know, and none of them could be restored with the new one.
    rekeyed, dropped = rekey_backups(store.data_dir, old, new)
    erasures.rekey(store.data_dir, old, new)
    store.keyring.commit_rekey(new)
    with store.session() as session:
        row = session.exec(select(CaseworkerRow).where(CaseworkerRow.name == name)).first()
        if row is not None:
            row.removed_at = store.now()
            session.add(row)
        store.audit(session, "user_remove", "caseworker", name)
        store.audit(session, "rekey", "database", store.keyring.db_id)
        store.audit(session, "rekey", "backups", f"{rekeyed} re-encrypted, {dropped} removed")


def rekey_database(store: Store, new: bytes) -> None:
    """Switch the database to a new key (one SQLCipher operation) and reconnect with it."""
    store.engine.dispose()
    connection = database.connect(store.data_dir.db_path, store._dek)
    try:
        connection.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    finally:
        connection.close()
    store._dek = new
    store.engine = database.make_engine(store.data_dir.db_path, new)
