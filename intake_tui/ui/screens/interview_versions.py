"""The interview's offer of a newer version of its questionnaire (F8), kept apart from the
screen so that it orchestrates: store/migration.py plans and moves, this asks the caseworker.

When a draft's bundle has a newer version on this laptop (built in, or downloaded by sync), the
footer shows F8 and a message says so once. F8 lists what carries over and what no
longer fits (kept aside as history), and moves the draft only when the caseworker says yes.
"""

from __future__ import annotations

from typing import Any

from textual import work

from intake_tui.i18n import _

MISFITS_SHOWN = 6  # with the question and the buttons, the dialog fits 24 lines


class VersionActions:
    """Mixed into `InterviewScreen`: finding a newer version, and moving the draft to it."""

    # What the screen provides.
    interview_id: str
    bundle: Any
    store: Any
    app: Any
    read_only: bool
    commit_typed: Any
    refresh_bindings: Any
    notify: Any

    newer: Any = None  # the newest newer version of the bundle on this laptop, once found

    @work(thread=True, exclusive=True, group="newer-version")
    def look_for_newer_version(self) -> None:
        """In a thread: loading the installed bundles takes a moment the first screen has not."""
        from intake_tui.store import migration
        from intake_tui.sync.bundles import installed_bundle_dirs

        if self.read_only:
            return
        found = migration.newer_versions(
            self.bundle, installed_bundle_dirs(self.store.data_dir.root)
        )
        if found:
            self.app.call_from_thread(self._offer, found[0])

    def _offer(self, newer: Any) -> None:
        self.newer = newer
        self.refresh_bindings()
        self.notify(
            _(
                "Version {version} of this questionnaire is on this laptop: F8 moves this "
                "draft to it (you see what changes first)."
            ).format(version=newer.version),
            timeout=12,
        )

    def action_move_version(self) -> None:
        from intake_tui.store import migration
        from intake_tui.store.session import StoreError
        from intake_tui.ui.screens.dialogs import ConfirmScreen

        target = self.newer
        if target is None or not self.commit_typed():
            return
        try:
            found = migration.plan(self.store, self.interview_id, target)
        except StoreError as error:
            self.notify(error.message, severity="warning")
            return

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                migration.move(self.store, self.interview_id, target)
            except StoreError as error:
                self.notify(error.message, severity="error")
                return
            # The same screen afresh, on the moved interview (its class: no import back).
            self.app.switch_screen(type(self)(self.interview_id))  # type: ignore[call-arg]

        question = (
            migration.summary(found, self.bundle, limit=MISFITS_SHOWN)
            + "\n\n"
            + _("Move this draft to version {version}?").format(version=target.version)
        )
        self.app.push_screen(ConfirmScreen(question, _("Move the draft"), _("Not now")), done)
