"""The command palette inside an interview: jump to any visible question or section.

The provider sees the screen through `QuestionSource`, so this module does not import the
interview screen (which lists this provider in its COMMANDS).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from textual.command import Hit, Hits, Provider

from intake_tui.core.engine import Interview, Step
from intake_tui.i18n import _


@runtime_checkable
class QuestionSource(Protocol):
    """What the provider needs of the interview screen."""

    @property
    def engine(self) -> Interview: ...

    def caseworker_text(self, item_id: str, field: str = "label") -> str: ...

    def jump_to(self, step: Step) -> None: ...


class QuestionProvider(Provider):
    """Sections and questions of the open interview, by label or by question id."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, QuestionSource):
            return
        matcher = self.matcher(query)
        engine = screen.engine
        for section_id, progress in engine.progress().items():
            if not progress.visible:
                continue
            title = _("Section: {name}").format(name=screen.caseworker_text(section_id))
            score = matcher.match(title)
            steps = engine.steps(section_id)
            if score > 0 and steps:
                yield Hit(score, matcher.highlight(title), _jump(screen, steps[0]))
        for step in engine.steps():
            label = screen.caseworker_text(step.id)
            # The question id is searchable too: a functional admin knows questions by id.
            score = max(matcher.match(label), matcher.match(step.id))
            if score > 0:
                section = screen.caseworker_text(engine.item(step.id).section)
                yield Hit(
                    score,
                    matcher.highlight(label),
                    _jump(screen, step),
                    help=f"{section} · {step.id}",
                )


def _jump(screen: QuestionSource, step: Step) -> Callable[[], None]:
    return lambda: screen.jump_to(step)
