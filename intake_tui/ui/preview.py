"""`intake-tui questionnaire preview PATH`: try a bundle in the real screens, writing nothing.

The app is the caseworker's app with three differences: it starts on the bundle's interview
instead of the unlock screen, its store lives in memory (store/preview.py: no data folder, no
passphrase, no file), and every screen - the newcomer's view and the draft plan included -
carries a "VOORBEELD" mark, so a screenshot of a preview is never taken for a real intake.
What would write a file (an export, a backup, sync) is not offered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from intake_tui.i18n import N_, _, ngettext
from intake_tui.ui.app import IntakeApp
from intake_tui.ui.base import AppAccess
from intake_tui.ui.header import IntakeHeader
from intake_tui.ui.keys import LocalizedBindings, screen_first

if TYPE_CHECKING:
    from intake_tui.core.clock import Clock
    from intake_tui.core.questionnaire import Bundle


class PreviewMark(Static):
    """ "VOORBEELD" in the top-left corner of a screen, above everything on it."""

    DEFAULT_CSS = """
    PreviewMark {
        position: absolute;
        offset: 0 0;
        overlay: screen;
        width: auto;
        height: 1;
        padding: 0 1;
        background: $warning;
        color: $background;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__(_("PREVIEW"), classes="preview-mark")

    def relabel(self) -> None:
        self.update(_("PREVIEW"))


class PreviewHomeScreen(AppAccess, LocalizedBindings, Screen[None]):
    """What is being previewed, and the way back into it; under the interview."""

    BINDINGS: ClassVar[list[BindingType]] = screen_first(
        [
            Binding(
                "enter",
                "open",
                N_("Interview"),
                id="preview.open",
                tooltip=N_("Back to the interview"),
            ),
            Binding(
                "n",
                "restart",
                N_("Start over"),
                id="preview.restart",
                tooltip=N_("A new interview without answers"),
            ),
            Binding("q", "quit", N_("Close"), id="preview.quit", tooltip=N_("Close the preview")),
        ]
    )

    def compose(self) -> ComposeResult:
        app = preview_app(self)
        bundle = app.bundle
        yield IntakeHeader()
        yield Label(
            _("Preview of {title} ({id} {version})").format(
                title=bundle.spec.title, id=bundle.id, version=bundle.version
            ),
            classes="title preview-text",
        )
        yield Label(
            _(
                "Nothing you enter is saved: the answers live in memory and are gone when the "
                "preview closes. Exports and sync are not offered."
            ),
            classes="hint preview-text",
        )
        if bundle.warnings:
            count = len(bundle.warnings)
            yield Label(
                ngettext(
                    "This bundle has {n} warning: intake-tui questionnaire validate shows it.",
                    "This bundle has {n} warnings: intake-tui questionnaire validate lists them.",
                    count,
                ).format(n=count),
                classes="hint preview-text",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        from intake_tui.ui.screens.interview import InterviewScreen

        app = preview_app(self)
        if app.interview_id is None:
            self.action_restart()
            return
        self.app.push_screen(InterviewScreen(app.interview_id))

    def action_restart(self) -> None:
        from intake_tui.store.preview import start_interview

        app = preview_app(self)
        app.interview_id = start_interview(self.store, app.bundle, app.client_language)
        self.action_open()

    async def action_quit(self) -> None:
        self.app.exit()


class PreviewApp(IntakeApp):
    """The caseworker's app on one bundle and an in-memory store."""

    def __init__(self, bundle: Bundle, client_language: str, *, clock: Clock | None = None) -> None:
        super().__init__(None, clock=clock)
        self.bundle = bundle
        self.client_language = client_language
        self.interview_id: str | None = None

    def on_mount(self, event: events.Mount) -> None:
        from intake_tui.store.preview import preview_store

        event.prevent_default()  # not IntakeApp's: no unlock screen, no idle lock
        self.screen_change_signal.subscribe(self, self._mark)
        self.store = preview_store(self.clock)
        self.push_screen(PreviewHomeScreen())

    def get_default_screen(self) -> Screen[Any]:
        return Screen()  # Textual's empty one, under the preview's home: no unlock screen

    def _mark(self, screen: Screen[Any]) -> None:
        # After the screen's own compose and mount (queued before this call), so the mark is
        # the last child and drawn above the rest.
        screen.call_later(self._add_mark, screen)

    def _add_mark(self, screen: Screen[Any]) -> None:
        if screen.is_attached and not screen.query(PreviewMark):
            screen.mount(PreviewMark())

    def set_ui_language(self, language: str) -> None:
        super().set_ui_language(language)
        for screen in self.screen_stack:
            for mark in screen.query(PreviewMark):
                mark.relabel()

    def action_lock(self) -> None:
        self.notify(_("A preview keeps nothing, so there is nothing to lock."))

    def start_background_sync(self) -> None:
        return  # a preview never syncs

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def preview_app(node: Any) -> PreviewApp:
    app = node.app
    assert isinstance(app, PreviewApp)
    return app


def run_preview(bundle: Bundle, client_language: str) -> int:
    """Run the preview in this terminal; its exit code."""
    import sys

    from intake_tui.i18n.bidi import explicit_bidi

    app = PreviewApp(bundle, client_language)
    with explicit_bidi(sys.stdout):
        app.run()
    return app.return_code or 0
