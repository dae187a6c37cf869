"""A case's timeline among 10,000 cases with three voortgangsgesprekken each (issue 21, item 5).

`timeline.open_10000_talks`: from pushing the timeline of one case to the first frame that shows
its rows (the intake, the plan revisions, the talks), inside the running app on the encrypted
store of benchmarks/cases.py. Its floor is pushing a screen with the same widgets (header,
title, a list of eight rows, footer) whose rows come from nowhere, in the same app: what the
screen change costs without the case. Budget 2x: the timeline reads the intake, the revisions
and the talks of one case by index (case_id), so the number of other cases must not show.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.figures import against, summary

TIMELINE_RATIO = 2.0
CASES = 10_000


async def _open_times(root: Path, runs: int) -> tuple[list[float], list[float]]:
    from textual.screen import Screen
    from textual.widgets import Footer, Label, OptionList

    from benchmarks.cases import _unlock
    from benchmarks.keyframe import frame_clock
    from intake_tui.core import FrozenClock
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.models import TalkRow
    from intake_tui.ui.app import IntakeApp
    from intake_tui.ui.header import IntakeHeader
    from intake_tui.ui.screens.timeline import TimelineScreen
    from intake_tui.ui.widgets.timeline_list import TimelineList

    class Plain(Screen[None]):
        """The timeline's widgets with rows that come from nowhere: the floor."""

        def compose(self) -> Any:
            yield IntakeHeader()
            yield Label("Timeline", classes="title")
            yield OptionList(*(f"row {n}" for n in range(8)))
            yield Footer()

    app = IntakeApp(root, clock=FrozenClock.on("2026-11-28"), user="bench", kdf_floor=TEST_KDF)
    app.start_background_sync = lambda: None  # type: ignore[method-assign]
    ours: list[float] = []
    floor: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.store = _unlock(root)
        with app.store.session() as session:
            case_ids = [row.case_id for row in session.query(TalkRow).limit(runs * 3)][::3]
        frames = frame_clock(app)

        async def first_frame(screen: Screen[None], ready: Any) -> float:
            await pilot.pause(0.05)
            frames.clear()
            started = time.perf_counter()
            await app.push_screen(screen)
            for _ in range(4000):
                if frames and frames[-1] > started and ready(screen):
                    break
                await asyncio.sleep(0.0005)
            shown = (frames[-1] - started) * 1000
            await app.pop_screen()
            return shown

        for case_id in case_ids:
            floor.append(await first_frame(Plain(), lambda s: True))
            ours.append(
                await first_frame(
                    TimelineScreen(case_id),
                    lambda s: s.query(TimelineList) and s.query_one(TimelineList).option_count,
                )
            )
        app.store.close()
        app.store = None
    return ours, floor


def bench_timeline(runs: int) -> dict[str, dict[str, object]]:
    from benchmarks.cases import fill

    with tempfile.TemporaryDirectory() as name:
        root = Path(name) / "timeline"
        fill(root, CASES, talks=3)
        ours, floor = asyncio.run(_open_times(root, runs))
    base = summary(floor, "ms", None)
    return {
        f"timeline.open_{CASES}_talks": against(summary(ours, "ms", 300.0), base, TIMELINE_RATIO),
        "timeline.plain_screen_floor": base,
    }
