"""A small TCP proxy for transport faults an ASGI app cannot make itself.

Each accepted connection takes the next mode from a queue (then `pass` when the queue is
empty):

- `pass`: forward both ways;
- `reset_upload`: forward the first `reset_after` bytes of the request, then reset (RST) both
  sides: the server never sees a whole request;
- `drop_response`: forward the whole request, wait for the server's answer, then reset the
  client without forwarding it: the server has committed, the client never hears.

`connections` counts accepted connections (each httpx attempt opens at most one).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections import deque
from collections.abc import Iterator


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    def __init__(self, target_port: int, *, reset_after: int = 300) -> None:
        self.target_port = target_port
        self.reset_after = reset_after
        self.modes: deque[str] = deque()
        self.connections = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            mode = self.modes.popleft() if self.modes else "pass"
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except OSError:
            _reset(client)
            return
        if mode == "reset_upload":
            self._upload_then_reset(client, upstream)
        elif mode == "drop_response":
            self._drop_response(client, upstream)
        else:
            self._pipe_both(client, upstream)

    def _upload_then_reset(self, client: socket.socket, upstream: socket.socket) -> None:
        sent = 0
        with contextlib.suppress(OSError):
            while sent < self.reset_after:
                chunk = client.recv(min(4096, self.reset_after - sent))
                if not chunk:
                    break
                upstream.sendall(chunk)
                sent += len(chunk)
        _reset(upstream)
        _reset(client)

    def _drop_response(self, client: socket.socket, upstream: socket.socket) -> None:
        # Forward the request as it comes, until the server starts answering; then drop that
        # answer and reset the client.
        client.settimeout(0.05)
        upstream.settimeout(0.05)
        with contextlib.suppress(OSError):
            for _ in range(2000):  # ~100 s at most
                try:
                    chunk = client.recv(65536)
                    if not chunk:
                        break
                    upstream.sendall(chunk)
                except TimeoutError:
                    pass
                try:
                    answer = upstream.recv(65536)
                    if answer:
                        break
                except TimeoutError:
                    pass
        _reset(client)
        _reset(upstream)

    def _pipe_both(self, client: socket.socket, upstream: socket.socket) -> None:
        def pipe(source: socket.socket, target: socket.socket) -> None:
            with contextlib.suppress(OSError):
                while True:
                    chunk = source.recv(65536)
                    if not chunk:
                        break
                    target.sendall(chunk)
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)

        other = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        other.start()
        pipe(client, upstream)
        other.join(30)
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()


@contextlib.contextmanager
def fault_proxy(target_port: int, *, reset_after: int = 300) -> Iterator[FaultProxy]:
    proxy = FaultProxy(target_port, reset_after=reset_after).start()
    try:
        yield proxy
    finally:
        proxy.stop()
