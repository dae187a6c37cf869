"""What the sync tests share: a scripted server and the real reference server on loopback
(as a pytest fixture), an enrolled store, recorded backoff waits, the demo folder's store."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.store.session import Store
from intake_tui.sync import service
from intake_tui.sync.service import Policy

from .central_helpers import run_uvicorn
from .sync_helpers import outbox


class Scripted:
    """Application-level faults in front of the real app, one per request to /v1/submissions:
    "500", "503", "429" (with Retry-After: 1), "portal" (200 text/html, like a reception
    centre's Wi-Fi login page), "commit_then_hang" (the app commits, the answer comes late)."""

    def __init__(self, app: Any, hang_s: float = 3.0) -> None:
        self.app = app
        self.queue: deque[str] = deque()
        self.hang_s = hang_s
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/submissions"):
            await self.app(scope, receive, send)
            return
        self.requests += 1
        action = self.queue.popleft() if self.queue else "pass"
        if action in ("500", "503", "429", "portal"):
            while (await receive()).get("more_body"):
                pass
            if action == "portal":
                headers = [(b"content-type", b"text/html; charset=utf-8")]
                body = b"<html><body>Welkom op het gastennetwerk. Log in.</body></html>"
                status = 200
            else:
                headers = [(b"content-type", b"application/problem+json")]
                if action != "500":
                    headers.append((b"retry-after", b"1"))
                body = json.dumps({"code": "scripted", "status": int(action)}).encode()
                status = int(action)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if action == "commit_then_hang":
            held: list[Any] = []

            async def hold(message: Any) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(self.hang_s)
            with contextlib.suppress(Exception):
                for message in held:
                    await send(message)
            return
        await self.app(scope, receive, send)


class Central:
    """A running reference server with its database, for one test."""

    def __init__(self, db_url: str, app: Scripted, url: str) -> None:
        self.db_url = db_url
        self.app = app
        self.url = url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def records(self) -> list[tuple[str, int]]:
        engine = sa.create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT interview_id, revision FROM central_submission")
                ).fetchall()
        finally:
            engine.dispose()
        return [(str(a), int(b)) for a, b in rows]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    app = Scripted(create_app(db_url))
    with run_uvicorn(app) as url:
        yield Central(db_url, app, url)


def enrolled(store: Store, central: Central, url: str | None = None) -> None:
    code = admin.new_enrolment_code(central.db_url)
    service.enrol(store, url or central.url, code)


class Sleeps:
    """Records the backoff instead of waiting it out (the delays are asserted, not slept)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


FAST = Policy(max_attempts=6, budget_s=120, timeout_s=1.0)


def report(name: str, **figures: object) -> None:
    print(f"\n[{name}] " + " ".join(f"{k}={v}" for k, v in figures.items()))


def states(store: Store) -> list[str]:
    return [row.state for row in outbox(store)]


@contextlib.contextmanager
def demo_store(tmp_path: Path) -> Iterator[tuple[Path, Store]]:
    """The demo folder (six personas, five frozen plans) and its store, unlocked, then closed."""
    from intake_tui.demo import DEMO_PASSPHRASE, DEMO_USER, open_or_make_demo
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.session import unlock

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    store = unlock(DataDir(root), DEMO_USER, DEMO_PASSPHRASE, floor=TEST_KDF)
    try:
        yield root, store
    finally:
        store.close()
