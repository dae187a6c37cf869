"""The central server's tables (SQLModel) and how to reach its database.

The tables live in their own SQLAlchemy registry, so the laptop's tables (intake_tui.store) are
never created in a central database and vice versa. Times are aware UTC in Python and stored as
naive UTC (`UtcDateTime`), the same on SQLite and PostgreSQL and whatever SQLModel's default.

The unique keys decide every race: a record id, an idempotency key per device, a plan version
and a code are each inserted once; the loser of a race gets IntegrityError and reads the winner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

SQLITE_BUSY_TIMEOUT_MS = 10_000


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC in Python, naive UTC in the database."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else utc(value).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return None if value is None else utc(value)


def stamp(*, nullable: bool = False) -> Any:
    """A timestamp column (aware UTC); only a nullable one defaults to None."""
    if nullable:
        return Field(default=None, sa_type=UtcDateTime, nullable=True)
    return Field(sa_type=UtcDateTime, nullable=False)


class CentralModel(SQLModel, registry=registry()):
    """Base of the central tables: a registry (and metadata) of their own."""


DEFAULT_ORG = "unassigned"
"""The organisation of devices enrolled before organisations existed (schema 2) and of codes
made without `--org`: no back-office account sees its cases until an admin moves the device."""


class Device(CentralModel, table=True):
    """An enrolled laptop of one organisation; only the sha256 of its bearer token is kept."""

    __tablename__ = "central_device"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    org: str = Field(default=DEFAULT_ORG, max_length=64, index=True)
    token_sha256: str = Field(unique=True, index=True, max_length=64)
    expires_at: dt.datetime = stamp()
    revoked_at: dt.datetime | None = stamp(nullable=True)
    created_at: dt.datetime = stamp()


class EnrolmentCode(CentralModel, table=True):
    """A one-time enrolment code (hash only); `used_at` is set once, atomically."""

    __tablename__ = "central_enrolment_code"
    code_sha256: str = Field(primary_key=True, max_length=64)
    org: str = Field(default=DEFAULT_ORG, max_length=64)  # the device it enrols joins it
    expires_at: dt.datetime = stamp()
    used_at: dt.datetime | None = stamp(nullable=True)
    created_at: dt.datetime = stamp()


class Submission(CentralModel, table=True):
    """One frozen plan revision, deduplicated by its id for ever; `document` is canonical JSON."""

    __tablename__ = "central_submission"
    interview_id: str = Field(primary_key=True, max_length=255)
    revision: int = Field(primary_key=True)
    previous_revision: int | None = None
    status: str = Field(max_length=16)
    payload_sha256: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    device_id: str = Field(max_length=64, index=True)
    receipt_id: str = Field(unique=True, max_length=64)
    received_at: dt.datetime = stamp()


class FollowupRecord(CentralModel, table=True):
    """One completed or missed talk of a case (schema 3), deduplicated by its record id
    `(interview_id, "followup", followup_id)` for ever; `document` is canonical JSON
    (intake-followup/1). Read under the case's authorisation, as its plan is."""

    __tablename__ = "central_followup"
    interview_id: str = Field(primary_key=True, max_length=255)
    followup_id: str = Field(primary_key=True, max_length=255)
    status: str = Field(max_length=16)  # completed | missed
    payload_sha256: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    device_id: str = Field(max_length=64, index=True)
    receipt_id: str = Field(unique=True, max_length=64)
    received_at: dt.datetime = stamp()


