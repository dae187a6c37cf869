"""The laptop's HTTP side of sync: one explicit TLS context, no redirects, and a verdict per answer.

Every answer of the server is classified as docs/sync-protocol.md ("What the laptop does with
each answer") says; only a 2xx JSON receipt that echoes the record counts as delivered, so a
captive portal's `200 text/html` never does. Nothing here logs a body or a token.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from intake_tui.i18n import _

Verdict = Literal[
    "acked", "retry", "conflict", "central_edit", "rejected", "unauthorized", "revoked"
]
RETRY_STATUSES = frozenset({408, 425, 429})


class SyncConfigError(Exception):
    """A server address or TLS setting that must not be used (a clear message, no traceback)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    """What one answer of the server means for one record."""

    verdict: Verdict
    status: int | None = None  # None: no HTTP answer at all (connection, timeout)
    receipt: dict[str, Any] | None = None
    retry_after: float | None = None
    error: str | None = None  # a short, body-free description for `last_error`


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, *, loopback_only: bool = False) -> str:
    """The base URL without a trailing slash; plain http only to this machine itself."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise SyncConfigError(_("not a server address: {url}").format(url=url))
    if parts.scheme == "http" and not is_loopback(host):
        raise SyncConfigError(
            _("refusing plain http to {host}: only https leaves this laptop").format(host=host)
        )
    if loopback_only and not is_loopback(host):
        raise SyncConfigError(
            _("a demo data folder syncs only to a server on this laptop (127.0.0.1)")
        )
    return url.rstrip("/")


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """System trust, or only the organisation's CA when a file is given; never unverified."""
    context = (
        ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def http_client(
    base_url: str,
    *,
    token: str | None = None,
    ca_file: str | None = None,
    timeout: float = 10.0,
) -> httpx.Client:
    headers = {"User-Agent": "intake-tui-sync/1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        base_url=base_url,
        headers=headers,
        verify=tls_context(ca_file),
        trust_env=False,  # no proxy or CA settings from the environment
        follow_redirects=False,
        timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
    )


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the backoff decides


RecordId = dict[str, Any]
"""What a receipt must echo for a record: a plan revision's `interview_id`, `revision` and
`payload_sha256`; a talk's `kind` "followup", `interview_id`, `followup_id` and
`payload_sha256` (docs/sync-protocol.md, "Submitting records")."""


def record_id(submission: dict[str, Any]) -> RecordId:
    """The fields of a submission its receipt must echo."""
    if submission.get("kind") == "followup":
        return {
            "kind": "followup",
            "interview_id": str(submission["interview_id"]),
            "followup_id": str(submission["followup_id"]),
            "payload_sha256": str(submission["payload_sha256"]),
        }
    return {
        "interview_id": str(submission["interview_id"]),
        "revision": int(submission["revision"]),
        "payload_sha256": str(submission["payload_sha256"]),
    }


def echoes(body: dict[str, Any], record: RecordId) -> bool:
    """Whether a receipt is this record's: every identifying field echoed, and a plan
    revision's receipt is not a talk's (a receipt without `kind` is a plan revision's)."""
    if body.get("kind", "plan") != record.get("kind", "plan"):
        return False
    return all(body.get(name) == value for name, value in record.items())


def classify(
    status: int,
    content_type: str,
    body: Any,
    record: RecordId,
    *,
    retry_after_s: float | None = None,
) -> Outcome:
    """The verdict for one record from a status and a (parsed) body."""
    if 200 <= status < 300:
        if "json" in content_type and isinstance(body, dict) and echoes(body, record):
            return Outcome("acked", status, receipt=body)
        # A captive portal, a proxy's page, or a receipt for something else: not delivered.
        return Outcome("retry", status, error=f"{status} without a matching receipt")
    code = str(body.get("code", "")) if isinstance(body, dict) else ""
    if status in RETRY_STATUSES or status >= 500:
        return Outcome("retry", status, retry_after=retry_after_s, error=f"{status} {code}".strip())
    if 300 <= status < 400:
        return Outcome("retry", status, error=f"{status} redirect (not followed)")
    if status == 401:
        return Outcome("unauthorized", status, error=f"401 {code}".strip())
    if status == 403:
        verdict: Verdict = "revoked" if code == "device_revoked" else "unauthorized"
        return Outcome(verdict, status, error=f"403 {code}".strip())
    if status == 409 and code == "central_edit":
        return Outcome("central_edit", status, error="409 central_edit")
    if status == 409:
        return Outcome("conflict", status, error=f"409 {code}".strip())
    return Outcome("rejected", status, error=f"{status} {code}".strip())


def encode_submission(submission: dict[str, Any]) -> str:
    """The JSON of a submission. A document given as text (the frozen revision as stored) is
    put in as it is: parsing and re-encoding 25 KB per record cost more than the network."""
    document = submission.get("document")
    if not isinstance(document, str):
        return json.dumps(submission, ensure_ascii=False)
    head = json.dumps({k: v for k, v in submission.items() if k != "document"}, ensure_ascii=False)
    return head[:-1] + ',"document":' + document + "}"


def _parsed(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class SyncClient:
    """One connection pool to the central server for one sync run."""

    def __init__(self, client: httpx.Client) -> None:
        self.http = client

    def close(self) -> None:
        self.http.close()

    def submit(self, submission: dict[str, Any], key: str) -> Outcome:
        record = record_id(submission)
        try:
            response = self.http.post(
                "/v1/submissions",
                content=encode_submission(submission).encode("utf-8"),
                headers={"Idempotency-Key": key, "Content-Type": "application/json"},
            )
        except httpx.TransportError as error:
            return Outcome("retry", None, error=type(error).__name__)
        return classify(
            response.status_code,
            response.headers.get("Content-Type", ""),
            _parsed(response),
            record,
            retry_after_s=retry_after(response),
        )

    def submit_batch(self, items: list[tuple[dict[str, Any], str]]) -> list[Outcome]:
        """Several records in one request; a verdict per record (never all-or-nothing)."""
        body = (
            '{"items":['
            + ",".join(
                '{"idempotency_key":'
                + json.dumps(key)
                + ',"submission":'
                + encode_submission(s)
                + "}"
                for s, key in items
            )
            + "]}"
        )
        try:
            response = self.http.post(
                "/v1/submissions:batch",
                content=body.encode("utf-8"),
                headers={"Content-Type": "application/json"},
            )
        except httpx.TransportError as error:
            return [Outcome("retry", None, error=type(error).__name__)] * len(items)
        parsed = _parsed(response)
        content_type = response.headers.get("Content-Type", "")
        results = parsed.get("results") if isinstance(parsed, dict) else None
        if (
            response.status_code != 200
            or "json" not in content_type
            or not isinstance(results, list)
            or len(results) != len(items)
        ):
            # The batch as a whole failed (or was not answered by our server): per record, as
            # the single endpoint would be judged.
            return [
                classify(
                    response.status_code if response.status_code != 200 else 200,
                    content_type,
                    parsed,
                    record_id(s),
                    retry_after_s=retry_after(response),
                )
                for s, _key in items
            ]
        outcomes = []
        for (submission, _key), result in zip(items, results, strict=True):
            status = result.get("status") if isinstance(result, dict) else None
            item_body = result.get("body") if isinstance(result, dict) else None
            if not isinstance(status, int):
                outcomes.append(Outcome("retry", 200, error="malformed batch result"))
                continue
            outcomes.append(classify(status, "application/json", item_body, record_id(submission)))
        return outcomes

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)


def enrol_device(
    base_url: str, code: str, name: str, *, ca_file: str | None = None
) -> dict[str, Any]:
    """Exchange a one-time code for this laptop's device id and token."""
    with http_client(base_url, ca_file=ca_file) as client:
        try:
            response = client.post("/v1/devices", json={"code": code, "name": name})
        except httpx.TransportError as error:
            raise SyncConfigError(
                _("the server cannot be reached ({reason})").format(reason=type(error).__name__)
            ) from None
    body = _parsed(response)
    if response.status_code != 201 or not isinstance(body, dict) or "token" not in body:
        code_name = body.get("code") if isinstance(body, dict) else None
        raise SyncConfigError(
            _("enrolment refused ({status} {code})").format(
                status=response.status_code, code=code_name or ""
            )
        )
    return body
