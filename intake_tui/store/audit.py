"""The audit trail: an append-only HMAC hash chain of who did what to which record, never values.

Each entry carries BIO2 8.15.01's six fields (action, object, result, origin, actor, time) and
`hash_n = HMAC(K, hash_{n-1} || canonical JSON of entry n)`. K is a random key stored in the
encrypted database itself, so re-keying the database (removing a caseworker) keeps the chain
verifiable. Editing or deleting an entry breaks the chain at a place `verify_chain` names.
Truncating the tail is only visible against an anchor kept elsewhere (the central server).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from intake_tui.i18n import _
from intake_tui.store.models import AuditRow, MetaRow

AUDIT_KEY = "audit_key"
GENESIS = "0" * 64

# Event kinds (the action field). Adding one is fine; renaming one breaks nothing but reading.
ACTIONS = frozenset(
    {
        "database_create",
        "unlock",
        "user_add",
        "user_remove",
        "user_recover",
        "rekey",
        "interview_create",
        "interview_open",
        "answer_save",
        "answer_undo",
        "note_save",
        "interview_finalize",
        "interview_reopen",
        "interview_delete",
        "interview_migrate",
        "talk_start",
        "talk_reschedule",
        "talk_missed",
        "termijn_extend",
        "backup",
        "db_check",
        "db_restore",
        "export",
        "plan_override",
        "plan_discussed",
        "plan_final",
        "person_export",
        "device_enrol",
        "device_revoked",
        "sync_acked",
        "central_plan_received",
        "sync_purged",
    }
)


@dataclass(frozen=True)
class ChainProblem:
    """Where the chain does not verify, and how."""

    seq: int
    kind: str  # "modified" | "missing" | "reordered"
    message: str


def ensure_audit_key(session: Session) -> bytes:
    row = session.get(MetaRow, AUDIT_KEY)
    if row is None:
        row = MetaRow(key=AUDIT_KEY, value=secrets.token_bytes(32))
        session.add(row)
        session.flush()
    return row.value


def _entry_hash(key: bytes, previous: str, row: AuditRow) -> str:
    content = json.dumps(
        {
            "seq": row.seq,
            "at": row.at,
            "actor": row.actor,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "result": row.result,
            "origin": row.origin,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hmac.new(key, previous.encode() + content.encode(), hashlib.sha256).hexdigest()


def append(
    session: Session,
    *,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    origin: str,
    result: str = "ok",
    key: bytes | None = None,
) -> AuditRow:
    """Add an entry in the caller's transaction (so the event and its change commit together).

    The chain head is read inside the same write transaction (BEGIN IMMEDIATE), so two app
    instances can never both append after the same entry.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if key is None:
        key = ensure_audit_key(session)
    connection = session.connection()
    last = connection.exec_driver_sql(
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
    ).first()
    previous = last[1] if last is not None else GENESIS
    row = AuditRow(
        seq=(last[0] + 1) if last is not None else 1,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        result=result,
        origin=origin,
        prev_hash=previous,
        hash="",
    )
    row.hash = _entry_hash(key, previous, row)
    # Plain SQL, not the ORM unit of work: it runs at once (the next append in the same
    # transaction reads it), and this is on the path of every answer (benchmarks/run.py).
    connection.exec_driver_sql(
        "INSERT INTO audit (seq, at, actor, action, object_type, object_id, result, origin,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.object_type,
            row.object_id,
            row.result,
            row.origin,
            row.prev_hash,
            row.hash,
        ),
    )
    return row


def verify_chain(session: Session) -> list[ChainProblem]:
    """Every place the chain does not verify (empty when intact)."""
    key_row = session.get(MetaRow, AUDIT_KEY)
    rows = list(session.exec(select(AuditRow).order_by(AuditRow.seq)))  # type: ignore[arg-type]
    if key_row is None:
        return [] if not rows else [ChainProblem(0, "modified", _("the audit key is missing"))]
    problems: list[ChainProblem] = []
    previous = GENESIS
    expected_seq = 1
    for row in rows:
        if row.seq != expected_seq:
            problems.append(
                ChainProblem(
                    expected_seq,
                    "missing",
                    _("audit entry {seq} is missing: the chain was cut").format(seq=expected_seq),
                )
            )
        elif row.prev_hash != previous:
            problems.append(
                ChainProblem(
                    row.seq,
                    "missing",
                    _("audit entry {seq} does not follow its predecessor").format(seq=row.seq),
                )
            )
        if _entry_hash(key_row.value, row.prev_hash, row) != row.hash:
            problems.append(
                ChainProblem(
                    row.seq,
                    "modified",
                    _("audit entry {seq} was modified").format(seq=row.seq),
                )
            )
        previous = row.hash
        expected_seq = row.seq + 1
    return problems


def chain_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest entry: the anchor the central server keeps."""
    last = session.exec(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
    return (last.seq, last.hash) if last is not None else (0, GENESIS)


def hash_at(session: Session, seq: int) -> str | None:
    """The hash of the entry at `seq`, or None when the chain has no such entry (seq 0 is the
    chain's start, whose hash is GENESIS)."""
    if seq == 0:
        return GENESIS
    row = session.get(AuditRow, seq)
    return row.hash if row is not None else None


RESTORE_FLAG = "restore_declared"


def restore_declared(session: Session) -> bool:
    """A restored backup waits to be declared with the next anchor (see sync/anchor.py)."""
    return session.get(MetaRow, RESTORE_FLAG) is not None


def set_restore_declared(session: Session, declared: bool) -> None:
    row = session.get(MetaRow, RESTORE_FLAG)
    if declared and row is None:
        session.add(MetaRow(key=RESTORE_FLAG, value=b"1"))
    elif not declared and row is not None:
        session.delete(row)


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditRow)).one())
