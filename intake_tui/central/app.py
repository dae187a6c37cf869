"""The reference central server: FastAPI over SQLModel, implementing docs/sync-protocol.md.

Bodies are read raw (after a size guard) and parsed here rather than by FastAPI, so that the
order of checks and the problem codes are exactly the contract's: authentication first, then
the Idempotency-Key, then the JSON, then its shape. Database work runs in the thread pool in
short transactions; a unique key decides every race (IntegrityError → read the winner again).

Nothing here logs a request body, a token or an exception message (those can hold case data);
an unexpected error is logged as its type and code locations only.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Annotated, Any, Literal, Protocol

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from sqlalchemy import Engine, func, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from intake_tui.central.models import (
    Anchor,
    Conflict,
    Device,
    EnrolmentCode,
    IdempotencyRecord,
    PlanVersion,
    PublishedBundle,
    Submission,
    init_db,
    iso,
    make_engine,
    utc,
)

logger = logging.getLogger("intake_tui.central")

PROTOCOL_VERSION = 1
PROBLEM_TYPE = "https://intake-tui.invalid/problems/"
PROBLEM_JSON = "application/problem+json"
MAX_BATCH = 100
RETRY_AFTER_S = 5
RACE_RETRIES = 5
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}\Z")
INTERVIEW_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$"
SHA256_HEX = r"^[0-9a-f]{64}$"
ANCHOR_HASH = r"^[0-9a-fA-F]{32,128}$"
MAX_INT32 = 2**31 - 1

TITLES = {
    "bad_request": "The request body is not valid JSON or not the expected shape",
    "invalid_record": "The record is not valid",
    "idempotency_key_missing": "The Idempotency-Key header is missing",
    "idempotency_key_reused": "The Idempotency-Key was used for a different request",
    "record_conflict": "Another version of this record is stored",
    "too_large": "The request body is too large",
    "token_invalid": "The bearer token is missing or unknown",
    "token_expired": "The bearer token has expired",
    "device_revoked": "This device has been revoked",
    "enrolment_code_invalid": "The enrolment code is unknown, used or expired",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "precondition_required": "An If-Match header is required",
    "precondition_failed": "The plan has changed since the given version",
    "unavailable": "The service is temporarily unavailable",
    "internal_error": "Internal server error",
}


class Clock(Protocol):
    """Anything with `now()` giving an aware datetime (intake_tui.core.clock.Clock fits)."""

    def now(self) -> dt.datetime: ...


class UtcClock:
    """The real time in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class Problem(Exception):
    """An RFC 9457 problem; `code` is the stable value clients branch on."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail or TITLES.get(code, HTTPStatus(status).phrase)
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_TYPE + self.code,
            "title": TITLES.get(self.code, HTTPStatus(self.status).phrase),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extra,
        }

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.body(), status_code=self.status, headers=self.headers, media_type=PROBLEM_JSON
        )


def _unavailable(detail: str | None = None) -> Problem:
    return Problem(503, "unavailable", detail, headers={"Retry-After": str(RETRY_AFTER_S)})


# -- canonical JSON ---------------------------------------------------------------------------


def canonical(document: Any) -> bytes:
    """The contract's canonical form: sorted keys, no spaces, UTF-8 (raises on lone surrogates)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def payload_sha256(document: Any) -> str:
    """sha256 of canonical(document), hex."""
    return hashlib.sha256(canonical(document)).hexdigest()


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no lone surrogates; 400 bad_request otherwise."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        canonical(data)  # refuses text that cannot be stored as UTF-8
    except (UnicodeError, ValueError, RecursionError) as error:
        reason = "not UTF-8" if isinstance(error, UnicodeError) else "not valid JSON"
        raise Problem(400, "bad_request", f"The body is {reason}.") from None
    return data


