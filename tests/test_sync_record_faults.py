"""The fault wrapper the sync benchmark measures with (tests/asgi_faults.RecordFaults), used
here on the real server: with a third of all record attempts failing, half of them after the
server committed, every record arrives exactly once and each lost acknowledgement is replayed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.sync import service
from intake_tui.sync.service import Policy

from .asgi_faults import RecordFaults
from .central_helpers import run_uvicorn
from .sync_fixtures import Sleeps
from .sync_helpers import clone_revisions, outbox, store_with_frozen


def test_a_third_of_the_attempts_failing_loses_and_doubles_nothing(tmp_path: Path) -> None:
    store, _made = store_with_frozen(tmp_path / "data")
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    faults = RecordFaults(create_app(db_url), rate=0.3, seed=7)
    try:
        clone_revisions(store, 29)
        with run_uvicorn(faults) as url:
            service.enrol(store, url, admin.new_enrolment_code(db_url))
            summary = service.run_sync(
                store,
                policy=Policy(max_attempts=20, budget_s=120, timeout_s=2.0, batch_size=10),
                sleep=Sleeps(),
            )
        rows = outbox(store)
        engine = sa.create_engine(db_url)
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT interview_id, revision FROM central_submission")
            ).fetchall()
        engine.dispose()
        assert faults.before > 0 and faults.after > 0  # both kinds struck
        assert summary.acked == len(rows) == 30 and summary.exit_code == 0
        # A record whose answer was lost comes back as a replay (once, even when the replay's
        # own answer was lost too), never as a second record.
        assert 0 < summary.replayed <= faults.after
        records = [(str(a), int(b)) for a, b in stored]
        assert len(records) == len(set(records)) == 30
        assert set(records) == {(r.interview_id, r.revision) for r in rows}
        assert all(r.state == "acked" for r in rows)
    finally:
        store.close()
