"""The reference central server against docs/sync-protocol.md, over real HTTP (uvicorn on
loopback, httpx). The core submission tests also run on PostgreSQL when
INTAKE_TEST_POSTGRES_URL is set (CI sets it); without it those variants are skipped."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from intake_tui.central import admin
from intake_tui.central.models import Conflict, IdempotencyRecord, Submission

from .central_helpers import (
    enrolled,
    make_document,
    serve_central,
    sha256_of,
    submission,
)
from .central_server import (  # noqa: F401 - fixtures
    BROKEN,
    DEFAULT_BUNDLE,
    PG_URL,
    PROBLEM,
    REPO,
    Central,
    MovableClock,
    any_central,
    assert_problem,
    assert_receipt,
    central,
    central_on,
    db_url,
    key,
    new_id,
    run_cli,
)

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
