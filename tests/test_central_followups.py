"""The central server takes a completed or missed talk as a record of its own (issue 19,
item 5; docs/sync-protocol.md): `kind: "followup"` on `/v1/submissions` and the batch, a receipt
that echoes `followup_id`, dedup by record id for ever, 409 record_conflict for other content,
the same idempotency-key replay as plans, the same owner and readers as the case's plan, and a
version-1 laptop's body without `kind` still a plan revision. Real HTTP (uvicorn on loopback);
on PostgreSQL too when INTAKE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx
from sqlmodel import Session, select

from intake_tui.central import admin
from intake_tui.central.models import Case, FollowupConflict, FollowupRecord, Submission

from .central_helpers import (
    account,
    enrolled,
    followup_submission,
    make_document,
    make_followup_document,
    sha256_of,
    submission,
)
from .central_server import Central, any_central, assert_problem, central, db_url  # noqa: F401


def new_id() -> str:
    return uuid.uuid4().hex


def key() -> str:
    return str(uuid.uuid4())


def talk(interview_id: str, status: str = "completed", **kwargs: Any) -> dict[str, Any]:
    return followup_submission(make_followup_document(interview_id, new_id(), status, **kwargs))


def stored(server: Central, interview_id: str) -> list[FollowupRecord]:
    with Session(server.app.state.engine) as session:
        return list(
            session.exec(
                select(FollowupRecord).where(FollowupRecord.interview_id == interview_id)
            ).all()
        )


def assert_talk_receipt(response: httpx.Response, body: dict[str, Any], *, replayed: bool) -> None:
    assert response.headers["content-type"] == "application/json"
    receipt = response.json()
    assert set(receipt) == {
        "receipt_id",
        "kind",
        "interview_id",
        "followup_id",
        "payload_sha256",
        "received_at",
        "replayed",
    }
    assert receipt["kind"] == "followup"
    assert (receipt["interview_id"], receipt["followup_id"]) == (
        body["interview_id"],
        body["followup_id"],
    )
    assert receipt["payload_sha256"] == body["payload_sha256"] == sha256_of(body["document"])
    assert receipt["replayed"] is replayed


def test_a_talk_after_its_plan_gets_a_receipt_and_replays_like_a_plan(
    any_central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    assert any_central.submit(submission(make_document(case_id, 1)), key()).status_code == 201
    body = talk(case_id)
    k = key()
    first = any_central.submit(body, k)
    assert first.status_code == 201
    assert_talk_receipt(first, body, replayed=False)
    again = any_central.submit(body, k)  # the same device and key: the first answer again
    assert again.status_code == 201
    assert_talk_receipt(again, body, replayed=True)
    assert again.json()["receipt_id"] == first.json()["receipt_id"]
    other_key = any_central.submit(body, key())  # another key: the stored receipt
    assert other_key.status_code == 200
    assert_talk_receipt(other_key, body, replayed=True)
    # The key reused for another body is refused, as for a plan.
    assert_problem(any_central.submit(talk(case_id), k), 422, "idempotency_key_reused")
    (row,) = stored(any_central, case_id)
    assert (row.followup_id, row.status) == (body["followup_id"], "completed")
    assert json.loads(row.document) == body["document"]
    # A talk is not a plan revision: the plan is as it was.
    assert any_central.count(Submission, case_id) == 1


def test_other_content_for_a_stored_talk_is_a_409_kept_for_a_human(
    any_central: Central,  # noqa: F811
) -> None:
    case_id, talk_id = new_id(), new_id()
    first = followup_submission(make_followup_document(case_id, talk_id, variant="soms"))
    other = followup_submission(make_followup_document(case_id, talk_id, variant="nooit"))
    assert first["payload_sha256"] != other["payload_sha256"]
    assert any_central.submit(first, key()).status_code == 201
    k = key()
    problem = assert_problem(any_central.submit(other, k), 409, "record_conflict")
    assert (problem["interview_id"], problem["followup_id"]) == (case_id, talk_id)
    assert problem["stored_payload_sha256"] == first["payload_sha256"]
    assert_problem(any_central.submit(other, k), 409, "record_conflict")  # kept once
    (row,) = stored(any_central, case_id)
    assert row.payload_sha256 == first["payload_sha256"]  # nothing overwritten
    with Session(any_central.app.state.engine) as session:
        kept = session.exec(
            select(FollowupConflict).where(FollowupConflict.interview_id == case_id)
        ).all()
    assert [c.payload_sha256 for c in kept] == [other["payload_sha256"]]


def test_a_talk_of_another_devices_case_is_404_exactly_as_an_unknown_id(
    any_central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    assert any_central.submit(submission(make_document(case_id, 1)), key()).status_code == 201
    _device, token = enrolled(any_central.db_url, any_central.base, name="another laptop")
    theirs = assert_problem(any_central.submit(talk(case_id), key(), token=token), 404, "not_found")
    unknown = assert_problem(
        any_central.client.get(f"/v1/plans/{new_id()}/followups", headers=any_central.auth(token)),
        404,
        "not_found",
    )
    listing = any_central.client.get(
        f"/v1/plans/{case_id}/followups", headers=any_central.auth(token)
    )
    assert (listing.status_code, listing.json()) == (404, unknown)
    assert theirs == unknown
    assert stored(any_central, case_id) == []


def test_the_first_sender_of_a_talk_owns_a_case_the_server_never_saw(
    any_central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    missed = talk(case_id, "missed")
    assert any_central.submit(missed, key()).status_code == 201
    with Session(any_central.app.state.engine) as session:
        owner = session.get(Case, case_id)
    assert owner is not None and owner.device_id == any_central.device_id
    # Its plan revision then comes from the same device and is taken; another device's is not.
    _device, token = enrolled(any_central.db_url, any_central.base, name="another laptop")
    plan = submission(make_document(case_id, 1))
    assert_problem(any_central.submit(plan, key(), token=token), 404, "not_found")
    assert any_central.submit(plan, key()).status_code == 201


def test_a_version_1_laptops_body_without_kind_is_still_a_plan(
    any_central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    body = submission(make_document(case_id, 1))
    assert "kind" not in body
    response = any_central.submit(body, key())
    assert response.status_code == 201
    assert set(response.json()) == {
        "receipt_id",
        "interview_id",
        "revision",
        "payload_sha256",
        "received_at",
        "replayed",
    }  # the receipt a version-1 laptop checks, unchanged
    explicit = {**submission(make_document(case_id, 2, previous=1)), "kind": "plan"}
    assert any_central.submit(explicit, key()).status_code == 201
    assert any_central.count(Submission, case_id) == 2
    unknown_kind = {**submission(make_document(case_id, 3, previous=2)), "kind": "note"}
    assert_problem(any_central.submit(unknown_kind, key()), 422, "invalid_record")


def test_a_talk_whose_fields_hash_or_document_disagree_is_422(
    central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    body = talk(case_id)
    bad_hash = {**body, "payload_sha256": "0" * 64}
    assert_problem(central.submit(bad_hash, key()), 422, "invalid_record")
    for field, value in (
        ("followup_id", new_id()),
        ("interview_id", new_id()),
        ("status", "missed"),
    ):
        assert_problem(central.submit({**body, field: value}, key()), 422, "invalid_record")
    # A plan revision's document is not a talk's, and a planned talk is never a record.
    plan_document = make_document(case_id, 1)
    wrong = {**body, "document": plan_document, "payload_sha256": sha256_of(plan_document)}
    assert_problem(central.submit(wrong, key()), 422, "invalid_record")
    planned = make_followup_document(case_id, new_id(), "missed")
    planned["record"]["status"] = planned["followup"]["status"] = "planned"
    body_planned = {**followup_submission(planned), "status": "planned"}
    assert_problem(central.submit(body_planned, key()), 422, "invalid_record")
    mismatch = make_followup_document(case_id, new_id())
    mismatch["followup"]["id"] = new_id()
    assert_problem(central.submit(followup_submission(mismatch), key()), 422, "invalid_record")
    assert stored(central, case_id) == []


def test_a_batch_takes_plans_and_talks_each_as_the_single_endpoint(
    any_central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    plan = submission(make_document(case_id, 1))
    held, missed = talk(case_id), talk(case_id, "missed")
    items = [{"idempotency_key": key(), "submission": s} for s in (plan, held, missed, held)]

    def send() -> list[dict[str, Any]]:
        response = any_central.client.post(
            "/v1/submissions:batch", json={"items": items}, headers=any_central.auth()
        )
        assert response.status_code == 200
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    first = send()
    assert [r["status"] for r in first] == [201, 201, 201, 200]
    assert first[3]["body"]["receipt_id"] == first[1]["body"]["receipt_id"]
    assert [r["body"].get("kind") for r in first] == [None, "followup", "followup", "followup"]
    again = send()
    assert [r["body"]["replayed"] for r in again] == [True] * 4
    single = any_central.submit(missed, items[2]["idempotency_key"])
    assert (single.status_code, single.json()) == (201, again[2]["body"])
    assert len(stored(any_central, case_id)) == 2


def test_the_case_talks_are_read_by_whoever_may_read_its_plan_and_audited(
    central: Central,  # noqa: F811
) -> None:
    case_id = new_id()
    assert central.submit(submission(make_document(case_id, 1)), key()).status_code == 201
    url = f"/v1/plans/{case_id}/followups"
    assert central.client.get(url, headers=central.auth()).json() == []  # none yet
    held, missed = talk(case_id), talk(case_id, "missed")
    for body in (held, missed):
        assert central.submit(body, key()).status_code == 201
    listing = central.client.get(url, headers=central.auth())
    assert listing.status_code == 200
    assert [(t["followup_id"], t["status"]) for t in listing.json()] == [
        (held["followup_id"], "completed"),
        (missed["followup_id"], "missed"),
    ]
    assert [t["document"] for t in listing.json()] == [held["document"], missed["document"]]
    assert [t["payload_sha256"] for t in listing.json()] == [
        held["payload_sha256"],
        missed["payload_sha256"],
    ]
    # The back office: the device's organisation is "unassigned" until an admin moves it.
    admin.set_device_org(central.db_url, central.device_id, "0363")
    privacy = account(central.db_url, "privacy", "0363")
    read = central.client.get(url, headers=central.auth(privacy))
    assert read.status_code == 200 and len(read.json()) == 2
    elsewhere = account(central.db_url, "editor", "0599")
    assert_problem(central.client.get(url, headers=central.auth(elsewhere)), 404, "not_found")
    log = admin.audit_log(central.db_url, object_id=case_id)
    seen = [(e["action"], e["result"], e["detail"].split()[0]) for e in reversed(log)]
    assert seen == [
        ("followup_read", "ok", "role=privacy"),
        ("followup_read", "404", "role=editor"),
    ]
    assert not [e for e in log if "soms" in json.dumps(e) or "jdevries" in json.dumps(e)]


def test_the_same_talk_at_once_is_stored_once(any_central: Central) -> None:  # noqa: F811
    case_id = new_id()
    body = talk(case_id)
    barrier = threading.Barrier(6)
    results: list[int] = []

    def post() -> None:
        with httpx.Client(base_url=any_central.base, timeout=20, trust_env=False) as client:
            barrier.wait(5)
            headers = {**any_central.auth(), "Idempotency-Key": key()}
            results.append(client.post("/v1/submissions", json=body, headers=headers).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [200] * 5 + [201]
    assert len(stored(any_central, case_id)) == 1
