"""Shared fixtures: paths to the test bundles and a frozen clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.core.questionnaire import Bundle

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
BUNDLES = TESTS / "bundles"
DEFAULT_BUNDLE = REPO / "questionnaires" / "brede-intake"


@pytest.fixture(scope="session")
def engine_bundle() -> Bundle:
    return load_bundle(BUNDLES / "engine")


@pytest.fixture(scope="session")
def default_bundle() -> Bundle:
    return load_bundle(DEFAULT_BUNDLE)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock.on("2026-11-28")
