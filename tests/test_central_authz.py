"""Who may do what on the central server (issue 15), as a matrix of route x caller against a
real server (uvicorn on loopback) with real enrolments and accounts.

The callers: the device that owns the case; another device of the same gemeente; a device of
another gemeente; a revoked device; no token; a bad token; back-office accounts (an editor, a
privacy officer and an admin of the case's gemeente, an editor of another gemeente, a revoked
account). Each route gets a fresh server with one case sent by its owner; every caller then
tries the route once, the owner last. The table is the contract (docs/sync-protocol.md). The two
routes without a token, `GET /v1/health` and `POST /v1/devices` (a one-time code instead), are
tested in tests/test_central.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, func, select

from intake_tui.central import admin
from intake_tui.central.models import (
    AuditEntry,
    FollowupRecord,
    PlanVersion,
    Submission,
    make_engine,
)

from .central_helpers import (
    account,
    enrolled,
    followup_submission,
    make_document,
    make_followup_document,
    serve_central,
    submission,
)
from .conftest import DEFAULT_BUNDLE

HOME, ELSEWHERE = "0363", "0599"  # two gemeentecodes

# Which callers may never see or change the owner's case: after them it must be untouched.
OUTSIDERS = ("peer", "other_org", "editor_other_org")

# The status each caller gets on each route, for the owner's case (the revoked device tries its
# own case). GET /v1/plans is the device's list: 200 for every device, but only the owner's list
# holds the case (checked separately).
A, B = "GET /v1/plans/{id}", "PUT /v1/plans/{id}"
C, D, E = "POST /v1/submissions", "POST /v1/submissions:batch", "GET /v1/plans"
F, G, H = "POST /v1/anchors", "GET /v1/bundles", "GET /v1/bundles/{id}/{version}"
I = "GET /v1/anchors/latest"  # noqa: E741
MATRIX: dict[str, dict[str, int]] = {
    #                  A    B    C    D    E    F    G    H    I
    "peer": dict(
        zip((A, B, C, D, E, F, G, H, I), (404, 403, 404, 404, 200, 201, 200, 200, 404), strict=True)
    ),
    "other_org": dict(
        zip((A, B, C, D, E, F, G, H, I), (404, 403, 404, 404, 200, 201, 200, 200, 404), strict=True)
    ),
    "revoked": dict(
        zip((A, B, C, D, E, F, G, H, I), (403, 403, 403, 403, 403, 403, 403, 403, 403), strict=True)
    ),
    "none": dict(
        zip((A, B, C, D, E, F, G, H, I), (401, 401, 401, 401, 401, 401, 401, 401, 401), strict=True)
    ),
    "bad": dict(
        zip((A, B, C, D, E, F, G, H, I), (401, 401, 401, 401, 401, 401, 401, 401, 401), strict=True)
    ),
    "editor_other_org": dict(
        zip((A, B, C, D, E, F, G, H, I), (404, 404, 403, 403, 403, 403, 403, 403, 403), strict=True)
    ),
    "privacy": dict(
        zip((A, B, C, D, E, F, G, H, I), (200, 403, 403, 403, 403, 403, 403, 403, 403), strict=True)
    ),
    "admin": dict(
        zip((A, B, C, D, E, F, G, H, I), (403, 403, 403, 403, 403, 403, 403, 403, 403), strict=True)
    ),
    "account_revoked": dict(
        zip((A, B, C, D, E, F, G, H, I), (403, 403, 403, 403, 403, 403, 403, 403, 403), strict=True)
    ),
    "editor": dict(
        zip((A, B, C, D, E, F, G, H, I), (200, 200, 403, 403, 403, 403, 403, 403, 403), strict=True)
    ),
    "owner": dict(
        zip((A, B, C, D, E, F, G, H, I), (200, 403, 201, 201, 200, 201, 200, 200, 200), strict=True)
    ),
}
# A case's talks (issue 19): read like its plan, sent like its revisions.
J = "GET /v1/plans/{id}/followups"
K, L = "POST /v1/submissions (talk)", "POST /v1/submissions:batch (talk)"
TALKS: dict[str, tuple[int, int, int]] = {
    #                    J    K    L
    "peer": (404, 404, 404),
    "other_org": (404, 404, 404),
    "revoked": (403, 403, 403),
    "none": (401, 401, 401),
    "bad": (401, 401, 401),
    "editor_other_org": (404, 403, 403),
    "privacy": (200, 403, 403),
    "admin": (403, 403, 403),
    "account_revoked": (403, 403, 403),
    "editor": (200, 403, 403),
    "owner": (200, 201, 201),
}
for _caller, _statuses in TALKS.items():
    MATRIX[_caller].update(zip((J, K, L), _statuses, strict=True))
ACCOUNTS = ("editor_other_org", "privacy", "admin", "account_revoked", "editor")


class World:
    """One server, one case sent by its owner, and every kind of caller."""

    def __init__(self, db_url: str, base: str, client: httpx.Client) -> None:
        self.db_url, self.client = db_url, client
        tokens: dict[str, str | None] = {"none": None, "bad": "not-a-token"}
        self.owner_id, tokens["owner"] = enrolled(db_url, base, name="owner", org=HOME)
        _peer, tokens["peer"] = enrolled(db_url, base, name="same gemeente", org=HOME)
        _other, tokens["other_org"] = enrolled(db_url, base, name="elsewhere", org=ELSEWHERE)
        revoked_id, tokens["revoked"] = enrolled(db_url, base, name="revoked", org=HOME)
        tokens["editor"] = account(db_url, "editor", HOME)
        tokens["editor_other_org"] = account(db_url, "editor", ELSEWHERE)
        tokens["privacy"] = account(db_url, "privacy", HOME)
        tokens["admin"] = account(db_url, "admin", HOME)
        revoked_account = f"gone-{uuid.uuid4().hex[:8]}"
        tokens["account_revoked"] = admin.add_account(db_url, revoked_account, "editor", org=HOME)
        admin.revoke_account(db_url, revoked_account)
        self.tokens = tokens
        self.bundle = admin.publish_bundle(db_url, DEFAULT_BUNDLE)[:2]
        assert self.post("/v1/anchors", {"seq": 1, "hash": "aa" * 32}).status_code == 201
        self.case = str(uuid.uuid4())
        sent = self.post("/v1/submissions", submission(make_document(self.case, 1, "discussed")))
        assert sent.status_code == 201, sent.text
        held = followup_submission(make_followup_document(self.case, uuid.uuid4().hex))
        assert self.post("/v1/submissions", held).status_code == 201
        # The revoked laptop had a case of its own before it was revoked.
        self.revoked_case = str(uuid.uuid4())
        own = submission(make_document(self.revoked_case, 1, "discussed"))
        assert self.post("/v1/submissions", own, "revoked").status_code == 201
        admin.revoke_device(db_url, revoked_id)

    def headers(self, caller: str, **extra: str) -> dict[str, str]:
        token = self.tokens[caller]
        return {**({"Authorization": f"Bearer {token}"} if token else {}), **extra}

    def post(self, url: str, body: object, caller: str = "owner") -> httpx.Response:
        headers = self.headers(caller, **{"Idempotency-Key": str(uuid.uuid4())})
        return self.client.post(url, json=body, headers=headers)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with (
        serve_central(db_url) as (base, _app),
        httpx.Client(base_url=base, timeout=10, trust_env=False) as client,
    ):
        yield World(db_url, base, client)


def _second(case: str) -> dict[str, Any]:
    return submission(make_document(case, 2, "final", previous=1))


def _talk(case: str) -> dict[str, Any]:
    return followup_submission(make_followup_document(case, uuid.uuid4().hex, "missed"))


ROUTES: dict[str, Callable[[World, str, str], httpx.Response]] = {
    A: lambda w, who, case: w.client.get(f"/v1/plans/{case}", headers=w.headers(who)),
    B: lambda w, who, case: w.client.put(
        f"/v1/plans/{case}",
        json={"document": make_document(case, 1, "discussed", variant="edited centrally")},
        headers=w.headers(who, **{"If-Match": '"1"'}),
    ),
    C: lambda w, who, case: w.post("/v1/submissions", _second(case), who),
    D: lambda w, who, case: w.post(
        "/v1/submissions:batch",
        {"items": [{"idempotency_key": str(uuid.uuid4()), "submission": _second(case)}]},
        who,
    ),
    E: lambda w, who, _case: w.client.get("/v1/plans", headers=w.headers(who)),
    F: lambda w, who, _case: w.post("/v1/anchors", {"seq": 3, "hash": "ab" * 32}, who),
    G: lambda w, who, _case: w.client.get("/v1/bundles", headers=w.headers(who)),
    H: lambda w, who, _case: w.client.get(
        f"/v1/bundles/{w.bundle[0]}/{w.bundle[1]}", headers=w.headers(who)
    ),
    I: lambda w, who, _case: w.client.get("/v1/anchors/latest", headers=w.headers(who)),
    J: lambda w, who, case: w.client.get(f"/v1/plans/{case}/followups", headers=w.headers(who)),
    K: lambda w, who, case: w.post("/v1/submissions", _talk(case), who),
    L: lambda w, who, case: w.post(
        "/v1/submissions:batch",
        {"items": [{"idempotency_key": str(uuid.uuid4()), "submission": _talk(case)}]},
        who,
    ),
}


def status_of(route: str, response: httpx.Response) -> int:
    """The status the caller got for the case: a batch answers per item inside a 200."""
    if route in (D, L) and response.status_code == 200:
        return int(response.json()["results"][0]["status"])
    return response.status_code


def counts(w: World) -> tuple[int, int, int]:
    engine = make_engine(w.db_url)
    try:
        with Session(engine) as session:
            subs = session.exec(
                select(func.count())
                .select_from(Submission)
                .where(Submission.interview_id == w.case)
            ).one()
            versions = session.exec(
                select(func.count())
                .select_from(PlanVersion)
                .where(PlanVersion.interview_id == w.case)
            ).one()
            talks = session.exec(
                select(func.count())
                .select_from(FollowupRecord)
                .where(FollowupRecord.interview_id == w.case)
            ).one()
    finally:
        engine.dispose()
    return int(subs), int(versions), int(talks)


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_by_caller(world: World, route: str) -> None:
    wrong: list[str] = []  # every caller is tried; all mismatches are reported together
    for caller, expected in MATRIX.items():
        case = world.revoked_case if caller == "revoked" else world.case
        response = ROUTES[route](world, caller, case)
        if status_of(route, response) != expected[route]:
            wrong.append(f"{caller}: {status_of(route, response)} {response.text[:200]}")
        if caller in OUTSIDERS:
            # Nothing of the owner's case leaks, and nothing was changed or added to it.
            if world.case in response.text or "document" in response.text:
                wrong.append(f"{caller}: the answer shows the case")
            if counts(world) != (1, 1, 1):
                wrong.append(f"{caller}: the case changed")
    assert wrong == [], "\n".join(wrong)


def test_only_the_owners_list_holds_the_case(world: World) -> None:
    for caller in ("owner", "peer", "other_org"):
        listed = {p["interview_id"] for p in ROUTES[E](world, caller, world.case).json()}
        assert (world.case in listed) is (caller == "owner"), caller


def test_another_devices_id_looks_exactly_like_an_unknown_one(world: World) -> None:
    for caller in ("peer", "other_org", "editor_other_org"):
        unknown = ROUTES[A](world, caller, str(uuid.uuid4()))
        theirs = ROUTES[A](world, caller, world.case)
        assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())


def test_an_edit_must_name_the_version_it_read(world: World) -> None:
    edited = make_document(world.case, 1, "discussed", variant="edited centrally")
    url = f"/v1/plans/{world.case}"
    star = world.client.put(
        url, json={"document": edited}, headers=world.headers("editor", **{"If-Match": "*"})
    )
    assert star.status_code == 428 and star.json()["code"] == "precondition_required"
    stale = world.client.put(
        url, json={"document": edited}, headers=world.headers("editor", **{"If-Match": '"9"'})
    )
    assert stale.status_code == 412
    assert ROUTES[B](world, "editor", world.case).status_code == 200


def test_every_account_request_on_a_plan_is_audited_without_values(world: World) -> None:
    for caller in ACCOUNTS:
        ROUTES[A](world, caller, world.case)
    ROUTES[B](world, "editor", world.case)
    ROUTES[B](world, "privacy", world.case)
    ROUTES[A](world, "owner", world.case)  # a device's own reads are not the log's business
    log = admin.audit_log(world.db_url, object_id=world.case)
    seen = [(e["action"], e["result"], e["detail"].split()[0]) for e in reversed(log)]
    assert seen == [
        ("plan_read", "404", "role=editor"),  # of the other gemeente: as if unknown
        ("plan_read", "ok", "role=privacy"),
        ("plan_read", "403", "role=admin"),
        ("plan_read", "ok", "role=editor"),
        ("plan_edit", "ok", "role=editor"),
        ("plan_edit", "403", "role=privacy"),
    ]
    # The revoked account never got past authentication: nothing it asked is logged as done.
    assert not [e for e in log if e["actor"].startswith("account:gone-")]
    engine = make_engine(world.db_url)
    try:
        with Session(engine) as session:
            texts = [repr(e.model_dump()) for e in session.exec(select(AuditEntry)).all()]
    finally:
        engine.dispose()
    assert not [t for t in texts if "edited centrally" in t or "jdevries" in t]
