"""A new intake: the newcomer's display name and language, the interpreter, DUO's notice date.

The newcomer's language decides the second language shown beside every question; languages
are named by Babel in the caseworker's language.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Select

from intake_tui.i18n import N_, _, current_language
from intake_tui.i18n.locale_format import language_name
from intake_tui.ui.base import AppAccess, intake_app
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings
from intake_tui.ui.screens.dialogs import MessageLine

if TYPE_CHECKING:
    from intake_tui.core.questionnaire import Bundle
    from intake_tui.core.values import Value
    from intake_tui.store.interviews import Interpreter


class NewIntakeScreen(AppAccess, LocalizedBindings, Screen[None]):
    """Start an intake in under a minute."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="new.cancel", tooltip=N_("Back to the cases")),
    ]

    AUTO_FOCUS = "#given"  # set as the screen comes up, before the next key is handed out

    def compose(self) -> ComposeResult:
        from intake_tui.core.bundle_model import INTERPRETER_MODES
        from intake_tui.core.questionnaire import load_bundle
        from intake_tui.sync.bundles import installed_bundle_dirs

        # Built-in bundles and those downloaded (and verified) from the central system.
        root = self.store.data_dir.root
        # An intake starts on an intake bundle; a follow-up bundle (`follows:`) starts from a talk.
        loaded = [load_bundle(path) for path in installed_bundle_dirs(root)]
        self.bundles = [b for b in loaded if b.spec.follows is None]
        bundle = self.bundles[0]
        self.bundle = bundle
        ui = current_language()
        languages = [code for code in bundle.languages if code != bundle.spec.source_language]
        yield IntakeHeader()
        with VerticalScroll(id="new-intake"):
            yield Label(_("New intake"), classes="title")
            if len(self.bundles) > 1:
                yield Label(_("Questionnaire"), classes="field-label")
                yield Select(
                    [(f"{b.spec.title} ({b.version})", str(i)) for i, b in enumerate(self.bundles)],
                    prompt=_("Questionnaire"),
                    value="0",
                    id="bundle",
                    allow_blank=False,
                )
            # The names prefill the questionnaire's name questions; together they are the name
            # the case is found by.
            with Horizontal(classes="field-pair"):
                with Vertical():
                    yield Label(_("Given names"), classes="field-label")
                    yield Input(id="given")
                with Vertical():
                    yield Label(_("Family name"), classes="field-label")
                    yield Input(id="family")
            yield Label(_("Newcomer's language"), classes="field-label")
            yield Select(
                [(language_name(code, ui), code) for code in ["nl", *languages]],
                prompt=_("Newcomer's language"),
                id="language",
            )
            with Horizontal(classes="field-pair"):
                with Vertical():
                    yield Label(_("Interpreter"), classes="field-label")
                    yield Select(
                        [(_("no interpreter"), "none")]
                        + [(form, form) for form in INTERPRETER_MODES],
                        prompt=_("Interpreter"),
                        value="none",
                        id="interpreter",
                    )
                with Vertical():
                    yield Label(_("Interpreter's language"), classes="field-label")
                    yield Select(
                        [(language_name(code, ui), code) for code in ["nl", *languages]],
                        prompt=_("Same as the newcomer's"),
                        id="interpreter-language",
                    )
            yield Label(_("Date of DUO's notice (dd-mm-yyyy), if known"), classes="field-label")
            yield Input(id="notice")
            yield MessageLine(id="message")
            yield Button(_("Start the intake"), id="start", variant="primary")
        yield Footer()

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

        message = self.query_one("#message", Label)
        given = self.query_one("#given", Input).value.strip()
        family = self.query_one("#family", Input).value.strip()
        name = " ".join(part for part in (given, family) if part)
        language = self.query_one("#language", Select).value
        if not name:
            message.update(_("Type the newcomer's name: given names, family name or both."))
            return
        if not isinstance(language, str):
            message.update(_("Choose the newcomer's language."))
            return
        notice_text = self.query_one("#notice", Input).value.strip()
        notice: dt.date | None = None
        if notice_text:
            try:
                parsed = parse_date(notice_text)
            except ValueProblem as problem:
                message.update(str(problem))
                return
            notice = parsed if isinstance(parsed, dt.date) else None  # a date, always
        form = self.query_one("#interpreter", Select).value
        how = form if isinstance(form, str) and form != "none" else None
        spoken = self.query_one("#interpreter-language", Select).value
        interpreter = interviews.Interpreter(
            how is not None,
            how,
            (spoken if isinstance(spoken, str) else language) if how is not None else None,
        )
        if self.query("#bundle"):
            self.bundle = self.bundles[int(str(self.query_one("#bundle", Select).value))]

        def informed(told: bool | None) -> None:
            if told is not None:
                self.create((given, family), language, interpreter, notice, informed=told)

        # The information and consent step: what the intake is and what happens with the
        # answers, in both languages, before the first question.
        self.app.push_screen(InformationScreen(self.bundle, language), informed)

    def create(
        self,
        names: tuple[str, str],
        language: str,
        interpreter: Interpreter,
        notice: dt.date | None,
        *,
        informed: bool,
    ) -> None:
        from intake_tui.core.values import Answer
        from intake_tui.store import interviews
        from intake_tui.store.session import StoreError

        store = self.store
        try:
            summary = interviews.create_interview(
                store,
                self.bundle,
                client_display_name=" ".join(part for part in names if part),
                given_name=names[0],
                family_name=names[1],
                client_language=language,
                interpreter=interpreter,
                duo_notice_date=notice,
            )
        except StoreError as error:
            self.query_one("#message", Label).update(error.message)
            return
        answers: list[tuple[str, Value]] = []
        if notice is not None:
            # The notice date typed here is also the questionnaire's answer.
            answers.append(("duo_notice_date", notice))
        if informed:
            today = self.intake.clock.today()
            answers += [
                ("information_given", True),
                ("privacy_information_given", True),
                ("information_language", language),
                ("information_date", today),
            ]
        items, by_role = self.bundle.items, self.bundle.roles
        for role, value in answers:
            item = items[by_role[role]] if role in by_role else None
            if item is None or (item.choices is not None and value not in item.choice_codes()):
                continue  # no question has the role, or a language its list does not have
            interviews.save_answer(store, summary.id, item.id, Answer.of(value))
        from intake_tui.ui.screens.interview import InterviewScreen

        self.app.switch_screen(InterviewScreen(summary.id))