class FollowupConflict(CentralModel, table=True):
    """A talk's record that disagreed with the stored one: kept for a human, never applied."""

    __tablename__ = "central_followup_conflict"
    __table_args__ = (UniqueConstraint("interview_id", "followup_id", "payload_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(max_length=255, index=True)
    followup_id: str = Field(max_length=255)
    device_id: str = Field(max_length=64)
    payload_sha256: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    received_at: dt.datetime = stamp()


class IdempotencyRecord(CentralModel, table=True):
    """The answer given to (device, Idempotency-Key), replayed for an identical request."""

    __tablename__ = "central_idempotency"
    device_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    request_sha256: str = Field(max_length=64)
    status: int
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = stamp()


class Conflict(CentralModel, table=True):
    """A submission that disagreed with the stored record: kept for a human, never applied."""

    __tablename__ = "central_conflict"
    __table_args__ = (UniqueConstraint("interview_id", "revision", "payload_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(max_length=255, index=True)
    revision: int
    device_id: str = Field(max_length=64)
    payload_sha256: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    received_at: dt.datetime = stamp()


class PlanVersion(CentralModel, table=True):
    """The plan's history: each newest submitted revision or central edit is one version."""

    __tablename__ = "central_plan_version"
    interview_id: str = Field(primary_key=True, max_length=255)
    version: int = Field(primary_key=True)
    document: str = Field(sa_column=Column(Text, nullable=False))
    etag: str = Field(max_length=32)
    source: str = Field(max_length=16)  # "submission" | "central"
    # Who made it: the sending device, or for a central edit the editor's account id.
    author_id: str = Field(sa_column=Column("device_id", String(64), nullable=False))
    created_at: dt.datetime = stamp()


class Case(CentralModel, table=True):
    """Whose case it is: the device that sent its first revision, until an audited transfer.
    The case's organisation is its device's (docs/sync-protocol.md, "Whose case it is")."""

    __tablename__ = "central_case"
    interview_id: str = Field(primary_key=True, max_length=255)
    device_id: str = Field(max_length=64, index=True)
    created_at: dt.datetime = stamp()
    transferred_at: dt.datetime | None = stamp(nullable=True)


class Account(CentralModel, table=True):
    """A back-office person of one organisation with one role; only the token's sha256 is kept."""

    __tablename__ = "central_account"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(unique=True, max_length=200)
    role: str = Field(max_length=16)  # admin | privacy | editor (central/authz.py)
    org: str = Field(max_length=64)
    token_sha256: str = Field(unique=True, index=True, max_length=64)
    created_at: dt.datetime = stamp()
    revoked_at: dt.datetime | None = stamp(nullable=True)


class AuditEntry(CentralModel, table=True):
    """One action by an account or an admin: who, when, what, on which id, with what result.
    Never a value from a case: `detail` holds ids, roles and organisation codes only."""

    __tablename__ = "central_audit"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = stamp()
    actor: str = Field(max_length=256)  # "account:NAME", "admin:LOGIN", "server"
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=255)
    result: str = Field(max_length=32)  # "ok" or the HTTP status given
    detail: str = Field(default="", max_length=1000)


class SchemaState(CentralModel, table=True):
    """Which schema steps this database has had (central/schema.py)."""

    __tablename__ = "central_schema"
    id: int = Field(default=1, primary_key=True)
    version: int


class Anchor(CentralModel, table=True):
    """A laptop's audit-chain head, so a truncated chain shows later."""

    __tablename__ = "central_anchor"
    __table_args__ = (UniqueConstraint("device_id", "seq", "hash"),)
    id: str = Field(primary_key=True, max_length=64)
    device_id: str = Field(max_length=64, index=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(max_length=128)
    received_at: dt.datetime = stamp()


class RestoreDeclaration(CentralModel, table=True):
    """A laptop said it restored a backup: its next anchor goes back. Held until an admin
    acknowledges it (`intake-central anchors ack DEVICE`); then that anchor is accepted."""

    __tablename__ = "central_restore"
    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(max_length=64, index=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(max_length=128)
    declared_at: dt.datetime = stamp()
    acknowledged_at: dt.datetime | None = stamp(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=256)
    used_at: dt.datetime | None = stamp(nullable=True)


class PublishedBundle(CentralModel, table=True):
    """A questionnaire bundle laptops may pull; `files` is JSON {name: base64}."""

    __tablename__ = "central_bundle"
    id: str = Field(primary_key=True, max_length=128)
    version: str = Field(primary_key=True, max_length=64)
    sha256: str = Field(max_length=64)
    files: str = Field(sa_column=Column(Text, nullable=False))
    published_at: dt.datetime = stamp()


# -- time -------------------------------------------------------------------------------------


def utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC (a naive time is taken to be UTC already, as the database keeps it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """ISO 8601 UTC with a `Z`, to the second (receipts, expiry)."""
    return utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- the engine -------------------------------------------------------------------------------


def normalize_url(db_url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3; SQLite must be a file."""
    if db_url.startswith("postgres://"):
        db_url = "postgresql://" + db_url.removeprefix("postgres://")
    url = make_url(db_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError("the central database must be a file or a server, not in memory")
    return url.render_as_string(hide_password=False)


def make_engine(db_url: str) -> Engine:
    """An engine whose transactions serialize writers safely on SQLite and PostgreSQL."""
    url = normalize_url(db_url)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {"hide_parameters": True}  # no case data in error messages
    if is_sqlite:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        _sqlite_setup(engine)
    return engine


def _sqlite_setup(engine: Engine) -> None:
    # WAL lets readers run beside the writer; BEGIN IMMEDIATE takes the write lock up front, so
    # two racing transactions wait (busy_timeout) instead of failing on a stale snapshot.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event decide
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
            f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(pragma).fetchall()
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
