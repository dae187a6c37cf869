"""`default:` - a value proposed once and confirmed by the caseworker - and the facts of the
new-intake form it reads (`case.<field>`), in the engine, the store, the personas and the
default bundle (issue 13, item 5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.export import build_export
from intake_tui.core.expressions import ExpressionEvalError, compile_expression
from intake_tui.core.plan import draft_plan
from intake_tui.core.questionnaire import Bundle
from intake_tui.personas import PersonaAnswer, apply, persona
from intake_tui.store import interviews

from .store_helpers import make_store
from .test_export import exported, interview_of, meta

CASE = {
    "given_name": "Zamzam",
    "family_name": "Testpersoon",
    "client_language": "ar",
    "interpreter": True,
    "interpreter_mode": "telefonisch",
    "interpreter_language": "ar",
}


def interview(
    bundle: Bundle, clock: FrozenClock, case: dict[str, object] | None = None
) -> Interview:
    return Interview(bundle, today=clock.today, case=CASE if case is None else case)


def test_a_default_is_a_proposal_until_it_is_confirmed(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    engine = interview(default_bundle, clock)
    assert engine.proposal("voornamen") == "Zamzam"
    assert engine.proposal("achternaam") == "Testpersoon"
    assert engine.proposal("datum_intake") == clock.today()
    # Proposed is not answered: nothing is stored, expressions and the export do not see it.
    assert engine.answer("voornamen") is None
    assert engine.value("voornamen") is None
    assert "voornamen" in [s.id for s in engine.finalize_blockers()]
    assert engine.confirm_default("voornamen") == Answer.of("Zamzam")
    assert engine.value("voornamen") == "Zamzam"
    # Once answered there is nothing to propose any more.
    assert engine.proposal("voornamen") is None


def test_a_default_is_evaluated_once(default_bundle: Bundle, clock: FrozenClock) -> None:
    engine = interview(default_bundle, clock)
    first = engine.proposal("datum_intake")
    clock.advance(dt.timedelta(days=1))
    assert engine.proposal("datum_intake") == first  # what the field showed does not change
    assert interview(default_bundle, clock).proposal("datum_intake") == first + dt.timedelta(1)


def test_the_interpreter_and_the_language_come_from_the_new_intake_form(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    engine = interview(default_bundle, clock)
    assert engine.proposal("gesprekstaal") == "ar"
    assert engine.proposal("tolk_ingezet") is True
    engine.confirm_default("tolk_ingezet")
    assert engine.proposal("tolk_vorm") == "telefonisch"
    assert engine.proposal("tolk_taal") == "ar"
    without = interview(default_bundle, clock, {**CASE, "interpreter": False})
    assert without.proposal("tolk_ingezet") is False


def test_a_default_that_does_not_fit_proposes_nothing(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    # A code the list does not have, an empty name, no facts at all (an interview started
    # before the names were recorded): no proposal, and confirming says so.
    odd = interview(default_bundle, clock, {**CASE, "client_language": "xx", "given_name": " "})
    assert odd.proposal("gesprekstaal") is None
    assert odd.proposal("voornamen") is None
    assert interview(default_bundle, clock, {}).proposal("achternaam") is None
    with pytest.raises(ValueError, match="no proposed value"):
        odd.confirm_default("gesprekstaal")


def lbt(bundle: Bundle, clock: FrozenClock, taken: str, score: int | None) -> Interview:
    engine = interview(bundle, clock)
    engine.set_answer("lbt_status", Answer.of("afgenomen"))
    engine.set_answer("lbt_datum_afname", Answer.of(dt.date.fromisoformat(taken)))
    if score is not None:
        engine.set_answer("lbt_behaalde_score", Answer.of(score))
    return engine


@pytest.mark.parametrize(
    ("taken", "score", "norm", "outcome"),
    [
        ("2023-04-11", 30, 31, "niet_haalbaar"),  # the old norm, the day before it changed
        ("2023-04-12", 30, 28, "haalbaar"),  # the new norm from 12 April 2023
        ("2023-01-05", 31, 31, "haalbaar"),
        ("2025-06-01", 27, 28, "niet_haalbaar"),
    ],
)
def test_the_lbt_norm_and_outcome_follow_the_test_date_and_the_score(
    default_bundle: Bundle, clock: FrozenClock, taken: str, score: int, norm: int, outcome: str
) -> None:
    engine = lbt(default_bundle, clock, taken, score)
    assert engine.proposal("lbt_benodigde_score") == norm
    engine.confirm_default("lbt_benodigde_score")
    assert engine.proposal("lbt_resultaat") == outcome


def test_no_lbt_outcome_is_proposed_without_a_score(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    engine = lbt(default_bundle, clock, "2024-02-01", None)
    engine.confirm_default("lbt_benodigde_score")
    assert engine.proposal("lbt_resultaat") is None
    # And a caseworker's own norm is what the outcome is weighed against.
    other = lbt(default_bundle, clock, "2024-02-01", 29)
    other.set_answer("lbt_benodigde_score", Answer.of(30))
    assert other.proposal("lbt_resultaat") == "niet_haalbaar"


def test_living_in_an_azc_is_asked_once_and_keeps_both_export_keys(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    engine = interview(default_bundle, clock)
    asked = [s.id for s in engine.steps()]
    assert "woonsituatie" in asked and "woont_in_azc" not in asked
    assert engine.value("woont_in_azc") is None  # not answered: not "no"
    engine.set_answer("woonsituatie", Answer.of("azc"))
    assert engine.value("woont_in_azc") is True
    assert engine.is_visible("coa_locatie")
    engine.set_answer("woonsituatie", Answer.of("huurwoning"))
    assert engine.value("woont_in_azc") is False
    assert not engine.is_visible("coa_locatie")


def test_the_export_carries_verblijf_in_azc_from_the_one_question(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    answers = {}
    for key in ("farid", "rami"):
        engine = interview_of(default_bundle, key)
        document = build_export(engine, draft_plan(engine, default_bundle.plan), meta())
        answers[key] = exported(document)["answers"]
    assert answers["farid"]["verblijf.in_azc"] == {"state": "answered", "value": True}
    assert answers["farid"]["gezin.woonsituatie"] == {"state": "answered", "value": "azc"}
    assert answers["rami"]["verblijf.in_azc"] == {"state": "answered", "value": False}


def test_a_persona_confirms_defaults_and_a_wrong_expectation_fails(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    rami = persona("rami")
    engine = Interview(default_bundle, today=clock.today)
    apply(rami, engine)
    assert engine.value("voornamen") == "Rami"
    assert any(a.confirmed for a in rami.answers)
    wrong = replace(rami, answers=(PersonaAnswer("voornamen", Answer.of("Ramy"), confirmed=True),))
    with pytest.raises(ValueError, match="proposes 'Rami'"):
        apply(wrong, Interview(default_bundle, today=clock.today))


def test_the_store_keeps_the_form_facts_for_an_interview_opened_later(
    tmp_path: Path, default_bundle: Bundle
) -> None:
    store = make_store(tmp_path)
    try:
        summary = interviews.create_interview(
            store,
            default_bundle,
            client_display_name="Zamzam Testpersoon",
            client_language="so",
            interpreter=interviews.Interpreter(True, "video", "so"),
            given_name=" Zamzam ",
            family_name="Testpersoon",
        )
        opened = interviews.open_interview(store, summary.id).interview
        assert opened.proposal("voornamen") == "Zamzam"
        assert opened.proposal("achternaam") == "Testpersoon"
        assert opened.proposal("gesprekstaal") == "so"
        assert opened.proposal("tolk_taal") is None  # hidden until tolk_ingezet is answered
        opened.confirm_default("tolk_ingezet")
        assert opened.proposal("tolk_vorm") == "video"
    finally:
        store.close()


def test_case_fields_and_conditionals_in_the_expression_language() -> None:
    class Facts:
        def value(self, name: str) -> object:
            return {"n": 3}.get(name)

        def state(self, name: str) -> None:
            return None

        def instances(self, repeat: str) -> list[object]:
            return []

        def today(self) -> dt.date:
            return dt.date(2026, 1, 1)

        def case(self, name: str) -> object:
            return {"given_name": "Z"}.get(name)

    facts = Facts()
    named = compile_expression("case.given_name", case_fields=frozenset({"given_name"}))
    assert named.evaluate(facts) == "Z"  # type: ignore[arg-type]
    # Only the chosen side runs: the other would be an error ('a' - 1).
    assert compile_expression("1 if n > 2 else 'a' - 1").evaluate(facts) == 1  # type: ignore[arg-type]
    assert compile_expression("'a' - 1 if missing else 2").evaluate(facts) == 2  # type: ignore[arg-type]
    with pytest.raises(ExpressionEvalError):
        compile_expression("'a' - 1 if n else 2").evaluate(facts)  # type: ignore[arg-type]
