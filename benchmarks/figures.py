"""One figure of the benchmarks: median, p90, p99, runs, unit and budget of a list of timings.

Its own module so that run.py and the modules whose figures it collects (startup, keyframe,
cases, sync, xlsform) import it without importing each other round.
"""

from __future__ import annotations

import statistics


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float], unit: str, budget: float | None) -> dict[str, object]:
    median = statistics.median(values)
    return {
        "median": median,
        "p90": percentile(values, 0.90),
        "p99": percentile(values, 0.99),
        "runs": len(values),
        "unit": unit,
        "budget": budget,
        "within_budget": None if budget is None else median <= budget,
    }


def against(
    figure: dict[str, object],
    floor: dict[str, object],
    ratio_budget: float,
    *,
    higher_is_better: bool = False,
) -> dict[str, object]:
    """`figure` with its floor (the same work done the plainest way, measured in the same run)
    and the ratio of the two medians, budgeted: absolute budgets do not travel between
    machines, ratios to a floor measured beside them do (docs/performance.md). The absolute
    median and budget stay in the figure for the record; `within_budget` is the ratio's.
    For a rate (records per second) the ratio is floor / figure, so it still reads "times
    slower than the floor"."""
    mine, base = float(figure["median"]), float(floor["median"])  # type: ignore[arg-type]
    ratio = base / mine if higher_is_better else mine / base
    return {
        **figure,
        "floor_median": base,
        "ratio": ratio,
        "ratio_budget": ratio_budget,
        "absolute_within_budget": figure.get("within_budget"),
        "within_budget": ratio <= ratio_budget,
    }
