"""The small values the interview engine hands out: where it stands, how far a section is, and
what still needs a look (core/engine.py re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass

Key = tuple[str, str | None]
"""A question and, inside a repeat, the instance id: the path of one answer."""


@dataclass(frozen=True)
class Step:
    """One place the interview can stand on: a question (or note) and its repeat instance."""

    id: str
    instance: str | None = None

    @property
    def key(self) -> Key:
        return (self.id, self.instance)


@dataclass(frozen=True)
class SectionProgress:
    """How far a section is: visible questions answered, and required ones still missing."""

    section: str
    visible: bool
    answered: int
    total: int
    missing_required: int

    @property
    def complete(self) -> bool:
        return self.visible and self.missing_required == 0 and self.answered == self.total


@dataclass(frozen=True)
class Issue:
    """Something a caseworker should look at before finalizing."""

    step: Step
    kind: str  # "missing_required" | "invalid"
    message: str
