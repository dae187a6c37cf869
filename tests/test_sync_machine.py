"""The outbox as a state machine (docs/security-and-sync.md §6 row 29): Hypothesis chooses
freezes, syncs through every kind of fault, lost acknowledgements and restarts, against the
real server on loopback; after every step each frozen revision is on the server exactly once or
still pending on the laptop, never lost, never twice; at the end a clean sync delivers all."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.sync import service
from intake_tui.sync.service import Policy

from .central_helpers import run_uvicorn
from .fault_proxy import FaultProxy
from .store_helpers import reopen
from .sync_fixtures import Scripted, Sleeps
from .sync_helpers import clone_revisions, outbox, store_with_frozen

FAULTS = ["none", "500", "503", "portal", "reset_upload", "drop_response", "commit_then_hang"]


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="outbox-machine-"))
        self.db_url = f"sqlite:///{self.folder / 'central.db'}"
        self.app = Scripted(create_app(self.db_url), hang_s=1.5)
        self.server = run_uvicorn(self.app)
        url = self.server.__enter__()
        self.proxy = FaultProxy(int(url.rsplit(":", 1)[1])).start()
        self.root = self.folder / "data"
        self.store, made = store_with_frozen(self.root)
        service.enrol(self.store, self.proxy.url, admin.new_enrolment_code(self.db_url))
        self.frozen = {(interview_id, 1) for interview_id in made}
        self.engine = sa.create_engine(self.db_url)

    def server_records(self) -> Counter[tuple[str, int]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT interview_id, revision FROM central_submission")
            ).fetchall()
        return Counter((str(a), int(b)) for a, b in rows)

    @rule(count=st.integers(min_value=1, max_value=3))
    def freeze(self, count: int) -> None:
        for interview_id in clone_revisions(self.store, count):
            self.frozen.add((interview_id, 1))

    @rule(fault=st.sampled_from(FAULTS), attempts=st.integers(min_value=1, max_value=3))
    def sync(self, fault: str, attempts: int) -> None:
        if fault in ("reset_upload", "drop_response"):
            self.proxy.modes.append(fault)
        elif fault != "none":
            self.app.queue.append(fault)
        policy = Policy(max_attempts=attempts, timeout_s=0.7, batch_size=2)
        service.run_sync(self.store, policy=policy, sleep=Sleeps())
        self.proxy.modes.clear()
        self.app.queue.clear()

    @rule()
    def restart(self) -> None:
        # The laptop is closed and opened again (or crashed: every acknowledged write is on
        # disk, which the store's own kill tests prove); the outbox is what the disk says.
        self.store.close()
        self.store = reopen(self.root)

    @invariant()
    def each_revision_once_on_the_server_or_pending_here(self) -> None:
        on_server = self.server_records()
        assert all(count == 1 for count in on_server.values()), on_server
        local: dict[tuple[str, int], Any] = {
            (r.interview_id, r.revision): r for r in outbox(self.store)
        }
        assert set(local) == self.frozen  # nothing frozen is ever lost locally
        for record, row in local.items():
            assert row.state in ("pending", "acked"), row.state
            if row.state == "acked":
                assert record in on_server  # never acked without being there
        assert set(on_server) <= self.frozen  # nothing else ever arrives

    def teardown(self) -> None:
        try:
            final = service.run_sync(self.store, policy=Policy(timeout_s=5.0), sleep=Sleeps())
            assert final.exit_code == 0
            assert set(self.server_records()) == self.frozen
            assert all(r.state == "acked" for r in outbox(self.store))
        finally:
            self.store.close()
            self.engine.dispose()
            self.proxy.stop()
            self.server.__exit__(None, None, None)
            shutil.rmtree(self.folder, ignore_errors=True)


OutboxMachine.TestCase.settings = settings(max_examples=6, stateful_step_count=6, deadline=None)
test_outbox_state_machine = OutboxMachine.TestCase
