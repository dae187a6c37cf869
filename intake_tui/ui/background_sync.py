"""The app's background sync: every ten minutes while unlocked, if this laptop is enrolled and
plans wait. A try that fails keeps its reason for the sync screen and never takes the
caseworker's screen down; a revoked laptop locks with a message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from intake_tui.i18n import _

if TYPE_CHECKING:
    from textual.timer import Timer

    from intake_tui.store.session import Store


class BackgroundSyncApp(App[None]):
    """What IntakeApp does in the background; its state is set by IntakeApp (and unlock)."""

    store: Store | None
    sync_ca_file: str | None  # [sync] ca_file from config.toml
    sync_problem: str | None  # why the last background sync could not run
    retention_days: int  # [sync] retention_days
    _sync_timer: Timer | None

    def action_lock(self) -> None:
        raise NotImplementedError  # IntakeApp's

    SYNC_EVERY_S = 600.0  # background sync, when a server is configured and plans wait

    def start_background_sync(self) -> None:
        """Sync now and every ten minutes while unlocked, if this laptop is enrolled."""
        if self._sync_timer is None:
            self._sync_timer = self.set_interval(self.SYNC_EVERY_S, self.background_sync)
        self.call_later(self.background_sync)

    def background_sync(self) -> None:
        from intake_tui.sync import service

        if self.store is None:
            return
        enrolled = service.device(self.store)
        if enrolled is None or enrolled.revoked_at is not None:
            return
        if not service.outbox_counts(self.store).get("pending"):
            return
        self.run_worker(self._background_sync, thread=True, exclusive=True, group="sync")

    def _background_sync(self) -> None:
        from intake_tui.sync import service
        from intake_tui.sync.client import SyncConfigError

        store = self.store
        if store is None:
            return
        try:
            summary = service.run_sync(store, ca_file=self.sync_ca_file)
            service.purge_synced(store, self.retention_days)
        except SyncConfigError as error:
            self.sync_problem = error.message
            return
        except Exception as error:  # a background try never takes the caseworker's screen down
            self.sync_problem = type(error).__name__
            return
        self.sync_problem = None
        if summary.stopped == "revoked":
            self.call_from_thread(self.revoked)

    def revoked(self) -> None:
        """The municipality revoked this laptop: stop syncing, lock, and say why."""
        self.notify(
            _(
                "This laptop was revoked by the municipality: sync has stopped and the screen "
                "is locked. Nothing was deleted; ask the functional admin to enrol it again."
            ),
            severity="error",
            timeout=30,
        )
        self.action_lock()
