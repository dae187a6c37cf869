"""Run the benchmarks: print a table and write JSON. `--quick` runs few repetitions (CI).

Figures (budgets from the issues):
- bundle.cold_load: load + validate the default bundle in a fresh interpreter (budget 100 ms);
  reported without and with the imports it needs.
- engine.update: one answer to the engine over a scripted 200-answer interview, in µs
  (budget: median 0.5 ms = 500 µs).
- xlsform.import: `import-xlsform` of the largest shared XLSForm, with its ratio to pyxform's own
  xls2json of the same file (xlsform.xls2json); only where the shared forms are
  (benchmarks/xlsform.py).

Wall-clock numbers vary with the machine; that is why they live here and never in a test.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import summary  # noqa: E402 - after the path is set (run as a script)

DEFAULT_BUNDLE = ROOT / "questionnaires" / "brede-intake"

COLD_LOAD = """
import time, json, sys
t0 = time.perf_counter()
from intake_tui.core import load_bundle
t1 = time.perf_counter()
bundle = load_bundle(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"load_ms": (t2 - t1) * 1000, "with_imports_ms": (t2 - t0) * 1000}))
"""


def bench_cold_load(runs: int) -> dict[str, dict[str, object]]:
    load: list[float] = []
    total: list[float] = []
    for _ in range(runs + 1):  # the first run warms the OS file cache and is dropped
        out = subprocess.run(
            [sys.executable, "-c", COLD_LOAD, str(DEFAULT_BUNDLE)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        figures = json.loads(out)
        load.append(figures["load_ms"])
        total.append(figures["with_imports_ms"])
    return {
        "bundle.cold_load": summary(load[1:], "ms", 100.0),
        "bundle.cold_load_with_imports": summary(total[1:], "ms", None),
    }


def bench_engine_update(runs: int) -> dict[str, dict[str, object]]:
    from benchmarks.scripted import scripted_answers
    from intake_tui.core import FrozenClock, Interview, load_bundle

    bundle = load_bundle(DEFAULT_BUNDLE)
    clock = FrozenClock.on("2026-11-28")
    timings: list[float] = []
    answered = 0
    for _ in range(runs):
        interview = Interview(bundle, today=clock.today)
        answered = 0
        for step, answer in scripted_answers(interview):
            started = time.perf_counter_ns()
            interview.set_answer(step.id, answer, step.instance)
            timings.append((time.perf_counter_ns() - started) / 1e3)
            answered += 1
    result = summary(timings, "µs", 500.0)
    result["answers_per_interview"] = answered
    return {"engine.update": result}


def bench_store(runs: int, interviews_count: int) -> dict[str, dict[str, object]]:
    """Answer commit latency on the encrypted database, and a searched page of many interviews."""
    import datetime as dt
    import tempfile
    import uuid

    from intake_tui.core import Answer, FrozenClock, load_bundle
    from intake_tui.store import interviews
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.models import InterviewRow
    from intake_tui.store.search import fold
    from intake_tui.store.session import initialize

    bundle = load_bundle(DEFAULT_BUNDLE)
    clock = FrozenClock.on("2026-11-28")
    with tempfile.TemporaryDirectory() as folder:
        store = initialize(
            DataDir(Path(folder)), "bench", "bench passphrase", clock=clock, kdf=TEST_KDF
        )
        interview_id = interviews.create_interview(
            store, bundle, client_display_name="Bench Persoon", client_language="ar"
        ).id
        commits: list[float] = []
        for n in range(runs):
            started = time.perf_counter_ns()
            interviews.save_answer(store, interview_id, "voornamen", Answer.of(f"waarde {n}"))
            commits.append((time.perf_counter_ns() - started) / 1e6)
        # Many interviews in one transaction (setup, not measured).
        with store.session() as session:
            now = clock.now()
            for n in range(interviews_count):
                session.add(
                    InterviewRow(
                        id=uuid.uuid4().hex,
                        bundle_id=bundle.id,
                        bundle_version=bundle.version,
                        bundle_sha256=bundle.sha256,
                        client_display_name=f"Persoon {n:05d} Achternaam{n % 97}",
                        search_key=fold(f"Persoon {n:05d} Achternaam{n % 97}"),
                        client_language="ti",
                        status="in_progress" if n % 3 else "finalized",
                        created_by="bench",
                        created_at=now,
                        updated_at=now - dt.timedelta(minutes=n),
                    )
                )
        pages: list[float] = []
        for n in range(max(5, runs // 10)):
            started = time.perf_counter_ns()
            interviews.list_interviews(store, f"achternaam{n % 97}", page=0)
            pages.append((time.perf_counter_ns() - started) / 1e6)
        store.close()
    return {
        "store.answer_commit": summary(commits, "ms", 2.0),
        f"store.list_page_search_{interviews_count}": summary(pages, "ms", 50.0),
    }


def bench_plan(runs: int) -> dict[str, dict[str, object]]:
    """Drafting the plan (every rule of plan.yaml, with provenance) for complete interviews."""
    from intake_tui.core import FrozenClock, Interview, load_bundle
    from intake_tui.core.plan import draft_plan
    from intake_tui.personas import PERSONAS, apply

    bundle = load_bundle(DEFAULT_BUNDLE)
    clock = FrozenClock.on("2026-11-28")
    timings: list[float] = []
    for persona in PERSONAS:
        interview = Interview(bundle, today=clock.today)
        apply(persona, interview)
        for _ in range(runs):
            started = time.perf_counter_ns()
            draft_plan(interview, bundle.plan)
            timings.append((time.perf_counter_ns() - started) / 1e6)
    result = summary(timings, "ms", 20.0)
    result["rules"] = len(bundle.plan.rules)
    return {"plan.generate": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions, for CI")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json"
    )
    options = parser.parse_args(argv)
    runs = 3 if options.quick else 21
    figures: dict[str, dict[str, object]] = {}
    figures.update(bench_cold_load(runs))
    figures.update(bench_engine_update(2 if options.quick else 15))
    figures.update(bench_plan(5 if options.quick else 50))
    if sys.platform != "win32":
        from benchmarks.startup import bench_startup

        figures.update(bench_startup(3 if options.quick else 11))
    from benchmarks.keyframe import bench_key_to_frame

    figures.update(bench_key_to_frame(10 if options.quick else 200))
    figures.update(bench_store(50 if options.quick else 500, 1_000 if options.quick else 10_000))
    from benchmarks.cases import bench_cases

    figures.update(
        bench_cases(
            (1_000,) if options.quick else (1_000, 10_000, 50_000), 3 if options.quick else 20
        )
    )
    from benchmarks.sync import bench_sync

    figures.update(bench_sync(100 if options.quick else 1000, runs=1 if options.quick else 3))
    from benchmarks.xlsform import bench_xlsform

    figures.update(bench_xlsform(1 if options.quick else 7))
    report = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
        "quick": options.quick,
        "figures": figures,
    }
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{'figure':32} {'median':>10} {'p90':>10} {'p99':>10} {'runs':>6} {'budget':>8}")
    for name, figure in figures.items():
        budget = figure["budget"]
        mark = (
            ""
            if figure.get("within_budget") is None
            else ("ok" if figure["within_budget"] else "OVER")
        )
        if "ratio" in figure:
            mark += f" ratio {figure['ratio']:.2f}"
            if figure.get("ratio_budget") is not None:
                mark += f" (budget {figure['ratio_budget']})"
        print(
            f"{name:32} {figure['median']:10.3f} {figure['p90']:10.3f} {figure['p99']:10.3f} "
            f"{figure['runs']:6} {'' if budget is None else budget:>8} {mark} {figure['unit']}"
        )
    print(f"written: {options.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
