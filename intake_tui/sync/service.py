"""A sync run on an unlocked store: send what the outbox holds, keep what is not confirmed.

The rules (docs/sync-protocol.md, docs/security-and-sync.md §3): a record is `acked` only with
a receipt that echoes it; every attempt is written to the outbox before the next one; retries
use full-jitter backoff of at least `Retry-After`, at most `max_attempts` per record per run,
within a time budget for the whole run; a revoked device stops, is marked, and deletes nothing.
Drafts never reach the outbox, so they are never sent.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, update
from sqlmodel import Session, col, select

from intake_tui.i18n import _, ngettext
from intake_tui.store.models import OutboxRow, PlanRevisionRow, SyncDeviceRow
from intake_tui.store.session import Store, StoreError
from intake_tui.sync.anchor import AnchorResult, check_anchor, send_anchor
from intake_tui.sync.client import (
    Outcome,
    SyncClient,
    SyncConfigError,
    check_server_url,
    enrol_device,
    http_client,
)
from intake_tui.sync.pull import pull

BASE_DELAY = 0.5
MAX_DELAY = 30.0


@dataclass
class Policy:
    """How hard one run tries (tests shorten the times; the rules stay the same)."""

    max_attempts: int = 6
    budget_s: float = 120.0
    base_delay: float = BASE_DELAY
    max_delay: float = MAX_DELAY
    batch_size: int = 50
    timeout_s: float = 10.0


@dataclass
class Summary:
    """What a run did, for the command line, the sync screen and the tests."""

    acked: int = 0
    replayed: int = 0  # of the acked: the server had them already (a lost acknowledgement)
    deferred: int = 0  # still pending: tried again next run
    conflicts: int = 0
    central_edits: int = 0  # refused: edited centrally since; the caseworker makes a new revision
    received: int = 0  # central versions fetched: central edits, cases handed over to this laptop
    pull_failed: str | None = None  # fetching did not finish; tried again next run
    anchor: AnchorResult | None = None  # the audit anchor sent at the end of the run
    rejected: int = 0
    attempts: int = 0
    stopped: str | None = None  # "unauthorized" | "revoked": the run stopped for a human
    nothing_to_do: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def needs_human(self) -> bool:
        anchor_back = (
            self.anchor is not None
            and self.anchor.state != "accepted"
            and (self.anchor.state != "failed")
        )
        return bool(
            self.conflicts or self.central_edits or self.rejected or self.stopped or anchor_back
        )

    @property
    def exit_code(self) -> int:
        return 2 if self.needs_human else 0


def central_messages(summary: Summary) -> list[str]:
    """What the run brought back from the central system, for the command line and the screen."""
    lines = []
    if summary.central_edits:
        lines.append(
            ngettext(
                "{n} plan was edited centrally since it was made: open it to see the edit "
                "beside yours, then make a new version that takes it into account",
                "{n} plans were edited centrally since they were made: open each to see the "
                "edit beside yours, then make a new version that takes it into account",
                summary.central_edits,
            ).format(n=summary.central_edits)
        )
    if summary.received:
        lines.append(
            ngettext(
                "received {n} plan from the central system (a central edit, or a case handed "
                "over to this laptop)",
                "received {n} plans from the central system (central edits, or cases handed "
                "over to this laptop)",
                summary.received,
            ).format(n=summary.received)
        )
    anchor = summary.anchor
    if anchor is not None and anchor.state == "rollback":
        lines.append(
            _(
                "the central system found that this laptop's audit log went back since the last "
                "sync: the data folder may have been replaced by an older copy. Nothing was "
                "deleted; tell the functional admin"
            )
        )
    elif anchor is not None and anchor.state == "restore_pending":
        lines.append(
            _(
                "the restored backup is declared to the central system; an admin must accept "
                "it (intake-central anchors ack) before this laptop's log is anchored again"
            )
        )
    elif anchor is not None and anchor.state == "failed":
        lines.append(
            _("the audit anchor was not sent ({reason}); it is sent at the next sync").format(
                reason=anchor.reason
            )
        )
    if summary.pull_failed:
        lines.append(
            _(
                "could not fetch everything from the central system ({reason}); it is tried "
                "again at the next sync"
            ).format(reason=summary.pull_failed)
        )
    return lines


def outbox_counts(store: Store) -> dict[str, int]:
    """How many outbox rows are in each state."""
    with store.session() as session:
        rows = session.exec(select(OutboxRow.state)).all()
    counts: dict[str, int] = {}
    for state in rows:
        counts[state] = counts.get(state, 0) + 1
    return counts


def device(store: Store) -> SyncDeviceRow | None:
    with store.session() as session:
        return session.exec(select(SyncDeviceRow)).first()


def enrol(
    store: Store, server_url: str, code: str, *, ca_file: str | None = None, name: str = ""
) -> SyncDeviceRow:
    """Enrol this laptop with a one-time code; the token is kept inside the encrypted store."""
    base = check_server_url(server_url, loopback_only=_is_demo(store))
    body = enrol_device(base, code, name or store.device_id, ca_file=ca_file)
    expires = body.get("expires_at")
    row = SyncDeviceRow(
        id=1,
        server_url=base,
        device_id=str(body["device_id"]),
        token=str(body["token"]),
        expires_at=_parse_time(expires) if isinstance(expires, str) else None,
        enrolled_at=store.now(),
    )
    with store.session() as session:
        old = session.get(SyncDeviceRow, 1)
        if old is not None:
            session.delete(old)
            session.flush()
        session.add(row)
        store.audit(session, "device_enrol", "device", row.device_id)
    return row


def run_sync(
    store: Store,
    *,
    server_url: str | None = None,
    ca_file: str | None = None,
    policy: Policy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
    monotonic: Callable[[], float] = time.monotonic,
    progress: Callable[[Summary, int], None] | None = None,
) -> Summary:
    """Send every pending record; returns what happened (see Summary.exit_code)."""
    policy = policy or Policy()
    enrolment = device(store)
    if enrolment is None:
        raise SyncConfigError(
            _("this laptop is not enrolled: intake-tui device enrol --server URL --code CODE")
        )
    if enrolment.revoked_at is not None:
        summary = Summary(stopped="revoked")
        summary.errors.append(_("this laptop was revoked by the municipality; nothing is sent"))
        return summary
    base = check_server_url(server_url or enrolment.server_url, loopback_only=_is_demo(store))
    rows = _pending(store)
    summary = Summary(nothing_to_do=not rows)
    client = SyncClient(
        http_client(base, token=enrolment.token, ca_file=ca_file, timeout=policy.timeout_s)
    )
    try:
        _send(store, client, rows, summary, policy, sleep, rng, monotonic, progress)
        if not summary.stopped:
            pulled = pull(store, client)
            summary.received, summary.pull_failed = pulled.received, pulled.failed
            summary.stopped = pulled.stopped
            if pulled.stopped == "revoked":
                _mark_revoked(store)
        if not summary.stopped:
            summary.anchor = send_anchor(store, client)
    finally:
        client.close()
    return summary


def _send(
    store: Store,
    client: SyncClient,
    rows: list[OutboxRow],
    summary: Summary,
    policy: Policy,
    sleep: Callable[[float], None],
    rng: Callable[[], float],
    monotonic: Callable[[], float],
    progress: Callable[[Summary, int], None] | None,
) -> None:
    """Send the outbox's pending rows in batches, with backoff, within the run's budget."""
    started = monotonic()
    attempts_here: dict[int, int] = {}
    queue = list(rows)
    while queue:
        batch, queue = queue[: policy.batch_size], queue[policy.batch_size :]
        submissions = list(
            zip(_submissions(store, batch), [r.idempotency_key for r in batch], strict=True)
        )
        if len(batch) == 1:
            outcomes = [client.submit(*submissions[0])]
        else:
            outcomes = client.submit_batch(submissions)
        again: list[OutboxRow] = []
        delays: list[float] = []
        stale = _record_attempts(store, batch, outcomes)
        for row, outcome in zip(batch, outcomes, strict=True):
            assert row.id is not None
            summary.attempts += 1
            if row.id in stale:
                summary.deferred += 1  # frozen again meanwhile: the new version goes next run
                continue
            attempts_here[row.id] = attempts_here.get(row.id, 0) + 1
            if outcome.verdict == "acked":
                summary.acked += 1
                if outcome.receipt and outcome.receipt.get("replayed"):
                    summary.replayed += 1
            elif outcome.verdict == "conflict":
                summary.conflicts += 1
            elif outcome.verdict == "central_edit":
                summary.central_edits += 1
            elif outcome.verdict == "rejected":
                summary.rejected += 1
            elif outcome.verdict in ("unauthorized", "revoked"):
                summary.stopped = outcome.verdict
            else:  # retry
                if attempts_here[row.id] < policy.max_attempts:
                    again.append(row)
                    delays.append(_backoff(attempts_here[row.id], outcome, policy, rng))
                else:
                    summary.deferred += 1
        if progress is not None:
            progress(summary, len(rows))
        if summary.stopped:
            if summary.stopped == "revoked":
                _mark_revoked(store)
            summary.deferred += len(again) + len(queue)
            break
        if again:
            delay = max(delays)
            if monotonic() - started + delay > policy.budget_s:
                summary.deferred += len(again) + len(queue)
                break
            sleep(delay)
            queue = again + queue


def check_anchor_online(store: Store, *, ca_file: str | None = None) -> AnchorResult | None:
    """`db check`: compare the local chain with the server's last anchor (None: not enrolled).
    Short timeouts: an offline laptop is told so at once."""
    enrolment = device(store)
    if enrolment is None or enrolment.revoked_at is not None:
        return None
    base = check_server_url(enrolment.server_url, loopback_only=_is_demo(store))
    client = SyncClient(http_client(base, token=enrolment.token, ca_file=ca_file, timeout=5.0))
    try:
        return check_anchor(store, client)
    finally:
        client.close()


def purge_synced(store: Store, retention_days: int) -> int:
    """Remove the content of records the server confirmed more than `retention_days` ago.

    What stays is a tombstone: the outbox row (record id, receipt, payload hash, dates) and,
    for a plan revision, its own row (status, dagtekening, document hash) with an empty
    document; for a talk, the row's own copy of the document is emptied. The case's answers
    (the intake's, a follow-up's) stay while the case runs, and so does the content of its
    latest final revision, the plan it runs on, until a later final revision replaces it.
    Nothing without a receipt is ever touched."""
    cutoff = store.now() - dt.timedelta(days=retention_days)
    purged = 0
    with store.session() as session:
        rows = session.exec(
            select(OutboxRow).where(
                OutboxRow.state == "acked",
                col(OutboxRow.purged_at).is_(None),
                col(OutboxRow.acked_at).is_not(None),
            )
        ).all()
        for row in rows:
            if row.acked_at is None or row.receipt_json is None or row.acked_at > cutoff:
                continue
            if row.kind == "followup":
                row.document_json = ""
            else:
                frozen = session.get(PlanRevisionRow, row.plan_revision_id)
                if frozen is None or _current_plan(session, frozen):
                    continue
                frozen.document_json = ""
                session.add(frozen)
            row.purged_at = store.now()
            session.add(row)
            purged += 1
        if purged:
            store.audit(session, "sync_purged", "outbox", str(purged))
    return purged


def _current_plan(session: Session, frozen: PlanRevisionRow) -> bool:
    """Whether this is its case's latest final revision: the plan the running case reads
    (`plan.<field>` in its follow-ups, what the next revision changes), kept until a later
    final revision takes its place."""
    if frozen.status != "final":
        return False
    later = session.exec(
        select(PlanRevisionRow.id).where(
            PlanRevisionRow.interview_id == frozen.interview_id,
            PlanRevisionRow.status == "final",
            col(PlanRevisionRow.revision) > frozen.revision,
        )
    ).first()
    return later is None


def _backoff(attempt: int, outcome: Outcome, policy: Policy, rng: Callable[[], float]) -> float:
    """Full jitter: uniform(0, min(cap, base·2^attempt)), and never sooner than Retry-After."""
    jitter = rng() * min(policy.max_delay, policy.base_delay * float(2**attempt))
    return float(max(jitter, outcome.retry_after or 0.0))


def _pending(store: Store) -> list[OutboxRow]:
    """The waiting records: plan revisions first, then talks, each oldest first, so a case's
    plan revision reaches the server before a talk of it that waits with it."""
    with store.session() as session:
        return list(
            session.exec(
                select(OutboxRow)
                .where(OutboxRow.state == "pending")
                .order_by(case((col(OutboxRow.kind) == "plan", 0), else_=1), col(OutboxRow.id))
            ).all()
        )


def _submission(store: Store, row: OutboxRow) -> dict[str, Any]:
    """One outbox row as the server receives it (the document as its stored JSON text)."""
    return _submissions(store, [row])[0]


def _submissions(store: Store, rows: list[OutboxRow]) -> list[dict[str, Any]]:
    with store.session() as session:
        frozen = {
            r.id: r
            for r in session.exec(
                select(PlanRevisionRow).where(
                    col(PlanRevisionRow.id).in_(
                        [row.plan_revision_id for row in rows if row.kind == "plan"]
                    )
                )
            ).all()
        }
    found = []
    for row in rows:
        if row.kind == "followup":
            found.append(_followup_submission(row))
            continue
        revision = frozen.get(row.plan_revision_id)
        if revision is None or not revision.document_json:
            raise StoreError(_("an outbox entry has no plan revision"))
        found.append(
            {
                "interview_id": row.interview_id,
                "revision": row.revision,
                "previous_revision": revision.previous_revision,
                "status": revision.status,
                "payload_sha256": row.payload_sha256,
                "based_on_version": row.based_on_version,
                "document": revision.document_json,  # JSON text, sent as it is
            }
        )
    return found


def _followup_submission(row: OutboxRow) -> dict[str, Any]:
    """A talk's record: its document is on the outbox row itself, read with its hash and key
    (store/talk_records.py), so what is sent always agrees with itself."""
    if not row.document_json or row.talk_id is None:
        raise StoreError(_("an outbox entry has no content"))
    status = json.loads(row.document_json)["record"]["status"]
    return {
        "kind": "followup",
        "interview_id": row.interview_id,
        "followup_id": row.talk_id,
        "status": status,
        "payload_sha256": row.payload_sha256,
        "document": row.document_json,  # JSON text, sent as it is
    }


def _record_attempts(store: Store, batch: list[OutboxRow], outcomes: list[Outcome]) -> set[int]:
    """Write every attempt's result before anything else happens (one transaction). Returns
    the rows that were frozen again while they were on their way (a talk's record refreshed
    under a new key, store/talk_records.py): their answer is about the old version, so it is
    not recorded, and they wait for the next run."""
    now = store.now()
    state_for = {
        "acked": "acked",
        "conflict": "conflict",
        "central_edit": "central_edit",
        "rejected": "rejected",
    }
    stale: set[int] = set()
    changes: list[dict[str, Any]] = []
    acked = []
    with store.session() as session:
        # The batch's rows in one query, not one SELECT each (0.7 s of 2.8 s for 500 records),
        # and written back by primary key in one executemany, without loading them as objects
        # (half the time that was left; benchmarks/sync.py).
        current = {
            row_id: (key, attempts, state)
            for row_id, key, attempts, state in session.exec(
                select(
                    OutboxRow.id, OutboxRow.idempotency_key, OutboxRow.attempts, OutboxRow.state
                ).where(col(OutboxRow.id).in_([row.id for row in batch]))
            ).all()
        }
        for row, outcome in zip(batch, outcomes, strict=True):
            assert row.id is not None and row.id in current
            key, attempts, state = current[row.id]
            if key != row.idempotency_key:
                stale.add(row.id)
                continue
            change: dict[str, Any] = {
                "id": row.id,
                "attempts": attempts + 1,
                "last_error": outcome.error,
                "state": state_for.get(outcome.verdict, state),
            }
            if outcome.verdict == "acked":
                change["receipt_json"] = json.dumps(outcome.receipt, sort_keys=True)
                change["acked_at"] = now
                change["last_error"] = None
                acked.append(row)
            changes.append(change)
            current[row.id] = (key, change["attempts"], change["state"])
            row.attempts, row.state = change["attempts"], change["state"]
        if changes:
            session.execute(update(OutboxRow), changes)
        if acked:
            store.audit(session, "sync_acked", "outbox", ",".join(str(r.id) for r in acked))
    return stale


def _mark_revoked(store: Store) -> None:
    with store.session() as session:
        row = session.get(SyncDeviceRow, 1)
        if row is not None:
            row.revoked_at = store.now()
            session.add(row)
            store.audit(session, "device_revoked", "device", row.device_id)


def _is_demo(store: Store) -> bool:
    info = store.data_dir.device()
    return bool(info and info.demo)


def _parse_time(text: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
