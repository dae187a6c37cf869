"""The second half of a sync run: fetch what the central server has that this laptop does not
(docs/sync-protocol.md, "Central edits" and "Hand-over").

`GET /v1/plans` lists the cases this device owns with their latest version; a version is fetched
when it is newer than the one kept here and is either a central edit or a case this laptop has
no interview of (handed over to it). The laptop's own revisions are not fetched back. A failure
loses nothing: what was not fetched is fetched on the next run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from intake_tui.i18n import _
from intake_tui.store import central_plans
from intake_tui.store.session import Store
from intake_tui.sync.client import SyncClient


@dataclass
class Pulled:
    received: int = 0
    failed: str | None = None  # a short, body-free reason; tried again next run
    stopped: str | None = None  # "unauthorized" | "revoked"


def _listing(body: Any) -> list[tuple[str, int, str, str]]:
    """(id, version, etag, source) of each well-formed item; anything else is skipped."""
    items = []
    for item in body if isinstance(body, list) else []:
        if not isinstance(item, dict):
            continue
        interview_id, version = item.get("interview_id"), item.get("version")
        etag, source = item.get("etag"), item.get("source")
        if (
            isinstance(interview_id, str)
            and isinstance(version, int)
            and isinstance(etag, str)
            and source in ("submission", "central")
        ):
            items.append((interview_id, version, etag, source))
    return items


def _stopped(response: httpx.Response) -> str | None:
    if response.status_code == 401:
        return "unauthorized"
    if response.status_code == 403:
        try:
            code = response.json().get("code")
        except (ValueError, AttributeError):
            code = None
        return "revoked" if code == "device_revoked" else "unauthorized"
    return None


def pull(store: Store, client: SyncClient) -> Pulled:
    """Fetch the newer central versions of this device's cases and keep them."""
    result = Pulled()
    try:
        response = client.get("/v1/plans")
    except httpx.TransportError as error:
        result.failed = type(error).__name__
        return result
    result.stopped = _stopped(response)
    if result.stopped or response.status_code != 200:
        result.failed = result.failed or f"{response.status_code}"
        return result
    try:
        listing = _listing(response.json())
    except ValueError:
        result.failed = _("the answer was not JSON")
        return result
    known = central_plans.known_versions(store)
    local = central_plans.local_cases(store)
    for interview_id, version, etag, source in listing:
        if known.get(interview_id, 0) >= version:
            continue
        if source == "submission" and interview_id in local:
            continue  # the laptop's own revision: it has that already
        try:
            got = client.get(f"/v1/plans/{quote(interview_id, safe='')}")
        except httpx.TransportError as error:
            result.failed = type(error).__name__
            continue
        if got.status_code != 200 or got.headers.get("ETag") != etag:
            result.failed = result.failed or f"{got.status_code}"  # moved on: next run
            continue
        try:
            document = got.json()
        except ValueError:
            result.failed = _("the answer was not JSON")
            continue
        record = document.get("record") if isinstance(document, dict) else None
        if not isinstance(record, dict) or record.get("interview_id") != interview_id:
            result.failed = _("the server sent another case's plan")
            continue
        text = json.dumps(document, ensure_ascii=False, sort_keys=True)
        if central_plans.save(store, interview_id, version, etag, source, text):
            result.received += 1
    return result
