"""The audit anchor of a sync run, and the anchor check of `db check` (docs/sync-protocol.md,
"Audit anchors").

After the records are sent, the laptop asks the server for the last anchor it accepted
(`GET /v1/anchors/latest`), looks up its own chain entry at that seq, and sends its chain head
with that entry (`confirms`). A data folder put back to an older copy no longer has that entry,
or has it with another hash: the server answers 409 `anchor_rollback`, and the run reports it
(exit 2). A restored backup is declared (`restore: true`) until an admin has accepted it.
The anchor lives on the server, which a copied-back folder cannot roll back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

from intake_tui.store import audit
from intake_tui.store.session import Store
from intake_tui.sync.client import SyncClient

AnchorState = Literal["accepted", "rollback", "restore_pending", "failed"]
MISSING = "0" * 64  # sent as our hash at a seq the chain no longer has: never a real entry


@dataclass(frozen=True)
class AnchorResult:
    state: AnchorState
    reason: str | None = None  # for "failed": a short, body-free reason


def _latest(client: SyncClient) -> tuple[int, str] | str | None:
    """(seq, hash) of the server's last accepted anchor, None when there is none, or a failure
    reason."""
    try:
        response = client.get("/v1/anchors/latest")
    except httpx.TransportError as error:
        return type(error).__name__
    if response.status_code == 404:
        return None
    try:
        body = response.json()
        return int(body["seq"]), str(body["hash"]).lower()
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code}"


def send_anchor(store: Store, client: SyncClient) -> AnchorResult:
    """Send this laptop's chain head, confirming the server's last anchor."""
    latest = _latest(client)
    if isinstance(latest, str):
        return AnchorResult("failed", latest)
    with store.session() as session:
        seq, head = audit.chain_head(session)
        restore = audit.restore_declared(session)
        confirms = None
        if latest is not None:
            mine = audit.hash_at(session, latest[0])
            confirms = {"seq": latest[0], "hash": mine or MISSING}
    body: dict[str, object] = {"seq": seq, "hash": head, "restore": restore}
    if confirms is not None:
        body["confirms"] = confirms
    try:
        response = client.http.post("/v1/anchors", json=body)
    except httpx.TransportError as error:
        return AnchorResult("failed", type(error).__name__)
    if response.status_code == 201:
        if restore:
            with store.session() as session:
                audit.set_restore_declared(session, False)
        return AnchorResult("accepted")
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if response.status_code == 409 and problem.get("code") == "anchor_rollback":
        pending = problem.get("restore") == "pending"
        return AnchorResult("restore_pending" if pending else "rollback")
    return AnchorResult("failed", f"{response.status_code} {problem.get('code', '')}".strip())


def check_anchor(store: Store, client: SyncClient) -> AnchorResult:
    """`db check`: does the local chain still hold the server's last accepted anchor?"""
    latest = _latest(client)
    if isinstance(latest, str):
        return AnchorResult("failed", latest)
    if latest is None:
        return AnchorResult("accepted")  # nothing anchored yet: nothing to contradict
    with store.session() as session:
        mine = audit.hash_at(session, latest[0])
        restored = audit.restore_declared(session)
    if mine == latest[1]:
        return AnchorResult("accepted")
    return AnchorResult("restore_pending" if restored else "rollback")
