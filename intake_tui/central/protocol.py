"""The central server's protocol: constants, the problem type, the clock, and the request and
response models with their checks (docs/sync-protocol.md). Part of `intake_tui.central.app`."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import logging
import re
from http import HTTPStatus
from json.encoder import encode_basestring_ascii
from typing import Annotated, Any, Literal, Protocol

from fastapi.responses import JSONResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    StrictStr,
    ValidationError,
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
    "central_edit": "The plan was edited centrally; take the edit into account",
    "role_forbidden": "This caller may not use this route",
    "anchor_rollback": "The audit chain went back since the last anchor",
    "account_revoked": "This account has been revoked",
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


# A \uD800-\uDFFF escape: the only way JSON text that is valid UTF-8 yields a surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no lone surrogates; 400 bad_request otherwise."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        # Text that cannot be stored as UTF-8 (a lone surrogate) is refused; the strict UTF-8
        # decoding above lets none through, so only a body with a surrogate's escape is dumped
        # to find out (a whole batch of 50 records: 10 ms otherwise, docs/performance.md).
        if b"\\u" in raw and _SURROGATE_ESCAPE.search(raw):
            canonical(data)
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
    """A frozen revision: its id, hash and the intake-export/2 document (/1 still accepted).
    `kind` absent (as version-1 laptops send it) or "plan"; a talk is `kind: "followup"`
    (central/followups.py)."""

    # canonical(document) as text, made once by check_submission for the hash and kept for
    # storing (a document of a few kilobytes, dumped once instead of twice per record).
    _canonical: str | None = PrivateAttr(default=None)

    kind: Literal["plan"] = "plan"
    interview_id: Annotated[StrictStr, Field(pattern=INTERVIEW_ID)]
    revision: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)]
    previous_revision: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)] | None
    status: Literal["discussed", "final"]
    payload_sha256: Annotated[StrictStr, Field(pattern=SHA256_HEX)]
    document: dict[str, Any] = Field(
        description="intake-export/2 (schemas/intake-export-2.schema.json); /1 still accepted"
    )
    based_on_version: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)] | None = Field(
        default=None,
        description="The central plan version the laptop had seen when it froze this revision "
        "(null: none). A newer central edit answers 409 central_edit.",
    )


class FollowupSubmissionIn(_In):
    """A completed or missed talk: its record id, hash and intake-followup/1 document."""

    _canonical: str | None = PrivateAttr(default=None)  # as SubmissionIn's

    kind: Literal["followup"]
    interview_id: Annotated[StrictStr, Field(pattern=INTERVIEW_ID)]
    followup_id: Annotated[StrictStr, Field(pattern=INTERVIEW_ID)]
    status: Literal["completed", "missed"]
    payload_sha256: Annotated[StrictStr, Field(pattern=SHA256_HEX)]
    document: dict[str, Any] = Field(
        description="intake-followup/1: {schema, record, followup} where followup is one "
        "followups[] item of intake-export/2 (core/export_model.FollowupDocument)"
    )


class FollowupReceipt(BaseModel):
    receipt_id: str
    kind: Literal["followup"]
    interview_id: str
    followup_id: str
    payload_sha256: str
    received_at: str
    replayed: bool


class FollowupOutItem(BaseModel):
    """One talk of a case as GET /v1/plans/{interview_id}/followups lists it."""

    followup_id: str
    status: Literal["completed", "missed"]
    payload_sha256: str
    received_at: str
    document: dict[str, Any]


class BatchItemIn(_In):
    idempotency_key: str
    submission: SubmissionIn | FollowupSubmissionIn


class BatchIn(_In):
    items: Annotated[list[BatchItemIn], Field(max_length=MAX_BATCH)]


class _BatchEnvelope(_In):
    """The batch as first parsed: items are checked one by one, never all-or-nothing."""

    items: Annotated[list[Any], Field(max_length=MAX_BATCH)]


class EnrolIn(_In):
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    name: Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class AnchorRef(_In):
    seq: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    hash: Annotated[StrictStr, Field(pattern=ANCHOR_HASH)]


class AnchorIn(_In):
    """The laptop's audit-chain head; `confirms` is its own entry at the seq of the last anchor
    the server accepted (GET /v1/anchors/latest); `restore` declares a restored backup."""

    seq: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    hash: Annotated[StrictStr, Field(pattern=ANCHOR_HASH)]
    confirms: AnchorRef | None = None
    restore: bool = False


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


class AnchorLatest(BaseModel):
    seq: int
    hash: str
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


class PlanListItem(BaseModel):
    interview_id: str
    version: int
    etag: str
    source: Literal["submission", "central"]
    created_at: str


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
    """The document is a valid intake-export/2 (or /1) for `interview_id` (else 422)."""
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
        text = canonical(submission.document)
    except UnicodeError:
        raise Problem(422, "invalid_record", "The document is not valid UTF-8 text.") from None
    if hashlib.sha256(text).hexdigest() != submission.payload_sha256:
        raise Problem(422, "invalid_record", "payload_sha256 is not the document's sha256.")
    submission._canonical = text.decode("utf-8")
    _check_document(submission.document, submission.interview_id)
    record = submission.document["record"]
    for field in ("revision", "previous_revision", "status"):
        if record[field] != getattr(submission, field):
            raise Problem(422, "invalid_record", f"{field} does not match document.record.")
    return submission


def document_text(submission: SubmissionIn | FollowupSubmissionIn) -> str:
    """canonical(document) as text: the one check_submission (check_followup) made, or now."""
    return submission._canonical or canonical(submission.document).decode("utf-8")


def _json_ascii(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters ASCII cannot hold, as JSON's \\u escapes, exactly as
    json.dumps(ensure_ascii=True) writes them (surrogate pairs above U+FFFF)."""
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start : error.end]
    return encode_basestring_ascii(run)[1:-1], error.end


