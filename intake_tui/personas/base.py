"""What a persona is and how it is played into an interview: the shared part of the personas.

`PersonaAnswer` and `Persona` are pure data; the helpers `_a`, `_confirm` and `_d` write the
answers of the persona modules briefly; `apply` enters a persona's answers into an `Interview`
(it needs nothing but `intake_tui.core`). `DEMO_TODAY` is the demo's "today".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from intake_tui.core import Answer, Interview
from intake_tui.core.values import Value

DEMO_TODAY = dt.date(2026, 11, 28)
"""The demo's "today": freeze the clock here (`FrozenClock.on(DEMO_TODAY)`)."""

Stage = Literal["finalized", "in_progress", "new"]


@dataclass(frozen=True)
class PersonaAnswer:
    """One answer as a caseworker enters it.

    `instance` is the 0-based index of the repeat instance (for questions inside a repeat);
    instances are created in order, so index 1 exists only after index 0.
    """

    question_id: str
    value: Answer
    instance: int | None = None
    confirmed: bool = False  # the caseworker confirmed the question's proposed default


@dataclass(frozen=True)
class Persona:
    """A synthetic newcomer and the answers of their brede intake."""

    key: str
    given_name: str
    family_name: str
    client_language: str
    interpreter: tuple[bool, str | None, str | None]  # used, how, language
    duo_notice_date: dt.date
    stage: Stage
    answers: tuple[PersonaAnswer, ...]
    expected: str
    # The caseworker's decisions on the plan before it is frozen: (plan field key, value,
    # reason), entered as overrides (`plans.set_override`). A plan field that asks a decision
    # (a leerroute kept after a move, the AOW age within the termijn) cannot be final without.
    decisions: tuple[tuple[str, object, str], ...] = ()

    @property
    def display_name(self) -> str:
        """The name on the cases screen: made of the names the new-intake form recorded."""
        return f"{self.given_name} {self.family_name}"

    def case_facts(self) -> dict[str, object]:
        """What the new-intake form records: a question's `default:` reads it as `case.<field>`."""
        used, how, language = self.interpreter
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "client_language": self.client_language,
            "interpreter": used,
            "interpreter_mode": how,
            "interpreter_language": language,
        }

    def answer(self, question_id: str, instance: int | None = None) -> Answer | None:
        """The persona's (last) answer to a question, or None when it has none."""
        found = None
        for item in self.answers:
            if item.question_id == question_id and item.instance == instance:
                found = item.value
        return found


def _a(question_id: str, value: Answer | Value, instance: int | None = None) -> PersonaAnswer:
    answer = value if isinstance(value, Answer) else Answer.of(value)
    return PersonaAnswer(question_id, answer, instance)


def _confirm(question_id: str, value: Value, instance: int | None = None) -> PersonaAnswer:
    """The caseworker confirms what the question proposes (its `default:`), which is `value`."""
    return PersonaAnswer(question_id, Answer.of(value), instance, confirmed=True)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def instance_id(interview: Interview, answer: PersonaAnswer) -> str | None:
    """The interview's instance id for `answer`, adding repeat instances up to its index."""
    if answer.instance is None:
        return None
    repeat = interview.item(answer.question_id).repeat
    if repeat is None:
        raise KeyError(f"{answer.question_id} is not inside a repeat")
    while len(interview.instances(repeat)) <= answer.instance:
        interview.add_instance(repeat)
    return interview.instances(repeat)[answer.instance]


def apply(persona: Persona, interview: Interview) -> None:
    """Enter every answer of `persona` into `interview`, in order (repeats grow as needed).

    The new-intake form's facts come first (as the store gives them to an opened interview);
    an answer marked `confirmed` confirms the question's proposed default, which must be the
    answer the persona expects."""
    for field, fact in persona.case_facts().items():
        interview.case_facts.setdefault(field, fact)
    for answer in persona.answers:
        instance = instance_id(interview, answer)
        if answer.confirmed:
            proposed = interview.proposal(answer.question_id, instance)
            if proposed != answer.value.value:
                raise ValueError(
                    f"{persona.key}: {answer.question_id} proposes {proposed!r}, "
                    f"not {answer.value.value!r}"
                )
            interview.confirm_default(answer.question_id, instance)
        else:
            interview.set_answer(answer.question_id, answer.value, instance)
