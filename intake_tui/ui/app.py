"""The app shell: screens own their behaviour; the shell holds the unlocked store and privacy.

Private by default (docs/security-and-sync.md §5): no screenshot command in the palette, no text
selection (it would reach the clipboard), no local variables in crash output, a terminal title
without names, and ctrl+l locks at once (the store and its key are dropped).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from intake_tui.core.clock import Clock, SystemClock
from intake_tui.i18n import N_, _
from intake_tui.ui.background_sync import BackgroundSyncApp
from intake_tui.ui.key_order import KeyHandled, busy
from intake_tui.ui.keys import LocalizedBindings

if TYPE_CHECKING:  # the first frame loads none of these (tests/test_import_hygiene.py)
    from collections.abc import Awaitable, Callable

    from textual.command import Provider
    from textual.dom import DOMNode
    from textual.theme import Theme
    from textual.timer import Timer

    from intake_tui.i18n.bidi import RtlMode
    from intake_tui.store.keyring import KdfParams
    from intake_tui.store.session import Store
    from intake_tui.ui.base import Resume


def _screen_keys_provider() -> type[Provider]:
    from intake_tui.ui.palette import ScreenKeysProvider

    return ScreenKeysProvider


def _own_themes() -> list[Theme]:
    from intake_tui.ui.themes import HIGH_CONTRAST, MONOCHROME

    return [HIGH_CONTRAST, MONOCHROME]


class IntakeApp(LocalizedBindings, BackgroundSyncApp):
    """intake-tui: brede intake and draft PIP.

    Screens see it as `intake_tui.ui.base.IntakeAppView` (a test holds the two together)."""

    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses live elsewhere
    TITLE = "intake-tui"
    ALLOW_SELECT = False
    ENABLE_COMMAND_PALETTE = True
    # The palette reaches every key of the screen underneath (ui/palette.py), besides the app's
    # own commands (get_system_commands) and a screen's own providers (its COMMANDS).
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        _screen_keys_provider,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer keeps the room for the screen's own keys and F1, which lists these too: at
        # 80 columns "^q Stoppen  ^l Vergrendel" left two keys of the cases screen visible.
        Binding(
            "ctrl+l",
            "lock",
            N_("Lock"),
            id="app.lock",
            tooltip=N_("Lock the screen now"),
            show=False,
        ),
        Binding("f1", "help", N_("Help"), id="app.help", tooltip=N_("The keys of this screen")),
        Binding(
            "ctrl+q", "quit", N_("Quit"), id="app.quit", tooltip=N_("Close intake-tui"), show=False
        ),
        Binding("ctrl+p", "command_palette", N_("Commands"), id="app.commands", show=False),
        # Priority: the app moves the focus before the next key is handed out. Without it a Tab
        # typed in a burst ("Zamzam<Tab>Test") queued behind the field's own keys, and the
        # letters after it landed in the field the Tab was leaving.
        Binding("tab", "focus_next", N_("Next field"), id="app.next", show=False, priority=True),
        Binding(
            "shift+tab",
            "focus_previous",
            N_("Previous field"),
            id="app.previous",
            show=False,
            priority=True,
        ),
    ]

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        clock: Clock | None = None,
        user: str | None = None,
        kdf_floor: KdfParams | None = None,
        idle_seconds: float = 300.0,
    ) -> None:
        from intake_tui.ui.keys import localize_bindings

        localize_bindings()  # before the instance copies its class's bindings
        super().__init__()
        self.data_dir_option: Path | None = data_dir
        self.clock: Clock = clock or SystemClock()
        self.preset_user: str | None = user
        self.kdf_floor: KdfParams | None = kdf_floor
        self.store: Store | None = None  # once unlocked
        self.idle_seconds: float = idle_seconds
        self._last_activity = time.monotonic()
        self._sync_timer: Timer | None = None
        # Keys typed while the passphrase is checked (a second or so): for the next screen.
        self._typed_while_unlocking: list[events.Key] = []
        self._held_keys: list[events.Key] = []  # typed while the next screen was being put up
        # The key whose KeyHandled is still on its way up: the marker, where it was sent, when.
        self._key_in_flight: tuple[KeyHandled, DOMNode, float] | None = None
        self._last_key_sent = 0.0  # when (monotonic); the key after it may wait for its work
        self._last_target: DOMNode | None = None  # where that key went
        from intake_tui.i18n import current_language

        self.ui_language: str = current_language()
        self.newcomer_display: str = "below"  # the newcomer's language: below | beside | off
        self.sync_ca_file: str | None = None  # [sync] ca_file from config.toml
        self.sync_problem: str | None = None  # why the last background sync could not run
        self.retention_days: int = 30  # [sync] retention_days
        # app: we shape and order Arabic script; terminal: the terminal does
        self.rtl_rendering: RtlMode = "app"
        for theme in _own_themes():
            self.register_theme(theme)
        if os.environ.get("NO_COLOR"):
            self.theme = "intake-monochrome"  # until the caseworker picks another

    def set_ui_language(self, language: str) -> None:
        """Switch the caseworker's language now: keys in the footer, and the open screens."""
        from intake_tui.i18n import set_language
        from intake_tui.ui.keys import localize_bindings

        set_language(language)
        self.ui_language = language
        localize_bindings(self)
        for screen in self.screen_stack[1:]:
            if hasattr(screen, "relabel"):
                screen.relabel()

    def screen_classes(self) -> dict[str, type[DOMNode]]:
        """The app and its screens, by a short name, for the keymap settings and their checks."""
        from intake_tui.ui.screens.cases import CasesScreen
        from intake_tui.ui.screens.interview import InterviewScreen
        from intake_tui.ui.screens.new_intake import NewIntakeScreen
        from intake_tui.ui.screens.plan import PlanScreen
        from intake_tui.ui.screens.review import ReviewScreen
        from intake_tui.ui.screens.timeline import TimelineScreen

        return {
            "app": type(self),
            "cases": CasesScreen,
            "new": NewIntakeScreen,
            "interview": InterviewScreen,
            "review": ReviewScreen,
            "plan": PlanScreen,
            "timeline": TimelineScreen,
        }

    def apply_keymap(self, keys: dict[str, str]) -> list[str]:
        """Use the caseworker's key overrides (binding id → keys); problems are not applied."""
        from intake_tui.ui.keys import check_keymap

        problems = check_keymap(keys, self.screen_classes())
        if not problems:
            self.set_keymap(keys)
        return problems

    def set_rtl_rendering(self, mode: str) -> None:
        """`app` switches the terminal's own bidi off (VTE), `terminal` leaves it on; any other
        value is `app`."""
        from intake_tui.i18n.bidi import VTE_BIDI_OFF, VTE_BIDI_ON

        self.rtl_rendering = "terminal" if mode == "terminal" else "app"
        if self._driver is not None and not self.is_headless:
            self._driver.write(VTE_BIDI_OFF if self.rtl_rendering == "app" else VTE_BIDI_ON)

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from intake_tui.ui.palette import IntakeCommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                IntakeCommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def get_default_screen(self) -> Screen[Any]:
        """The unlock screen is the app's first screen, not pushed over an empty default one:
        one screen to make before the first frame instead of two (docs/performance.md)."""
        from intake_tui.ui.screens.unlock import UnlockScreen

        return UnlockScreen()

    def on_load(self) -> None:
        # Textual writes each frame from a thread of its own. Right after the first frame the
        # main thread goes on laying out, and with Python's 5 ms switch interval that thread
        # waited up to 5 ms to write it: 1 ms until the first frame is out (Ready).
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, 0.001))

    def on_ready(self) -> None:
        sys.setswitchinterval(self._switch_interval)  # Textual's Ready: the first frame is out

    def on_mount(self) -> None:
        self.set_interval(min(1.0, self.idle_seconds / 4), self._check_idle)

    def on_key(self) -> None:
        self._last_activity = time.monotonic()

    # At most this many screen refreshes a key waits for a screen that never takes the focus.
    HOLD_REFRESHES = 20

    # The unlock's own keys (pressed twice) are not kept; quitting still quits at once.
    NOT_KEPT_WHILE_UNLOCKING = frozenset({"enter", "escape", "ctrl+q", "ctrl+c"})

    async def on_event(self, event: events.Event) -> None:
        # A caseworker types on while the passphrase is being checked: those keys are meant
        # for the cases screen (or the interview) that comes next, not for the passphrase box.
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._kept_for_after_unlock(event):
                return
            # "n" then "Amal" at once: the letters come before the new screen has its focus.
            # They wait for it, in order, instead of going to the screen that is leaving;
            # and each key waits until the one before it has done its work (KeyHandled).
            if (
                self._held_keys
                or self._waiting_for_key()
                or not self._screen_ready()
                or (self._after_a_key() and self._work_pending())
            ):
                self._held_keys.append(event)
                if len(self._held_keys) == 1:
                    self.call_after_refresh(self._release_held_keys)
                    self.set_timer(self.KEY_HANDLED_WAIT, self._release_held_keys)
                return
            await self._send_key(event)
            return
        await super().on_event(event)

    def _kept_for_after_unlock(self, event: events.Key) -> bool:
        """Typed while the passphrase is checked: kept for the screen that comes next (True).
        Also a key held behind the passphrase's Enter, which started the check meanwhile."""
        if self._unlocking():
            if event.key not in self.NOT_KEPT_WHILE_UNLOCKING:
                self._typed_while_unlocking.append(event)
                return True
        elif self.store is None:
            self._typed_while_unlocking.clear()  # the unlock failed: nothing to pass on
        return False

    # A key whose KeyHandled never comes back (its widget was removed on the way) holds the
    # next keys no longer than this many seconds (a removed widget releases them at once).
    KEY_HANDLED_WAIT = 1.0

    def _after_a_key(self) -> bool:
        """Typed within KEY_HANDLED_WAIT of the key before it: part of a burst, so it waits for
        that key's work. A key on its own goes at once, even while a screen is busy (a sync's
        progress bar)."""
        return time.monotonic() - self._last_key_sent < self.KEY_HANDLED_WAIT

    async def _send_key(self, event: events.Key) -> None:
        self._last_key_sent = time.monotonic()
        target = self._last_target = self.focused or self.screen
        await super().on_event(event)
        marker = KeyHandled()
        if target.is_attached and target.post_message(marker):
            self._key_in_flight = (marker, target, time.monotonic())

    def _waiting_for_key(self) -> bool:
        if self._key_in_flight is None:
            return False
        _marker, target, sent = self._key_in_flight
        if not target.is_attached or time.monotonic() - sent > self.KEY_HANDLED_WAIT:
            self._key_in_flight = None  # lost with its widget: do not hold the keys for ever
        return self._key_in_flight is not None

    async def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        if self._key_in_flight is not None and self._key_in_flight[0] is message:
            self._key_in_flight = None
            await self._release_held_keys()

    def _screen_ready(self) -> bool:
        """The screen on top is mounted and has put the focus where typing goes (if anywhere)."""
        screen = self.screen
        if not screen.is_mounted:
            return False
        return screen.focused is not None or not screen.focus_chain

    def _work_pending(self) -> bool:
        """What the last key set off is not done yet: Enter on a list posts the choice to the
        list, the dialog closes on it, its result reaches the screen below, which may open the
        next dialog. A key sent before that would go to the dialog that is closing. That work
        waits where the key went (its widget and the ones it passes up through) and on the
        screens (a dialog's result): those are looked at, not every widget of every screen."""
        path = self._last_target.ancestors_with_self if self._last_target is not None else []
        return any(busy(node) for node in (*path, *self.screen_stack) if node is not self)

    # While work is pending, a held key looks again this often (seconds), and waits no longer
    # than KEY_HANDLED_WAIT by the clock (a screen busy with a progress bar must not hold the
    # keys). A timer, not a refresh: a refresh's callback is work on the screen itself, and the
    # key would wait for its own waiting.
    WORK_POLL = 0.002

    async def _release_held_keys(self, tries: int = 0, since: float | None = None) -> None:
        while self._held_keys and not self._waiting_for_key():
            if not self._screen_ready() and tries < self.HOLD_REFRESHES:
                self.call_after_refresh(self._release_held_keys, tries + 1, since)
                return
            started = time.monotonic() if since is None else since
            if self._work_pending() and time.monotonic() - started < self.KEY_HANDLED_WAIT:
                self.set_timer(self.WORK_POLL, partial(self._release_held_keys, tries, started))
                return
            tries, since = 0, None
            event = self._held_keys.pop(0)
            if not self._kept_for_after_unlock(event):
                await self._send_key(event)

    def _unlocking(self) -> bool:
        from textual.worker import WorkerState

        from intake_tui.ui.screens.unlock import UnlockScreen

        screen = self.screen
        return isinstance(screen, UnlockScreen) and any(
            worker.node is screen and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )

    async def _pass_on_typed_keys(self, screens: list[Awaitable[Any]]) -> None:
        for change in screens:
            await change
        typed, self._typed_while_unlocking = self._typed_while_unlocking, []
        for key in typed:
            self.post_message(events.Key(key.key, key.character))

    def on_mouse_move(self) -> None:
        self._last_activity = time.monotonic()

    def _check_idle(self) -> None:
        # Left alone (tea, a crying child): lock after the idle time; nothing is lost.
        if self.store is not None and time.monotonic() - self._last_activity >= self.idle_seconds:
            self.action_lock()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's own list is English and offers "Screenshot", which writes the screen
        # (answers, names) to a file in the current folder: ours is translated and has none.
        yield SystemCommand(_("Lock"), _("Lock the screen now"), self.action_lock)
        yield SystemCommand(_("Help"), _("The keys of this screen"), self.action_help)
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Close intake-tui"), self.action_quit)
        yield from getattr(screen, "screen_commands", lambda: ())()

    def action_help(self) -> None:
        from intake_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def unlocked(self, store: Store, resume: Resume | None = None) -> None:
        """Called by the unlock screen with the unlocked store; back to where the lock came."""
        from intake_tui.config import ConfigError, load_settings
        from intake_tui.ui.screens.cases import CasesScreen

        self.store = store
        try:
            settings = load_settings(store.data_dir.config_path)
        except ConfigError as error:
            self.notify(error.message, severity="warning")
        else:
            if settings.theme in self.available_themes:
                self.theme = settings.theme
            if self.idle_seconds == 300.0:  # not set by the caller (tests set their own)
                self.idle_seconds = settings.lock_minutes * 60
            self.newcomer_display = settings.newcomer_display
            self.sync_ca_file = settings.sync_ca_file
            self.retention_days = settings.retention_days
            if settings.rtl_rendering != self.rtl_rendering:
                self.set_rtl_rendering(settings.rtl_rendering)
            for problem in self.apply_keymap(dict(settings.keys)):
                self.notify(problem, severity="warning")
        self._last_activity = time.monotonic()  # unlocking is activity: the idle clock restarts
        self.start_background_sync()
        if len(self.screen_stack) == 1:  # the first screen unlocked: it stays below, empty
            changes: list[Awaitable[Any]] = [self.push_screen(CasesScreen())]
        else:
            changes = [self.switch_screen(CasesScreen())]
        if resume is not None:
            changes += self._resume(store, resume)
        if self._typed_while_unlocking:
            self.call_later(self._pass_on_typed_keys, changes)

    def _resume(self, store: Store, resume: Resume) -> list[Awaitable[Any]]:
        """The screens to put back over the cases: a timeline, an interview, or a follow-up
        conversation on top of its case's timeline (Escape leads where it led before)."""
        from intake_tui.store import followups
        from intake_tui.ui.base import TimelinePoint
        from intake_tui.ui.screens.interview import InterviewScreen
        from intake_tui.ui.screens.timeline import TimelineScreen

        if isinstance(resume, TimelinePoint):
            return [self.push_screen(TimelineScreen(resume.case_id))]
        interview_id, step = resume
        changes: list[Awaitable[Any]] = []
        case_id = followups.case_of(store, interview_id)
        if case_id is not None:
            changes.append(self.push_screen(TimelineScreen(case_id)))
        changes.append(self.push_screen(InterviewScreen(interview_id, start=step)))
        return changes

    def action_lock(self) -> None:
        """Lock at once: drop the store (and with it the database key), show the unlock screen."""
        from intake_tui.ui.screens.unlock import UnlockScreen

        if self.store is None:
            return
        # The interview under any dialog (a note, the help) is where work resumes.
        resume = next(
            (s.resume_point for s in reversed(self.screen_stack) if hasattr(s, "resume_point")),
            None,
        )
        for screen in self.screen_stack:  # typed text not saved yet goes to disk first
            if hasattr(screen, "before_lock"):
                screen.before_lock()
        self.store.close()
        self.store = None
        while len(self.screen_stack) > 2:  # keep the first screen (empty now) and one of ours
            self.pop_screen()
        self.switch_screen(UnlockScreen(resume=resume))

    def _fatal_error(self) -> None:
        # Textual prints a traceback WITH local variables, which may hold answers or a BSN.
        # Print only where it happened, and exit non-zero.
        self.bell()
        error = sys.exc_info()[1]
        kind = type(error).__name__ if error else "error"
        self._exit_renderables.append(
            _(
                "intake-tui stopped after an internal error ({kind}); answers already saved "
                "are safe."
            ).format(kind=kind)
        )
        self._return_code = 1
        self._close_messages_no_wait()


if TYPE_CHECKING:  # mypy holds the app to the view its screens have of it (ui/base.py)
    from intake_tui.ui.base import IntakeAppView

    def _as_view(app: IntakeApp) -> IntakeAppView:
        return app
