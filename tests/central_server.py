"""What the central server's tests share: a server on loopback (SQLite, and PostgreSQL when
INTAKE_TEST_POSTGRES_URL is set) as pytest fixtures, and checks of its answers."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from .central_helpers import (
    enrolled,
    serve_central,
    sha256_of,
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


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui.central.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd or REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
