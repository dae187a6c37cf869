"""The command palette in the caseworker's language, reaching everything a screen can do.

Textual's palette writes "No matches found" in English, from inside a private method; this
subclass says it through `_()` (the rest is Textual's, unchanged; textual is pinned). The
placeholder is a constructor argument and is translated where the palette is opened.

`ScreenKeysProvider` (the app's) offers every key of the screen underneath by its translated
name, including those the footer leaves out; `CaseProvider` (the cases screen's) opens a case by
name or id. The app's own commands (lock, help, theme, quit) are `IntakeApp.get_system_commands`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets.option_list import Option

from intake_tui.i18n import _
from intake_tui.ui.keys import LocalizedBindings

if TYPE_CHECKING:
    from intake_tui.store.session import Store


class IntakeCommandPalette(LocalizedBindings, CommandPalette):
    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def _run(screen: Screen[Any], action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await screen.app.run_action(action, screen)

    return run


def screen_commands(screen: Screen[Any]) -> list[tuple[str, str, Callable[[], Awaitable[None]]]]:
    """(name, help, run) for every key of the screen that is ours (each has an id) and may run
    now, those the footer leaves out included: the palette reaches all the screen can do."""
    from intake_tui.ui.screens.help import key_text

    commands = []
    seen: set[str] = set()
    for _key, binding in screen._bindings:
        if not binding.id or not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        name, _params = (
            binding.action.split("(", 1) if "(" in binding.action else (binding.action, "")
        )
        if screen.check_action(name, ()) is False:
            continue
        keys = screen.app._keymap.get(binding.id, binding.key)
        help_text = f"{key_text(keys)} · {binding.tooltip}" if binding.tooltip else key_text(keys)
        commands.append((binding.description, help_text, _run(screen, binding.action)))
    return commands


class ScreenKeysProvider(Provider):
    """The keys of the screen the palette was opened on, by their translated names."""

    async def discover(self) -> Hits:
        for name, help_text, run in screen_commands(self.screen):
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in screen_commands(self.screen):
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)


@runtime_checkable
class CaseOpener(Protocol):
    """What the case provider needs of the cases screen."""

    @property
    def store(self) -> Store: ...

    def open_case(self, interview_id: str) -> None: ...


class CaseProvider(Provider):
    """Open a case by (part of) the client's name or the interview id, from the cases screen."""

    LIMIT = 20

    async def search(self, query: str) -> Hits:
        from intake_tui.store.interviews import list_interviews

        screen = self.screen
        if not query.strip() or not isinstance(screen, CaseOpener):
            return
        matcher = self.matcher(query)
        page = list_interviews(screen.store, query, 0, page_size=self.LIMIT)
        for summary in page.items:
            text = _("Open case: {name}").format(name=summary.client_display_name)
            # The store matched it (also without accents, or by id): never score it 0.
            score = max(matcher.match(text), matcher.match(summary.id), 0.5)
            yield Hit(
                score,
                matcher.highlight(text),
                _opener(screen, summary.id),
                text=text,
                help=summary.id,
            )


def _opener(screen: CaseOpener, interview_id: str) -> Callable[[], None]:
    return lambda: screen.open_case(interview_id)
