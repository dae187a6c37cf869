"""Shared helpers for the store tests: a data folder set up with low (test) KDF costs."""

from __future__ import annotations

from pathlib import Path

from intake_tui.core import FrozenClock
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import TEST_KDF
from intake_tui.store.session import Store, initialize, unlock

PASSPHRASE = "correct horse battery staple"
BSN = "900000028"  # passes the elfproef; synthetic
NAME = "Zamzam Testpersoon"  # invented


def make_store(root: Path, clock: FrozenClock | None = None) -> Store:
    return initialize(
        DataDir(root), "anna", PASSPHRASE, clock=clock or FrozenClock.on("2026-11-28"), kdf=TEST_KDF
    )


def reopen(root: Path, user: str = "anna", passphrase: str = PASSPHRASE) -> Store:
    return unlock(
        DataDir(root), user, passphrase, clock=FrozenClock.on("2026-11-28"), floor=TEST_KDF
    )
