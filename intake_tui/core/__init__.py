"""The domain, free of UI, SQL and HTTP: bundles, expressions, interviews, the draft plan.

The public API, for scripts of a functional admin and for tests that run whole personas:

    from intake_tui.core import load_bundle, Interview, Answer, FrozenClock
    bundle = load_bundle("questionnaires/brede-intake")
    interview = Interview(bundle, today=FrozenClock.on("2026-11-28").today)
    interview.set_answer("geboortedatum", Answer.of(datetime.date(1992, 3, 1)))
    interview.steps(), interview.progress(), interview.issues()

Names are imported on first use (PEP 562), so `import intake_tui.core.clock` - on the path
to the TUI's first frame - does not pull in pydantic and YAML (about 150 ms).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from intake_tui.core.clock import Clock, FrozenClock, SystemClock
    from intake_tui.core.engine import Interview, Issue, Key, SectionProgress, Step
    from intake_tui.core.questionnaire import (
        Bundle,
        BundleError,
        Item,
        check_bundle,
        load_bundle,
        load_bundle_files,
    )
    from intake_tui.core.values import DECLINED, UNKNOWN, Answer, ValueProblem
    from intake_tui.core.yamlsource import Location, Problem

_EXPORTS = {
    "Clock": "clock",
    "FrozenClock": "clock",
    "SystemClock": "clock",
    "Interview": "engine",
    "Issue": "engine",
    "Key": "engine",
    "SectionProgress": "engine",
    "Step": "engine",
    "Bundle": "questionnaire",
    "BundleError": "questionnaire",
    "Item": "questionnaire",
    "check_bundle": "questionnaire",
    "load_bundle": "questionnaire",
    "load_bundle_files": "questionnaire",
    "DECLINED": "values",
    "UNKNOWN": "values",
    "Answer": "values",
    "ValueProblem": "values",
    "Location": "yamlsource",
    "Problem": "yamlsource",
}

__all__ = [
    "DECLINED",
    "UNKNOWN",
    "Answer",
    "Bundle",
    "BundleError",
    "Clock",
    "FrozenClock",
    "Interview",
    "Issue",
    "Item",
    "Key",
    "Location",
    "Problem",
    "SectionProgress",
    "Step",
    "SystemClock",
    "ValueProblem",
    "check_bundle",
    "load_bundle",
    "load_bundle_files",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'intake_tui.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"intake_tui.core.{module}"), name)
    globals()[name] = value
    return value
