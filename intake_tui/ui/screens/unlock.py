"""Unlock (or, on first run, set up) the data folder: pick a caseworker, type the passphrase.

The key derivation and the database libraries are slow to start, so unlocking runs in a
worker thread while the screen stays responsive; a wrong passphrase gets one calm line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select

from intake_tui.i18n import _
from intake_tui.ui.base import AppAccess, Resume
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.screens.dialogs import MessageLine

if TYPE_CHECKING:
    from intake_tui.store.session import Store


class UnlockScreen(AppAccess, LocalizedBindings, Screen[None]):
    """The first screen, and the lock screen: nothing of any case is visible here."""

    def __init__(self, *, resume: Resume | None = None) -> None:
        super().__init__()
        self.resume = resume
        self.first_run = False
        self.users: list[str] = []
        self.opening = False  # a passphrase is being checked: Enter again starts no second check

    def compose(self) -> ComposeResult:
        from intake_tui.store.datadir import DataDir

        data_dir = DataDir.resolve(self.intake.data_dir_option)
        self.data_dir = data_dir
        self.first_run = not data_dir.is_set_up()
        with Vertical(id="unlock-box"):
            if self.first_run:
                yield Label(_("Welcome to intake-tui"), classes="title")
                yield Label(
                    _("Nobody can unlock this laptop yet. Create the first caseworker."),
                    classes="hint",
                )
                yield Label(_("Your name (login)"), classes="field-label")
                yield Input(id="name")
                yield Label(_("Passphrase (a short sentence)"), classes="field-label")
                yield Input(password=True, id="passphrase")
                yield Label(_("The same passphrase again"), classes="field-label")
                yield Input(password=True, id="again")
                yield Button(_("Create and unlock"), id="go", variant="primary")
            else:
                from intake_tui.store.users import list_users

                self.users = list_users(data_dir)
                yield Label(_("Unlock intake-tui"), classes="title")
                preset = self.intake.preset_user
                yield Label(_("Caseworker"), classes="field-label")
                yield Select(
                    [(name, name) for name in self.users],
                    prompt=_("Caseworker"),
                    value=preset
                    if preset in self.users
                    else (self.users[0] if len(self.users) == 1 else Select.BLANK),
                    id="user",
                )
                yield Label(_("Passphrase"), classes="field-label")
                yield Input(password=True, id="passphrase")
                yield Button(_("Unlock"), id="go", variant="primary")
            yield MessageLine(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name" if self.first_run else "#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if (event.input.id == "passphrase" and not self.first_run) or event.input.id == "again":
            self.submit()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self.submit()

    def say(self, message: str) -> None:
        self.query_one("#message", Label).update(message)

    def submit(self) -> None:
        if self.opening:
            return
        passphrase = self.query_one("#passphrase", Input).value
        if self.first_run:
            name = self.query_one("#name", Input).value.strip()
            if not name:
                self.say(_("Type your name first."))
                return
            if passphrase != self.query_one("#again", Input).value:
                self.say(_("The two passphrases differ."))
                return
            from intake_tui.secrets_input import SecretError, check_new_passphrase

            try:
                check_new_passphrase(passphrase)
            except SecretError as error:
                self.say(error.message)
                return
            self.say(_("Setting up…"))
            self.opening = True
            self.open_store(name, passphrase, create=True)
            return
        user = self.query_one("#user", Select).value
        if user is Select.BLANK or not isinstance(user, str):
            self.say(_("Choose who you are."))
            return
        if not passphrase:
            self.say(_("Type your passphrase."))
            return
        self.say(_("Unlocking…"))
        self.opening = True
        self.open_store(user, passphrase, create=False)

    @work(thread=True, exclusive=True)
    def open_store(self, user: str, passphrase: str, *, create: bool) -> None:
        from intake_tui.store.database import DatabaseError
        from intake_tui.store.keyring import KeyringError
        from intake_tui.store.session import StoreError, initialize, unlock

        app = self.intake
        try:
            if create:
                store = initialize(self.data_dir, user, passphrase, clock=app.clock)
            elif app.kdf_floor is not None:
                store = unlock(
                    self.data_dir, user, passphrase, clock=app.clock, floor=app.kdf_floor
                )
            else:
                store = unlock(self.data_dir, user, passphrase, clock=app.clock)
        except KeyringError as error:
            self.app.call_from_thread(self.failed, str(error))
            return
        except (DatabaseError, StoreError) as error:
            self.app.call_from_thread(self.failed, error.message)
            return
        self.app.call_from_thread(self.opened, store)

    def opened(self, store: Store) -> None:
        self.intake.unlocked(store, self.resume)
        if self in self.app.screen_stack:
            # The app's first screen stays at the bottom of the stack, under the cases: what
            # was typed here goes with its fields, as it does when a later unlock screen closes.
            self.remove_children()

    def failed(self, message: str) -> None:
        self.opening = False
        self.say(message)
        passphrase = self.query_one("#passphrase", Input)
        passphrase.value = ""
        passphrase.focus()
