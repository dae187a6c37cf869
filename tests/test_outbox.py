"""The outbox: frozen revisions, and only those, are on their way, with one key each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake_tui.store import interviews, migrate, plans
from intake_tui.sync import client
from intake_tui.sync.protocol import canonical, payload_sha256

from .sync_helpers import outbox, store_with_frozen


def test_freezing_a_revision_writes_its_outbox_entry_in_the_same_transaction(
    tmp_path: Path,
) -> None:
    store, (interview_id,) = store_with_frozen(tmp_path / "data")
    try:
        rows = outbox(store)
        assert len(rows) == 1
        row = rows[0]
        revision = plans.revisions(store, interview_id)[0]
        assert (row.interview_id, row.revision, row.state, row.attempts) == (
            interview_id,
            revision.revision,
            "pending",
            0,
        )
        document = json.loads(revision.document_json)
        assert row.payload_sha256 == payload_sha256(document)
        assert len(row.idempotency_key) == 36
    finally:
        store.close()


def test_drafts_never_reach_the_outbox(tmp_path: Path) -> None:
    from .store_helpers import entered_persona, make_store
    from .sync_helpers import bundle

    store = make_store(tmp_path / "data")
    try:
        made = entered_persona(store, bundle(), "ayse")
        interviews.finalize_interview(store, made)
        assert outbox(store) == []
    finally:
        store.close()


def test_a_refused_freeze_leaves_no_outbox_entry(tmp_path: Path) -> None:
    store, (interview_id,) = store_with_frozen(tmp_path / "data")
    try:
        with pytest.raises(plans.PlanNotReady):
            plans.mark_final(store, interview_id, __import__("datetime").date(2026, 1, 1))
        assert len(outbox(store)) == 1
    finally:
        store.close()


def test_the_migration_gives_earlier_revisions_an_outbox_entry(tmp_path: Path) -> None:
    store, (interview_id,) = store_with_frozen(tmp_path / "data")
    try:
        migrate.downgrade(store.engine, "0005")
        migrate.upgrade(store.engine)
        rows = outbox(store)
        assert [(r.interview_id, r.state) for r in rows] == [(interview_id, "pending")]
        document = json.loads(plans.revisions(store, interview_id)[0].document_json)
        assert rows[0].payload_sha256 == payload_sha256(document)
    finally:
        store.close()


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://central.gemeente.example", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765/", True),
        ("http://[::1]:8765", True),
        ("http://central.gemeente.example", False),  # plain http off this machine
        ("http://10.0.0.5:8765", False),
        ("ftp://central", False),
        ("central.gemeente.example", False),
    ],
)
def test_plain_http_only_to_this_machine(url: str, ok: bool) -> None:
    if ok:
        assert client.check_server_url(url) == url.rstrip("/")
    else:
        with pytest.raises(client.SyncConfigError):
            client.check_server_url(url)


def test_a_demo_folder_syncs_only_to_this_machine() -> None:
    with pytest.raises(client.SyncConfigError):
        client.check_server_url("https://central.gemeente.example", loopback_only=True)
    assert client.check_server_url("http://127.0.0.1:1", loopback_only=True)


RECORD = {"interview_id": "abc", "revision": 2, "payload_sha256": "f" * 64}


@pytest.mark.parametrize(
    ("status", "content_type", "body", "verdict"),
    [
        (
            201,
            "application/json",
            {"interview_id": "abc", "revision": 2, "payload_sha256": "f" * 64},
            "acked",
        ),
        (200, "text/html", "<html>Welcome to the Wi-Fi</html>", "retry"),  # captive portal
        (
            200,
            "application/json",
            {"interview_id": "other", "revision": 2, "payload_sha256": "f" * 64},
            "retry",
        ),
        (
            200,
            "application/json",
            {"interview_id": "abc", "revision": 2, "payload_sha256": "0" * 64},
            "retry",
        ),
        (302, "text/html", None, "retry"),
        (408, "application/problem+json", {"code": "timeout"}, "retry"),
        (429, "application/problem+json", {"code": "busy"}, "retry"),
        (500, "application/problem+json", {"code": "internal"}, "retry"),
        (503, "text/plain", None, "retry"),
        (401, "application/problem+json", {"code": "token_expired"}, "unauthorized"),
        (403, "application/problem+json", {"code": "device_revoked"}, "revoked"),
        (409, "application/problem+json", {"code": "record_conflict"}, "conflict"),
        (422, "application/problem+json", {"code": "idempotency_key_reused"}, "rejected"),
        (413, "application/problem+json", {"code": "too_large"}, "rejected"),
        (400, "application/problem+json", {"code": "bad_request"}, "rejected"),
    ],
)
def test_every_answer_gets_the_verdict_the_protocol_table_says(
    status: int, content_type: str, body: object, verdict: str
) -> None:
    assert client.classify(status, content_type, body, RECORD).verdict == verdict


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (None, ""),
        ("ConnectError", "no connection to the server (ConnectError)"),
        ("200 without a matching receipt", "the answer was not a receipt (a Wi-Fi login page?)"),
        ("302 redirect (not followed)", "sent elsewhere by the network (302); not followed"),
        ("503 unavailable", "the server was busy or down (503)"),
        ("422 invalid_record", "the server refused it (422 invalid_record)"),
    ],
)
def test_the_sync_screen_says_each_stored_error_in_words(stored: str | None, shown: str) -> None:
    from intake_tui.ui.screens.sync import describe_error

    assert describe_error(stored) == shown
