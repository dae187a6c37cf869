"""The tables of the encrypted database (SQLModel). Rows never leave `intake_tui.store`.

Every table lives inside the SQLCipher file, so every byte here is encrypted at rest. What a
privacy officer should know per table is in its docstring; the audit table holds ids and event
kinds only, never answer values or names of newcomers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class MetaRow(SQLModel, table=True):
    """Facts about this database: its id (matches the keyring), the audit chain key, the device."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CaseworkerRow(SQLModel, table=True):
    """A caseworker who can unlock this laptop (the secret part lives in keyring.json)."""

    __tablename__ = "caseworker"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    created_at: dt.datetime
    removed_at: dt.datetime | None = None


class BundleCopyRow(SQLModel, table=True):
    """A questionnaire bundle exactly as an interview was started with it (pinned by sha256)."""

    __tablename__ = "bundle_copy"
    sha256: str = Field(primary_key=True)
    bundle_id: str
    version: str
    files_json: str  # {"questionnaire.yaml": base64, ...}


class InterviewRow(SQLModel, table=True):
    """One newcomer's intake: who, in which language, with which bundle, and how far."""

    __tablename__ = "interview"
    __table_args__ = (
        Index("ix_interview_status_updated", "status", "updated_at"),
        # Partial: only follow-ups are indexed, so the cases list's `case_id IS NULL` never
        # picks this index over the ordered ones (a full sort of every case: 30x slower).
        Index("ix_interview_case_id", "case_id", sqlite_where=text("case_id IS NOT NULL")),
        Index("ix_interview_notice_id", "duo_notice_date", "id"),
        Index("ix_interview_search_key", "search_key", "id"),
    )
    id: str = Field(primary_key=True)
    bundle_id: str
    bundle_version: str
    bundle_sha256: str = Field(foreign_key="bundle_copy.sha256")
    client_display_name: str = Field(index=True)
    # search.fold of the display name (indexed with the id: ix_interview_search_key, 0014)
    search_key: str = Field(default="", sa_column_kwargs={"server_default": ""})
    given_name: str | None = None  # as the new-intake form recorded them (prefill, 0008)
    family_name: str | None = None
    client_language: str
    interpreter_json: str = "{}"
    status: str = Field(default="in_progress", index=True)  # in_progress | finalized
    current_step: str | None = None  # where to resume: "question_id" or "question_id#instance"
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime = Field(index=True)
    finalized_at: dt.datetime | None = None
    # DUO's notice date: the PIP is due 10 weeks later (indexed: the cases screen counts by it;
    # ix_interview_notice_id has the id too, so the counts read no row)
    duo_notice_date: dt.date | None = Field(default=None, index=True)
    # A follow-up conversation's case: the id of the intake it follows (0011); None for the
    # intake itself, whose id is the case id (export ID, sync record ids).
    case_id: str | None = Field(default=None, foreign_key="interview.id")


