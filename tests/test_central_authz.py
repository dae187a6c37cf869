"""Who may do what on the central server, as a matrix of route x caller (issue 15, items 1-2,
device level): the device that sent a case's first revision reads and writes it; another device
gets 404, as if the id did not exist; a revoked device 403; no or a bad token 401. A central
edit names the version it read: `If-Match: *` is 428, a stale one 412.

Against a real server (uvicorn on loopback) with real enrolments."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from intake_tui.central import admin
from intake_tui.central.models import PlanVersion, Submission

from .central_helpers import enrolled, make_document, serve_central, submission


class World:
    """One server, one case sent by its owner, and every kind of caller."""

    def __init__(self, base: str, db_url: str, client: httpx.Client) -> None:
        self.base, self.db_url, self.client = base, db_url, client
        _owner_id, self.owner = enrolled(db_url, base, name="owner")
        _peer_id, self.peer = enrolled(db_url, base, name="same gemeente")
        revoked_id, self.revoked = enrolled(db_url, base, name="revoked")
        self.interview_id = str(uuid.uuid4())
        first = submission(make_document(self.interview_id, 1, "discussed"))
        sent = self.post("/v1/submissions", first, self.owner, key=True)
        assert sent.status_code == 201, sent.text
        # The revoked laptop had a case of its own before it was revoked.
        self.revoked_case = str(uuid.uuid4())
        own = submission(make_document(self.revoked_case, 1, "discussed"))
        assert self.post("/v1/submissions", own, self.revoked, key=True).status_code == 201
        admin.revoke_device(db_url, revoked_id)

    def post(
        self, url: str, body: object, token: str | None, *, key: bool = False
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return self.client.post(url, json=body, headers=headers)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with (
        serve_central(db_url) as (base, _app),
        httpx.Client(base_url=base, timeout=10, trust_env=False) as client,
    ):
        yield World(base, db_url, client)


def _headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


def get_plan(w: World, token: str | None, case: str) -> httpx.Response:
    return w.client.get(f"/v1/plans/{case}", headers=_headers(token))


def put_plan(w: World, token: str | None, case: str) -> httpx.Response:
    edited = make_document(case, 1, "discussed", variant="edited centrally")
    headers = {**_headers(token), "If-Match": '"1"'}
    return w.client.put(f"/v1/plans/{case}", json={"document": edited}, headers=headers)


def submit(w: World, token: str | None, case: str) -> httpx.Response:
    second = submission(make_document(case, 2, "final", previous=1))
    return w.post("/v1/submissions", second, token, key=True)


def submit_batch(w: World, token: str | None, case: str) -> httpx.Response:
    second = submission(make_document(case, 2, "final", previous=1))
    items = [{"idempotency_key": str(uuid.uuid4()), "submission": second}]
    return w.post("/v1/submissions:batch", {"items": items}, token)


ROUTES: dict[str, Callable[[World, str | None, str], httpx.Response]] = {
    "GET /v1/plans/{id}": get_plan,
    "PUT /v1/plans/{id}": put_plan,
    "POST /v1/submissions": submit,
    "POST /v1/submissions:batch": submit_batch,
}


def status_of(route: str, response: httpx.Response) -> int:
    """The status the caller got for the case: a batch answers per item inside a 200."""
    if route.endswith(":batch") and response.status_code == 200:
        return int(response.json()["results"][0]["status"])
    return response.status_code


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize(
    ("caller", "expected"),
    [("owner", {200, 201}), ("peer", {404}), ("revoked", {403}), ("none", {401}), ("bad", {401})],
)
def test_route_by_caller(world: World, route: str, caller: str, expected: set[int]) -> None:
    token = {
        "owner": world.owner,
        "peer": world.peer,
        "revoked": world.revoked,
        "none": None,
        "bad": "not-a-token",
    }[caller]
    # The revoked laptop is refused even for its own case; the others try the owner's case.
    case = world.revoked_case if caller == "revoked" else world.interview_id
    response = ROUTES[route](world, token, case)
    assert status_of(route, response) in expected, response.text
    if caller == "peer":
        # Nothing of the owner's case leaks, and nothing was changed or added to it.
        assert "document" not in response.text
        owner_view = get_plan(world, world.owner, world.interview_id)
        assert owner_view.headers["etag"] == '"1"'


def test_another_devices_id_looks_exactly_like_an_unknown_one(world: World) -> None:
    unknown = get_plan(world, world.peer, str(uuid.uuid4()))
    theirs = get_plan(world, world.peer, world.interview_id)
    assert (theirs.status_code, theirs.json()["code"], theirs.json()["detail"]) == (
        unknown.status_code,
        unknown.json()["code"],
        unknown.json()["detail"],
    )


def test_an_edit_must_name_the_version_it_read(world: World) -> None:
    case = world.interview_id
    edited = make_document(case, 1, "discussed", variant="edited centrally")
    url = f"/v1/plans/{case}"
    auth = _headers(world.owner)
    star = world.client.put(url, json={"document": edited}, headers={**auth, "If-Match": "*"})
    assert star.status_code == 428 and star.json()["code"] == "precondition_required"
    stale = world.client.put(url, json={"document": edited}, headers={**auth, "If-Match": '"9"'})
    assert stale.status_code == 412
    assert put_plan(world, world.owner, case).status_code == 200


def test_the_peer_left_no_trace_in_the_owners_case(world: World) -> None:
    import sqlalchemy as sa
    from sqlmodel import Session, func, select

    for route in ROUTES.values():
        route(world, world.peer, world.interview_id)
    engine = sa.create_engine(world.db_url)
    try:
        with Session(engine) as session:
            subs = session.exec(
                select(func.count())
                .select_from(Submission)
                .where(Submission.interview_id == world.interview_id)
            ).one()
            versions = session.exec(
                select(func.count())
                .select_from(PlanVersion)
                .where(PlanVersion.interview_id == world.interview_id)
            ).one()
    finally:
        engine.dispose()
    assert (subs, versions) == (1, 1)
