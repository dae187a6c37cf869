"""The reference central server, continued: central plan edits, anchors, published bundles,
the OpenAPI document and error handling, and its command line; over real HTTP."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from intake_tui.central import admin
from intake_tui.central.cli import build_parser
from intake_tui.central.models import PlanVersion
from intake_tui.core.questionnaire import bundle_sha256, load_bundle_files

from .central_helpers import (
    account,
    enrolled,
    make_document,
    run_uvicorn,
    serve_central,
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
