"""Judging submissions inside one transaction: the contract's table (docs/sync-protocol.md) for
a plan revision or a talk, for a batch of up to 100 or a single request (a batch of one).
Part of `intake_tui.central.app`; storage.py opens the transaction and commits it.

What the database holds about the records of the batch is read up front, a few queries for all
of them (`Ledger.__init__`): the device's answers under their keys, the cases and their owners,
the stored revisions and talks, the newest revision and plan versions of each case. Each item
is then judged against that view, which every accepted item updates, so item 2 sees item 1
exactly as one request sees the one before it (the same key twice is a replay, two revisions
of one case make two plan versions, another version of a record just taken is a conflict). What
the batch adds is written at the end, one insert per table (`Ledger.write`).

Races stay decided by the unique keys: on SQLite the transaction holds the write lock from its
first statement (BEGIN IMMEDIATE), so the view cannot go stale; on PostgreSQL a record, key,
case or plan version another request committed meanwhile makes an insert fail, the batch is
rolled back and judged again (storage.py `_retrying`), and the winner's rows then replay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any, NamedTuple

from sqlalchemy import case, func, insert, tuple_
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from intake_tui.central import followups
from intake_tui.central.authz import require_writer
from intake_tui.central.models import (
    Case,
    Conflict,
    FollowupConflict,
    FollowupRecord,
    IdempotencyRecord,
    PlanVersion,
    Submission,
)
from intake_tui.central.protocol import (
    FollowupSubmissionIn,
    Problem,
    SubmissionIn,
    ascii_document,
    canonical,
    document_text,
)
from intake_tui.central.records import central_edit, etag, receipt

Submitted = SubmissionIn | FollowupSubmissionIn  # a plan revision or a talk


class Answer(NamedTuple):
    """The answer kept under (device, Idempotency-Key): replayed for an identical request."""

    request_sha256: str
    status: int
    body: str  # JSON, as stored


class Stored(NamedTuple):
    """A stored record (plan revision or talk): its hash, and its receipt (`replayed` aside)."""

    payload_sha256: str
    receipt: dict[str, Any]


def replay(found: Answer, request_sha: str) -> tuple[int, dict[str, Any]]:
    """The answer given before under this key, or 422 when the key now names other content."""
    if found.request_sha256 != request_sha:
        raise Problem(422, "idempotency_key_reused")
    body = json.loads(found.body)
    body["replayed"] = True
    return found.status, body


def request_sha256(data: Any, sub: Submitted | None = None) -> str:
    """What an idempotency key is bound to: the sha256 of the submission as sorted, compact,
    ASCII JSON. With `sub`, what check_any made of `data`, the document's part is the text
    the check kept (protocol.ascii_document): the same text, without dumping 25 KB again."""
    document = None if sub is None or not isinstance(data, dict) else ascii_document(sub)
    if document is None:
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    else:
        # Checked fields only: ids by pattern, literals, hex and numbers, so the one
        # '"document":null' is the document's place.
        head = json.dumps({**data, "document": None}, sort_keys=True, separators=(",", ":"))
        text = head.replace('"document":null', '"document":' + document, 1)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def answers(session: Session, device_id: str, keys: list[str]) -> dict[str, Answer]:
    """The device's stored answers under `keys`, in one query."""
    if not keys:
        return {}
    rows = session.exec(
        select(
            IdempotencyRecord.key,
            IdempotencyRecord.request_sha256,
            IdempotencyRecord.status,
            IdempotencyRecord.body,
        )
        .where(IdempotencyRecord.device_id == device_id)
        .where(col(IdempotencyRecord.key).in_(sorted(set(keys))))
    ).all()
    return {key: Answer(sha, status, body) for key, sha, status, body in rows}


