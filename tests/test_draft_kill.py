"""Half-typed text survives a real SIGKILL: the app runs in its own process on a pseudo-
terminal, the caseworker types, pauses two seconds, and the process is killed without warning.
The next session finds the text and offers it back, marked as not saved."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from intake_tui.core.engine import Step
from intake_tui.store import drafts, interviews
from intake_tui.store.keyring import TEST_KDF

from .conftest import REPO
from .store_helpers import reopen
from .tui_helpers import make_app, open_case

SCRIPT = """
import sys
from pathlib import Path
from intake_tui.core.engine import Step
from intake_tui.i18n import set_language
from intake_tui.store.keyring import TEST_KDF
from intake_tui.ui.app import IntakeApp

set_language("en")

class Resuming(IntakeApp):
    # After unlocking, go straight to one question (as after a lock): no keys to find a case.
    def on_mount(self):
        self.call_later(lambda: setattr(self.screen, "resume", (sys.argv[2], Step("achternaam"))))

Resuming(Path(sys.argv[1]), user="demo", kdf_floor=TEST_KDF).run()
"""

TYPED = "Xqzw"


def _plain(seen: bytes) -> bytes:
    """The screen's text without escape sequences (a word may be drawn in pieces)."""
    return re.sub(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[=>78]", b"", seen)


def _wait(master: int, seen: bytearray, marker: bytes, seconds: float = 30) -> None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if marker in _plain(bytes(seen)):
            return
        ready, _w, _x = select.select([master], [], [], 0.2)
        if ready:
            seen.extend(os.read(master, 65536))
    raise AssertionError(f"{marker!r} never appeared: {bytes(seen[-300:])!r}")


async def test_typed_text_survives_a_sigkill_and_is_offered_back(tmp_path: Path) -> None:
    from intake_tui.demo import open_or_make_demo

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    store = reopen(root, "demo", "demo-passphrase")
    try:
        interview_id = interviews.list_interviews(store, "farid").items[0].id
        stored = interviews.open_interview(store, interview_id).interview.answer("achternaam")
    finally:
        store.close()

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(root), interview_id],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color"},
        start_new_session=True,
        cwd=REPO,
    )
    os.close(slave)
    seen = bytearray()
    try:
        _wait(master, seen, b"Unlock")
        os.write(master, b"demo-passphrase\r")
        _wait(master, seen, b"Surname")  # the resumed question (achternaam) is shown
        time.sleep(0.3)
        os.write(master, TYPED.encode())
        _wait(master, seen, TYPED.encode())
        time.sleep(2.2)  # the promise: at most two seconds after the last keystroke
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(master)
    assert process.returncode == -signal.SIGKILL

    store = reopen(root, "demo", "demo-passphrase")
    try:
        kept = drafts.drafts(store, interview_id)
        reread = interviews.open_interview(store, interview_id).interview
    finally:
        store.close()
    assert kept[("achternaam", None)].endswith(TYPED)
    assert reread.answer("achternaam") == stored  # a draft, never an answer

    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "farid")
        screen.show(Step("achternaam"))
        await pilot.pause(0.05)
        field = screen.query_one("#field-text")
        assert field.value.endswith(TYPED)
        assert screen.query_one("#draft").display
