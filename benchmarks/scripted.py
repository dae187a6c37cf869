"""A scripted interview: answer whatever the engine asks next with a plausible valid value.

Used by the benchmarks (engine update per answer) and by a test that walks the default bundle
from the first question to the last. Values are synthetic; nothing here is about a real person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from intake_tui.core import UNKNOWN, Answer, Interview, Step
from intake_tui.core.values import Value

BSN = "111222333"  # passes the elfproef, belongs to no one


def candidates(interview: Interview, step: Step) -> Iterator[Value]:
    """Plausible values for a step, most likely valid first."""
    item = interview.item(step.id)
    spec = item.question
    low = spec.min if isinstance(spec.min, (int, Decimal)) else None
    kind = item.type
    if kind == "text":
        yield BSN if spec.format == "bsn" else "tekst"
        yield "1234AB"
        yield "0612345678"
        yield "12345"
    elif kind == "longtext":
        yield "Een korte samenvatting."
    elif kind in ("integer", "year"):
        base = 2000 if kind == "year" else 1
        for value in (base, low if low is not None else base, 10, 0, 2010, 2020):
            if isinstance(value, int):
                yield value
    elif kind == "decimal":
        yield Decimal("1.5")
    elif kind == "date":
        for day in ("2024-03-01", "1990-06-15", "2026-12-01", "2027-06-01"):
            yield dt.date.fromisoformat(day)
    elif kind == "yes_no":
        yield True
        yield False
    elif kind == "choice" and item.choices:
        for choice in item.choices[:5]:
            yield choice.value
    elif kind == "multi_choice" and item.choices:
        yield (item.choices[0].value,)


def answer_step(interview: Interview, step: Step) -> Answer | None:
    """A valid answer for `step`, or None when nothing plausible fits."""
    for value in candidates(interview, step):
        if not interview.validate(step.id, value, step.instance):
            return Answer.of(value)
    if "unknown" in interview.item(step.id).question.allow:
        return UNKNOWN
    return None


def scripted_answers(interview: Interview, count: int = 200) -> Iterator[tuple[Step, Answer]]:
    """Walk the interview from the start, yielding (step, answer) until `count` answers are given.

    The caller applies each answer (`interview.set_answer`) before asking for the next one, so
    it can time exactly that call. Repeats get two instances each. When the interview ends
    before `count`, it starts over and answers again (a caseworker correcting answers).
    """
    given = 0
    rounds = 0
    while given < count and rounds < 5:
        step = interview.next_step(None)
        rounds += 1
        while step is not None and given < count:
            item = interview.item(step.id)
            if item.type == "repeat":
                while len(interview.instances(step.id)) < 2:
                    interview.add_instance(step.id)
            elif item.holds_value:
                answer = answer_step(interview, step)
                if answer is not None:
                    if rounds > 1 and interview.answer(*step.key) == answer:
                        answer = UNKNOWN if "unknown" in item.question.allow else answer
                    yield step, answer
                    given += 1
            step = interview.next_step(step)