class Ledger:
    """One transaction's view of the records it judges, and the rows it adds."""

    def __init__(
        self,
        session: Session,
        device_id: str,
        now: dt.datetime,
        items: list[tuple[str, Submitted]],
    ) -> None:
        self.session = session
        self.device_id = device_id
        self.now = now
        plans = [sub for _key, sub in items if isinstance(sub, SubmissionIn)]
        talks = [sub for _key, sub in items if isinstance(sub, FollowupSubmissionIn)]
        self.answers = answers(session, device_id, [key for key, _sub in items])
        self.owners = self._owners({sub.interview_id for _key, sub in items})
        self.plans = self._plans({(s.interview_id, s.revision) for s in plans})
        self.newest, self.top, self.edited = self._versions({s.interview_id for s in plans})
        self.talks = self._talks({(s.interview_id, s.followup_id) for s in talks})
        self.kept: set[tuple[str, str, object, str]] = set()  # conflicts kept by this batch
        self.rows: dict[type[Any], list[dict[str, Any]]] = {
            table: []
            for table in (
                Case,
                Submission,
                PlanVersion,
                FollowupRecord,
                Conflict,
                FollowupConflict,
                IdempotencyRecord,
            )
        }

    # -- what the database holds, read once ---------------------------------------------------

    def _owners(self, interview_ids: set[str]) -> dict[str, str]:
        if not interview_ids:
            return {}
        rows = self.session.exec(
            select(Case.interview_id, Case.device_id).where(
                col(Case.interview_id).in_(sorted(interview_ids))
            )
        ).all()
        return {interview_id: device for interview_id, device in rows}

    def _plans(self, ids: set[tuple[str, int]]) -> dict[tuple[str, int], Stored]:
        if not ids:
            return {}
        rows = (
            self.session.connection()
            .execute(
                columns(
                    col(Submission.interview_id),
                    col(Submission.revision),
                    col(Submission.payload_sha256),
                    col(Submission.receipt_id),
                    col(Submission.received_at),
                ).where(
                    tuple_(col(Submission.interview_id), col(Submission.revision)).in_(sorted(ids))
                )
            )
            .all()
        )
        return {
            (row[0], row[1]): Stored(
                row[2],
                receipt(
                    interview_id=row[0],
                    revision=row[1],
                    payload_sha256=row[2],
                    receipt_id=row[3],
                    received_at=row[4],
                ),
            )
            for row in rows
        }

    def _versions(
        self, interview_ids: set[str]
    ) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Per case: its newest revision, its newest plan version, its newest central edit."""
        if not interview_ids:
            return {}, {}, {}
        ids = sorted(interview_ids)
        newest = self.session.exec(
            select(Submission.interview_id, func.max(Submission.revision))
            .where(col(Submission.interview_id).in_(ids))
            .group_by(col(Submission.interview_id))
        ).all()
        versions = self.session.exec(
            select(
                PlanVersion.interview_id,
                func.max(PlanVersion.version),
                func.max(case((col(PlanVersion.source) == "central", col(PlanVersion.version)))),
            )
            .where(col(PlanVersion.interview_id).in_(ids))
            .group_by(col(PlanVersion.interview_id))
        ).all()
        return (
            {interview_id: top for interview_id, top in newest if top is not None},
            {interview_id: top for interview_id, top, _edit in versions if top is not None},
            {interview_id: edit for interview_id, _top, edit in versions if edit is not None},
        )

    def _talks(self, ids: set[tuple[str, str]]) -> dict[tuple[str, str], Stored]:
        if not ids:
            return {}
        rows = (
            self.session.connection()
            .execute(
                columns(
                    col(FollowupRecord.interview_id),
                    col(FollowupRecord.followup_id),
                    col(FollowupRecord.payload_sha256),
                    col(FollowupRecord.receipt_id),
                    col(FollowupRecord.received_at),
                ).where(
                    tuple_(col(FollowupRecord.interview_id), col(FollowupRecord.followup_id)).in_(
                        sorted(ids)
                    )
                )
            )
            .all()
        )
        return {
            (row[0], row[1]): Stored(
                row[2],
                followups.receipt(
                    interview_id=row[0],
                    followup_id=row[1],
                    payload_sha256=row[2],
                    receipt_id=row[3],
                    received_at=row[4],
                ),
            )
            for row in rows
        }

    # -- judging ------------------------------------------------------------------------------

    def judge(self, key: str, request_sha: str, sub: Submitted) -> tuple[int, dict[str, Any]]:
        """One item, as the single endpoint answers it: (status, body), or Problem. A conflict
        is kept for a human even though the answer is 409 (`write` stores it)."""
        found = self.answers.get(key)
        if found is not None:
            return replay(found, request_sha)
        require_writer(self.owners.get(sub.interview_id), self.device_id)
        if isinstance(sub, FollowupSubmissionIn):
            return self._talk(key, request_sha, sub)
        return self._plan(key, request_sha, sub)

    def _plan(self, key: str, request_sha: str, sub: SubmissionIn) -> tuple[int, dict[str, Any]]:
        stored = self.plans.get((sub.interview_id, sub.revision))
        if stored is not None and stored.payload_sha256 == sub.payload_sha256:
            return self._answer(key, request_sha, 200, {**stored.receipt, "replayed": True})
        if stored is not None:
            self._keep(Conflict, "revision", sub.revision, sub, canonical(sub.document).decode())
            raise Problem(
                409,
                "record_conflict",
                "A different version of this revision is stored; a person must decide.",
                extra={
                    "interview_id": sub.interview_id,
                    "revision": sub.revision,
                    "stored_payload_sha256": stored.payload_sha256,
                },
            )
        edited = self.edited.get(sub.interview_id)
        if edited is not None and (sub.based_on_version or 0) < edited:
            raise central_edit(sub, edited)
        self._claim(sub.interview_id)
        document = document_text(sub)
        body = receipt(
            interview_id=sub.interview_id,
            revision=sub.revision,
            payload_sha256=sub.payload_sha256,
            receipt_id=str(uuid.uuid4()),
            received_at=self.now,
        )
        self.rows[Submission].append(
            {
                "interview_id": sub.interview_id,
                "revision": sub.revision,
                "previous_revision": sub.previous_revision,
                "status": sub.status,
                "payload_sha256": sub.payload_sha256,
                "document": document,
                "device_id": self.device_id,
                "receipt_id": body["receipt_id"],
                "received_at": self.now,
            }
        )
        self.plans[(sub.interview_id, sub.revision)] = Stored(sub.payload_sha256, body)
        newest = self.newest.get(sub.interview_id)
        if newest is None or sub.revision > newest:
            self.newest[sub.interview_id] = sub.revision
            self._plan_version(sub.interview_id, document)
        return self._answer(key, request_sha, 201, body)

    def _plan_version(self, interview_id: str, document: str) -> None:
        """The case's plan is now this revision: its next version (records.add_plan_version)."""
        version = self.top.get(interview_id, 0) + 1
        self.top[interview_id] = version
        self.rows[PlanVersion].append(
            {
                "interview_id": interview_id,
                "version": version,
                "document": document,
                "etag": etag(version),
                "source": "submission",
                "author_id": self.device_id,
                "created_at": self.now,
            }
        )

    def _talk(
        self, key: str, request_sha: str, sub: FollowupSubmissionIn
    ) -> tuple[int, dict[str, Any]]:
        stored = self.talks.get((sub.interview_id, sub.followup_id))
        if stored is not None and stored.payload_sha256 == sub.payload_sha256:
            return self._answer(key, request_sha, 200, {**stored.receipt, "replayed": True})
        document = document_text(sub)
        if stored is not None:
            self._keep(FollowupConflict, "followup_id", sub.followup_id, sub, document)
            raise followups.conflict(sub, stored.payload_sha256)
        self._claim(sub.interview_id)
        body = followups.receipt(
            interview_id=sub.interview_id,
            followup_id=sub.followup_id,
            payload_sha256=sub.payload_sha256,
            receipt_id=str(uuid.uuid4()),
            received_at=self.now,
        )
        self.rows[FollowupRecord].append(
            {
                "interview_id": sub.interview_id,
                "followup_id": sub.followup_id,
                "status": sub.status,
                "payload_sha256": sub.payload_sha256,
                "document": document,
                "device_id": self.device_id,
                "receipt_id": body["receipt_id"],
                "received_at": self.now,
            }
        )
        self.talks[(sub.interview_id, sub.followup_id)] = Stored(sub.payload_sha256, body)
        return self._answer(key, request_sha, 201, body)

    def _claim(self, interview_id: str) -> None:
        """A case nobody sent yet becomes the sender's (its first record, of either kind)."""
        if interview_id not in self.owners:
            self.owners[interview_id] = self.device_id
            self.rows[Case].append(
                {"interview_id": interview_id, "device_id": self.device_id, "created_at": self.now}
            )

    def _answer(
        self, key: str, request_sha: str, status: int, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Keep the answer under the key (a later item or request with it replays it)."""
        text = json.dumps(body, sort_keys=True)
        self.answers[key] = Answer(request_sha, status, text)
        self.rows[IdempotencyRecord].append(
            {
                "device_id": self.device_id,
                "key": key,
                "request_sha256": request_sha,
                "status": status,
                "body": text,
                "created_at": self.now,
            }
        )
        return status, body

    def _keep(self, table: Any, record: str, which: object, sub: Submitted, document: str) -> None:
        """The disagreeing version, kept once per content for a human, never applied: a plan
        revision in `Conflict` (`record` "revision"), a talk in `FollowupConflict`
        ("followup_id")."""
        seen = (record, sub.interview_id, which, sub.payload_sha256)
        if seen in self.kept:
            return
        self.kept.add(seen)
        exists = self.session.exec(
            select(table.id)
            .where(table.interview_id == sub.interview_id)
            .where(getattr(table, record) == which)
            .where(table.payload_sha256 == sub.payload_sha256)
        ).first()
        if exists is None:
            self.rows[table].append(
                {
                    "interview_id": sub.interview_id,
                    record: which,
                    "device_id": self.device_id,
                    "payload_sha256": sub.payload_sha256,
                    "document": document,
                    "received_at": self.now,
                }
            )

    # -- writing ------------------------------------------------------------------------------

    def write(self) -> None:
        """Everything the batch added, one insert per table (the caller commits). A unique key
        another request took meanwhile raises IntegrityError: the caller judges again."""
        for table, rows in self.rows.items():
            if rows:
                self.session.exec(insert(table), params=rows)
                rows.clear()
