"""A case over its termijn (issue 19, item 6): the intake, the plan's revisions and the talks.

`t` on the cases screen opens it. Enter opens what is selected: the intake, the plan, or a
talk's follow-up conversation (in progress or held). `s` starts the selected planned talk — with
the follow-up questionnaire installed on this laptop, or the caseworker's choice when there are
several — and opens its interview; `r` moves a planned talk to another date and `m` records it
as missed, each with the caseworker's reason (the store refuses an empty one, and so does the
dialog). Back from a follow-up, the timeline shows what changed. The list rows are
`widgets/timeline_list.py`; what a talk may become is the store's (`store/followups.py`).

The terminal title never names the newcomer; the name is in the screen's own title line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList

from intake_tui.i18n import N_, _, ngettext
from intake_tui.ui.base import AppAccess, TimelinePoint
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings, screen_first
from intake_tui.ui.screens.dialogs import MessageLine
from intake_tui.ui.widgets.timeline_list import TimelineList

if TYPE_CHECKING:
    from intake_tui.core.questionnaire import Bundle
    from intake_tui.store.followups import Talk


class TimelineScreen(AppAccess, LocalizedBindings, Screen[None]):
    """One case's intake, plan revisions and talks."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [
            Binding(
                "enter",
                "open",
                N_("Open"),
                id="timeline.open",
                tooltip=N_("Open the intake, the plan or the talk's conversation"),
            ),
            Binding(
                "s",
                "start",
                N_("Start"),
                id="timeline.start",
                tooltip=N_("Start the selected planned talk: its follow-up conversation"),
            ),
            Binding(
                "r",
                "reschedule",
                N_("Move"),
                id="timeline.reschedule",
                tooltip=N_("Move the selected planned talk to another date, with a reason"),
            ),
            Binding(
                "m",
                "missed",
                N_("Missed"),
                id="timeline.missed",
                tooltip=N_("Record that the selected talk did not take place, with a reason"),
            ),
            # Escape is Back everywhere; the footer keeps its room for the talk's keys.
            Binding(
                "escape", "back", N_("Back"), id="timeline.back", tooltip=N_("Back"), show=False
            ),
        ]
    )

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id

    @property
    def resume_point(self) -> TimelinePoint:
        """Locked here: the unlock comes back to this timeline."""
        return TimelinePoint(self.case_id)

    def compose(self) -> ComposeResult:
        yield IntakeHeader()
        yield Label("", id="timeline-title", classes="title")
        yield TimelineList(id="timeline")
        yield MessageLine(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_timeline()
        self.query_one(TimelineList).focus()

    def on_screen_resume(self) -> None:
        # Back from a follow-up conversation or the plan: show what changed. Not while locking.
        if self.is_mounted and self.intake.store is not None:
            self.refresh_timeline()
            self.query_one(TimelineList).focus()

    def refresh_timeline(self) -> None:
        from intake_tui.store import followups, plans

        intake = followups.intake(self.store, self.case_id)
        talks = followups.talks(self.store, self.case_id)
        title = _("Timeline of {name}").format(name=intake.client_display_name)
        overdue = sum(t.overdue for t in talks)
        if overdue:
            title += " · " + ngettext(
                "{n} talk overdue (!)", "{n} talks overdue (!)", overdue
            ).format(n=overdue)
        self.query_one("#timeline-title", Label).update(Text(title))
        self.query_one(TimelineList).show(intake, plans.revisions(self.store, self.case_id), talks)

    def say(self, text: str) -> None:
        self.query_one("#message", MessageLine).update(Text(text))

    def selected_talk(self) -> Talk | None:
        entry = self.query_one(TimelineList).entry()
        return entry.talk if entry is not None else None

    def open_talk(self, *, started: bool = False) -> Talk | None:
        """The selected talk when it is planned (or, with `started`, in progress too); else
        None, and the message says why."""
        talk = self.selected_talk()
        if talk is None:
            self.say(_("Choose a talk in the list first."))
        elif talk.status == "held":
            self.say(_("This talk was held; it stays as it is."))
        elif talk.status == "missed":
            self.say(_("This talk was recorded as missed."))
        elif talk.status == "in_progress" and not started:
            self.say(_("This talk has started: Enter opens its conversation."))
        else:
            return talk
        return None

    # -- the keys ---------------------------------------------------------------------------------

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        from intake_tui.ui.screens.interview import InterviewScreen
        from intake_tui.ui.screens.plan import PlanScreen

        entry = self.query_one(TimelineList).entry()
        if entry is None:
            return
        self.say("")
        if entry.kind == "intake":
            self.app.push_screen(InterviewScreen(self.case_id))
        elif entry.kind == "revision":
            self.app.push_screen(PlanScreen(self.case_id))
        elif entry.talk is not None and entry.talk.followup_id is not None:
            self.app.push_screen(InterviewScreen(entry.talk.followup_id))
        elif entry.talk is not None and entry.talk.status == "planned":
            self.say(_("This talk has not started yet: s starts it."))
        else:
            self.say(_("This talk was recorded as missed."))

    def action_start(self) -> None:
        from intake_tui.store import followups
        from intake_tui.sync.bundles import installed_bundle_dirs
        from intake_tui.ui.screens.choose import ChooseScreen

        talk = self.open_talk(started=True)
        if talk is None:
            return
        if talk.followup_id is not None:  # started already: carry on with it
            self.start(talk, None)
            return
        intake = followups.intake(self.store, self.case_id)
        bundles = followups.followup_bundles(
            intake.bundle_id, installed_bundle_dirs(self.store.data_dir.root)
        )
        if not bundles:
            self.say(
                _(
                    "No follow-up questionnaire for this intake is on this laptop yet; a sync "
                    "brings it when the municipality has published one."
                )
            )
            return
        if len(bundles) == 1:
            self.start(talk, bundles[0])
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.start(talk, bundles[index])

        self.app.push_screen(
            ChooseScreen(
                _("Which questionnaire for this talk?"),
                [f"{b.spec.title} ({b.id} {b.version})" for b in bundles],
            ),
            chosen,
        )

    def start(self, talk: Talk, bundle: Bundle | None) -> None:
        from intake_tui.store import followups
        from intake_tui.store.session import StoreError
        from intake_tui.ui.screens.interview import InterviewScreen

        try:
            if talk.followup_id is not None:
                followup_id = talk.followup_id
            else:
                assert bundle is not None
                followup_id = followups.start(self.store, talk.id, bundle)
        except StoreError as error:
            self.say(error.message)
            return
        self.say("")
        self.app.push_screen(InterviewScreen(followup_id))

    def action_reschedule(self, values: list[str] | None = None, problem: str = "") -> None:
        from intake_tui.ui.screens.ask import AskScreen

        talk = self.open_talk()
        if talk is None:
            return

        def done(answers: list[str] | None) -> None:
            if answers is not None:
                self.reschedule(talk, answers)

        self.app.push_screen(
            AskScreen(
                _("Move the talk of {date}").format(date=talk.due.strftime("%d-%m-%Y")),
                [_("New date (dd-mm-yyyy)"), _("Why it moves")],
                values or [talk.due.strftime("%d-%m-%Y"), ""],
                problem,
            ),
            done,
        )

    def reschedule(self, talk: Talk, answers: list[str]) -> None:
        import datetime as dt

        from intake_tui.core.values import ValueProblem, parse_date
        from intake_tui.store import followups
        from intake_tui.store.session import StoreError

        try:
            day = parse_date(answers[0])
            assert isinstance(day, dt.date)
            followups.reschedule(self.store, talk.id, day, answers[1])
        except ValueProblem as error:
            self.action_reschedule(answers, str(error))  # ask again, with what was typed
            return
        except StoreError as error:
            self.action_reschedule(answers, error.message)
            return
        self.say(_("The talk moved to {date}.").format(date=day.strftime("%d-%m-%Y")))
        self.refresh_timeline()

    def action_missed(self) -> None:
        from intake_tui.store import followups
        from intake_tui.store.session import StoreError
        from intake_tui.ui.screens.ask import AskScreen

        talk = self.open_talk()
        if talk is None:
            return

        def done(answers: list[str] | None) -> None:
            if answers is None:
                return
            try:
                followups.miss(self.store, talk.id, answers[0])
            except StoreError as error:
                self.say(error.message)
                return
            self.say(_("Recorded as missed."))
            self.refresh_timeline()

        self.app.push_screen(
            AskScreen(
                _("The talk of {date} did not take place").format(
                    date=talk.due.strftime("%d-%m-%Y")
                ),
                [_("Why not")],
            ),
            done,
        )

    def action_back(self) -> None:
        self.app.pop_screen()
