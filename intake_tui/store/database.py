"""The encrypted SQLite engine: SQLCipher with a raw 256-bit key, durable settings, calm refusals.

One connection factory (`creator=`) keys every connection with the DEK as a raw key (no KDF per
connect: 2 ms instead of 200 ms), silences SQLCipher's own logging before anything else (it
would write to the terminal under the TUI), and sets WAL + synchronous=FULL so every commit
is on disk when it returns. Files that are not our encrypted database are refused with a
message; a missing database is never silently created when one was expected.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool, StaticPool

from intake_tui.i18n import _

SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"
PAGE_SIZE = 4096
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """The database could not be used; the message says why, calmly, without any content."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseRefused(DatabaseError):
    """The file at the database path is not one we may open (empty, truncated, foreign)."""


class WrongDatabaseKey(DatabaseError):
    """The key does not open this file: a keyring from another database, or a damaged file."""


class IntegrityFailed(DatabaseError):
    """`cipher_integrity_check` or `quick_check` found damage."""


class DiskFull(DatabaseError):
    """Writing failed for lack of space (SQLite may call it a disk I/O error)."""


def check_database_file(path: Path) -> None:
    """Refuse what must never be opened as our database, before SQLCipher sees it."""
    if not path.exists():
        raise DatabaseRefused(
            _(
                "no database at {path}; a new one is only made when the data folder is set up"
            ).format(path=path)
        )
    size = path.stat().st_size
    if size == 0:
        raise DatabaseRefused(
            _("the database file is empty (0 bytes); it was not replaced. Restore a backup.")
        )
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_PLAIN_HEADER))
    if head == SQLITE_PLAIN_HEADER:
        raise DatabaseRefused(
            _("the database file is an unencrypted SQLite file, not an intake database")
        )
    if size % PAGE_SIZE != 0:
        raise DatabaseRefused(
            _(
                "the database file is truncated ({size} bytes, not whole pages); it was not "
                "replaced. Restore a backup."
            ).format(size=size)
        )


def _key_pragma(dek: bytes) -> str:
    if len(dek) != 32:
        raise ValueError("the database key must be 32 bytes")
    # hex() can never contain a quote, so this PRAGMA text is safe to build.
    return f"PRAGMA key = \"x'{dek.hex()}'\""


def _no_key(path: Path) -> str:
    return _("the key does not open {name}").format(name=path.name)


def _key(connection: Any, dek: bytes) -> None:
    """Key a fresh connection and read page 1 (sqlcipher.DatabaseError when the key is wrong
    or the file is not a database); no log lines, key memory wiped on free."""
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(_key_pragma(dek))
    connection.execute("PRAGMA cipher_memory_security = ON")
    connection.execute("SELECT count(*) FROM sqlite_master").fetchone()


def connect_readonly(path: Path, dek: bytes) -> Any:
    """A keyed connection that cannot write: `immutable` makes SQLite leave the file exactly as
    it is (no journal mode switch, no -wal/-shm beside it), for checking backups."""
    connection = sqlcipher.connect(
        f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
    )
    try:
        _key(connection, dek)
    except sqlcipher.DatabaseError as error:
        connection.close()
        if "not a database" in str(error):
            raise WrongDatabaseKey(
                _("the key does not open {name}").format(name=path.name)
            ) from None
        raise DatabaseError(
            _("{name} could not be opened ({reason})").format(name=path.name, reason=error)
        ) from None
    return connection


def rekey_file(path: Path, old: bytes, new: bytes) -> None:
    """Switch a closed database file (a backup) from `old` to `new` in one SQLCipher operation,
    without changing its journal mode; WrongDatabaseKey when `old` does not open it."""
    connection = sqlcipher.connect(str(path), check_same_thread=False)
    try:
        try:
            _key(connection, old)
        except sqlcipher.DatabaseError:
            raise WrongDatabaseKey(
                _("the key does not open {name}").format(name=path.name)
            ) from None
        connection.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    finally:
        connection.close()


