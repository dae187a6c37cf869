"""Key to frame, measured inside the app: from posting a key event to the next frame written.

Pilot's own waits (about 60 ms a key) are not part of it: the key event is posted directly
and the clock stops when Textual hands the next frame to the (headless) driver. The same is
measured on a minimal Textual app (Header + Label + Footer, a key that changes the label).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer, Header, Label


class Minimal(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("g", "grow", "Grow")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("0", id="count")
        yield Footer()

    def action_grow(self) -> None:
        label = self.query_one("#count", Label)
        label.update(str(int(str(label.render())) + 1))


def frame_clock(app: App[Any]) -> list[float]:
    """A list that gets the time of every frame Textual hands to the driver from now on."""
    frames: list[float] = []
    original = app._display

    def display(*args: Any, **kwargs: Any) -> Any:
        frames.append(time.perf_counter())
        return original(*args, **kwargs)

    app._display = display  # type: ignore[method-assign]
    return frames


async def key_to_frame(
    app: App[Any], prepare: Callable[[Any], Awaitable[None]], key: str, runs: int
) -> list[float]:
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await prepare(pilot)
        frames = frame_clock(app)
        for _ in range(runs):
            await pilot.pause(0.02)
            frames.clear()
            started = time.perf_counter()
            app.post_message(events.Key(key, key))
            for _ in range(1000):
                if frames:
                    break
                await asyncio.sleep(0.0005)
            if frames:
                timings.append((frames[0] - started) * 1000)
    return timings


def bench_key_to_frame(runs: int) -> dict[str, dict[str, object]]:
    import tempfile
    from pathlib import Path

    from benchmarks.figures import summary
    from intake_tui.core import FrozenClock
    from intake_tui.demo import open_or_make_demo
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.ui.app import IntakeApp

    async def nothing(pilot: Any) -> None:
        await pilot.pause(0.1)

    async def open_interview(pilot: Any) -> None:
        from textual.widgets import DataTable, Input

        for _ in range(100):
            await pilot.pause(0.05)
            if type(pilot.app.screen).__name__ == "UnlockScreen":
                break
        pilot.app.screen.query_one("#passphrase", Input).value = "demo-passphrase"
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.05)
            if type(pilot.app.screen).__name__ == "CasesScreen":
                break
        pilot.app.screen.query_one("#search", Input).value = "farid"
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if type(pilot.app.screen).__name__ == "InterviewScreen":
                break
        from intake_tui.core.engine import Step

        pilot.app.screen.show(Step("voornamen"))  # a text question: keys type into its field
        await pilot.pause(0.1)

    minimal = asyncio.run(key_to_frame(Minimal(), nothing, "g", runs))
    with tempfile.TemporaryDirectory() as folder:
        root = open_or_make_demo(Path(folder) / "demo", kdf=TEST_KDF).root
        app = IntakeApp(root, clock=FrozenClock.on("2026-11-28"), user="demo", kdf_floor=TEST_KDF)
        ours = asyncio.run(key_to_frame(app, open_interview, "a", runs))
    result = summary(ours, "ms", None)
    baseline = summary(minimal, "ms", None)
    ratio = float(result["median"]) / float(baseline["median"])  # type: ignore[arg-type]
    result["minimal_app_median"] = baseline["median"]
    result["ratio"] = ratio
    result["ratio_budget"] = 2.0
    result["within_budget"] = ratio <= 2.0 and float(result["p99"]) < 30  # type: ignore[arg-type]
    return {"ui.key_to_frame": result, "ui.minimal_app_key_to_frame": baseline}
