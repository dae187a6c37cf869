"""ASGI fault injection and loopback sockets shared by the tests and benchmarks/sync.py.

`RecordFaults` wraps the central app: each record attempt to /v1/submissions(:batch) fails with
a probability, half before the server commits (503) and half after it (the commit stands, the
answer is replaced by 500: a lost acknowledgement the laptop must replay, never duplicate).
`loopback_socket` is the socket both run uvicorn on: IPPROTO_TCP, as uvicorn makes it when it
binds itself, so asyncio sets TCP_NODELAY on accepted connections (with proto 0 every keep-alive
answer waited ~40 ms for the client's delayed ACK).
"""

from __future__ import annotations

import json
import random
import socket
from typing import Any

SUBMISSION_PATHS = ("/v1/submissions", "/v1/submissions:batch")
STATS_PATH = "/_bench/faults"  # the fault counters, read after a run


def loopback_socket() -> socket.socket:
    """A TCP socket bound to 127.0.0.1 on a free port (bound before the server starts, so
    parallel test workers never race for a port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def problem(status: int, code: str) -> dict[str, Any]:
    return {
        "type": f"https://intake-tui.invalid/problems/{code}",
        "title": "Injected fault",
        "status": status,
        "detail": "Injected by tests/asgi_faults.py.",
        "code": code,
    }


class RecordFaults:
    """ASGI wrapper: each record attempt to /v1/submissions(:batch) fails with probability
    `rate`; half before the commit (503), half after it (committed, answer replaced by 500)."""

    def __init__(self, app: Any, rate: float = 0.0, seed: int = 1) -> None:
        self.app = app
        self.rate = rate
        self.rng = random.Random(seed)
        self.requests = 0  # HTTP requests to the submission endpoints
        self.before = 0  # faults injected before the commit
        self.after = 0  # faults injected after the commit (lost acknowledgements)

    def _fate(self) -> str:
        if self.rng.random() >= self.rate:
            return "ok"
        if self.rng.random() < 0.5:
            self.before += 1
            return "before"
        self.after += 1
        return "after"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == STATS_PATH:
            stats = {"requests": self.requests, "before": self.before, "after": self.after}
            await respond(send, 200, stats)
            return
        if scope["type"] != "http" or scope["path"] not in SUBMISSION_PATHS:
            await self.app(scope, receive, send)
            return
        self.requests += 1
        if self.rate <= 0:  # no faults: the real app, untouched
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == "/v1/submissions":
            fate = self._fate()
            if fate == "before":
                await respond(send, 503, problem(503, "unavailable"), retry_after=True)
                return
            status, headers, answer = await self._forward(scope, receive, body)
            if fate == "after":
                await respond(send, 500, problem(500, "internal_error"))
                return
            await respond_raw(send, status, headers, answer)
            return
        await self._batch(scope, receive, send, body)

    async def _batch(self, scope: Any, receive: Any, send: Any, body: bytes) -> None:
        items = json.loads(body)["items"]
        fates = [self._fate() for _ in items]
        forward = [item for item, fate in zip(items, fates, strict=True) if fate != "before"]
        results: list[Any] = []
        if forward:
            status, headers, answer = await self._forward(
                scope, receive, json.dumps({"items": forward}, ensure_ascii=False).encode()
            )
            if status != 200:  # the whole batch failed for real: pass that on untouched
                await respond_raw(send, status, headers, answer)
                return
            results = json.loads(answer)["results"]
        real = iter(results)
        merged = []
        for fate in fates:
            if fate == "before":
                merged.append({"status": 503, "body": problem(503, "unavailable")})
            elif fate == "after":
                next(real)  # committed by the server; the laptop never hears
                merged.append({"status": 500, "body": problem(500, "internal_error")})
            else:
                merged.append(next(real))
        await respond(send, 200, {"results": merged})

    async def _forward(
        self, scope: Any, receive: Any, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        inner = dict(scope, headers=headers)
        delivered = False

        async def replay() -> Any:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, replay, capture)
        return int(start["status"]), list(start.get("headers", [])), b"".join(chunks)


async def respond(send: Any, status: int, body: Any, *, retry_after: bool = False) -> None:
    content = json.dumps(body).encode()
    kind = b"application/problem+json" if status >= 400 else b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(content)).encode())]
    if retry_after:
        headers.append((b"retry-after", b"1"))
    await respond_raw(send, status, headers, content)


async def respond_raw(
    send: Any, status: int, headers: list[tuple[bytes, bytes]], content: bytes
) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
