"""The benchmark harness runs in --quick mode, so it can not rot. It asserts no timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.xlsform import FORMS, LARGEST

from .conftest import REPO


def test_quick_benchmarks_run_and_write_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    figures = report["figures"]
    assert {
        "bundle.cold_load",
        "bundle.cold_load_with_imports",
        "engine.update",
        "store.answer_commit",
        "store.list_page_search_1000",
        "plan.generate",
        "ui.start_to_first_frame",
        "ui.minimal_app_first_frame",
        "ui.key_to_frame",
        "ui.minimal_app_key_to_frame",
    } <= set(figures)
    for name, figure in figures.items():
        assert figure["runs"] > 0, name
        assert figure["median"] > 0, name
    assert figures["engine.update"]["answers_per_interview"] == 200
    assert figures["migration.move_200"]["answers"] == 200
    startup = figures["ui.start_to_first_frame"]
    assert startup["ratio"] == startup["median"] / figures["ui.minimal_app_first_frame"]["median"]
    assert "engine.update" in result.stdout  # the table is printed too
    # Every budgeted figure of issue 21 carries its floor, measured in the same run, and the
    # ratio of the two medians is what is budgeted.
    for name, floor in [
        ("bundle.cold_load", "bundle.yaml_floor"),
        ("store.answer_commit", "store.commit_floor"),
        ("preview.start_to_first_frame", "preview.minimal_app_first_frame"),
        ("migration.move_200", "migration.floor_200_rows"),
        ("timeline.open_10000_talks", "timeline.plain_screen_floor"),
    ]:
        figure = figures[name]
        assert figure["floor_median"] == figures[floor]["median"], name
        assert figure["ratio"] == figure["median"] / figure["floor_median"], name
        assert figure["within_budget"] == (figure["ratio"] <= figure["ratio_budget"]), name
    for name in ("engine.update", "plan.generate"):
        assert figures[name]["floor_median"] > 0 and figures[name]["ratio_budget"] > 0, name
    if (FORMS / LARGEST).is_file():  # the shared forms beside the checkout (not in CI)
        imported = figures["xlsform.import"]
        assert imported["ratio"] == imported["median"] / figures["xlsform.xls2json"]["median"]
        assert imported["form"] == LARGEST
    else:
        assert "xlsform.import" not in figures
