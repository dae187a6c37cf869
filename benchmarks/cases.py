"""The cases screen as the cases pile up: 1,000, 10,000 and 50,000 interviews (and 10,000 with
three voortgangsgesprekken each: `*_10000_talks`).

For each size, in one encrypted store (SQLCipher, WAL, synchronous=FULL):
- `cases.page_search_N`: one page of 50 with a search typed (what each keystroke costs);
- `cases.page_N`: one page of 50 without search, plus the summary counts (the screen's refresh);
- `cases.open_N`: from pushing the cases screen to the first frame that shows its rows, measured
  inside the running app (Textual headless), like key-to-frame;
- `cases.rss_mb_N` (10,000 only): resident memory of a fresh `intake-tui`-like process that
  unlocked the store and shows the cases screen (VmRSS from /proc, Linux).

Growth should be flat or logarithmic for paging and search (indexes, LIMIT), linear at worst for
the counts. `python benchmarks/cases.py [--sizes 1000,10000]` prints the table.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "bench passphrase"


def fill(root: Path, count: int, talks: int = 0) -> None:
    """A store with `count` interviews (setup, not measured): one transaction, plain SQL.
    `talks`: that many voortgangsgesprekken per case, a quarter of the cases with the first
    one overdue on the benchmark's day and every tenth one missed (the cases screen counts,
    filters and shows the next one)."""
    from intake_tui.core import FrozenClock, load_bundle
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.interviews import sql_time
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.search import fold
    from intake_tui.store.session import initialize

    bundle = load_bundle(ROOT / "questionnaires" / "brede-intake")
    clock = FrozenClock.on("2026-11-28")
    store = initialize(DataDir(root), "bench", PASSPHRASE, clock=clock, kdf=TEST_KDF)
    now = clock.now()
    try:
        from intake_tui.store import interviews

        # One real intake pins the bundle (the others refer to it), then the rest in bulk.
        interviews.create_interview(
            store, bundle, client_display_name="Persoon Eerste", client_language="ar"
        )
        with store.session() as session:
            connection = session.connection()
            columns = [r[1] for r in connection.exec_driver_sql("PRAGMA table_info(interview)")]
            rows = []
            for n in range(count - 1):
                name = f"Persoon {n:05d} Achternaam{n % 97}"
                values: dict[str, Any] = {
                    "id": uuid.uuid4().hex,
                    "bundle_id": bundle.id,
                    "bundle_version": bundle.version,
                    "bundle_sha256": bundle.sha256,
                    "client_display_name": name,
                    "search_key": fold(name),
                    "client_language": "ti",
                    "interpreter_json": "{}",
                    "status": "in_progress" if n % 3 else "finalized",
                    "created_by": "bench",
                    "created_at": sql_time(now),
                    "updated_at": sql_time(now - dt.timedelta(minutes=n)),
                    "duo_notice_date": (
                        dt.date(2026, 9, 1) + dt.timedelta(days=n % 120)
                    ).isoformat()
                    if n % 4
                    else None,
                }
                rows.append(tuple(values.get(c) for c in columns))
            placeholders = ", ".join("?" for _ in columns)
            connection.exec_driver_sql(
                f"INSERT INTO interview ({', '.join(columns)}) VALUES ({placeholders})", rows
            )
            if talks:
                _fill_talks(connection, [r[columns.index("id")] for r in rows], talks, now)
    finally:
        store.close()


def _fill_talks(connection: Any, case_ids: list[str], per_case: int, now: dt.datetime) -> None:
    from intake_tui.store.interviews import sql_time

    day = dt.date(2026, 11, 28)
    rows = []
    for n, case_id in enumerate(case_ids):
        first = day - dt.timedelta(days=10) if n % 4 == 0 else day + dt.timedelta(days=n % 90)
        for k in range(per_case):
            due = first + dt.timedelta(days=182 * k)
            missed = 1 if (n + k) % 10 == 0 and due < day else 0
            rows.append(
                (uuid.uuid4().hex, case_id, due.isoformat(), missed, "bench", sql_time(now))
            )
    connection.exec_driver_sql(
        "INSERT INTO talk (id, case_id, due, missed, updated_by, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def _unlock(root: Path) -> Any:
    from intake_tui.core import FrozenClock
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.session import unlock

    return unlock(
        DataDir(root), "bench", PASSPHRASE, clock=FrozenClock.on("2026-11-28"), floor=TEST_KDF
    )


def store_figures(root: Path, runs: int) -> tuple[list[float], list[float]]:
    from intake_tui.store import followups, interviews

    store = _unlock(root)
    try:
        searches, pages = [], []
        for n in range(runs):
            started = time.perf_counter_ns()
            interviews.list_interviews(store, f"achternaam{n % 97}", page=0)
            searches.append((time.perf_counter_ns() - started) / 1e6)
            started = time.perf_counter_ns()
            interviews.list_interviews(store, "", page=n % 5)
            interviews.case_counts(store, dt.date(2026, 11, 28))
            followups.overdue_count(store, dt.date(2026, 11, 28))
            pages.append((time.perf_counter_ns() - started) / 1e6)
    finally:
        store.close()
    return searches, pages


async def _open_times(root: Path, runs: int) -> list[float]:
    from textual.widgets import DataTable

    from intake_tui.core import FrozenClock
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.ui.app import IntakeApp
    from intake_tui.ui.screens.cases import CasesScreen

    app = IntakeApp(root, clock=FrozenClock.on("2026-11-28"), user="bench", kdf_floor=TEST_KDF)
    app.start_background_sync = lambda: None  # type: ignore[method-assign]
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.store = _unlock(root)
        from benchmarks.keyframe import frame_clock

        frames = frame_clock(app)
        for _ in range(runs):
            await pilot.pause(0.05)
            frames.clear()
            screen = CasesScreen()
            started = time.perf_counter()
            await app.push_screen(screen)
            for _ in range(4000):
                tables = screen.query(DataTable)
                if frames and tables and tables.first().row_count and frames[-1] > started:
                    break
                await asyncio.sleep(0.0005)
            timings.append((frames[-1] - started) * 1000)
            await app.pop_screen()
        app.store.close()
        app.store = None
    return timings


RSS_CHILD = """
import asyncio, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from benchmarks.cases import _unlock