# The roles of the texts the information step shows (their label and hint, in both languages);
# the answers it records are found by role too (core/roles.py).
INFORMATION_TEXTS = ("intake_information", "privacy_information_given")


class InformationScreen(LocalizedBindings, ModalScreen[bool | None]):
    """What the intake is and what happens with the answers, in both languages.

    `y` records that the information was given (today, in the newcomer's language); `n` starts
    without recording it (the questions stay open in the interview); Escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "given(True)", N_("Information given"), id="information.given"),
        Binding("n", "given(False)", N_("Not yet"), id="information.not_yet"),
        Binding("escape", "back", N_("Back"), id="information.back"),
    ]

    def __init__(self, bundle: Bundle, language: str) -> None:
        super().__init__()
        self.bundle = bundle
        self.language = language

    def compose(self) -> ComposeResult:
        from intake_tui.core.catalogs import Localizer, marker
        from intake_tui.i18n.direction import text_direction
        from intake_tui.ui.bidi_label import BidiLabel

        localizer = Localizer(self.bundle)
        ui = current_language()
        rtl = text_direction(self.language) == "rtl"
        mode = intake_app(self).rtl_rendering
        with VerticalScroll(id="newcomer-view"):
            yield Label(_("Before the first question: information and consent"), classes="title")
            for role in INFORMATION_TEXTS:
                question_id = self.bundle.roles.get(role)
                if question_id is None:
                    continue
                item = self.bundle.items[question_id]
                for field, source in (("label", item.label), ("hint", item.question.hint)):
                    if not source:
                        continue
                    key = f"question.{question_id}.{field}"
                    yield Label(localizer.text(key, source, ui).text, classes="hint")
                    if self.language != ui:
                        found = localizer.text(key, source, self.language)
                        yield BidiLabel(found.text, rtl=rtl, mode=mode, classes="newcomer")
                        if found.status in ("fuzzy", "fallback"):
                            mark = marker(found.status, found.lang, ui)
                            yield Label(f"({mark})", classes="marker")
            if self.language != ui and localizer.is_unreviewed(self.language):
                # Once, for the whole page: in the newcomer's language and the caseworker's.
                from intake_tui.i18n.locale_format import unreviewed_notice

                notice = f"({unreviewed_notice(self.language)})"
                yield BidiLabel(notice, rtl=rtl, mode=mode, classes="marker")
                yield Label(f"({marker('unreviewed')})", classes="marker")
            yield Label(
                _(
                    "y: the information was given and understood (recorded with today's date); "
                    "n: start without recording it; Escape: back."
                ),
                classes="title",
            )
        yield Footer()

    def action_given(self, given: bool) -> None:
        self.dismiss(given)

    def action_back(self) -> None:
        self.dismiss(None)
