"""Ticking the options of a multi-choice question, where an `exclusive` option is chosen alone.

An exclusive option ("Geen van deze", "Geen zorgtaken") means "none of the others", so it can
never stand beside another tick. Every place that ticks options (the interview's widgets, the
newcomer's view, a script) goes through `toggle_choice`, so the caseworker is never trapped
between a refused combination and a required answer; `exclusive_conflict` lets the engine refuse
such a combination when it arrives some other way (an import, a sync, an old answer).

This module imports nothing of the bundle: it reads any option with `value`, `label` and
`exclusive` (the loader's `Choice`) and anything with `choices` (a bundle `Item`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from intake_tui.i18n import _


class Option(Protocol):
    """An answer option as this module sees it (the loader's `Choice` is one)."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def exclusive(self) -> bool: ...


class HasOptions(Protocol):
    """A question with its options (a bundle `Item`; None when it has none)."""

    @property
    def choices(self) -> Sequence[Option] | None: ...


def _options(source: HasOptions | Sequence[Option]) -> Sequence[Option]:
    if isinstance(source, Sequence):
        return source
    return source.choices or ()


def toggle_choice(
    source: HasOptions | Sequence[Option], chosen: tuple[str, ...], code: str
) -> tuple[str, ...]:
    """The ticks after the caseworker toggles `code`, in the order of the options.

    Unticking removes just that code. Ticking an exclusive option leaves only it; ticking any
    other option removes the exclusive ones. Codes the options do not know (an answer from an
    older bundle) are kept after the known ones, until an exclusive option clears every other
    tick; toggling such a code is a ValueError.
    """
    options = _options(source)
    rank = {option.value: index for index, option in enumerate(options)}
    if code not in rank:
        raise ValueError(f"{code!r} is not one of the options")
    if code in chosen:
        result = [c for c in chosen if c != code]
    elif options[rank[code]].exclusive:
        result = [code]
    else:
        exclusive = {option.value for option in options if option.exclusive}
        result = [c for c in chosen if c not in exclusive] + [code]
    return tuple(sorted(dict.fromkeys(result), key=lambda c: rank.get(c, len(rank))))


def exclusive_conflict(
    source: HasOptions | Sequence[Option], chosen: Sequence[str]
) -> Option | None:
    """The exclusive option that `chosen` combines with another code, or None when there is none."""
    if len(set(chosen)) < 2:
        return None
    return next((o for o in _options(source) if o.exclusive and o.value in chosen), None)


def misplaced_exclusive(
    question_type: str, options: Sequence[Option], list_name: str | None
) -> tuple[tuple[str | int, ...], str] | None:
    """Where (below the question) and why `exclusive` is wrong, for the loader; None when fine.

    "Choose it alone" means something only where several can be chosen: a multi_choice.
    """
    marked = [index for index, option in enumerate(options) if option.exclusive]
    if not marked or question_type == "multi_choice":
        return None
    if list_name is not None:
        return ("choices",), _(
            "choice list {name!r} has an exclusive choice; 'exclusive' applies only to "
            "multi_choice questions"
        ).format(name=list_name)
    return ("choices", marked[0], "exclusive"), _(
        "'exclusive' applies only to multi_choice questions"
    )
