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