def _errors(error: ValidationError, prefix: str = "") -> str:
    """Where and what, without echoing the input (it may be case data)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False)[:5]:
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{prefix}{where}: {item['msg']}" if where or prefix else item["msg"])
    return "; ".join(parts)


# -- request and response models --------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubmissionIn(_In):
    """A frozen revision: its id, hash and the intake-export/1 document."""

    interview_id: Annotated[StrictStr, Field(pattern=INTERVIEW_ID)]
    revision: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)]
    previous_revision: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)] | None
    status: Literal["discussed", "final"]
    payload_sha256: Annotated[StrictStr, Field(pattern=SHA256_HEX)]
    document: dict[str, Any] = Field(
        description="intake-export/1 (schemas/intake-export-1.schema.json)"
    )


class BatchItemIn(_In):
    idempotency_key: str
    submission: SubmissionIn


class BatchIn(_In):
    items: Annotated[list[BatchItemIn], Field(max_length=MAX_BATCH)]


class _BatchEnvelope(_In):
    """The batch as first parsed: items are checked one by one, never all-or-nothing."""

    items: Annotated[list[Any], Field(max_length=MAX_BATCH)]


class EnrolIn(_In):
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    name: Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class AnchorIn(_In):
    seq: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    hash: Annotated[StrictStr, Field(pattern=ANCHOR_HASH)]


class PlanPutIn(_In):
    document: dict[str, Any]


class Receipt(BaseModel):
    receipt_id: str
    interview_id: str
    revision: int
    payload_sha256: str
    received_at: str
    replayed: bool


class ProblemOut(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str


class DeviceOut(BaseModel):
    device_id: str
    token: str
    expires_at: str


class BatchResult(BaseModel):
    status: int
    body: dict[str, Any]


class BatchOut(BaseModel):
    results: list[BatchResult]


class AnchorOut(BaseModel):
    anchor_id: str
    received_at: str


class BundleInfo(BaseModel):
    id: str
    version: str
    sha256: str
    published_at: str


class BundleOut(BaseModel):
    id: str
    version: str
    sha256: str
    files: dict[str, str]


class PlanPutOut(BaseModel):
    interview_id: str
    version: int
    etag: str


class Health(BaseModel):
    status: str


def _validate(model: type[_In], data: Any, code: str, status: int) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Problem(status, code, _errors(error)) from None


def _check_document(document: dict[str, Any], interview_id: str) -> None:
    """The document is a valid intake-export/1 for `interview_id` (else 422 invalid_record)."""
    from intake_tui.core.export import ExportDocument

    try:
        ExportDocument.model_validate(document)
    except ValidationError as error:
        raise Problem(422, "invalid_record", _errors(error, "document.")) from None
    if document["record"]["interview_id"] != interview_id:
        raise Problem(422, "invalid_record", "document.record.interview_id does not match.")


def check_submission(data: Any) -> SubmissionIn:
    """A submission whose fields, hash and document agree (else 422 invalid_record)."""
    submission: SubmissionIn = _validate(SubmissionIn, data, "invalid_record", 422)
    try:
        digest = payload_sha256(submission.document)
    except UnicodeError:
        raise Problem(422, "invalid_record", "The document is not valid UTF-8 text.") from None
    if digest != submission.payload_sha256:
        raise Problem(422, "invalid_record", "payload_sha256 is not the document's sha256.")
    _check_document(submission.document, submission.interview_id)
    record = submission.document["record"]
    for field in ("revision", "previous_revision", "status"):
        if record[field] != getattr(submission, field):
            raise Problem(422, "invalid_record", f"{field} does not match document.record.")
    return submission


# -- the server's logic (synchronous; runs in the thread pool) --------------------------------


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
        _own(session, device_id, sub.interview_id)  # another laptop's case: as if unknown
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
            _own(session, device_id, interview_id)
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
                _own(session, device_id, interview_id)
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


def _owner(session: Session, interview_id: str) -> str | None:
    """The device that sent the interview's first revision: the only one that may read and
    write it (a hand-over to another device is a later, audited central action)."""
    first = session.exec(
        select(Submission.device_id)
        .where(Submission.interview_id == interview_id)
        .order_by(col(Submission.received_at), col(Submission.revision))
        .limit(1)
    ).first()
    return first


def _own(session: Session, device_id: str, interview_id: str) -> None:
    """404 for another device's interview: the answer does not reveal that the id exists."""
    owner = _owner(session, interview_id)
    if owner is not None and owner != device_id:
        raise Problem(404, "not_found", "No plan with this interview id.")


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


# -- ASGI guard: body limit, no caching, no leaking -------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
DRAIN_FACTOR = 8  # read (and drop) up to this many limits of an oversized body, then hang up