codecs.register_error("intake_json_ascii", _json_ascii)
CHEAP_NON_ASCII = 256  # bytes beyond one per character: more, and json.dumps is the cheaper


def ascii_document(submission: SubmissionIn | FollowupSubmissionIn) -> str | None:
    """json.dumps(document, sort_keys=True, separators=(",", ":")), ASCII as a request's hash
    has it, made from the canonical text the check kept instead of a second dump of the whole
    document: the two differ only in how characters beyond ASCII are written (ensure_ascii).
    None when that is not cheaper: no text kept, many characters beyond ASCII (one codec
    callback per run of them), or DEL, which ASCII JSON escapes and UTF-8 JSON does not."""
    text = submission._canonical
    if text is None or "\x7f" in text:
        return None
    if text.isascii():
        return text
    if len(text.encode("utf-8")) - len(text) > CHEAP_NON_ASCII:
        return None
    return text.encode("ascii", "intake_json_ascii").decode("ascii")


def is_followup(data: Any) -> bool:
    """The body's discriminator: `kind: "followup"`; absent (version-1 laptops) or "plan" is a
    plan revision."""
    return isinstance(data, dict) and data.get("kind") == "followup"


def check_any(data: Any) -> SubmissionIn | FollowupSubmissionIn:
    """A submission of either kind, checked (else 422 invalid_record)."""
    return check_followup(data) if is_followup(data) else check_submission(data)


def check_followup(data: Any) -> FollowupSubmissionIn:
    """A talk's submission whose fields, hash and document agree (else 422 invalid_record)."""
    from intake_tui.core.export import FollowupDocument

    submission: FollowupSubmissionIn = _validate(FollowupSubmissionIn, data, "invalid_record", 422)
    try:
        text = canonical(submission.document)
    except UnicodeError:
        raise Problem(422, "invalid_record", "The document is not valid UTF-8 text.") from None
    if hashlib.sha256(text).hexdigest() != submission.payload_sha256:
        raise Problem(422, "invalid_record", "payload_sha256 is not the document's sha256.")
    submission._canonical = text.decode("utf-8")
    try:
        FollowupDocument.model_validate(submission.document)
    except ValidationError as error:
        raise Problem(422, "invalid_record", _errors(error, "document.")) from None
    record = submission.document["record"]
    for field in ("interview_id", "followup_id", "status"):
        if record[field] != getattr(submission, field):
            raise Problem(422, "invalid_record", f"{field} does not match document.record.")
    return submission


# -- the server's logic (synchronous; runs in the thread pool) --------------------------------
