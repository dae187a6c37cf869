"""The erasure log: the ids of the interviews a caseworker erased (`person erase`), kept outside
intake.db so that restoring an older backup cannot bring an erased person back — the restore
re-applies the log (store/restore.py).

It holds ids and dates only, never a name or an answer, in a small SQLCipher file of its own
beside intake.db, encrypted with the same data key (and re-keyed with it). An id is written
before the interview is deleted: a crash in between leaves an id whose draft the caseworker had
asked to erase, which the next restore erases — never the other way round."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from intake_tui.store import database
from intake_tui.store.datadir import DataDir

SCHEMA = "CREATE TABLE IF NOT EXISTS erased (interview_id TEXT PRIMARY KEY, erased_at TEXT)"


def _open(path: Path, dek: bytes):  # type: ignore[no-untyped-def]
    if not path.exists():
        database.create_database_file(path, dek)
        if os.name == "posix":
            path.chmod(0o600)
    connection = database.connect(path, dek)
    connection.execute(SCHEMA)
    return connection


def record(data_dir: DataDir, dek: bytes, interview_id: str, at: dt.datetime) -> None:
    """Add an erased id (durably: the file is synchronous=FULL like intake.db)."""
    connection = _open(data_dir.erasures_path, dek)
    try:
        with connection:
            connection.execute(
                "INSERT OR IGNORE INTO erased (interview_id, erased_at) VALUES (?, ?)",
                (interview_id, at.isoformat()),
            )
    finally:
        connection.close()


def erased_ids(data_dir: DataDir, dek: bytes) -> list[str]:
    """Every erased id, oldest first ([] when nothing was ever erased)."""
    if not data_dir.erasures_path.exists():
        return []
    connection = database.connect(data_dir.erasures_path, dek)
    try:
        rows = connection.execute("SELECT interview_id FROM erased ORDER BY erased_at").fetchall()
    finally:
        connection.close()
    return [str(row[0]) for row in rows]


def rekey(data_dir: DataDir, old: bytes, new: bytes) -> None:
    """Follow a re-key of the database (a crash may have done it already: then nothing to do)."""
    path = data_dir.erasures_path
    if not path.exists():
        return
    try:
        database.rekey_file(path, old, new)
    except database.WrongDatabaseKey:
        database.connect_readonly(path, new).close()  # already on the new key
