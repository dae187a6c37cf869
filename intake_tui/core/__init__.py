"""The domain, free of UI, SQL and HTTP: bundles, expressions, interviews (and later the plan).

The public API, for scripts of a functional admin and for tests that run whole personas:

    from intake_tui.core import load_bundle, Interview, Answer
    bundle = load_bundle("questionnaires/brede-intake")
    interview = Interview(bundle, today=FrozenClock.on("2026-11-28").today)
    interview.set_answer("geboortedatum", Answer.of(datetime.date(1992, 3, 1)))
    interview.steps(), interview.progress(), interview.issues()
"""

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
