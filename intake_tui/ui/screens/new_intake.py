"""A new intake: the newcomer's display name and language, the interpreter, DUO's notice date.

The newcomer's language decides the second language shown beside every question; languages
are named by Babel in the caseworker's language.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select

from intake_tui.i18n import _, current_language

INTERPRETER_FORMS = ("telefonisch", "fysiek", "video")


def language_name(code: str, ui_language: str) -> str:
    """A language's name in the UI language (Dari is `prs`, which CLDR does not know)."""
    if code == "prs":
        return "Dari"
    try:
        from babel import Locale

        name = Locale.parse(code.replace("-", "_")).get_display_name(ui_language)
    except Exception:
        return code
    return name or code


class NewIntakeScreen(Screen[None]):
    """Start an intake in under a minute."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Cancel"), id="new.cancel", tooltip=_("Back to the cases")),
    ]

    def compose(self) -> ComposeResult:
        from intake_tui.core.questionnaire import load_bundle
        from intake_tui.resources import builtin_bundle_dirs

        self.bundles = [load_bundle(path) for path in builtin_bundle_dirs()]
        bundle = self.bundles[0]
        ui = current_language()
        languages = [code for code in bundle.languages if code != bundle.spec.source_language]
        yield Header()
        with Vertical(id="question-panel"):
            yield Label(_("New intake"), classes="title")
            yield Input(placeholder=_("Display name (to find the case again)"), id="name")
            yield Select(
                [(language_name(code, ui), code) for code in ["nl", *languages]],
                prompt=_("Newcomer's language"),
                id="language",
            )
            yield Select(
                [(_("no interpreter"), "none")] + [(form, form) for form in INTERPRETER_FORMS],
                prompt=_("Interpreter"),
                value="none",
                id="interpreter",
            )
            yield Input(placeholder=_("Date of DUO's notice (dd-mm-yyyy), if known"), id="notice")
            yield Button(_("Start the intake"), id="start", variant="primary")
            yield Label("", id="message", classes="error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.start()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_cancel(self) -> None:
        self.app.pop_screen()

    def start(self) -> None:
        from intake_tui.core.values import ValueProblem, parse_date
        from intake_tui.store import interviews
        from intake_tui.store.session import StoreError

        message = self.query_one("#message", Label)
        name = self.query_one("#name", Input).value.strip()
        language = self.query_one("#language", Select).value
        if not name:
            message.update(_("Type a display name."))
            return
        if not isinstance(language, str):
            message.update(_("Choose the newcomer's language."))
            return
        notice_text = self.query_one("#notice", Input).value.strip()
        notice: Any = None
        if notice_text:
            try:
                notice = parse_date(notice_text)
            except ValueProblem as problem:
                message.update(str(problem))
                return
        form = self.query_one("#interpreter", Select).value
        used = isinstance(form, str) and form != "none"
        store = self.app.store  # type: ignore[attr-defined]
        try:
            summary = interviews.create_interview(
                store,
                self.bundles[0],
                client_display_name=name,
                client_language=language,
                interpreter=interviews.Interpreter(
                    used, form if used else None, language if used else None
                ),  # type: ignore[arg-type]
                duo_notice_date=notice,
            )
        except StoreError as error:
            message.update(error.message)
            return
        if notice is not None and interviews.NOTICE_QUESTION in self.bundles[0].items:
            # The notice date typed here is also the questionnaire's answer.
            from intake_tui.core.values import Answer

            interviews.save_answer(store, summary.id, interviews.NOTICE_QUESTION, Answer.of(notice))
        from intake_tui.ui.screens.interview import InterviewScreen

        self.app.switch_screen(InterviewScreen(summary.id))
