"""Shared fixtures: paths to the test bundles and a frozen clock."""

from __future__ import annotations

import os as _os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck as _HealthCheck
from hypothesis import settings as _settings

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.core.questionnaire import Bundle

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
BUNDLES = TESTS / "bundles"
DEFAULT_BUNDLE = REPO / "questionnaires" / "brede-intake"
# The default bundle's version as its file says (tests compare against it, never a copy of it).
DEFAULT_VERSION = next(
    line.split('"')[1]
    for line in (DEFAULT_BUNDLE / "questionnaire.yaml").read_text(encoding="utf-8").splitlines()
    if line.startswith("version:")
)


@pytest.fixture(scope="session")
def engine_bundle() -> Bundle:
    return load_bundle(BUNDLES / "engine")


@pytest.fixture(scope="session")
def default_bundle() -> Bundle:
    return load_bundle(DEFAULT_BUNDLE)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock.on("2026-11-28")


# Hypothesis profiles: "ci" (the default here, so the whole suite stays well inside CI's time)
# and "thorough" for a longer local hunt: HYPOTHESIS_PROFILE=thorough python -m pytest ...
_settings.register_profile("ci", max_examples=60, deadline=None)
_settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[_HealthCheck.too_slow]
)
_settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def dutch() -> Iterator[None]:
    """Dutch screens for one test; the UI language is process-wide, so English again after."""
    from intake_tui.i18n import set_language
    from intake_tui.ui.keys import localize_bindings

    set_language("nl")
    localize_bindings()
    try:
        yield
    finally:
        set_language("en")
        localize_bindings()