def connect(path: Path, dek: bytes) -> Any:
    """One keyed SQLCipher connection with the durability settings applied."""
    connection = sqlcipher.connect(
        str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        _key(connection, dek)
    except sqlcipher.DatabaseError as error:
        connection.close()
        if "not a database" in str(error):
            raise WrongDatabaseKey(
                _(
                    "the key from the keyring does not open this database: the keyring belongs "
                    "to another database, or the database is damaged"
                )
            ) from None
        if "malformed" in str(error):
            raise IntegrityFailed(
                _(
                    "the database is damaged (it may have been cut short); it was not replaced. "
                    "Restore the newest sound backup."
                )
            ) from None
        raise DatabaseError(
            _("the database could not be opened ({reason})").format(reason=error)
        ) from None
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA secure_delete = ON",
        "PRAGMA temp_store = MEMORY",
    ):
        connection.execute(pragma).fetchall()
    if sys.platform == "darwin":  # fsync does not flush the drive cache on macOS
        connection.execute("PRAGMA fullfsync = ON")
        connection.execute("PRAGMA checkpoint_fullfsync = ON")
    return connection


def create_database_file(path: Path, dek: bytes) -> None:
    """Make a new, empty encrypted database file (refuses to touch an existing one)."""
    if path.exists():
        raise DatabaseRefused(_("a database already exists at {path}").format(path=path))
    connection = connect(path, dek)
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS _intake_created (at TEXT)")
        connection.execute("DROP TABLE _intake_created")
        connection.commit()
    finally:
        connection.close()


def make_engine(path: Path, dek: bytes) -> Engine:
    """A SQLAlchemy engine over SQLCipher; the file must already be a database keyed by `dek`."""
    check_database_file(path)
    connect(path, dek).close()  # fail here, with our message, not later inside SQLAlchemy
    engine = create_engine(
        "sqlite://",
        creator=lambda: connect(path, dek),
        module=sqlcipher,
        # "sqlite://" would mean an in-memory database to SQLAlchemy and a one-connection pool;
        # a small queue pool keeps keyed connections ready (keying costs about 2 ms).
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=4,
    )
    _register_begin_immediate(engine)
    return engine


def make_memory_engine() -> Engine:
    """An engine over one database that lives in memory only (`questionnaire preview`): the same
    driver and foreign keys as the real one, nothing ever on disk, gone with the engine."""

    def connect_memory() -> Any:
        connection = sqlcipher.connect(":memory:", check_same_thread=False)
        connection.execute("PRAGMA foreign_keys = ON").fetchall()
        connection.execute("PRAGMA temp_store = MEMORY").fetchall()
        return connection

    # One connection for every session: a second one would open another, empty database.
    engine = create_engine(
        "sqlite://", creator=connect_memory, module=sqlcipher, poolclass=StaticPool
    )
    _register_begin_immediate(engine)
    return engine


def integrity_check(engine: Engine) -> list[str]:
    """Problems found by SQLCipher's page HMACs and SQLite's quick_check (empty when sound)."""
    problems: list[str] = []
    with engine.connect() as connection:
        raw = connection.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
        problems.extend(str(row[0]) for row in raw)
        quick = connection.exec_driver_sql("PRAGMA quick_check").fetchall()
        problems.extend(str(row[0]) for row in quick if str(row[0]) != "ok")
    return problems


def require_integrity(engine: Engine) -> None:
    """Raise IntegrityFailed with a calm message when the database is damaged."""
    problems = integrity_check(engine)
    if problems:
        raise IntegrityFailed(
            _(
                "the database is damaged ({n} problems found, first: {first}). Nothing was "
                "changed; restore the newest sound backup (intake-tui db check lists them)."
            ).format(n=len(problems), first=problems[0])
        )


def is_disk_full(error: BaseException) -> bool:
    """SQLite reports a full disk as SQLITE_FULL or, often, as a plain disk I/O error."""
    text = str(error).casefold()
    return "database or disk is full" in text or "disk i/o error" in text


@contextmanager
def translate_write_errors() -> Iterator[None]:
    """Turn a full disk into `DiskFull` (nothing was committed: SQLite rolled back)."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as error:
        if is_disk_full(error):
            raise DiskFull(
                _("the disk is full: the last change was not saved. Free some space and try again.")
            ) from None
        raise


def _register_begin_immediate(engine: Engine) -> None:
    # pysqlite-style drivers open transactions lazily; BEGIN IMMEDIATE takes the write lock at
    # the start, so two app instances wait for each other (busy_timeout) instead of failing late.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