async def main():
    from intake_tui.core import FrozenClock
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.ui.app import IntakeApp
    from intake_tui.ui.screens.cases import CasesScreen
    data = Path({data!r})
    app = IntakeApp(data, clock=FrozenClock.on("2026-11-28"), user="bench", kdf_floor=TEST_KDF)
    app.start_background_sync = lambda: None
    async with app.run_test(size=(120, 40)) as pilot:
        app.store = _unlock(data)
        await app.push_screen(CasesScreen())
        await pilot.pause(0.5)
        status = Path("/proc/self/status").read_text()
        rss = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS:"))
        print(rss / 1024)
        app.store.close()
        app.store = None

asyncio.run(main())
"""


def rss_mb(root: Path) -> float:
    code = RSS_CHILD.format(root=str(ROOT), data=str(root))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    return float(done.stdout.strip().splitlines()[-1])


def bench_cases(sizes: tuple[int, ...], runs: int) -> dict[str, dict[str, object]]:
    from benchmarks.figures import summary

    figures: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as name:
        for size in sizes:
            root = Path(name) / f"cases-{size}"
            fill(root, size)
            searches, pages = store_figures(root, runs)
            figures[f"cases.page_search_{size}"] = summary(searches, "ms", 50.0)
            figures[f"cases.page_{size}"] = summary(pages, "ms", None)
            opened = asyncio.run(_open_times(root, max(3, runs // 5)))
            figures[f"cases.open_{size}"] = summary(opened, "ms", 300.0)
            if size == 10_000:
                # The same cases, each with three voortgangsgesprekken (issue 19).
                talks_root = Path(name) / f"cases-{size}-talks"
                fill(talks_root, size, talks=3)
                searches, pages = store_figures(talks_root, runs)
                figures[f"cases.page_search_{size}_talks"] = summary(searches, "ms", 50.0)
                figures[f"cases.page_{size}_talks"] = summary(pages, "ms", None)
                opened = asyncio.run(_open_times(talks_root, max(3, runs // 5)))
                figures[f"cases.open_{size}_talks"] = summary(opened, "ms", 300.0)
            if size == 10_000 and sys.platform.startswith("linux"):
                measured = [rss_mb(root) for _ in range(2 if runs > 10 else 1)]
                figures[f"cases.rss_mb_{size}"] = summary(measured, "MB", 150.0)
    return figures


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args(argv)
    sizes = tuple(int(s) for s in options.sizes.split(","))
    print(json.dumps(bench_cases(sizes, options.runs), indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    raise SystemExit(main())
