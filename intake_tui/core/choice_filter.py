"""The two expressions that shape what a question offers: `choice_filter:` (which choices of a
choice question are offered, e.g. the municipalities of the region answered before) and
`repeat_count:` (how many instances a repeat has, e.g. one per child). The engine
(core/engine.py) calls these when a name they read changes (the bundle's dependency graph).

Decisions (docs/bundle-format.md, "Cascading choices" and "Counted repeats"):

* A filter is evaluated once per candidate choice, with `choice.<attr>` the candidate's filter
  attribute (None when it has none) and bare names the questions. Unanswered, unknown and
  declined answers read as None, and a comparison with None is false: `choice.regio == regio`
  offers nothing until `regio` is answered. A filter that cannot be evaluated for a choice keeps
  that choice (showing too much is better than hiding the right answer).
* An answer whose code the filter no longer keeps is kept as it is, never dropped: it is
  invalid (the review lists it, finalizing is blocked) until the caseworker chooses again.
* A counted repeat has the instances "1" … "n". The count is the expression's whole number
  (a fraction is truncated; unanswered, negative or not a number is 0), at most the repeat's
  `max:` (default REPEAT_COUNT_DEFAULT_MAX). When the count goes down, the answers of the
  instances past it stay stored, hidden (the review lists them); when it goes up again, they
  are back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from intake_tui.core.bundle_model import REPEAT_COUNT_DEFAULT_MAX, Choice, Item
from intake_tui.core.expressions import ExpressionError, Scope
from intake_tui.core.values import AnswerState


class ChoiceScope:
    """What a filter sees for one candidate: the question's scope, plus `choice.<attr>`."""

    __slots__ = ("_base", "_choice")

    def __init__(self, base: Scope, choice: Choice) -> None:
        self._base = base
        self._choice = choice

    def value(self, name: str) -> object | None:
        return self._base.value(name)

    def state(self, name: str) -> AnswerState | None:
        return self._base.state(name)

    def instances(self, repeat: str) -> Sequence[Scope]:
        return self._base.instances(repeat)

    def today(self) -> dt.date:
        return self._base.today()

    def case(self, name: str) -> object | None:
        return self._base.case(name)

    def choice(self, name: str) -> object | None:
        return self._choice.attr(name)

    def context(self, prefix: str, name: str) -> object | None:
        return self._base.context(prefix, name)


def kept_codes(item: Item, scope: Scope) -> frozenset[str]:
    """The codes of `item`'s choices that its `choice_filter` keeps, read from `scope`."""
    assert item.choice_filter is not None
    kept: set[str] = set()
    for choice in item.choices or ():
        try:
            keep = item.choice_filter.test(ChoiceScope(scope, choice))
        except ExpressionError:
            keep = True  # a broken filter shows the choice rather than hide the right answer
        if keep:
            kept.add(choice.value)
    return frozenset(kept)


def unoffered(item: Item, value: object, kept: frozenset[str]) -> bool:
    """Whether the answer `value` holds a code of `item` that the filter does not keep."""
    codes = value if isinstance(value, tuple) else (value,)
    return any(isinstance(c, str) and c in item.choice_codes() and c not in kept for c in codes)


def count_limit(item: Item) -> int:
    """The most instances a counted repeat keeps: its `max:`, else the default."""
    bound = item.question.max
    return bound if isinstance(bound, int) and bound >= 0 else REPEAT_COUNT_DEFAULT_MAX


def asked_count(item: Item, scope: Scope) -> int:
    """The number `repeat_count` gives: a whole number, 0 when it gives no number."""
    assert item.repeat_count is not None
    try:
        result = item.repeat_count.evaluate(scope)
    except ExpressionError:
        return 0
    if isinstance(result, bool) or not isinstance(result, int | Decimal):
        return 0
    if isinstance(result, Decimal):
        if not result.is_finite():
            return 0
        # Truncate without building a huge int from a huge Decimal.
        result = int(result) if abs(result) < 10**9 else (10**9 if result > 0 else 0)
    return max(0, result)


def counted_instances(item: Item, scope: Scope) -> tuple[tuple[str, ...], int]:
    """The instance ids of a counted repeat ("1" … "n", n at most `count_limit`), and the count
    the expression asked for (more than n when it was over the limit)."""
    asked = asked_count(item, scope)
    kept = min(asked, count_limit(item))
    return tuple(str(number) for number in range(1, kept + 1)), asked
