"""The figures of the work issues 17-20 added (issue 21, item 5), each against a floor measured
in the same run:

- `preview.start_to_first_frame`: `intake-tui questionnaire preview` of the default bundle in a
  pseudo-terminal until its PREVIEW mark shows, against the minimal Textual app (the same floor
  as the app's own first frame). Before its first frame it imports the store (SQLAlchemy,
  SQLModel, Alembic: about 300 ms here), loads and checks the bundle (about 90 ms), builds an
  encrypted database in memory and opens the first question: 6.7x measured when the budget was
  set, budget 8x. It is the functional admin's tool, started a few times a day; the budget keeps
  it from growing, the caseworker's own start has its own (1.2x).
- `migration.move_200`: moving a draft of 200 answers to a newer version of its bundle (one
  question renamed), in one audited transaction (`store/migration.py`), against the floor of
  rewriting 200 rows in one transaction of a bare SQLCipher table with the store's pragmas.
  Budget 80x (61x measured on a quiet machine, 21x on a loaded one: the floor is bound by one
  fsync, the move by the CPU): besides the rows, the move loads both bundles' pinned copies,
  plans every answer against the target (renames, types, codes, decoding) and writes the audit
  chain. A floor closer to that work (the target bundle's load plus the rows) is the next step.

The cases screen and the timeline at 10,000 cases with three talks each are in cases.py; the
XLSForm import in xlsform.py.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.figures import against, summary
from benchmarks.startup import MINIMAL, first_frame_ms, terminal_env

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUNDLE = ROOT / "questionnaires" / "brede-intake"
PREVIEW_RATIO = 8.0
MIGRATION_RATIO = 80.0


def bench_preview(runs: int) -> dict[str, dict[str, object]]:
    env = terminal_env()
    command = [
        sys.executable, "-m", "intake_tui", "--lang", "en",
        "questionnaire", "preview", str(DEFAULT_BUNDLE),
    ]  # fmt: skip
    ours: list[float] = []
    minimal: list[float] = []
    for _ in range(runs + 1):  # the first pair warms the file cache and is dropped
        minimal.append(first_frame_ms([sys.executable, "-c", MINIMAL], b"Minimal", env))
        ours.append(first_frame_ms(command, b"PREVIEW", env))
    floor = summary(minimal[1:], "ms", None)
    return {
        "preview.start_to_first_frame": against(
            summary(ours[1:], "ms", None), floor, PREVIEW_RATIO
        ),
        "preview.minimal_app_first_frame": floor,
    }


def _newer_copy(folder: Path) -> Path:
    """The default bundle as a next patch version with one question renamed (a real move)."""
    target = folder / "brede-intake-next"
    shutil.copytree(DEFAULT_BUNDLE, target)
    path = target / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8")
    version = text.split('version: "', 1)[1].split('"', 1)[0]
    major, minor, patch = (int(p) for p in version.split("."))
    text = text.replace(f'version: "{version}"', f'version: "{major}.{minor}.{patch + 1}"', 1)
    text = text.replace(
        "      - id: voornamen\n",
        "      - id: voornamen_nieuw\n        renamed_from: [voornamen]\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    return target


def _migration_floor(folder: Path, rows: int, runs: int) -> dict[str, object]:
    import sqlcipher3  # type: ignore[import-untyped]

    connection = sqlcipher3.connect(str(folder / "floor.db"), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{os.urandom(32).hex()}'\"")
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA secure_delete = ON",
        "PRAGMA temp_store = MEMORY",
    ):
        connection.execute(pragma).fetchall()
    connection.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, question TEXT, version TEXT)")
    connection.executemany(
        "INSERT INTO answer (question, version) VALUES (?, ?)",
        [(f"q{n}", "1") for n in range(rows)],
    )
    timings: list[float] = []
    for run in range(runs):
        started = time.perf_counter_ns()
        connection.execute("BEGIN")
        for n in range(rows):
            connection.execute(
                "UPDATE answer SET question = ?, version = ? WHERE id = ?",
                (f"q{n}_{run}", str(run), n + 1),
            )
        connection.execute("COMMIT")
        timings.append((time.perf_counter_ns() - started) / 1e6)
    connection.close()
    return summary(timings, "ms", None)


def bench_migration(runs: int) -> dict[str, dict[str, object]]:
    from benchmarks.scripted import scripted_answers
    from intake_tui.core import FrozenClock, Interview, load_bundle
    from intake_tui.store import interviews, migration
    from intake_tui.store.datadir import DataDir
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.session import initialize

    source = load_bundle(DEFAULT_BUNDLE)
    clock = FrozenClock.on("2026-11-28")
    timings: list[float] = []
    answered = 0
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        target = load_bundle(_newer_copy(folder))
        store = initialize(
            DataDir(folder / "data"), "bench", "bench passphrase", clock=clock, kdf=TEST_KDF
        )
        try:
            engine = Interview(source, today=clock.today)
            answers = list(scripted_answers(engine))
            answered = len(answers)
            for _ in range(runs):
                interview_id = interviews.create_interview(
                    store, source, client_display_name="Bench Persoon", client_language="ar"
                ).id
                for step, answer in answers:
                    interviews.save_answer(store, interview_id, step.id, answer, step.instance)
                started = time.perf_counter_ns()
                moved = migration.move(store, interview_id, target)
                timings.append((time.perf_counter_ns() - started) / 1e6)
                assert moved is not None
        finally:
            store.close()
        floor = _migration_floor(folder, answered, max(runs, 5))
    result = against(summary(timings, "ms", None), floor, MIGRATION_RATIO)
    result["answers"] = answered
    return {"migration.move_200": result, "migration.floor_200_rows": floor}
