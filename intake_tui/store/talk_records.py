"""A completed or missed talk as a sync record of its own (docs/sync-protocol.md, "Records").

The record id is `(case id, "followup", talk id)`: the talk's id is its `followups[].id` in the
export document, and the only id a missed talk has. Its document (`intake-followup/1`) is a
`record` header and the talk exactly as the export lists it (core/export_model.FollowupOut),
whole, health answers included, as a plan revision is synced whole. It is written into the
outbox in the same transaction that completes the talk (its follow-up interview finalized,
store/interviews.finalize_interview) or misses it (store/followups.miss). Planned and
rescheduled talks stay on the laptop.

A follow-up reopened and finalized again (or missed after that) freezes its talk again. While
the record is still waiting (`pending`) it is refreshed under a new idempotency key, so a first
version the server may already hold meets the new one as 409 record_conflict, for a person;
once the server has received it (or refused it, or a person must decide), it stays as it is,
and the change reaches the central system inside the case's next plan revision.

Nothing here opens a session or imports the interview services: the callers pass what the
record is made of, inside their own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from intake_tui.core.export import (
    BundleRef,
    FollowupDocument,
    FollowupOut,
    FollowupRecord,
    Interpreter,
    answers_of,
)
from intake_tui.store.models import InterviewRow, OutboxRow, TalkRow
from intake_tui.sync.protocol import payload_sha256

if TYPE_CHECKING:
    from intake_tui.core.engine import Interview
    from intake_tui.core.questionnaire import Bundle
    from intake_tui.store.session import Store


def completed_entry(
    talk_id: str,
    reason: str | None,
    bundle: Bundle,
    interview: Interview,
    *,
    caseworker: str,
    interpreter_json: str | None,
    client_language: str,
    held_on: dt.date,
) -> FollowupOut:
    """A held talk as the export lists it: its follow-up's bundle, answers and who held it."""
    interpreter = json.loads(interpreter_json or "{}")
    special = sorted(
        item.question.export
        for item in bundle.value_questions()
        if item.question.export is not None and item.question.sensitivity == "special"
    )
    return FollowupOut(
        id=talk_id,
        bundle=BundleRef(id=bundle.id, version=bundle.version, sha256=bundle.sha256),
        date=held_on,
        status="completed",
        reason=reason,
        caseworker=caseworker,
        interpreter=Interpreter(
            used=bool(interpreter.get("used")),
            how=interpreter.get("how"),
            language=interpreter.get("language"),
        ),
        client_language=client_language,
        answers=answers_of(interview),
        special=special,
    )


def open_entry(talk_id: str, due: dt.date, reason: str | None, *, missed: bool) -> FollowupOut:
    """A talk that was not held: missed (with why) or still planned."""
    return FollowupOut(
        id=talk_id,
        bundle=None,
        date=due,
        status="missed" if missed else "planned",
        reason=reason,
        caseworker=None,
        interpreter=None,
        client_language=None,
        answers={},
        special=[],
    )


def document_text(case_id: str, entry: FollowupOut, frozen_at: dt.datetime) -> str:
    """The record's document as stored and sent: sorted keys, indented, a trailing newline
    (the payload hash is over its canonical form, docs/sync-protocol.md)."""
    assert entry.status in ("completed", "missed")
    document = FollowupDocument(
        record=FollowupRecord(
            interview_id=case_id,
            followup_id=entry.id,
            status=entry.status,  # type: ignore[arg-type]
            frozen_at=frozen_at,
        ),
        followup=entry,
    )
    data = document.model_dump(mode="json", by_alias=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def freeze(session: Session, store: Store, talk: TalkRow, entry: FollowupOut) -> str:
    """Write the talk's record into the outbox in the caller's transaction; what happened:
    "new", "refreshed" (it was still waiting), "same" (nothing changed) or "kept" (already
    received, refused or in conflict: it stays as it is)."""
    existing = session.exec(select(OutboxRow).where(OutboxRow.talk_id == talk.id)).first()
    entered = entry.model_dump(mode="json", by_alias=True)
    if existing is not None and _followup_of(existing.document_json or "") == entered:
        return "same"
    text = document_text(talk.case_id, entry, store.now())
    digest = payload_sha256(json.loads(text))
    if existing is None:
        session.add(
            OutboxRow(
                kind="followup",
                talk_id=talk.id,
                interview_id=talk.case_id,
                idempotency_key=str(uuid.uuid4()),
                payload_sha256=digest,
                document_json=text,
                created_at=store.now(),
            )
        )
        return "new"
    if existing.state != "pending":
        return "kept"
    existing.document_json = text
    existing.payload_sha256 = digest
    # A new key: the old one may have carried the first version to the server already.
    existing.idempotency_key = str(uuid.uuid4())
    existing.last_error = None
    session.add(existing)
    return "refreshed"


def freeze_held(session: Session, store: Store, followup: InterviewRow, held: Interview) -> None:
    """The record of the talk `followup` (a follow-up interview, just finalized) holds, in the
    transaction that finalizes it; `held` is the interview with its answers."""
    talk = session.exec(select(TalkRow).where(TalkRow.followup_id == followup.id)).first()
    if talk is None or followup.finalized_at is None:
        return  # a follow-up without a talk (not started by followups.start): nothing to record
    entry = completed_entry(
        talk.id,
        talk.reason,
        held.bundle,
        held,
        caseworker=followup.created_by,
        interpreter_json=followup.interpreter_json,
        client_language=followup.client_language,
        held_on=followup.finalized_at.date(),
    )
    freeze(session, store, talk, entry)


def _followup_of(document_json: str) -> Any:
    try:
        return json.loads(document_json).get("followup")
    except ValueError:
        return None
