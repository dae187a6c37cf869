"""config.toml: defaults, the recovery key, the stale-draft age, and calm errors for typos."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest

from intake_tui.config import ConfigError, Settings, load_settings
from intake_tui.core import FrozenClock, load_bundle
from intake_tui.store import interviews
from intake_tui.store.maintenance import check

from .conftest import DEFAULT_BUNDLE
from .store_helpers import make_store


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "config.toml") == Settings()


def test_recovery_key_and_draft_age(tmp_path: Path) -> None:
    key = bytes(range(32))
    encoded = base64.b64encode(key).decode()
    text = f'[recovery]\npublic_key = "{encoded}"\n[drafts]\nflag_after_days = 14\n'
    assert load_settings(write(tmp_path, text)) == Settings(key, 14)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[drafts]\nflag_after_dayz = 3\n", "unknown setting drafts.flag_after_dayz"),
        ("[draft]\n", "unknown setting [draft]"),
        ("[drafts]\nflag_after_days = 0\n", "whole number of days"),
        ("[drafts]\nflag_after_days = true\n", "whole number of days"),
        ('[recovery]\npublic_key = "abc"\n', "base64 of 32 bytes"),
        ("[drafts\n", "not a valid TOML file"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    assert message in caught.value.message
    assert str(tmp_path / "config.toml") in caught.value.message


def test_db_check_flags_drafts_untouched_for_the_configured_days(tmp_path: Path) -> None:
    clock = FrozenClock.on("2026-01-01")
    store = make_store(tmp_path / "data", clock)
    interviews.create_interview(
        store, load_bundle(DEFAULT_BUNDLE), client_display_name="Oud Concept", client_language="so"
    )
    clock.advance(dt.timedelta(days=20))
    assert not any(line.startswith("drafts:") for line in check(store, stale_draft_days=30).lines)
    flagged = [
        line for line in check(store, stale_draft_days=14).lines if line.startswith("drafts:")
    ]
    assert flagged == ["drafts: 1 untouched for more than 14 days (decide: continue or erase)"]
    store.close()