class AnswerRow(SQLModel, table=True):
    """The current answer to one question (and repeat instance) of one interview."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("interview_id", "question_id", "instance"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True)
    question_id: str
    instance: str = ""  # "" outside repeats
    state: str  # answered | unknown | declined
    value_json: str = "null"
    language_shown: str | None = None  # which newcomer language the question was shown in
    answered_by: str
    answered_at: dt.datetime


class AnswerHistoryRow(SQLModel, table=True):
    """Every change of an answer, old and new (for undo and review; not the audit chain)."""

    __tablename__ = "answer_history"
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True)
    question_id: str
    instance: str = ""
    old_state: str | None = None  # None: there was no answer
    old_value_json: str = "null"
    new_state: str | None = None  # None: the answer was cleared
    new_value_json: str = "null"
    actor: str
    at: dt.datetime
    undone: bool = False
    is_undo: bool = False


class AnswerDraftRow(SQLModel, table=True):
    """Text being typed into a long answer, saved every few seconds; gone once it is saved."""

    __tablename__ = "answer_draft"
    __table_args__ = (UniqueConstraint("interview_id", "question_id", "instance"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id")
    question_id: str
    instance: str = ""
    text: str
    saved_by: str
    saved_at: dt.datetime


class TalkRow(SQLModel, table=True):
    """A voortgangsgesprek of a case (0011): planned from the final plan's dates, rescheduled
    with a reason, held (its follow-up interview) or missed with a reason."""

    __tablename__ = "talk"
    # Covering the overdue count (0012): talks by due date, with what the count reads.
    __table_args__ = (Index("ix_talk_due", "due", "missed", "case_id", "followup_id"),)
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="interview.id", index=True)
    due: dt.date
    rescheduled_from: dt.date | None = None  # the first date it was planned on
    reason: str | None = None  # why it was rescheduled or missed (the caseworker's words)
    missed: bool = False
    followup_id: str | None = Field(default=None, foreign_key="interview.id")
    updated_by: str
    updated_at: dt.datetime


class ExtensionRow(SQLModel, table=True):
    """A verlenging of the termijn as DUO decided it (0011): ground, decision date, new end."""

    __tablename__ = "extension"
    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="interview.id", index=True)
    ground: str  # core.plan.fields.EXTENSION
    decided_on: dt.date
    new_end: dt.date
    recorded_by: str
    recorded_at: dt.datetime


class AnswerArchiveRow(SQLModel, table=True):
    """An answer that did not fit the newer version its draft moved to (0010): out of the
    interview, kept with the version it belonged to and why (core/migration.py)."""

    __tablename__ = "answer_archive"
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True)
    question_id: str
    instance: str = ""
    state: str
    value_json: str = "null"
    bundle_version: str  # the version whose question it answered
    reason: str  # core.migration.Reason
    archived_by: str
    archived_at: dt.datetime


class NoteRow(SQLModel, table=True):
    """A caseworker's note on a question and a follow-up flag. Never exported."""

    __tablename__ = "note"
    __table_args__ = (UniqueConstraint("interview_id", "question_id", "instance"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True)
    question_id: str
    instance: str = ""
    text: str = ""
    flagged: bool = False
    updated_by: str
    updated_at: dt.datetime


class AuditRow(SQLModel, table=True):
    """Append-only HMAC chain (BIO2 8.15.01: action, object, result, origin, actor, time).

    Ids and event kinds only: never answer values, never names of newcomers.
    """

    __tablename__ = "audit"
    seq: int = Field(primary_key=True)
    at: str  # ISO 8601 with offset, as hashed
    actor: str
    action: str
    object_type: str
    object_id: str
    result: str
    origin: str  # the device id
    prev_hash: str
    hash: str


class PlanOverrideRow(SQLModel, table=True):
    """The caseworker's own value for a plan field, with the reason; kept across regeneration."""

    __tablename__ = "plan_override"
    __table_args__ = (UniqueConstraint("interview_id", "field"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id")
    field: str
    value_json: str
    reason: str
    actor: str
    at: dt.datetime


class PlanRevisionRow(SQLModel, table=True):
    """A discussed or final plan, frozen as its export document (what is synced and exported)."""

    __tablename__ = "plan_revision"
    __table_args__ = (UniqueConstraint("interview_id", "revision"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True)
    revision: int
    previous_revision: int | None = None
    status: str  # discussed | final
    dagtekening: dt.date | None = None
    document_json: str
    document_sha256: str
    created_by: str
    created_at: dt.datetime


class InterviewReopenRow(SQLModel, table=True):
    """Why a finalized interview was reopened, by whom and when (the audit records the event)."""

    __tablename__ = "interview_reopen"
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id")
    reason: str
    actor: str
    at: dt.datetime


class OutboxRow(SQLModel, table=True):
    """A record waiting to be delivered to the central system (the outbox): a frozen plan
    revision (`kind` "plan", record id `(interview_id, revision)`) or a completed or missed
    talk (`kind` "followup", record id `(interview_id, "followup", talk_id)`, 0013).

    Written in the same transaction as what it records, with the idempotency key every attempt
    will carry. A plan revision's document is its `plan_revision` row's (never copied, never
    changed); a talk's is `document_json` here (store/talk_records.py). States: pending → acked
    (receipt stored), or conflict / rejected (a human decides), or central_edit (a plan edited
    centrally after `based_on_version`: the caseworker sees the edit and makes a new revision;
    this one is never sent again)."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'plan' AND plan_revision_id IS NOT NULL AND revision IS NOT NULL"
            " AND talk_id IS NULL AND document_json IS NULL)"
            " OR (kind = 'followup' AND talk_id IS NOT NULL AND document_json IS NOT NULL"
            " AND plan_revision_id IS NULL AND revision IS NULL)",
            name="ck_outbox_kind",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="plan", sa_column_kwargs={"server_default": "plan"})
    plan_revision_id: int | None = Field(default=None, foreign_key="plan_revision.id", unique=True)
    # A talk's record: the talk's id, which is the export's `followups[].id` and the protocol's
    # `followup_id` (the talk's follow-up interview, if any, is `talk.followup_id`).
    talk_id: str | None = Field(default=None, foreign_key="talk.id", unique=True)
    interview_id: str = Field(index=True)  # the case id
    revision: int | None = None  # a plan revision's number; None for a talk
    idempotency_key: str = Field(unique=True)
    payload_sha256: str  # sha256 of the canonical JSON of the document (docs/sync-protocol.md)
    document_json: str | None = None  # a talk's document ("" once purged); None for a plan
    based_on_version: int | None = None  # the central plan version seen when frozen (0009)
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: dt.datetime | None = None
    receipt_json: str | None = None
    acked_at: dt.datetime | None = None
    purged_at: dt.datetime | None = None  # the record's content removed after retention
    created_at: dt.datetime


class SyncDeviceRow(SQLModel, table=True):
    """This laptop's enrolment with a central server (the token stays inside the database)."""

    __tablename__ = "sync_device"
    id: int | None = Field(default=None, primary_key=True)  # one row
    server_url: str
    device_id: str
    token: str
    expires_at: dt.datetime | None = None
    enrolled_at: dt.datetime
    revoked_at: dt.datetime | None = None  # set when the server answered 403 device_revoked


class CentralPlanRow(SQLModel, table=True):
    """The latest plan version the central server has for a case of this laptop (0009): a
    central edit to show beside the laptop's own plan, or a case handed over to this laptop."""

    __tablename__ = "central_plan"
    interview_id: str = Field(primary_key=True)
    version: int
    etag: str
    source: str  # "submission" | "central"
    document_json: str
    received_at: dt.datetime
