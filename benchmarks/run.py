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

from benchmarks.figures import against, summary  # noqa: E402 - after the path is set

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


# The floor of a bundle load: the same YAML files parsed by libyaml (what core/yamlsource.py
# builds on), in a fresh interpreter like the load itself; imports not counted in either.
YAML_FLOOR = """
import time, json, sys, pathlib, yaml
t0 = time.perf_counter()
for name in ("questionnaire.yaml", "plan.yaml"):
    yaml.load((pathlib.Path(sys.argv[1]) / name).read_bytes(), Loader=yaml.CSafeLoader)
print(json.dumps({"load_ms": (time.perf_counter() - t0) * 1000, "with_imports_ms": 0}))
"""


def _fresh(code: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(DEFAULT_BUNDLE)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    figures: dict[str, float] = json.loads(out)
    return figures


def bench_cold_load(runs: int) -> dict[str, dict[str, object]]:
    load: list[float] = []
    total: list[float] = []
    floor: list[float] = []
    for _ in range(runs + 1):  # the first run warms the OS file cache and is dropped
        figures = _fresh(COLD_LOAD)
        load.append(figures["load_ms"])
        total.append(figures["with_imports_ms"])
        floor.append(_fresh(YAML_FLOOR)["load_ms"])
    yaml_floor = summary(floor[1:], "ms", None)
    return {
        "bundle.cold_load": against(summary(load[1:], "ms", 100.0), yaml_floor, 8.0),
        "bundle.cold_load_with_imports": summary(total[1:], "ms", None),
        "bundle.yaml_floor": yaml_floor,
    }


def python_floor(runs: int) -> dict[str, object]:
    """A fixed piece of plain Python (dict writes and reads, comparisons, small calls) in µs:
    the floor of the figures that are pure Python work (engine.update, plan.generate), so
    their ratio says how the code does, not how fast this machine's CPU is."""
    values: dict[str, object] = {}

    def relevant(name: str) -> bool:
        return values.get(name) == "ja" or name.endswith("0")

    timings: list[float] = []
    for _ in range(max(runs, 50)):
        started = time.perf_counter_ns()
        for n in range(200):
            name = f"q{n}"
            values[name] = "ja" if n % 2 else "nee"
            if relevant(name):
                values[name + "_x"] = n
        timings.append((time.perf_counter_ns() - started) / 1e3)
    return summary(timings, "µs", None)


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
    result = against(summary(timings, "µs", 500.0), python_floor(runs), ENGINE_RATIO)
    result["answers_per_interview"] = answered
    return {"engine.update": result}


# Ratio budgets (docs/performance.md): about twice what this machine measured when they were
# set for the pure-Python figures (to `python_floor`), so a slower machine passes and a change
# that doubles the work does not. An answer commit writes five statements (the answer, its
# history, the audit chain, the draft, the interview's time) against the floor's one insert:
# 6x measured on a quiet machine, budget 8x.
ENGINE_RATIO = 0.02
PLAN_RATIO = 10.0
COMMIT_RATIO = 8.0


def commit_floor(folder: Path, runs: int) -> dict[str, object]:
    """The floor of an answer commit: one row inserted and committed into a bare SQLCipher
    table, keyed and with the store's own pragmas (WAL, synchronous=FULL, secure_delete), in
    ms. What the store adds (the answer, its history, the audit chain, the draft) is the rest."""
    import os

    import sqlcipher3

    connection = sqlcipher3.connect(str(folder / "floor.db"), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA secure_delete = ON",
        "PRAGMA temp_store = MEMORY",
    ):
        connection.execute(pragma).fetchall()
    connection.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, question TEXT, value TEXT)")
    timings: list[float] = []
    for n in range(runs):
        started = time.perf_counter_ns()
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO answer (question, value) VALUES (?, ?)", ("voornamen", f"waarde {n}")
        )
        connection.execute("COMMIT")
        timings.append((time.perf_counter_ns() - started) / 1e6)
    connection.close()
    return summary(timings, "ms", None)


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
        floor = commit_floor(Path(folder), runs)
    return {
        "store.answer_commit": against(summary(commits, "ms", 2.0), floor, COMMIT_RATIO),
        "store.commit_floor": floor,
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
    floor = python_floor(runs)
    floor_ms = {**floor, "median": float(floor["median"]) / 1000}  # type: ignore[arg-type]
    result = against(summary(timings, "ms", 20.0), floor_ms, PLAN_RATIO)
    result["rules"] = len(bundle.plan.rules)
    return {"plan.generate": result, "python.floor": floor}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions, for CI")
    parser.add_argument(
        "--postgres", metavar="URL", help="sync also against this PostgreSQL (a schema per run)"
    )
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
            (1_000,) if options.quick else (1_000, 10_000, 50_000, 100_000),
            3 if options.quick else 20,
        )
    )
    from benchmarks.sync import bench_sync

    figures.update(bench_sync(100 if options.quick else 1000, runs=1 if options.quick else 3))
    if options.postgres:
        figures.update(
            bench_sync(100 if options.quick else 1000, 1 if options.quick else 3, options.postgres)
        )
    from benchmarks.timeline import bench_timeline

    figures.update(bench_timeline(3 if options.quick else 15))
    from benchmarks.newwork import bench_migration, bench_preview

    if sys.platform != "win32":
        figures.update(bench_preview(2 if options.quick else 7))
    figures.update(bench_migration(1 if options.quick else 5))
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
            if figure.get("floor_median") is not None:
                mark += f" floor {figure['floor_median']:.3f}"
        print(
            f"{name:32} {figure['median']:10.3f} {figure['p90']:10.3f} {figure['p99']:10.3f} "
            f"{figure['runs']:6} {'' if budget is None else budget:>8} {mark} {figure['unit']}"
        )
    print(f"written: {options.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
