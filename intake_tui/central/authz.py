"""Who may do what on the central server (docs/sync-protocol.md, "Whose case it is"; the route x
caller matrix is tests/test_central_authz.py).

Two kinds of caller carry a bearer token:

- a **device** (a caseworker's laptop) belongs to one organisation. It sends revisions of the
  cases it owns, reads their latest plan (its own revisions and the central edits to them), and
  lists them. A case belongs to the device that sent its first revision, until an admin hands it
  over (`intake-central transfer`).
- an **account** is a back-office person of one organisation with one role. `editor` reads and
  edits (PUT) the plans of the organisation's cases; `privacy` reads them, for an access
  request; `admin` has no case data over the API at all (its work is the `intake-central`
  command). Every request an account makes on a plan is in the central audit log.

Anything outside a caller's reach is the 404 of an unknown id, so an id seen in a log, a
screenshot or a file name reveals nothing; a route the caller's kind or role may never use is
403 `role_forbidden`, which says nothing about any id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from intake_tui.central.models import Case, Device
from intake_tui.central.protocol import Problem

ROLES = ("admin", "privacy", "editor")

Action = Literal["submit", "anchor", "bundles", "list_plans", "read_plan", "edit_plan"]

ALLOWED: dict[Action, frozenset[str]] = {
    # The caller's kind ("device") or an account's role.
    "submit": frozenset({"device"}),
    "anchor": frozenset({"device"}),
    "bundles": frozenset({"device"}),
    "list_plans": frozenset({"device"}),
    "read_plan": frozenset({"device", "editor", "privacy"}),
    "edit_plan": frozenset({"editor"}),
}


@dataclass(frozen=True)
class Caller:
    """Who is asking: a device (role "device") or an account with its role."""

    kind: Literal["device", "account"]
    id: str
    name: str
    org: str
    role: str

    @property
    def audit_name(self) -> str:
        return f"{self.kind}:{self.name}"


def require(caller: Caller, action: Action) -> None:
    """403 when the caller's kind or role may never do this, whatever the id."""
    if caller.role not in ALLOWED[action]:
        raise Problem(403, "role_forbidden")


def not_found() -> Problem:
    return Problem(404, "not_found", "No plan with this interview id.")


def owner_of(session: Session, interview_id: str) -> str | None:
    """The device that owns the case, or None for an id the server has never seen."""
    case = session.get(Case, interview_id)
    return case.device_id if case is not None else None


def may_see(session: Session, caller: Caller, interview_id: str) -> bool:
    """A device sees the cases it owns; an account those of its organisation's devices."""
    owner = owner_of(session, interview_id)
    if owner is None:
        return False
    if caller.kind == "device":
        return owner == caller.id
    device = session.get(Device, owner)
    return device is not None and device.org == caller.org


def require_case(session: Session, caller: Caller, interview_id: str) -> None:
    """404 for a case the caller may not see, exactly as for an unknown id."""
    if not may_see(session, caller, interview_id):
        raise not_found()


def require_writer(owner: str | None, device_id: str) -> None:
    """A submission of a case whose owner is `owner` (None: a new case, the sender's): another
    device's case is unknown to it."""
    if owner is not None and owner != device_id:
        raise not_found()
