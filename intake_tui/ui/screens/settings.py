"""Settings for this laptop, and the sync screen (honest about what is not there yet).

Settings apply at once and are kept in config.toml `[ui]` (read with tomllib at start-up):
the theme (including a high-contrast one; NO_COLOR is honoured by Textual itself) and the
minutes of idle time before the screen locks. The UI language takes effect at the next start,
because Textual fixes key descriptions when a screen is made.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Button, Footer, Header, Input, Label, Select

from intake_tui.i18n import _

HIGH_CONTRAST = Theme(
    name="intake-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00ff00",
    warning="#ffff00",
    error="#ff5555",
    dark=True,
)
THEMES = ("textual-dark", "textual-light", "intake-high-contrast", "ansi-dark", "ansi-light")
LANGUAGES = (("nl", "Nederlands"), ("en", "English"))


class SettingsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back"), id="settings.back", tooltip=_("Back to the cases")),
    ]

    def compose(self) -> ComposeResult:
        app: Any = self.app
        yield Header()
        with Vertical(id="question-panel"):
            yield Label(_("Settings for this laptop"), classes="title")
            yield Label(_("Theme"), classes="hint")
            yield Select(
                [(name, name) for name in THEMES],
                value=app.theme if app.theme in THEMES else "textual-dark",
                id="theme",
                allow_blank=False,
            )
            yield Label(_("Lock the screen after this many idle minutes"), classes="hint")
            yield Input(value=str(int(app.idle_seconds // 60)), id="lock-minutes")
            yield Label(_("Language of the screens (from the next start)"), classes="hint")
            yield Select(
                list((label, code) for code, label in LANGUAGES),
                value=app.ui_language if app.ui_language in dict(LANGUAGES) else "nl",
                id="language",
                allow_blank=False,
            )
            yield Button(_("Save"), id="save", variant="primary")
            yield Label("", id="message")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()

    def save(self) -> None:
        from intake_tui.config import save_ui_settings

        app: Any = self.app
        message = self.query_one("#message", Label)
        text = self.query_one("#lock-minutes", Input).value.strip()
        if not text.isdigit() or not 1 <= int(text) <= 120:
            message.update(_("Lock minutes: a whole number from 1 to 120."))
            return
        theme = str(self.query_one("#theme", Select).value)
        language = str(self.query_one("#language", Select).value)
        app.theme = theme
        app.idle_seconds = int(text) * 60
        save_ui_settings(
            app.store.data_dir.config_path, theme=theme, lock_minutes=int(text), language=language
        )
        message.update(_("Saved. The language changes at the next start."))

    def action_back(self) -> None:
        self.app.pop_screen()


class SyncScreen(Screen[None]):
    """What would be synced, and the honest state of sync on this laptop."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back"), id="sync.back", tooltip=_("Back to the cases")),
    ]

    def compose(self) -> ComposeResult:
        from intake_tui.store.models import PlanRevisionRow

        store: Any = self.app.store  # type: ignore[attr-defined]
        with store.session() as session:
            from sqlmodel import select

            waiting = len(session.exec(select(PlanRevisionRow.id)).all())  # type: ignore[call-overload]
        yield Header()
        with Vertical(id="question-panel"):
            yield Label(_("Sync with the municipality"), classes="title")
            yield Label(
                _(
                    "No central server is configured on this laptop yet, so nothing is sent. "
                    "{n} discussed or final plan revisions are kept here, encrypted, until it is."
                ).format(n=waiting),
                id="sync-state",
            )
        yield Footer()

    def action_back(self) -> None:
        self.app.pop_screen()
