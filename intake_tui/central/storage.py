"""The central server's storage: enrolment, submissions (single and batch, idempotent), plan
versions and central edits, anchors and bundles, each in short transactions where a unique key
decides every race. Part of `intake_tui.central.app`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from intake_tui.central.authz import require_owner
from intake_tui.central.models import (
    Anchor,
    Conflict,
    Device,
    EnrolmentCode,
    IdempotencyRecord,
    PlanVersion,
    PublishedBundle,
    Submission,
    iso,
    utc,
)
from intake_tui.central.protocol import (
    KEY_PATTERN,
    RACE_RETRIES,
    AnchorIn,
    Clock,
    EnrolIn,
    PlanPutIn,
    Problem,
    SubmissionIn,
    _BatchEnvelope,
    _check_document,
    _unavailable,
    _validate,
    canonical,
    check_submission,
    token_sha256,
)


class Central:
    """The database side of every endpoint."""

    def __init__(self, engine: Engine, clock: Clock, token_days: int) -> None:
        self.engine = engine
        self.clock = clock
        self.token_days = token_days

    def now(self) -> dt.datetime:
        return utc(self.clock.now())

    def _retrying(self, attempt: Callable[[], Any]) -> Any:
        for _ in range(RACE_RETRIES):
            try:
                return attempt()
            except IntegrityError:
                continue  # another request won the race; read its result on the next pass
        raise _unavailable("Too much contention; try again.")

    # -- devices --

    def enrol(self, data: Any) -> dict[str, Any]:
        enrol: EnrolIn = _validate(EnrolIn, data, "bad_request", 400)
        code_hash = hashlib.sha256(normalize_code(enrol.code).encode("ascii", "replace"))
        now = self.now()
        token = secrets.token_urlsafe(32)
        device = Device(
            id=str(uuid.uuid4()),
            name=enrol.name,
            token_sha256=token_sha256(token),
            expires_at=now + dt.timedelta(days=self.token_days),
            created_at=now,
        )
        with Session(self.engine, expire_on_commit=False) as session:
            # One UPDATE decides: a code is used once even when two laptops race for it.
            claimed = session.execute(
                update(EnrolmentCode)
                .where(col(EnrolmentCode.code_sha256) == code_hash.hexdigest())
                .where(col(EnrolmentCode.used_at).is_(None))
                .where(col(EnrolmentCode.expires_at) > now)
                .values(used_at=now)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise Problem(401, "enrolment_code_invalid")
            session.add(device)
            session.commit()
        return {"device_id": device.id, "token": token, "expires_at": iso(device.expires_at)}

    def authenticate(self, authorization: str | None) -> str:
        """The device id behind a bearer token, or 401/403 as the contract says."""
        challenge = {"WWW-Authenticate": "Bearer"}
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Problem(401, "token_invalid", headers=challenge)
        with Session(self.engine, expire_on_commit=False) as session:
            device = session.exec(
                select(Device).where(Device.token_sha256 == token_sha256(token))
            ).first()
        if device is None:
            raise Problem(401, "token_invalid", headers=challenge)
        if device.revoked_at is not None:
            raise Problem(403, "device_revoked")
        if self.now() >= device.expires_at:
            raise Problem(
                401,
                "token_expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return device.id

    # -- submissions --

    def submit(self, device_id: str, key: str, data: Any) -> tuple[int, dict[str, Any]]:
        """One submission under (device, key): the contract's table, race-safe."""
        request_sha = hashlib.sha256(
            json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")
        ).hexdigest()
        with Session(self.engine, expire_on_commit=False) as session:
            found = session.get(IdempotencyRecord, (device_id, key))
        if found is not None:
            return self._replay(found, request_sha)
        submission = check_submission(data)  # outside any transaction: it can take a while
        result: tuple[int, dict[str, Any]] = self._retrying(
            lambda: self._submit_once(device_id, key, request_sha, submission)
        )
        return result

    @staticmethod
    def _replay(found: IdempotencyRecord, request_sha: str) -> tuple[int, dict[str, Any]]:
        if found.request_sha256 != request_sha:
            raise Problem(422, "idempotency_key_reused")
        body = json.loads(found.body)
        body["replayed"] = True
        return found.status, body

    def _submit_once(
        self, device_id: str, key: str, request_sha: str, sub: SubmissionIn
    ) -> tuple[int, dict[str, Any]]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                result = self._submit_in(session, device_id, key, request_sha, sub, self.now())
            except Problem:
                session.commit()  # a conflict is kept for a human even though the answer is 409
                raise
            session.commit()
            return result

    def _submit_in(
        self,
        session: Session,
        device_id: str,
        key: str,
        request_sha: str,
        sub: SubmissionIn,
        now: dt.datetime,
    ) -> tuple[int, dict[str, Any]]:
        """One submission inside the caller's transaction (the caller commits)."""
        found = session.get(IdempotencyRecord, (device_id, key))
        if found is not None:
            return self._replay(found, request_sha)
        require_owner(session, device_id, sub.interview_id)  # another laptop's case: as if unknown
        stored = session.get(Submission, (sub.interview_id, sub.revision))
        if stored is not None and stored.payload_sha256 == sub.payload_sha256:
            body = receipt(stored, replayed=True)
            session.add(_idempotency(device_id, key, request_sha, 200, body, now))
            session.flush()
            return 200, body
        if stored is not None:
            self._keep_conflict(session, device_id, sub, now)
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
        document = canonical(sub.document).decode("utf-8")
        row = Submission(
            interview_id=sub.interview_id,
            revision=sub.revision,
            previous_revision=sub.previous_revision,
            status=sub.status,
            payload_sha256=sub.payload_sha256,
            document=document,
            device_id=device_id,
            receipt_id=str(uuid.uuid4()),
            received_at=now,
        )
        newest = session.exec(
            select(func.max(Submission.revision)).where(Submission.interview_id == sub.interview_id)
        ).one()
        session.add(row)
        if newest is None or sub.revision > newest:
            _add_plan_version(session, sub.interview_id, document, "submission", device_id, now)
        body = receipt(row, replayed=False)
        session.add(_idempotency(device_id, key, request_sha, 201, body, now))
        session.flush()  # the next item of a batch sees this one
        return 201, body

    @staticmethod
    def _keep_conflict(
        session: Session, device_id: str, sub: SubmissionIn, now: dt.datetime
    ) -> None:
        exists = session.exec(
            select(Conflict.id)
            .where(Conflict.interview_id == sub.interview_id)
            .where(Conflict.revision == sub.revision)
            .where(Conflict.payload_sha256 == sub.payload_sha256)
        ).first()
        if exists is None:
            session.add(
                Conflict(
                    interview_id=sub.interview_id,
                    revision=sub.revision,
                    device_id=device_id,
                    payload_sha256=sub.payload_sha256,
                    document=canonical(sub.document).decode("utf-8"),
                    received_at=now,
                )
            )
            session.flush()

    def submit_batch(self, device_id: str, data: Any) -> dict[str, Any]:
        """Every item judged as the single endpoint would judge it, in ONE transaction: one
        durable commit per batch instead of one per record (sync throughput, docs/performance.md).
        A lost race rolls the batch back and judges it again (the winners' rows then replay)."""
        envelope: _BatchEnvelope = _validate(_BatchEnvelope, data, "bad_request", 400)
        results: list[dict[str, Any] | None] = [None] * len(envelope.items)
        accepted: list[tuple[int, str, str, SubmissionIn]] = []
        for index, item in enumerate(envelope.items):
            try:
                if not isinstance(item, dict) or set(item) - {"idempotency_key", "submission"}:
                    raise Problem(400, "bad_request", "An item is {idempotency_key, submission}.")
                key = check_key(item.get("idempotency_key"))
                if "submission" not in item:
                    raise Problem(400, "bad_request", "The item has no submission.")
                request_sha = hashlib.sha256(
                    json.dumps(item["submission"], sort_keys=True, separators=(",", ":")).encode(
                        "ascii"
                    )
                ).hexdigest()
                with Session(self.engine, expire_on_commit=False) as session:
                    found = session.get(IdempotencyRecord, (device_id, key))
                if found is not None:
                    status, body = self._replay(found, request_sha)
                else:
                    accepted.append((index, key, request_sha, check_submission(item["submission"])))
                    continue
            except Problem as problem:
                status, body = problem.status, problem.body()
            results[index] = {"status": status, "body": body}
        if accepted:
            try:
                judged = self._retrying(lambda: self._submit_many(device_id, accepted))
            except DBAPIError:
                down = _unavailable()
                judged = [(index, down.status, down.body()) for index, *_rest in accepted]
            except Problem as problem:  # too much contention
                judged = [(index, problem.status, problem.body()) for index, *_rest in accepted]
            for index, status, body in judged:
                results[index] = {"status": status, "body": body}
        return {"results": results}

    def _submit_many(
        self, device_id: str, accepted: list[tuple[int, str, str, SubmissionIn]]
    ) -> list[tuple[int, int, dict[str, Any]]]:
        now = self.now()
        judged: list[tuple[int, int, dict[str, Any]]] = []
        with Session(self.engine, expire_on_commit=False) as session:
            for index, key, request_sha, sub in accepted:
                try:
                    status, body = self._submit_in(session, device_id, key, request_sha, sub, now)
                except Problem as problem:
                    status, body = problem.status, problem.body()
                judged.append((index, status, body))
            session.commit()
        return judged

    # -- plans --

    def latest_plan(self, device_id: str, interview_id: str) -> PlanVersion:
        with Session(self.engine, expire_on_commit=False) as session:
            require_owner(session, device_id, interview_id)
            latest = _latest(session, interview_id)
        if latest is None:
            raise Problem(404, "not_found", "No plan with this interview id.")
        return latest

    def put_plan(
        self, device_id: str, interview_id: str, if_match: str, data: Any
    ) -> dict[str, Any]:
        put: PlanPutIn = _validate(PlanPutIn, data, "invalid_record", 422)
        _check_document(put.document, interview_id)
        try:
            document = canonical(put.document).decode("utf-8")
        except UnicodeError:
            raise Problem(422, "invalid_record", "The document is not valid UTF-8.") from None

        def attempt() -> dict[str, Any]:
            now = self.now()
            with Session(self.engine, expire_on_commit=False) as session:
                require_owner(session, device_id, interview_id)
                latest = _latest(session, interview_id)
                if latest is None:
                    raise Problem(404, "not_found", "No plan with this interview id.")
                if not etag_matches(if_match, latest.etag):
                    raise Problem(
                        412,
                        "precondition_failed",
                        "The plan has changed; compare with the current version.",
                        headers={"ETag": latest.etag},
                        extra={"current": json.loads(latest.document), "etag": latest.etag},
                    )
                version = _add_plan_version(
                    session, interview_id, document, "central", device_id, now
                )
                session.commit()
                return {"interview_id": interview_id, "version": version, "etag": etag(version)}

        result: dict[str, Any] = self._retrying(attempt)
        return result

    # -- anchors and bundles --

    def anchor(self, device_id: str, data: Any) -> dict[str, Any]:
        anchor_in: AnchorIn = _validate(AnchorIn, data, "bad_request", 400)
        digest = anchor_in.hash.lower()

        def attempt() -> dict[str, Any]:
            with Session(self.engine, expire_on_commit=False) as session:
                row = session.exec(
                    select(Anchor)
                    .where(Anchor.device_id == device_id)
                    .where(Anchor.seq == anchor_in.seq)
                    .where(Anchor.hash == digest)
                ).first()
                if row is None:  # a resent anchor is the same anchor
                    row = Anchor(
                        id=str(uuid.uuid4()),
                        device_id=device_id,
                        seq=anchor_in.seq,
                        hash=digest,
                        received_at=self.now(),
                    )
                    session.add(row)
                    session.commit()
                return {"anchor_id": row.id, "received_at": iso(row.received_at)}

        result: dict[str, Any] = self._retrying(attempt)
        return result

    def bundles(self) -> list[dict[str, Any]]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(PublishedBundle).order_by(
                    col(PublishedBundle.id), col(PublishedBundle.published_at)
                )
            ).all()
        return [
            {
                "id": r.id,
                "version": r.version,
                "sha256": r.sha256,
                "published_at": iso(r.published_at),
            }
            for r in rows
        ]

    def bundle(self, bundle_id: str, version: str) -> dict[str, Any]:
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.get(PublishedBundle, (bundle_id, version))
        if row is None:
            raise Problem(404, "not_found", "No such bundle version.")
        return {
            "id": row.id,
            "version": row.version,
            "sha256": row.sha256,
            "files": json.loads(row.files),
        }

    def health(self) -> dict[str, str]:
        with Session(self.engine, expire_on_commit=False) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}


