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


def entered_persona(store: Store, bundle, key: str = "rami", *, skip: tuple[str, ...] = ()) -> str:  # type: ignore[no-untyped-def]
    """A persona's intake (docs/personas.md) saved in the store, answer by answer; its id.

    The finalized personas answer every required question, so their intakes can be finalized;
    `skip` leaves questions out, to make one that cannot.
    """
    from intake_tui.core import Interview
    from intake_tui.personas import apply, persona
    from intake_tui.store import interviews

    subject = persona(key)
    summary = interviews.create_interview(
        store,
        bundle,
        client_display_name=subject.display_name,
        client_language=subject.client_language,
        duo_notice_date=subject.duo_notice_date,
    )
    engine = Interview(bundle, today=store.clock.today)
    apply(subject, engine)
    for (question, instance), answer in engine.answers().items():
        if question not in skip:
            interviews.save_answer(store, summary.id, question, answer, instance)
    return summary.id
