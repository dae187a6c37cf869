"""Shared helpers for tests that talk to a real central server (uvicorn on loopback).

`run_uvicorn` follows docs/security-and-sync.md §3.5: a pre-bound socket (no port race under
xdist), bounded start-up and teardown waits. `make_document` builds a valid intake-export/1
document with the project's own models; `submission` wraps it as the protocol's request body.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn

from .asgi_faults import loopback_socket

UTC = dt.UTC


@contextlib.contextmanager
def run_uvicorn(app: Any, **ssl_kwargs: Any) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a thread; yields "http://127.0.0.1:PORT" (https with TLS)."""
    sock = loopback_socket()  # TCP_NODELAY on accepted connections (tests/asgi_faults.py)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=2,
            **ssl_kwargs,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        scheme = "https" if ssl_kwargs.get("ssl_certfile") else "http"
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(5)
        sock.close()


@contextlib.contextmanager
def serve_central(db_url: str, **app_kwargs: Any) -> Iterator[tuple[str, Any]]:
    """A central server over `db_url`: yields (base URL, app); the engine is disposed after."""
    from intake_tui.central.app import create_app

    app = create_app(db_url, **app_kwargs)
    try:
        with run_uvicorn(app) as base:
            yield base, app
    finally:
        app.state.engine.dispose()


def enrolled(
    db_url: str, base_url: str, *, name: str = "laptop-test", org: str | None = None
) -> tuple[str, str]:
    """A device enrolled the real way: an admin's one-time code (for `org`, else the default
    organisation), then POST /v1/devices."""
    from intake_tui.central.admin import new_enrolment_code

    code = new_enrolment_code(db_url) if org is None else new_enrolment_code(db_url, org=org)
    response = httpx.post(
        f"{base_url}/v1/devices", json={"code": code, "name": name}, timeout=10, trust_env=False
    )
    response.raise_for_status()
    body = response.json()
    return body["device_id"], body["token"]


def account(db_url: str, role: str = "editor", org: str | None = None) -> str:
    """A back-office account's token (a fresh name each time: the PostgreSQL database is shared
    between runs)."""
    import uuid

    from intake_tui.central.admin import add_account

    name = f"{role}-{uuid.uuid4().hex[:8]}"
    return (
        add_account(db_url, name, role) if org is None else add_account(db_url, name, role, org=org)
    )


def canonical(document: Any) -> bytes:
    """The contract's canonical JSON, written out here so tests check the server against it."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sha256_of(document: Any) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def make_document(
    interview_id: str,
    revision: int,
    status: str = "final",
    previous: int | None = None,
    *,
    variant: str = "nl",
) -> dict[str, Any]:
    """A valid intake-export/1 document (built and checked by intake_tui.core.export's models);
    `variant` changes one answer, for a second version of the same revision."""
    from intake_tui.core.export import (
        AnswerOut,
        BundleRef,
        DuoPip,
        ExportDocument,
        Interpreter,
        InterviewInfo,
        PlanOut,
        Record,
    )

    final = status == "final"
    day = dt.date(2026, 11, 28)
    document = ExportDocument(
        record=Record(
            interview_id=interview_id,
            revision=revision,
            previous_revision=previous,
            status=status,  # type: ignore[arg-type]
            frozen_at=dt.datetime(2026, 11, 28, 10, 30, tzinfo=UTC),
        ),
        interview=InterviewInfo(
            bundle=BundleRef(id="brede-intake", version="1.0.0", sha256="0" * 64),
            client_language="ar",
            interpreter=Interpreter(used=True, how="telefonisch", language="ar"),
            created_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            finalized_at=dt.datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
            caseworker="jdevries",
            device_id="device-7f3a",
        ),
        answers={"taal.spreektaal": AnswerOut(state="answered", value=variant)},
        withheld=[],
        sealed=True,
        plan=PlanOut(fields={}, dagtekening=day if final else None, termijn=None),
        duo=DuoPip.model_validate({"dagtekeningPip": day, "leerroute": "B"}) if final else None,
    )
    data: dict[str, Any] = document.model_dump(mode="json", by_alias=True)
    return data


def submission(document: dict[str, Any]) -> dict[str, Any]:
    """The body of POST /v1/submissions for a document (fields taken from its record)."""
    record = document["record"]
    return {
        "interview_id": record["interview_id"],
        "revision": record["revision"],
        "previous_revision": record["previous_revision"],
        "status": record["status"],
        "payload_sha256": sha256_of(document),
        "document": document,
    }


def make_followup_document(
    interview_id: str, followup_id: str, status: str = "completed", *, variant: str = "soms"
) -> dict[str, Any]:
    """A valid intake-followup/1 document (a talk's own record, built and checked by the
    project's models): completed with one answer (`variant` changes it), or missed."""
    from intake_tui.core.export import (
        AnswerOut,
        BundleRef,
        FollowupDocument,
        FollowupOut,
        FollowupRecord,
        Interpreter,
    )

    completed = status == "completed"
    followup = FollowupOut(
        id=followup_id,
        bundle=BundleRef(id="voortgangsgesprek", version="1.0.0", sha256="1" * 64)
        if completed
        else None,
        date=dt.date(2027, 2, 20),
        status=status,  # type: ignore[arg-type]
        reason=None if completed else "niet gekomen",
        caseworker="jdevries" if completed else None,
        interpreter=Interpreter(used=False, how=None, language=None) if completed else None,
        client_language="ar" if completed else None,
        answers={"voortgang.aanwezigheid": AnswerOut(state="answered", value=variant)}
        if completed
        else {},
        special=["belemmeringen.gezondheid"] if completed else [],
    )
    document = FollowupDocument(
        record=FollowupRecord(
            interview_id=interview_id,
            followup_id=followup_id,
            status=status,  # type: ignore[arg-type]
            frozen_at=dt.datetime(2027, 2, 20, 11, 0, tzinfo=UTC),
        ),
        followup=followup,
    )
    data: dict[str, Any] = document.model_dump(mode="json", by_alias=True)
    return data


def followup_submission(document: dict[str, Any]) -> dict[str, Any]:
    """The body of POST /v1/submissions for a talk's document (`kind: "followup"`)."""
    record = document["record"]
    return {
        "kind": "followup",
        "interview_id": record["interview_id"],
        "followup_id": record["followup_id"],
        "status": record["status"],
        "payload_sha256": sha256_of(document),
        "document": document,
    }
