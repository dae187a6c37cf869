"""The body-size guard in front of the app: an oversized body is refused (413) before it is
parsed, and drained only up to a bound. Part of `intake_tui.central.app`."""

from __future__ import annotations

import json
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from intake_tui.central.protocol import PROBLEM_JSON, Problem, logger

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
DRAIN_FACTOR = 8  # read (and drop) up to this many limits of an oversized body, then hang up


class Guard:
    """Outer middleware: refuses big bodies before anything parses them, answers errors."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            body = await self._read_body(scope, receive)
            if body is None:
                await _send_problem(send_wrapper, _too_large())
                return
            delivered = False

            async def replay() -> Message:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_wrapper)
        except _Disconnected:
            return
        except Problem as problem:
            if not started:
                await _send_problem(send_wrapper, problem)
        except Exception as error:
            # Type and places only: messages (pydantic, SQL) can carry case data.
            frames = traceback.extract_tb(error.__traceback__)[-6:]
            where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames)
            logger.error("internal error %s at %s", type(error).__name__, where)
            if not started:
                await _send_problem(send_wrapper, Problem(500, "internal_error"))

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None when it is over the limit (then it has been drained)."""
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise Problem(400, "bad_request", "Bad Content-Length.") from None
        chunks: list[bytes] = []
        size = 0
        over = declared is not None and declared > self.max_body
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > self.max_body:
                over = True
            if over:
                # Keep reading a while so the client gets to see the 413 instead of a reset.
                if size > self.max_body * DRAIN_FACTOR:
                    break
                continue
            chunks.append(chunk)
        return None if over else b"".join(chunks)


class _Disconnected(Exception):
    pass


def _too_large() -> Problem:
    return Problem(413, "too_large", headers={"Connection": "close"})


async def _send_problem(send: Send, problem: Problem) -> None:
    body = json.dumps(problem.body()).encode("utf-8")
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- the app ----------------------------------------------------------------------------------