class Guard:
    """Outer middleware: refuses big bodies before anything parses them, answers errors."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            body = await self._read_body(scope, receive)
            if body is None:
                await _send_problem(send_wrapper, _too_large())
                return
            delivered = False

            async def replay() -> Message:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_wrapper)
        except _Disconnected:
            return
        except Problem as problem:
            if not started:
                await _send_problem(send_wrapper, problem)
        except Exception as error:
            # Type and places only: messages (pydantic, SQL) can carry case data.
            frames = traceback.extract_tb(error.__traceback__)[-6:]
            where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames)
            logger.error("internal error %s at %s", type(error).__name__, where)
            if not started:
                await _send_problem(send_wrapper, Problem(500, "internal_error"))

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None when it is over the limit (then it has been drained)."""
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise Problem(400, "bad_request", "Bad Content-Length.") from None
        chunks: list[bytes] = []
        size = 0
        over = declared is not None and declared > self.max_body
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > self.max_body:
                over = True
            if over:
                # Keep reading a while so the client gets to see the 413 instead of a reset.
                if size > self.max_body * DRAIN_FACTOR:
                    break
                continue
            chunks.append(chunk)
        return None if over else b"".join(chunks)


class _Disconnected(Exception):
    pass


def _too_large() -> Problem:
    return Problem(413, "too_large", headers={"Connection": "close"})


async def _send_problem(send: Send, problem: Problem) -> None:
    body = json.dumps(problem.body()).encode("utf-8")
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- the app ----------------------------------------------------------------------------------


def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {"description": HTTPStatus(s).phrase, "content": {PROBLEM_JSON: {"schema": ref}}}
        for s in statuses
    }


