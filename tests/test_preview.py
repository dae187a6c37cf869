"""`intake-tui questionnaire preview` (issue 17, item 4): a bundle tried in the real screens,
"VOORBEELD" on every one of them, and nothing written anywhere."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.ui.preview import PreviewApp, PreviewMark

from .conftest import BUNDLES, DEFAULT_BUNDLE


def files_under(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root`, with its size and modification time."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        found[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A bundle folder, and a home, work folder and data folder setting around it, all under
    one root whose every file is listed before the test (the root, then the bundle)."""
    bundle = tmp_path / "bundle"
    shutil.copytree(DEFAULT_BUNDLE, bundle)
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    for name, value in {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local" / "state",
        "INTAKE_TUI_DATA_DIR": tmp_path / "data",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.chdir(work)
    yield tmp_path, bundle


def mark_on_top(app: PreviewApp) -> str:
    """The mark's text, when the mark is what the screen shows in its top-left corner."""
    widget, _region = app.screen.get_widget_at(1, 0)
    assert isinstance(widget, PreviewMark), type(widget).__name__
    return str(widget.render())


async def wait_for(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        await pilot.pause(0.05)
        if type(pilot.app.screen).__name__ == name and pilot.app.screen.query(PreviewMark):
            await pilot.pause(0.05)
            return
    raise AssertionError(f"{name} did not appear; now {type(pilot.app.screen).__name__}")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_screen_says_voorbeeld_and_nothing_is_written(
    sealed: tuple[Path, Path], dutch: None, size: tuple[int, int]
) -> None:
    root, folder = sealed
    before = files_under(root)
    sys.setswitchinterval(0.005)  # Python's own, whatever a test before this one left
    app = PreviewApp(load_bundle(folder), "ar", clock=FrozenClock.on("2026-11-28"))
    seen = {}
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, "InterviewScreen")
        seen["interview"] = mark_on_top(app)
        for _ in range(12):  # on to the first question put to the newcomer, then F7
            await pilot.press("pagedown", "f7")
            await pilot.pause(0.2)
            if type(app.screen).__name__ == "NewcomerView":
                break
        await wait_for(pilot, "NewcomerView")
        seen["newcomer view"] = mark_on_top(app)
        await pilot.press("escape", "f5")
        await wait_for(pilot, "ReviewScreen")
        seen["review"] = mark_on_top(app)
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        seen["draft plan"] = mark_on_top(app)
        assert not app.screen.check_action("export", ())  # no export key: it would write
        await pilot.press("e", "d")  # export refused; "discussed" is kept in memory only
        await pilot.pause(0.3)
        await pilot.press("escape", "escape", "escape")
        await wait_for(pilot, "PreviewHomeScreen")
        seen["home"] = mark_on_top(app)
        # The caseworker's app starts on its unlock screen; a preview has none under its home.
        assert "UnlockScreen" not in [type(screen).__name__ for screen in app.screen_stack]
        assert sys.getswitchinterval() == 0.005  # back after the first frame (IntakeApp.on_ready)
        store = app.store
        assert store is not None and store.preview
        await pilot.press("q")
    assert seen == dict.fromkeys(seen, "VOORBEELD") and len(seen) == 5
    assert app.store is None  # closed, and with it the in-memory database
    assert files_under(root) == before


def test_the_command_opens_the_preview_and_leaves_no_file(sealed: tuple[Path, Path]) -> None:
    """The real command in a terminal: it draws VOORBEELD, closes on ctrl+q, writes nothing."""
    root, folder = sealed
    before = files_under(root)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    command = [sys.executable, "-m", "intake_tui", "--lang", "nl", "questionnaire", "preview"]
    process = subprocess.Popen(
        [*command, str(folder), "--client-lang", "ar"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "PYTHONDONTWRITEBYTECODE": "1"},
        close_fds=True,
    )
    os.close(follower)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    deadline = time.monotonic() + 60
    try:
        while "VOORBEELD" not in screen.display[0] and time.monotonic() < deadline:
            stream.feed(_read(leader))
        assert screen.display[0].startswith(" VOORBEELD "), screen.display[0]
        os.write(leader, b"\x11")  # ctrl+q
        while process.poll() is None and time.monotonic() < deadline:
            _read(leader)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert files_under(root) == before


def _read(fd: int) -> bytes:
    import select

    ready, _w, _x = select.select([fd], [], [], 0.2)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal closed with the process
        return b""


def test_a_broken_bundle_is_reported_at_its_lines_and_no_screen_opens(tmp_path: Path) -> None:
    case = BUNDLES / "broken" / "roles"
    result = subprocess.run(
        [sys.executable, "-m", "intake_tui", "questionnaire", "preview", str(case)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert f"{case / 'questionnaire.yaml'}:17:15: unknown role 'duo_notice_dat'" in result.stderr
    assert result.stdout == ""  # no screen was drawn
    assert list(tmp_path.iterdir()) == []


PREVIEW = [sys.executable, "-m", "intake_tui", "questionnaire", "preview"]


def test_the_newcomer_language_must_be_one_of_the_bundle(tmp_path: Path) -> None:
    result = subprocess.run(
        [*PREVIEW, str(DEFAULT_BUNDLE), "--client-lang", "de"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("de is not a language of this bundle (nl, en, ar,")
    assert result.stdout == ""
