"""The reference central server against docs/sync-protocol.md, over real HTTP (uvicorn on
loopback, httpx). The core submission tests also run on PostgreSQL when
INTAKE_TEST_POSTGRES_URL is set (CI sets it); without it those variants are skipped."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from intake_tui.central import admin
from intake_tui.central.cli import build_parser
from intake_tui.central.models import Conflict, IdempotencyRecord, PlanVersion, Submission
from intake_tui.core.questionnaire import bundle_sha256, load_bundle_files

from .central_helpers import (
    account,
    enrolled,
    make_document,
    run_uvicorn,
    serve_central,
    sha256_of,
    submission,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BUNDLE = REPO / "questionnaires" / "brede-intake"
BROKEN = REPO / "tests" / "bundles" / "broken"
PG_URL = os.environ.get("INTAKE_TEST_POSTGRES_URL", "")
PROBLEM = "application/problem+json"

DATABASES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not PG_URL, reason="INTAKE_TEST_POSTGRES_URL is not set"),
    ),
]


@dataclass
class Central:
    """A running server, one enrolled device and a client."""

    base: str
    db_url: str
    app: Any
    device_id: str
    token: str
    client: httpx.Client

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def submit(
        self, body: Any, key: str | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = self.auth(token)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post("/v1/submissions", json=body, headers=headers)

    def count(self, table: Any, interview_id: str | None = None) -> int:
        with Session(self.app.state.engine) as session:
            query = select(func.count()).select_from(table)
            if interview_id is not None:
                query = query.where(table.interview_id == interview_id)
            return int(session.exec(query).one())


@contextlib.contextmanager
def central_on(db_url: str, **app_kwargs: Any) -> Iterator[Central]:
    with serve_central(db_url, **app_kwargs) as (base, app):
        device_id, token = enrolled(db_url, base)
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
            yield Central(base, db_url, app, device_id, token, client)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def central(db_url: str) -> Iterator[Central]:
    with central_on(db_url) as server:
        yield server


@pytest.fixture(params=DATABASES)
def any_central(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Central]:
    url = PG_URL if request.param == "postgres" else f"sqlite:///{tmp_path / 'central.db'}"
    with central_on(url) as server:
        yield server


def new_id() -> str:
    return str(uuid.uuid4())


def key() -> str:
    return str(uuid.uuid4())


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


def assert_receipt(response: httpx.Response, body: dict[str, Any], *, replayed: bool) -> None:
    assert response.headers["content-type"] == "application/json"
    receipt = response.json()
    assert set(receipt) == {
        "receipt_id",
        "interview_id",
        "revision",
        "payload_sha256",
        "received_at",
        "replayed",
    }
    assert receipt["interview_id"] == body["interview_id"]
    assert receipt["revision"] == body["revision"]
    assert receipt["payload_sha256"] == body["payload_sha256"] == sha256_of(body["document"])
    assert receipt["replayed"] is replayed
    assert receipt["received_at"].endswith("Z")
    dt.datetime.fromisoformat(receipt["received_at"])


class MovableClock:
    def __init__(self) -> None:
        self.moment = dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return self.moment


# -- health, enrolment, tokens ----------------------------------------------------------------


def test_health_needs_no_token(central: Central) -> None:
    response = httpx.get(f"{central.base}/v1/health", trust_env=False)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_enrolment_code_works_once(db_url: str) -> None:
    code = admin.new_enrolment_code(db_url)
    assert re.fullmatch(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", code)
    with serve_central(db_url) as (base, _app):
        typed = code.lower().replace("-", " ")  # people type codes loosely
        first = httpx.post(f"{base}/v1/devices", json={"code": typed, "name": "laptop 7"})
        assert first.status_code == 201
        body = first.json()
        assert set(body) == {"device_id", "token", "expires_at"}
        expires = dt.datetime.fromisoformat(body["expires_at"])
        assert dt.timedelta(days=179) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=180)
        again = httpx.post(f"{base}/v1/devices", json={"code": code, "name": "laptop 8"})
        assert_problem(again, 401, "enrolment_code_invalid")
        unknown = httpx.post(f"{base}/v1/devices", json={"code": "AAAA-BBBB", "name": "x"})
        assert_problem(unknown, 401, "enrolment_code_invalid")
        bad = httpx.post(f"{base}/v1/devices", json={"name": "no code"})
        assert_problem(bad, 400, "bad_request")
    devices = admin.list_devices(db_url)
    assert [d["name"] for d in devices] == ["laptop 7"]
    assert body["token"] not in json.dumps(devices)


def test_an_expired_enrolment_code_is_refused(db_url: str) -> None:
    clock = MovableClock()
    code = admin.new_enrolment_code(db_url, clock=clock)
    clock.moment += dt.timedelta(minutes=15, seconds=1)
    with serve_central(db_url, clock=clock) as (base, _app):
        late = httpx.post(f"{base}/v1/devices", json={"code": code, "name": "late"})
        assert_problem(late, 401, "enrolment_code_invalid")


def test_bad_expired_and_revoked_tokens(central: Central) -> None:
    missing = central.client.get("/v1/bundles")
    assert_problem(missing, 401, "token_invalid")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = central.client.get("/v1/bundles", headers=central.auth("not-a-token"))
    assert_problem(wrong, 401, "token_invalid")
    assert central.client.get("/v1/bundles", headers=central.auth()).status_code == 200

    other_id, other_token = enrolled(central.db_url, central.base, name="second")
    admin.expire_device(central.db_url, other_id)
    expired = central.client.get("/v1/bundles", headers=central.auth(other_token))
    assert_problem(expired, 401, "token_expired")
    assert "www-authenticate" in expired.headers

    admin.revoke_device(central.db_url, central.device_id)
    doc = make_document(new_id(), 1)
    revoked = central.submit(submission(doc), key())
    assert_problem(revoked, 403, "device_revoked")
    assert central.count(Submission, doc["record"]["interview_id"]) == 0
    with pytest.raises(admin.AdminError):
        admin.revoke_device(central.db_url, "no-such-device")


def test_tokens_expire_after_token_days(db_url: str) -> None:
    clock = MovableClock()
    with central_on(db_url, clock=clock, token_days=1) as server:
        assert server.client.get("/v1/bundles", headers=server.auth()).status_code == 200
        clock.moment += dt.timedelta(days=1)
        expired = server.client.get("/v1/bundles", headers=server.auth())
        assert_problem(expired, 401, "token_expired")


# -- submissions ------------------------------------------------------------------------------


def test_a_new_record_gets_a_receipt_that_echoes_it(any_central: Central) -> None:
    body = submission(make_document(new_id(), 1, "discussed"))
    response = any_central.submit(body, key())
    assert response.status_code == 201
    assert_receipt(response, body, replayed=False)
    assert any_central.count(Submission, body["interview_id"]) == 1


def test_a_replay_returns_the_first_receipt_and_stores_once(any_central: Central) -> None:
    body = submission(make_document(new_id(), 2, "final", previous=1))
    k = key()
    first = any_central.submit(body, k)
    again = any_central.submit(body, k)
    assert (first.status_code, again.status_code) == (201, 201)
    assert_receipt(again, body, replayed=True)
    assert again.json()["receipt_id"] == first.json()["receipt_id"]
    assert again.json()["received_at"] == first.json()["received_at"]
    assert any_central.count(Submission, body["interview_id"]) == 1


def test_the_same_record_under_another_key_gets_the_stored_receipt(any_central: Central) -> None:
    body = submission(make_document(new_id(), 1))
    first = any_central.submit(body, key())
    other = any_central.submit(body, key())
    assert other.status_code == 200
    assert_receipt(other, body, replayed=True)
    assert other.json()["receipt_id"] == first.json()["receipt_id"]
    assert any_central.count(Submission, body["interview_id"]) == 1


def test_reusing_a_key_for_another_body_is_422(any_central: Central) -> None:
    k = key()
    first = submission(make_document(new_id(), 1))
    assert any_central.submit(first, k).status_code == 201
    other = submission(make_document(new_id(), 1))
    assert_problem(any_central.submit(other, k), 422, "idempotency_key_reused")
    assert any_central.count(Submission, other["interview_id"]) == 0


def test_keys_are_scoped_by_device(any_central: Central) -> None:
    k = key()
    first = submission(make_document(new_id(), 1))
    assert any_central.submit(first, k).status_code == 201
    _device, token = enrolled(any_central.db_url, any_central.base, name="other laptop")
    other = submission(make_document(new_id(), 1))
    response = any_central.submit(other, k, token=token)
    assert response.status_code == 201
    assert_receipt(response, other, replayed=False)


def test_other_content_for_a_stored_record_is_a_409_kept_for_a_human(
    any_central: Central,
) -> None:
    interview_id = new_id()
    original = submission(make_document(interview_id, 1, variant="nl"))
    changed = submission(make_document(interview_id, 1, variant="ar"))
    assert original["payload_sha256"] != changed["payload_sha256"]
    assert any_central.submit(original, key()).status_code == 201
    k = key()
    problem = assert_problem(any_central.submit(changed, k), 409, "record_conflict")
    assert problem["interview_id"] == interview_id
    # A resend of the same conflict is another 409 and not a second conflict row.
    assert_problem(any_central.submit(changed, k), 409, "record_conflict")
    with Session(any_central.app.state.engine) as session:
        stored = session.get(Submission, (interview_id, 1))
        conflicts = session.exec(select(Conflict).where(Conflict.interview_id == interview_id))
        kept = conflicts.all()
    assert stored is not None
    assert stored.payload_sha256 == original["payload_sha256"]
    assert json.loads(stored.document) == original["document"]
    assert [c.payload_sha256 for c in kept] == [changed["payload_sha256"]]
    assert json.loads(kept[0].document) == changed["document"]
    plan = any_central.client.get(f"/v1/plans/{interview_id}", headers=any_central.auth())
    assert plan.json() == original["document"]


def test_a_hash_or_fields_that_disagree_are_422(any_central: Central) -> None:
    document = make_document(new_id(), 2, "final", previous=1)
    bad_hash = {**submission(document), "payload_sha256": "0" * 64}
    assert_problem(any_central.submit(bad_hash, key()), 422, "invalid_record")
    for field, value in (("revision", 3), ("previous_revision", None), ("status", "discussed")):
        wrong = {**submission(document), field: value}
        assert_problem(any_central.submit(wrong, key()), 422, "invalid_record")
    other_id = {**submission(document), "interview_id": new_id()}
    assert_problem(any_central.submit(other_id, key()), 422, "invalid_record")
    assert any_central.count(Submission, document["record"]["interview_id"]) == 0


def test_a_document_that_is_not_intake_export_1_is_422(central: Central) -> None:
    document = make_document(new_id(), 1, "discussed")
    document["unexpected"] = "field"
    assert_problem(central.submit(submission(document), key()), 422, "invalid_record")
    draft = make_document(new_id(), 1, "discussed")
    draft["record"]["status"] = "draft"
    body = {**submission(draft), "status": "draft"}
    assert_problem(central.submit(body, key()), 422, "invalid_record")
    assert_problem(central.submit([1, 2], key()), 422, "invalid_record")
    assert_problem(central.submit({"interview_id": "x"}, key()), 422, "invalid_record")


def test_a_body_that_is_not_json_is_400(central: Central) -> None:
    headers = {**central.auth(), "Idempotency-Key": key(), "Content-Type": "application/json"}
    for raw in (b"{not json", b"\xff\xfe", b'{"a": NaN}', b'{"a": "\\udcff"}'):
        response = central.client.post("/v1/submissions", content=raw, headers=headers)
        assert_problem(response, 400, "bad_request")


def test_a_missing_or_malformed_idempotency_key_is_400(central: Central) -> None:
    body = submission(make_document(new_id(), 1))
    assert_problem(central.submit(body), 400, "idempotency_key_missing")
    assert_problem(central.submit(body, "has space"), 400, "bad_request")
    assert_problem(central.submit(body, "x" * 256), 400, "bad_request")
    assert central.count(Submission) == 0


def test_a_body_over_the_limit_is_413_before_parsing(central: Central) -> None:
    body = submission(make_document(new_id(), 1))
    body["document"]["padding"] = "x" * (3 * 1024 * 1024)
    response = central.submit(body, key())
    assert_problem(response, 413, "too_large")
    # Without Content-Length (chunked), the streamed size is what counts.
    chunks = (b"x" * 65536 for _ in range(48))
    headers = {**central.auth(), "Idempotency-Key": key()}
    streamed = central.client.post("/v1/submissions", content=chunks, headers=headers)
    assert_problem(streamed, 413, "too_large")
    assert central.count(Submission) == 0


def test_a_real_persona_export_is_accepted_and_served_back(
    central: Central, default_bundle: Any
) -> None:
    from intake_tui.core import FrozenClock, Interview
    from intake_tui.core.export import ExportMeta, build_export
    from intake_tui.core.plan import draft_plan
    from intake_tui.personas import DEMO_TODAY, apply, persona

    interview = Interview(default_bundle, today=FrozenClock.on(DEMO_TODAY.isoformat()).today)
    apply(persona("rami"), interview)
    moment = dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC)
    meta = ExportMeta(
        interview_id=new_id(),
        revision=1,
        previous_revision=None,
        status="discussed",
        frozen_at=moment,
        created_at=moment,
        finalized_at=moment,
        caseworker="jdevries",
        device_id="device-7f3a",
        client_language="ar",
        interpreter_used=False,
        interpreter_how=None,
        interpreter_language=None,
        dagtekening=None,
        termijn_start=None,
    )
    export = build_export(interview, draft_plan(interview, default_bundle.plan), meta)
    document = export.model_dump(mode="json", by_alias=True)
    body = submission(document)
    response = central.submit(body, key())
    assert response.status_code == 201
    assert_receipt(response, body, replayed=False)
    plan = central.client.get(f"/v1/plans/{meta.interview_id}", headers=central.auth())
    assert plan.json() == document
    assert sha256_of(plan.json()) == body["payload_sha256"]


# -- batch ------------------------------------------------------------------------------------


def test_a_batch_answers_per_item_and_a_resend_replays(any_central: Central) -> None:
    good_1 = submission(make_document(new_id(), 1))
    invalid = {**submission(make_document(new_id(), 1)), "payload_sha256": "f" * 64}
    good_2 = submission(make_document(new_id(), 2, previous=1))
    items: list[dict[str, Any]] = [
        {"idempotency_key": key(), "submission": good_1},
        {"idempotency_key": key(), "submission": invalid},
        {"idempotency_key": key(), "submission": good_2},
    ]

    def send() -> list[dict[str, Any]]:
        response = any_central.client.post(
            "/v1/submissions:batch", json={"items": items}, headers=any_central.auth()
        )
        assert response.status_code == 200
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    first = send()
    assert [r["status"] for r in first] == [201, 422, 201]
    assert first[1]["body"]["code"] == "invalid_record"
    assert [r["body"].get("replayed") for r in first] == [False, None, False]
    again = send()
    assert [r["status"] for r in again] == [201, 422, 201]
    assert [r["body"].get("replayed") for r in again] == [True, None, True]
    assert again[0]["body"]["receipt_id"] == first[0]["body"]["receipt_id"]
    ids = [good_1["interview_id"], invalid["interview_id"], good_2["interview_id"]]
    assert [any_central.count(Submission, i) for i in ids] == [1, 0, 1]
    # The single endpoint answers the same key exactly as the batch did.
    single = any_central.submit(good_2, items[2]["idempotency_key"])
    assert (single.status_code, single.json()) == (201, again[2]["body"])


def test_batch_items_are_checked_one_by_one(central: Central) -> None:
    good = submission(make_document(new_id(), 1))
    items: list[Any] = [
        {"submission": good},
        "not an item",
        {"idempotency_key": key(), "submission": good},
    ]
    response = central.client.post(
        "/v1/submissions:batch", json={"items": items}, headers=central.auth()
    )
    results = response.json()["results"]
    assert [(r["status"], r["body"].get("code")) for r in results] == [
        (400, "idempotency_key_missing"),
        (400, "bad_request"),
        (201, None),
    ]
    too_many = {"items": [{"idempotency_key": key(), "submission": good}] * 101}
    response = central.client.post("/v1/submissions:batch", json=too_many, headers=central.auth())
    assert_problem(response, 400, "bad_request")


def test_one_batch_judges_each_item_against_the_ones_before_it(central: Central) -> None:
    """A batch is one transaction, but item 2 sees item 1: the same record twice is a replay,
    the same id with other content is a conflict kept for a human, as with single requests."""
    record_id = new_id()
    first = submission(make_document(record_id, 1, variant="nl"))
    other = submission(make_document(record_id, 1, variant="ar"))
    assert first["payload_sha256"] != other["payload_sha256"]
    items = [
        {"idempotency_key": key(), "submission": first},
        {"idempotency_key": key(), "submission": first},
        {"idempotency_key": key(), "submission": other},
    ]
    response = central.client.post(
        "/v1/submissions:batch", json={"items": items}, headers=central.auth()
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 200, 409]
    assert results[1]["body"]["replayed"] is True
    assert results[1]["body"]["receipt_id"] == results[0]["body"]["receipt_id"]
    assert results[2]["body"]["code"] == "record_conflict"
    again = central.client.post(
        "/v1/submissions:batch", json={"items": items}, headers=central.auth()
    )
    assert [r["status"] for r in again.json()["results"]] == [201, 200, 409]
    assert [r["body"].get("replayed") for r in again.json()["results"][:2]] == [True, True]


# -- concurrency ------------------------------------------------------------------------------


def _race(central: Central, bodies_and_keys: list[tuple[dict[str, Any], str]]) -> list[Any]:
    barrier = threading.Barrier(len(bodies_and_keys))
    results: list[Any] = [None] * len(bodies_and_keys)

    def post(index: int, body: dict[str, Any], k: str) -> None:
        with httpx.Client(base_url=central.base, timeout=20, trust_env=False) as client:
            barrier.wait(5)
            headers = {**central.auth(), "Idempotency-Key": k}
            response = client.post("/v1/submissions", json=body, headers=headers)
            results[index] = (response.status_code, response.json())

    threads = [
        threading.Thread(target=post, args=(i, body, k))
        for i, (body, k) in enumerate(bodies_and_keys)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_identical_submissions_at_once_store_one_record(any_central: Central) -> None:
    body = submission(make_document(new_id(), 1))
    k = key()
    results = _race(any_central, [(body, k)] * 6)
    assert {status for status, _ in results} == {201}
    assert sorted(r["replayed"] for _, r in results) == [False] + [True] * 5
    assert len({r["receipt_id"] for _, r in results}) == 1
    assert any_central.count(Submission, body["interview_id"]) == 1
    with Session(any_central.app.state.engine) as session:
        found = session.exec(
            select(func.count()).select_from(IdempotencyRecord).where(IdempotencyRecord.key == k)
        ).one()
    assert found == 1


def test_one_record_under_several_keys_at_once_is_stored_once(any_central: Central) -> None:
    body = submission(make_document(new_id(), 1))
    results = _race(any_central, [(body, key()) for _ in range(6)])
    assert sorted(status for status, _ in results) == [200] * 5 + [201]
    assert len({r["receipt_id"] for _, r in results}) == 1
    assert any_central.count(Submission, body["interview_id"]) == 1


# -- central plan edits -----------------------------------------------------------------------


def test_a_central_edit_needs_the_current_etag(any_central: Central) -> None:
    interview_id = new_id()
    url = f"/v1/plans/{interview_id}"
    auth = any_central.auth()
    assert_problem(any_central.client.get(url, headers=auth), 404, "not_found")
    first = make_document(interview_id, 1, "discussed")
    assert any_central.submit(submission(first), key()).status_code == 201
    got = any_central.client.get(url, headers=auth)
    assert got.status_code == 200
    assert got.json() == first
    tag = got.headers["etag"]
    assert tag == '"1"'

    edited = make_document(interview_id, 1, "discussed", variant="edited centrally")
    # Only a back-office editor edits centrally; the laptop sends revisions instead.
    refused = any_central.client.put(
        url, json={"document": edited}, headers={**auth, "If-Match": tag}
    )
    assert_problem(refused, 403, "role_forbidden")
    auth = any_central.auth(account(any_central.db_url, "editor"))
    put = any_central.client.put(url, json={"document": edited}, headers=auth)
    assert_problem(put, 428, "precondition_required")
    fresh = any_central.client.put(
        url, json={"document": edited}, headers={**auth, "If-Match": tag}
    )
    assert fresh.status_code == 200
    new_tag = fresh.headers["etag"]
    assert new_tag == '"2"' == fresh.json()["etag"]

    stale = any_central.client.put(url, json={"document": first}, headers={**auth, "If-Match": tag})
    problem = assert_problem(stale, 412, "precondition_failed")
    assert problem["etag"] == new_tag
    assert problem["current"] == edited
    now = any_central.client.get(url, headers=auth)
    assert (now.headers["etag"], now.json()) == (new_tag, edited)  # the central edit survived

    # A revision that has not seen the central edit is refused, and nothing is stored; once it
    # names the edited version it becomes the latest version; history is kept.
    second = make_document(interview_id, 2, "final", previous=1)
    blind = any_central.submit(submission(second), key())
    problem = assert_problem(blind, 409, "central_edit")
    assert (problem["central_version"], problem["etag"]) == (2, new_tag)
    assert any_central.count(PlanVersion, interview_id) == 2
    seen = {**submission(second), "based_on_version": 2}
    assert any_central.submit(seen, key()).status_code == 201
    latest = any_central.client.get(url, headers=auth)
    assert (latest.headers["etag"], latest.json()) == ('"3"', second)
    assert any_central.count(PlanVersion, interview_id) == 3


def test_a_central_edit_must_be_a_valid_document_for_that_plan(central: Central) -> None:
    interview_id = new_id()
    assert central.submit(submission(make_document(interview_id, 1)), key()).status_code == 201
    headers = {**central.auth(account(central.db_url, "editor")), "If-Match": '"1"'}
    url = f"/v1/plans/{interview_id}"
    elsewhere = make_document(new_id(), 1)
    response = central.client.put(url, json={"document": elsewhere}, headers=headers)
    assert_problem(response, 422, "invalid_record")
    response = central.client.put(url, json={"document": {"record": {}}}, headers=headers)
    assert_problem(response, 422, "invalid_record")
    nowhere = new_id()
    missing = central.client.put(
        f"/v1/plans/{nowhere}", json={"document": make_document(nowhere, 1)}, headers=headers
    )
    assert_problem(missing, 404, "not_found")


# -- anchors ----------------------------------------------------------------------------------


def test_anchors_are_kept(central: Central) -> None:
    anchor = {"seq": 412, "hash": "ab" * 32}
    first = central.client.post("/v1/anchors", json=anchor, headers=central.auth())
    assert first.status_code == 201
    assert set(first.json()) == {"anchor_id", "received_at"}
    again = central.client.post("/v1/anchors", json=anchor, headers=central.auth())
    assert again.status_code == 201
    assert again.json()["anchor_id"] == first.json()["anchor_id"]
    later = central.client.post(
        "/v1/anchors", json={"seq": 413, "hash": "cd" * 32}, headers=central.auth()
    )
    assert later.json()["anchor_id"] != first.json()["anchor_id"]
    for bad in ({"seq": -1, "hash": "ab" * 32}, {"seq": 1, "hash": "not hex"}, {"seq": "1"}):
        response = central.client.post("/v1/anchors", json=bad, headers=central.auth())
        assert_problem(response, 400, "bad_request")
    assert_problem(central.client.post("/v1/anchors", json=anchor), 401, "token_invalid")


# -- bundles ----------------------------------------------------------------------------------


def test_a_published_bundle_is_listed_downloaded_and_verified(central: Central) -> None:
    bundle_id, version, digest = admin.publish_bundle(central.db_url, DEFAULT_BUNDLE)
    assert bundle_id == "brede-intake"
    # Publishing the same content again changes nothing.
    assert admin.publish_bundle(central.db_url, DEFAULT_BUNDLE) == (bundle_id, version, digest)
    listed = central.client.get("/v1/bundles", headers=central.auth()).json()
    assert [(b["id"], b["version"], b["sha256"]) for b in listed] == [(bundle_id, version, digest)]
    got = central.client.get(f"/v1/bundles/{bundle_id}/{version}", headers=central.auth())
    assert got.status_code == 200
    body = got.json()
    files = {name: base64.b64decode(data) for name, data in body["files"].items()}
    assert "questionnaire.yaml" in files
    assert bundle_sha256(files) == body["sha256"] == digest
    bundle, problems = load_bundle_files(files)
    assert problems == []
    assert bundle is not None
    assert (bundle.id, bundle.version) == (bundle_id, version)
    missing = central.client.get(f"/v1/bundles/{bundle_id}/0.0.0", headers=central.auth())
    assert_problem(missing, 404, "not_found")


def test_a_broken_bundle_is_not_published(db_url: str) -> None:
    broken = sorted(p for p in BROKEN.iterdir() if p.is_dir())
    assert broken
    for path in broken:
        with pytest.raises(admin.BundleRejected) as rejected:
            admin.publish_bundle(db_url, path)
        assert rejected.value.problems, path
    with serve_central(db_url) as (base, _app):
        _device, token = enrolled(db_url, base)
        listed = httpx.get(f"{base}/v1/bundles", headers={"Authorization": f"Bearer {token}"})
        assert listed.json() == []


# -- OpenAPI, errors, logging -----------------------------------------------------------------


def test_the_openapi_document_is_valid(central: Central) -> None:
    response = central.client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in (
        ("/v1/submissions", "post"),
        ("/v1/submissions:batch", "post"),
        ("/v1/devices", "post"),
        ("/v1/plans/{interview_id}", "put"),
        ("/v1/anchors", "post"),
        ("/v1/bundles/{bundle_id}/{version}", "get"),
        ("/v1/health", "get"),
    ):
        assert method in paths[path], path
    submit = paths["/v1/submissions"]["post"]
    assert "requestBody" in submit
    assert {"201", "409", "422"} <= set(submit["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in submit["parameters"])
    # Every local $ref points at something that exists.
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text)):
        assert ref in spec["components"]["schemas"], ref
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(spec)


def test_unknown_paths_and_methods_are_problems(central: Central) -> None:
    assert_problem(central.client.get("/v1/nothing"), 404, "not_found")
    assert_problem(central.client.delete("/v1/submissions"), 405, "method_not_allowed")


def test_an_internal_error_is_a_500_problem_that_leaks_nothing(
    central: Central, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "BSN-999999990-in-an-exception"

    def explode() -> list[dict[str, Any]]:
        raise RuntimeError(secret)

    central.app.state.central.bundles = explode
    with caplog.at_level(logging.DEBUG):
        response = central.client.get("/v1/bundles", headers=central.auth())
    body = assert_problem(response, 500, "internal_error")
    assert secret not in json.dumps(body)
    assert "RuntimeError" not in json.dumps(body)
    assert secret not in caplog.text
    assert "RuntimeError" in caplog.text  # the type is logged, for the operator


# -- the command line -------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui.central.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_the_command_line_admin_commands(db_url: str) -> None:
    code = run_cli("enrolment-code", "--db", db_url)
    assert code.returncode == 0, code.stderr
    printed = code.stdout.strip()
    assert re.fullmatch(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", printed)
    assert "15 minutes" in code.stderr

    with serve_central(db_url) as (base, _app):
        enrol = httpx.post(f"{base}/v1/devices", json={"code": printed, "name": "cli laptop"})
        assert enrol.status_code == 201
        device_id, token = enrol.json()["device_id"], enrol.json()["token"]
        listing = run_cli("devices", "--db", db_url)
        assert listing.returncode == 0
        assert device_id in listing.stdout
        assert "cli laptop" in listing.stdout
        assert token not in listing.stdout

        revoke = run_cli("revoke-device", device_id, "--db", db_url)
        assert revoke.returncode == 0, revoke.stderr
        denied = httpx.get(f"{base}/v1/bundles", headers={"Authorization": f"Bearer {token}"})
        assert_problem(denied, 403, "device_revoked")

    unknown = run_cli("revoke-device", "no-such-device", "--db", db_url)
    assert unknown.returncode == 1
    assert "no-such-device" in unknown.stderr

    published = run_cli("publish-bundle", str(DEFAULT_BUNDLE), "--db", db_url)
    assert published.returncode == 0, published.stderr
    bundle_id, _version, digest = published.stdout.split()
    assert (bundle_id, len(digest)) == ("brede-intake", 64)

    broken = run_cli("publish-bundle", str(BROKEN / "syntax_error"), "--db", db_url)
    assert broken.returncode == 1
    assert "questionnaire.yaml" in broken.stderr
    assert "Traceback" not in broken.stderr + unknown.stderr

    usage = run_cli("no-such-command")
    assert usage.returncode == 1
    bad_db = run_cli("devices", "--db", "nonsense://")
    assert bad_db.returncode == 1
    assert "Traceback" not in bad_db.stderr


def test_serve_binds_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    assert args.db.startswith("sqlite:///") or "INTAKE_CENTRAL_DB" in os.environ


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_and_logs_no_tokens_or_bodies(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'served.db'}"
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "intake_tui.central.cli", "serve", "--port", str(port), "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "server exited"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        _device, token = enrolled(db, base)
        document = make_document(new_id(), 1, variant="MARKER-Xq7")
        response = httpx.post(
            f"{base}/v1/submissions",
            json=submission(document),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key()},
        )
        assert response.status_code == 201
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert token not in output
    assert "MARKER-Xq7" not in output
    assert "/v1/submissions" not in output  # no access log
    assert "Traceback" not in output


def test_run_uvicorn_serves_and_stops() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with run_uvicorn(app) as base:
        assert base.startswith("http://127.0.0.1:")
        assert httpx.get(base).status_code == 204
    with pytest.raises(httpx.TransportError):
        httpx.get(base, timeout=1)