def normalize_code(code: str) -> str:
    """Codes are typed by people: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]", "", code).upper()


def check_key(key: Any) -> str:
    if key is None or key == "":
        raise Problem(400, "idempotency_key_missing")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise Problem(400, "bad_request", "Idempotency-Key must be 1-255 visible ASCII characters.")
    return key


def receipt(row: Submission, *, replayed: bool) -> dict[str, Any]:
    return {
        "receipt_id": row.receipt_id,
        "interview_id": row.interview_id,
        "revision": row.revision,
        "payload_sha256": row.payload_sha256,
        "received_at": iso(row.received_at),
        "replayed": replayed,
    }


def _idempotency(
    device_id: str, key: str, request_sha: str, status: int, body: dict[str, Any], now: dt.datetime
) -> IdempotencyRecord:
    return IdempotencyRecord(
        device_id=device_id,
        key=key,
        request_sha256=request_sha,
        status=status,
        body=json.dumps(body, sort_keys=True),
        created_at=now,
    )


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(if_match: str, current: str) -> bool:
    """Strong comparison (RFC 9110 §13.1.1); `*` matches any current version."""
    for tag in (t.strip() for t in if_match.split(",")):
        if tag == "*" or tag == current or f'"{tag}"' == current:
            return True
    return False


def _latest(session: Session, interview_id: str) -> PlanVersion | None:
    return session.exec(
        select(PlanVersion)
        .where(PlanVersion.interview_id == interview_id)
        .order_by(col(PlanVersion.version).desc())
        .limit(1)
    ).first()


def _add_plan_version(
    session: Session,
    interview_id: str,
    document: str,
    source: str,
    device_id: str,
    now: dt.datetime,
) -> int:
    top = session.exec(
        select(func.max(PlanVersion.version)).where(PlanVersion.interview_id == interview_id)
    ).one()
    version = (top or 0) + 1
    session.add(
        PlanVersion(
            interview_id=interview_id,
            version=version,
            document=document,
            etag=etag(version),
            source=source,
            device_id=device_id,
            created_at=now,
        )
    )
    return version