_AUTH_PROBLEMS = (401, 403)
_COMPONENTS: dict[str, Any] = {}


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """An OpenAPI requestBody for a model parsed by hand; nested models go to components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    _COMPONENTS.update(schema.pop("$defs", {}))
    _COMPONENTS[model.__name__] = schema
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


def _header(name: str, description: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def create_app(
    db_url: str = "sqlite:///central.db",
    *,
    token_days: int = 180,
    max_body: int = 2 * 1024 * 1024,
    clock: Clock | None = None,
) -> FastAPI:
    """The central server over the database at `db_url` (tables are created when missing)."""
    engine = make_engine(db_url)
    init_db(engine)
    central = Central(engine, clock or UtcClock(), token_days)
    app = FastAPI(
        title="intake-tui central",
        version=str(PROTOCOL_VERSION),
        description="Reference server of the intake-tui sync protocol (docs/sync-protocol.md).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.central = central

    async def body_of(request: Request) -> Any:
        return parse_json(await request.body())

    async def device_of(request: Request) -> str:
        device: str = await run_in_threadpool(
            central.authenticate, request.headers.get("authorization")
        )
        return device

    def json_response(
        body: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> Response:
        return problem.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
        if error.status_code >= 500:
            code = "internal_error"
        return Problem(error.status_code, code, headers=dict(error.headers or {})).response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> Response:
        if any(e.get("type") == "json_invalid" for e in error.errors()):
            return Problem(400, "bad_request").response()
        return Problem(422, "invalid_record").response()

    @app.exception_handler(DBAPIError)
    async def _database(_request: Request, error: DBAPIError) -> Response:
        logger.error("database unavailable: %s", type(error.orig).__name__)
        return _unavailable().response()

    @app.get("/v1/health", responses={200: {"model": Health}, **_problem_responses(503)})
    async def health() -> Response:
        """Liveness and database reachability; no authentication."""
        return json_response(await run_in_threadpool(central.health))

    @app.post(
        "/v1/devices",
        status_code=201,
        responses={201: {"model": DeviceOut}, **_problem_responses(400, 401, 413)},
        openapi_extra=_body_schema(EnrolIn),
    )
    async def enrol(request: Request) -> Response:
        """Trade a one-time enrolment code for a device id and bearer token."""
        data = await body_of(request)
        return json_response(await run_in_threadpool(central.enrol, data), 201)

    key_header = _header(
        "Idempotency-Key",
        "1-255 visible ASCII characters, fixed per frozen revision",
        required=True,
    )

    @app.post(
        "/v1/submissions",
        status_code=201,
        responses={
            201: {"model": Receipt},
            200: {"model": Receipt, "description": "Already stored (replay or another key)"},
            **_problem_responses(400, *_AUTH_PROBLEMS, 409, 413, 422, 503),
        },
        openapi_extra={**_body_schema(SubmissionIn), "parameters": [key_header]},
    )
    async def submit(request: Request) -> Response:
        """Deliver one frozen revision; idempotent per (device, Idempotency-Key)."""
        device = await device_of(request)
        key = check_key(request.headers.get("idempotency-key"))
        data = await body_of(request)
        status, body = await run_in_threadpool(central.submit, device, key, data)
        return json_response(body, status)

    @app.post(
        "/v1/submissions:batch",
        responses={
            200: {"model": BatchOut},
            **_problem_responses(400, *_AUTH_PROBLEMS, 413, 503),
        },
        openapi_extra=_body_schema(BatchIn),
    )
    async def submit_batch(request: Request) -> Response:
        """Up to 100 submissions; one result per item, exactly as the single endpoint answers."""
        device = await device_of(request)
        data = await body_of(request)
        return json_response(await run_in_threadpool(central.submit_batch, device, data))

    @app.get(
        "/v1/plans/{interview_id}",
        responses={
            200: {"description": "The latest intake-export/1 document; ETag is its version"},
            **_problem_responses(*_AUTH_PROBLEMS, 404),
        },
    )
    async def get_plan(request: Request, interview_id: str) -> Response:
        """The latest version of a plan (newest submitted revision or central edit)."""
        device = await device_of(request)
        latest = await run_in_threadpool(central.latest_plan, device, interview_id)
        return Response(
            latest.document.encode("utf-8"),
            media_type="application/json",
            headers={"ETag": latest.etag},
        )

    @app.put(
        "/v1/plans/{interview_id}",
        responses={
            200: {"model": PlanPutOut},
            **_problem_responses(400, *_AUTH_PROBLEMS, 404, 412, 413, 422, 428),
        },
        openapi_extra={
            **_body_schema(PlanPutIn),
            "parameters": [_header("If-Match", 'The version read, e.g. "3"', required=True)],
        },
    )
    async def put_plan(request: Request, interview_id: str) -> Response:
        """A central edit; only on top of the version the editor read (If-Match)."""
        device = await device_of(request)
        if_match = request.headers.get("if-match")
        # "*" matches any version: an edit on top of one nobody read. Name the version.
        if not if_match or if_match.strip() == "*":
            raise Problem(428, "precondition_required")
        data = await body_of(request)
        result = await run_in_threadpool(central.put_plan, device, interview_id, if_match, data)
        return json_response(result, headers={"ETag": result["etag"]})

    @app.post(
        "/v1/anchors",
        status_code=201,
        responses={201: {"model": AnchorOut}, **_problem_responses(400, *_AUTH_PROBLEMS, 413)},
        openapi_extra=_body_schema(AnchorIn),
    )
    async def anchor(request: Request) -> Response:
        """Keep a laptop's audit-chain head, so a truncated chain is detected later."""
        device = await device_of(request)
        data = await body_of(request)
        return json_response(await run_in_threadpool(central.anchor, device, data), 201)

    @app.get(
        "/v1/bundles",
        responses={200: {"model": list[BundleInfo]}, **_problem_responses(*_AUTH_PROBLEMS)},
    )
    async def bundles(request: Request) -> Response:
        """The published questionnaire bundles."""
        await device_of(request)
        return json_response(await run_in_threadpool(central.bundles))

    @app.get(
        "/v1/bundles/{bundle_id}/{version}",
        responses={200: {"model": BundleOut}, **_problem_responses(*_AUTH_PROBLEMS, 404)},
    )
    async def bundle(request: Request, bundle_id: str, version: str) -> Response:
        """One bundle's files (base64); the laptop checks sha256 and validates before use."""
        await device_of(request)
        return json_response(await run_in_threadpool(central.bundle, bundle_id, version))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas.update(_COMPONENTS)
            schemas["Problem"] = ProblemOut.model_json_schema()
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            for path, operations in schema["paths"].items():
                for operation in operations.values():
                    public = path in ("/v1/health", "/v1/devices")
                    operation["security"] = [] if public else [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(Guard, max_body=max_body)
    return app


def encode_files(files: dict[str, bytes]) -> str:
    """Bundle files as stored: JSON {name: base64}."""
    return json.dumps(
        {name: base64.b64encode(content).decode("ascii") for name, content in files.items()},
        sort_keys=True,
    )


__all__ = ["Problem", "canonical", "create_app", "payload_sha256"]
