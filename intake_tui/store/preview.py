"""The store of `intake-tui questionnaire preview`: a database in memory and no data folder.

A functional admin tries a bundle before publishing it. Nothing of the preview is written: no
data folder, keyring, passphrase, backup, export or erasure record; the answers live in an
in-memory database and are gone when the preview closes. The `Store` is the real one (the same
schema, migrations, audit trail and service functions the caseworker's screens call), so the
preview shows exactly what an intake with this bundle would do.
"""

from __future__ import annotations

from pathlib import Path

from intake_tui.core.clock import Clock, SystemClock
from intake_tui.core.questionnaire import Bundle
from intake_tui.i18n import _
from intake_tui.store import audit, database, interviews, migrate
from intake_tui.store.datadir import DataDir
from intake_tui.store.session import Store

# Where a preview's data folder would be: a path no file can be made under, so that a write the
# preview forgot to refuse fails loudly instead of leaving a file behind.
NOWHERE = Path("/dev/null/intake-tui-preview")
PREVIEW_DEVICE = "preview"


def preview_store(clock: Clock | None = None) -> Store:
    """A store whose database is in memory; `store.preview` tells the screens what to refuse."""
    engine = database.make_memory_engine()
    migrate.upgrade(engine)
    store = Store(
        DataDir(NOWHERE),
        engine,
        None,  # type: ignore[arg-type]  # no keyring: nobody unlocks a preview
        _("preview"),
        PREVIEW_DEVICE,
        clock or SystemClock(),
        demo=True,
        preview=True,
    )
    with store.session() as session:
        audit.ensure_audit_key(session)
    return store


def start_interview(store: Store, bundle: Bundle, client_language: str) -> str:
    """A fresh interview on `bundle` in the preview store; its id."""
    summary = interviews.create_interview(
        store,
        bundle,
        client_display_name=_("Preview"),
        client_language=client_language,
    )
    return summary.id
