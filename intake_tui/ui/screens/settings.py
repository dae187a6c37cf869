"""Settings for this laptop, and the sync screen (honest about what is not there yet).

Settings apply at once and are kept in config.toml `[ui]` and `[keys]` (read with tomllib at
start-up): the UI language (the footer and the open screens change at once), how the
newcomer's language is shown, who orders right-to-left text (the app, or a terminal that does
it itself), the theme (including a high-contrast one; NO_COLOR is honoured by Textual itself),
the minutes of idle time before the screen locks, and key overrides by binding id.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from intake_tui.i18n import N_, _
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.themes import HIGH_CONTRAST, MONOCHROME, THEMES  # noqa: F401

LANGUAGES = (("nl", "Nederlands"), ("en", "English"))


def newcomer_displays() -> list[tuple[str, str]]:
    return [
        (_("below the question"), "below"),
        (_("beside the question"), "beside"),
        (_("not shown"), "off"),
    ]


def rtl_renderings() -> list[tuple[str, str]]:
    return [
        (_("intake-tui orders it (most terminals)"), "app"),
        (_("the terminal orders it (Konsole, mlterm, macOS Terminal)"), "terminal"),
    ]


class SettingsScreen(AppAccess, LocalizedBindings, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="settings.back", tooltip=N_("Back to the cases")),
        Binding("ctrl+s", "save", N_("Save"), id="settings.save", tooltip=N_("Save the settings")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = dict(self.app._keymap)  # overrides only, by binding id

    def compose(self) -> ComposeResult:
        app = self.intake
        yield IntakeHeader()
        with VerticalScroll(id="question-panel"):
            yield Label(_("Settings for this laptop"), classes="title")
            yield Label(_("Language of the screens"), classes="hint")
            yield Select(
                list((label, code) for code, label in LANGUAGES),
                value=app.ui_language if app.ui_language in dict(LANGUAGES) else "nl",
                id="language",
                allow_blank=False,
            )
            yield Label(_("The newcomer's language"), classes="hint")
            yield Select(
                newcomer_displays(), value=app.newcomer_display, id="newcomer", allow_blank=False
            )
            yield Label(_("Right-to-left text (Arabic, Persian, Dari)"), classes="hint")
            yield Select(rtl_renderings(), value=app.rtl_rendering, id="rtl", allow_blank=False)
            yield Label(_("Theme"), classes="hint")
            yield Select(
                [(name, name) for name in THEMES],
                value=self.app.theme if self.app.theme in THEMES else "textual-dark",
                id="theme",
                allow_blank=False,
            )
            yield Label(_("Lock the screen after this many idle minutes"), classes="hint")
            yield Input(value=str(int(app.idle_seconds // 60)), id="lock-minutes")
            yield Label(_("Keys (Enter changes the selected one)"), classes="hint")
            yield OptionList(id="keys")
            yield Button(_("Save"), id="save", variant="primary")
            yield Label("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.show_keys()
        self.query_one("#language", Select).focus()  # keyboard first: Enter opens it

    def show_keys(self) -> None:
        from intake_tui.ui.keys import binding_ids

        keys = self.query_one("#keys", OptionList)
        highlighted = keys.highlighted
        keys.clear_options()
        screens = self.intake.screen_classes()
        for binding_id, (_screen, binding) in sorted(binding_ids(screens).items()):
            key = self.keys.get(binding_id, binding.key)
            changed = " *" if binding_id in self.keys else ""
            keys.add_option(
                Option(
                    f"{key:<12} {binding.description or binding.action}  ({binding_id}){changed}",
                    id=binding_id,
                )
            )
        keys.highlighted = highlighted

    def relabel(self) -> None:
        """The UI language changed: build the screen again in the new language."""

        async def rebuild() -> None:
            await self.recompose()
            self.show_keys()
            self.query_one("#language", Select).focus()
            self.query_one("#message", Label).update(_("Saved."))

        self.call_later(rebuild)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "keys":
            return
        from intake_tui.ui.screens.ask import AskScreen

        binding_id = str(event.option.id)

        def done(answers: list[str] | None) -> None:
            if answers is None:
                return
            from intake_tui.ui.keys import binding_ids, check_keymap

            screens = self.intake.screen_classes()
            wanted = answers[0].strip().lower()
            proposal = dict(self.keys)
            default = binding_ids(screens)[binding_id][1].key
            if wanted == default:
                proposal.pop(binding_id, None)
            else:
                proposal[binding_id] = wanted
            problems = check_keymap(proposal, screens)
            message = self.query_one("#message", Label)
            if problems:
                message.update("; ".join(problems))
                return
            self.intake.apply_keymap(proposal)  # checked above: it applies
            self.keys = proposal
            self.show_keys()
            if self.keep():
                message.update(_("Key changed and saved."))

        self.app.push_screen(
            AskScreen(
                _("New key for {id} (for example f7 or ctrl+k)").format(id=binding_id),
                [_("key")],
            ),
            done,
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()

    def action_save(self) -> None:
        self.save()

    # -- every change applies at once, and is kept in config.toml -------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        app = self.intake
        value = str(event.value)
        if event.select.id == "theme" and value != self.app.theme:
            self.app.theme = value
        elif event.select.id == "newcomer" and value != app.newcomer_display:
            app.newcomer_display = value
        elif event.select.id == "rtl" and value != app.rtl_rendering:
            app.set_rtl_rendering(value)
        elif event.select.id == "language" and value != app.ui_language:
            if self.keep(language=value):
                app.set_ui_language(value)  # rebuilds this screen in the new language
            return
        else:
            return  # a select filled with what is in use already (at mount, after a rebuild)
        self.keep()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "lock-minutes":
            return
        minutes = self.lock_minutes()
        if minutes is None:
            self.query_one("#message", Label).update(
                _("Lock minutes: a whole number from 1 to 120.")
            )
        elif minutes * 60 != self.intake.idle_seconds:
            self.intake.idle_seconds = minutes * 60
            self.keep()

    def lock_minutes(self) -> int | None:
        """The minutes in the field, when they are a whole number from 1 to 120."""
        text = self.query_one("#lock-minutes", Input).value.strip()
        return int(text) if text.isdigit() and 1 <= int(text) <= 120 else None

    def keep(self, *, language: str | None = None) -> bool:
        """Write what is in use now to config.toml `[ui]` and `[keys]`; False if that failed
        (the reason is on the screen)."""
        from rich.text import Text

        from intake_tui.config import ConfigError, load_settings, save_ui_settings

        app = self.intake
        message = self.query_one("#message", Label)
        minutes = self.lock_minutes() or max(1, min(120, round(app.idle_seconds / 60)))
        path = self.store.data_dir.config_path
        try:
            save_ui_settings(
                path,
                theme=self.app.theme,
                lock_minutes=minutes,
                language=language or app.ui_language,
                newcomer_display=app.newcomer_display,
                rtl_rendering=app.rtl_rendering,
                keys=self.keys,
            )
        except ConfigError as error:
            # The other sections of the file are wrong (the check ran on a copy): say it with
            # the file's own path. Text, not markup: "[sync]" is part of the message.
            problem = error.message
            try:
                load_settings(path)
            except ConfigError as found:
                problem = found.message
            message.update(Text(problem))
            return False
        except OSError as error:
            message.update(
                _("The settings could not be saved ({reason}).").format(
                    reason=error.strerror or type(error).__name__
                )
            )
            return False
        message.update(_("Saved."))
        return True

    def save(self) -> None:
        """Save (ctrl+s): everything on the screen at once, after checking it."""
        app = self.intake
        message = self.query_one("#message", Label)
        minutes = self.lock_minutes()
        if minutes is None:
            message.update(_("Lock minutes: a whole number from 1 to 120."))
            return
        problems = app.apply_keymap(self.keys)
        if problems:
            message.update("; ".join(problems))
            return
        language = str(self.query_one("#language", Select).value)
        self.app.theme = str(self.query_one("#theme", Select).value)
        app.idle_seconds = minutes * 60
        app.newcomer_display = str(self.query_one("#newcomer", Select).value)
        app.set_rtl_rendering(str(self.query_one("#rtl", Select).value))
        if self.keep(language=language) and language != app.ui_language:
            app.set_ui_language(language)  # rebuilds this screen in the new language

    def action_back(self) -> None:
        self.app.pop_screen()
