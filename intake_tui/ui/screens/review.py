"""Review before finalizing: what blocks finalizing first, then what needs attention, then every
answer by section.

Required questions still without an answer (or with a "weet niet" / "wil niet zeggen" the
question does not allow) block finalizing and are listed on top; invalid answers, flagged
questions and hidden-but-answered ones follow. Enter on any line jumps back to that question.
Finalizing is refused, with the reason, while anything blocks it; otherwise it asks once,
saying what it means. The store and the bundle texts are imported where they are used: the
review is never on the way to the first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from intake_tui.core.engine import Step
from intake_tui.i18n import N_, _, ngettext
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings, screen_first
from intake_tui.ui.screens.dialogs import ConfirmScreen
from intake_tui.ui.texts import answer_text
from intake_tui.ui.widgets.review_row import HangingRow

if TYPE_CHECKING:
    from intake_tui.ui.texts import BundleTexts


def mask_bsn(bsn: str) -> str:
    """A BSN on screen: only the last four digits (DESIGN.md §9)."""
    return "*****" + bsn[-4:] if len(bsn) > 4 else "****"


NEWCOMER_INDENT = 4
"""Cells before the newcomer's words under an answer: under the label, not at the edge."""


class ReviewScreen(AppAccess, LocalizedBindings, Screen[Step | None]):
    """All answers of one interview; dismisses with the step to jump to, if any."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [
            Binding(
                "f",
                "finalize",
                N_("Finalize"),
                id="review.finalize",
                tooltip=N_("Finalize the interview"),
            ),
            Binding(
                "r",
                "reopen",
                N_("Reopen"),
                id="review.reopen",
                tooltip=N_("Reopen a finalized interview (asks for a reason)"),
            ),
            Binding("p", "plan", N_("Plan"), id="review.plan", tooltip=N_("The draft plan")),
            Binding(
                "escape", "back", N_("Back"), id="review.back", tooltip=N_("Back to the interview")
            ),
        ]
    )

    def __init__(self, interview_id: str) -> None:
        super().__init__()
        self.interview_id = interview_id
        self.targets: dict[str, Step] = {}
        self.first_blocker: int | None = None  # the option index of the first blocking question

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        yield Label("", id="status", classes="title")
        message = Label("", id="message")
        message.display = False  # shown only while it has something to say
        yield message
        yield OptionList(id="review")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_list()
        self.query_one("#review", OptionList).focus()

    def refresh_list(self) -> None:
        from intake_tui.store import interviews

        opened = interviews.open_interview(self.store, self.interview_id)
        self.opened = opened
        engine, bundle = opened.interview, opened.bundle
        listing = self.query_one("#review", OptionList)
        listing.clear_options()
        self.targets.clear()
        status = _("Finalized") if opened.summary.status == "finalized" else _("In progress")
        self.query_one("#status", Label).update(_("Review — {status}").format(status=status))

        from intake_tui.i18n import current_language
        from intake_tui.ui.texts import BundleTexts

        app = self.intake
        language = opened.summary.client_language
        texts = BundleTexts(bundle, current_language(), language, app.rtl_rendering)
        texts.attach(lambda: engine, opened.shown)
        bilingual = app.newcomer_display != "off" and language != texts.ui_language
        width = max(20, self.app.size.width - 6)

        def add(row: HangingRow | str, step: Step | None) -> None:
            """A row; a plain text is a section heading, shown but never chosen."""
            option_id = f"o{listing.option_count}"
            if step is not None:
                self.targets[option_id] = step
            heading = isinstance(row, str)
            prompt = HangingRow(row) if isinstance(row, str) else row
            listing.add_option(Option(prompt, id=option_id, disabled=heading))

        blockers = engine.finalize_blockers() if opened.summary.status == "in_progress" else []
        self.first_blocker = 1 if blockers else None
        if blockers:
            add(_("── Needed before finalizing ──"), None)
        for step in blockers:
            add(self.blocker_line(texts, step), step)
        issues = [i for i in engine.issues() if i.step not in blockers]
        flagged = [key for key, note in opened.notes.items() if note.flagged]
        hidden = engine.hidden_answers()
        if issues or flagged or hidden:
            add(_("── Needs attention ──"), None)
        for issue in issues:
            add(HangingRow("✗ ", f"{texts.caseworker(issue.step.id)}: {issue.message}"), issue.step)
        for key in flagged:
            label = texts.caseworker(key[0])
            add(HangingRow(_("⚑ {label}: flagged for follow-up").format(label=label)), Step(*key))
        for key in hidden:
            label = texts.caseworker(key[0]) if key[0] in bundle.items else key[0]
            hidden_line = _("◌ {label}: answered, but hidden now (kept, not used)")
            add(HangingRow(hidden_line.format(label=label)), None)
        for section in bundle.sections:
            steps = [s for s in engine.steps(section) if bundle.items[s.id].holds_value]
            if not steps:
                continue
            add(f"── {texts.caseworker(section)} ──", None)
            for step in steps:
                item = bundle.items[step.id]
                answer = engine.answer(step.id, step.instance)
                if item.type == "repeat":
                    shown = str(len(engine.instances(step.id)))
                elif item.question.format == "bsn" and answer is not None and answer.known:
                    shown = mask_bsn(str(answer.value))  # shown in full only while typed
                else:
                    shown = answer_text(texts, item, answer)
                head = f"  {texts.caseworker(step.id)}: "
                after: tuple[str, ...] = ()
                if bilingual and not item.for_caseworker:
                    # What the newcomer read, and their words for a chosen answer, so the
                    # answers can be gone through together before finalizing.
                    theirs = texts.newcomer(step.id).text
                    chosen = texts.answer_in_newcomer_language(item, answer)
                    if chosen:
                        theirs = f"{theirs} {chosen}" if texts.rtl else f"{theirs}: {chosen}"
                    after = tuple(texts.lines(theirs, width - NEWCOMER_INDENT))
                add(HangingRow(head, shown, after, indent=NEWCOMER_INDENT), step)

    def blocker_line(self, texts: BundleTexts, step: Step) -> HangingRow:
        """A blocking question (inside a repeat: which entry, as the interview names it) and why."""
        engine = self.opened.interview
        label = texts.caseworker(step.id)
        repeat = engine.item(step.id).repeat
        if repeat is not None and step.instance in engine.instances(repeat):
            position = engine.instances(repeat).index(step.instance) + 1
            label = f"{texts.caseworker(repeat)} {position} › {label}"
        reasons = engine.validate(step.id, engine.answer(step.id, step.instance), step.instance)
        reason = reasons[0] if reasons else _("an answer is required")
        return HangingRow("✗ ", f"{label}: {reason}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        step = self.targets.get(str(event.option.id))
        if step is not None and self.opened.summary.status == "in_progress":
            self.dismiss(step)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_finalize(self) -> None:
        if self.opened.summary.status == "finalized":
            return
        blockers = self.opened.interview.finalize_blockers()
        if blockers:
            self.refuse_finalizing(len(blockers))
            return
        question = _(
            "Finalize this interview? The answers are then fixed for the plan; changing them "
            "later needs a reason. An encrypted backup is made."
        )

        def done(yes: bool | None) -> None:
            if not yes:
                return
            from intake_tui.store import interviews
            from intake_tui.store.session import StoreError

            try:
                interviews.finalize_interview(self.store, self.interview_id)
            except interviews.FinalizeBlocked as refused:
                # The answers changed since this list was made (another screen, a script).
                self.refresh_list()
                self.refuse_finalizing(len(refused.steps))
                return
            except StoreError as error:
                self.say(error.message)
                return
            self.say("")
            self.notify(_("Finalized"))
            self.refresh_list()

        self.app.push_screen(
            ConfirmScreen(question, _("Yes, finalize"), _("No, do not finalize")), done
        )

    def say(self, text: str) -> None:
        message = self.query_one("#message", Label)
        message.update(text)
        message.display = bool(text)

    def refuse_finalizing(self, count: int) -> None:
        """Say calmly why nothing was finalized, and put the cursor on the first reason."""
        self.say(
            ngettext(
                "Not finalized yet: {n} required question still needs an answer, listed at the "
                "top. Enter goes to it.",
                "Not finalized yet: {n} required questions still need an answer, listed at the "
                "top. Enter goes to each.",
                count,
            ).format(n=count)
        )
        listing = self.query_one("#review", OptionList)
        if self.first_blocker is not None:
            listing.highlighted = self.first_blocker
        listing.focus()

    def action_reopen(self) -> None:
        from intake_tui.ui.screens.ask import AskScreen

        if self.opened.summary.status != "finalized":
            return

        def done(answers: list[str] | None) -> None:
            if answers:
                from intake_tui.store import interviews
                from intake_tui.store.session import StoreError

                try:
                    interviews.reopen_interview(self.store, self.interview_id, answers[0])
                except StoreError as error:  # a key never ends the app: say why instead
                    self.say(error.message)
                    return
                self.say("")
                self.refresh_list()

        self.app.push_screen(
            AskScreen(_("Why reopen this interview?"), [_("Reason (kept with the case)")]),
            done,
        )

    def action_plan(self) -> None:
        from intake_tui.store import followups
        from intake_tui.ui.screens.plan import PlanScreen

        # A follow-up conversation has no plan of its own: its case's plan, with what the
        # conversation changes in it on top (issue 19).
        case_id = followups.case_of(self.store, self.interview_id) or self.interview_id
        self.app.push_screen(PlanScreen(case_id))
