"""The plan rules of the default bundle (questionnaires/brede-intake/plan.yaml).

Every rule has at least one case where it fires and one where it does not (a test fails when a
rule id has no case); the six personas get the plan docs/personas.md expects; conflicting rules
leave a field empty for the caseworker; overrides survive a new draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.expressions import compile_expression
from intake_tui.core.plan import Override, Plan, PlanRules, Rule, draft_plan
from intake_tui.core.questionnaire import Bundle
from intake_tui.personas import PERSONAS, apply

from .plan_rule_cases import (
    ALL_COSTS,
    ANY,
    ASIEL,
    LBT_HAALBAAR,
    TODAY,
    Answers,
    firing,
    interview_with,
)
from .plan_rule_cases import CASES as FIRST_CASES
from .plan_rule_cases_more import MORE_CASES

CASES = [*FIRST_CASES, *MORE_CASES]


def _case_id(case: tuple[str, bool, Answers, str, Any]) -> str:
    return f"{case[0]}-{'fires' if case[1] else 'quiet'}-{case[3]}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_rule(default_bundle: Bundle, case: tuple[str, bool, Answers, str, Any]) -> None:
    rule_id, fires, answers, key, expected = case
    plan = draft_plan(interview_with(default_bundle, answers), default_bundle.plan)
    field = plan.fields[key]
    if fires:
        assert rule_id in {s.rule for s in [*field.sources, *field.needs_decision]}, (
            f"{rule_id} should have fired on {key}"
        )
        decides = any(rule_id == r.id and key in r.decide for r in default_bundle.plan.rules)
        if decides:
            assert rule_id in {s.rule for s in field.needs_decision}
            assert not field.decided
    else:
        assert rule_id not in firing(plan), f"{rule_id} should not have fired"
    if expected is not ANY:
        assert field.value == expected


def test_every_rule_has_a_firing_and_a_quiet_case(default_bundle: Bundle) -> None:
    ids = [rule.id for rule in default_bundle.plan.rules]
    assert ids, "plan.yaml has no rules"
    assert len(ids) == len(set(ids))
    fired = {c[0] for c in CASES if c[1]}
    quiet = {c[0] for c in CASES if not c[1]}
    assert sorted(set(ids) - fired) == [], "rules without a case where they fire"
    assert sorted(set(ids) - quiet) == [], "rules without a case where they do not fire"
    assert sorted((fired | quiet) - set(ids)) == [], "cases for rules that do not exist"


def test_every_field_and_section_has_a_dutch_text(default_bundle: Bundle) -> None:
    from typing import get_args

    from intake_tui.core.plan.fields import FIELDS, Section

    rules = default_bundle.plan
    assert set(rules.sections) == set(get_args(Section))
    assert set(rules.fields) == set(FIELDS)
    for key, spec in FIELDS.items():
        literal = get_args(spec.type)
        if literal and all(isinstance(code, str) for code in literal):
            assert set(rules.fields[key].values) == set(literal), key


def test_every_reason_is_a_sentence(default_bundle: Bundle) -> None:
    for rule in default_bundle.plan.rules:
        text = rule.because.strip()
        assert text[0].isupper() and text.endswith((".", ")")), rule.id


def test_sources_record_the_answers_read(default_bundle: Bundle) -> None:
    plan = draft_plan(interview_with(default_bundle, LBT_HAALBAAR), default_bundle.plan)
    (source,) = plan.fields["leerroute"].sources
    assert source.rule == "s1_b1_route"
    assert "leerbaarheidstoets" in source.because
    read = {i.question for i in source.inputs}
    assert {"lbt_resultaat", "leeftijd", "ambitie_opleiding"} <= read


# -- personas -----------------------------------------------------------------------------------


def persona_plan(bundle: Bundle, key: str) -> Plan:
    personas = PERSONAS.values() if isinstance(PERSONAS, Mapping) else PERSONAS
    (persona,) = [p for p in personas if p.key == key]
    interview = Interview(bundle, today=FrozenClock.on(TODAY).today)
    apply(persona, interview)
    return draft_plan(interview, bundle.plan)


def decisions(plan: Plan, key: str) -> set[str]:
    return {s.rule for s in plan.fields[key].needs_decision}


def test_rami(default_bundle: Bundle) -> None:
    plan = persona_plan(default_bundle, "rami")
    assert plan.value("leerroute") == "B"
    assert plan.value("niveau") == "B1"
    assert isinstance(plan.value("geschatte_intensiteit"), int)
    assert 1 <= plan.value("geschatte_intensiteit") <= 9999
    assert plan.value("map.van_toepassing") is True
    assert plan.value("map.uren") >= 40
    assert plan.value("pvt.uren") == 12
    assert "duaal_traject" in plan.value("participatie.activiteiten")
    assert {"diplomawaardering", "contact_uaf"} <= set(plan.value("begeleiding"))
    assert plan.value("ontzorgen.van_toepassing") is True
    assert plan.value("ontzorgen.van") == dt.date(2026, 9, 1)
    assert plan.value("ontzorgen.tot") == dt.date(2027, 2, 28)  # 6 months "tot en met"
    assert plan.value("ontzorgen.machtiging_getekend") is True
    assert set(plan.value("ontzorgen.vaste_lasten")) == set(ALL_COSTS)
    assert plan.value("vve_informatie") is True
    assert plan.value("alfabetisering") == "NVT"
    assert plan.value("hoofddoel") == "werk"
    assert plan.open_decisions() == []


def test_semhar(default_bundle: Bundle) -> None:
    plan = persona_plan(default_bundle, "semhar")
    assert plan.value("leerroute") == "Z"
    assert plan.value("niveau") is None
    assert plan.value("taal.uren") == 800
    assert plan.value("participatie.uren_totaal") == 800
    assert plan.value("knm.vorm") == "cursus"
    assert plan.value("map.van_toepassing") is True
    assert plan.value("pvt.uren") == 12
    assert plan.value("geschatte_intensiteit") is None
    assert plan.value("alfabetisering") == "AA"
    assert plan.value("ontzorgen.van_toepassing") is True
    assert plan.value("vve_informatie") is True
    assert "kinderopvang_regelen" in plan.value("begeleiding")
    assert set(plan.value("gezondheid.verwijzing")) == {"huisarts", "praktijkondersteuner"}
    assert plan.value("gezondheid.ontheffing_bespreken") is None
    assert plan.value("hoofddoel") == "participatie"
    assert plan.open_decisions() == []


def test_farid(default_bundle: Bundle) -> None:
    plan = persona_plan(default_bundle, "farid")
    assert plan.value("leerroute") == "O"
    assert plan.value("niveau") != "A2"
    assert plan.value("map.van_toepassing") is not True
    assert plan.value("map.uren") is None
    assert plan.value("geschatte_intensiteit") is None
    assert plan.value("pvt.uren") == 12
    assert "schakeltraject" in plan.value("participatie.activiteiten")
    assert plan.value("hoofddoel") == "onderwijs"
    assert plan.value("ontzorgen.van_toepassing") is not True  # no bijstand
    assert plan.open_decisions() == []


def test_ayse(default_bundle: Bundle) -> None:
    plan = persona_plan(default_bundle, "ayse")
    assert plan.value("leerroute") == "B"
    assert plan.value("niveau") == "B1"
    assert plan.value("map.van_toepassing") is True
    assert plan.value("pvt.uren") == 12
    assert plan.value("ontzorgen.van_toepassing") is not True
    assert plan.value("ontzorgen.van") is None
    assert plan.value("geschatte_intensiteit") is None
    assert plan.value("maatschappelijke_begeleiding") is None
    assert plan.value("hoofddoel") == "werk"
    assert plan.open_decisions() == []


def test_abdullah(default_bundle: Bundle) -> None:
    plan = persona_plan(default_bundle, "abdullah")
    assert plan.value("leerroute") is None
    assert decisions(plan, "leerroute") == {"lbt_uitslag_ontbreekt"}
    assert "leerbaarheidstoets" in plan.fields["leerroute"].needs_decision[0].because
    assert [f.key for f in plan.open_decisions()] == ["leerroute"]
    assert plan.value("alfabetisering") == "A"
    assert plan.value("ontzorgen.van_toepassing") is True
    assert plan.value("participatie.uren_per_week") == 10
    # the limitation is not known to be lasting: no ontheffing proposed
    assert plan.value("gezondheid.ontheffing_bespreken") is None
    assert plan.value("geschatte_intensiteit") is None


def test_abdullah_lasting_limitation_brings_up_ontheffing(default_bundle: Bundle) -> None:
    personas = PERSONAS.values() if isinstance(PERSONAS, Mapping) else PERSONAS
    (persona,) = [p for p in personas if p.key == "abdullah"]
    interview = Interview(default_bundle, today=FrozenClock.on(TODAY).today)
    apply(persona, interview)
    interview.set_answer("beperking_duur", Answer.of("blijvend"))
    plan = draft_plan(interview, default_bundle.plan)
    assert plan.value("gezondheid.ontheffing_bespreken") is True
    assert (
        plan.fields["gezondheid.ontheffing_bespreken"].sources[0].rule == "s6_ontheffing_bespreken"
    )


def test_hodan(default_bundle: Bundle) -> None:
    plan = persona_plan(default_bundle, "hodan")
    route = plan.fields["leerroute"]
    assert "lbt_vrijstelling" in decisions(plan, "leerroute")
    assert not route.decided  # proposed, and the caseworker decides
    assert route.value in (None, "B")
    if route.value is not None:
        assert "lbt_vrijstelling_voorstel_b1" in {s.rule for s in route.sources}
    reasons = " ".join(s.because for s in route.needs_decision)
    assert "vrijgesteld" in reasons or "visuele" in reasons
    assert {"aangepast_examen", "toegankelijk_lesmateriaal"} <= set(plan.value("begeleiding"))
    assert plan.value("ontzorgen.van_toepassing") is True
    assert plan.value("hoofddoel") in ("werk", "onderwijs")


# -- conflicts and overrides --------------------------------------------------------------------


def _rule(bundle: Bundle, rule_id: str, when: str, **then: Any) -> Rule:
    repeat_of = {i.id: i.repeat for i in bundle.items.values() if i.repeat is not None}
    return Rule(
        id=rule_id,
        when=compile_expression(when, repeat_of=repeat_of),
        then={k.replace("__", "."): v for k, v in then.items()},
        add={},
        decide=(),
        because=f"Reden van {rule_id}.",
        source=f"Bron van {rule_id}.",
    )


def test_two_rules_that_disagree_leave_the_field_for_a_decision(default_bundle: Bundle) -> None:
    rules = PlanRules(
        (
            _rule(default_bundle, "zegt_b", "lbt_resultaat == 'haalbaar'", leerroute="B"),
            _rule(default_bundle, "zegt_z", "known(doelgroep)", leerroute="Z", pvt__uren=12),
            _rule(default_bundle, "ook_b", "known(doelgroep)", niveau="B1"),
            _rule(default_bundle, "nog_eens_b1", "known(doelgroep)", niveau="B1"),
        )
    )
    interview = interview_with(default_bundle, {**LBT_HAALBAAR, **ASIEL})
    plan = draft_plan(interview, rules)
    route = plan.fields["leerroute"]
    assert route.value is None
    assert route.conflicting
    assert {s.rule for s in route.needs_decision} == {"zegt_b", "zegt_z"}
    assert not route.decided
    assert "leerroute" in [f.key for f in plan.open_decisions()]
    # rules that agree are no conflict
    assert plan.value("niveau") == "B1"
    assert plan.fields["niveau"].needs_decision == []
    assert plan.value("pvt.uren") == 12
    # a caseworker's decision settles the conflict
    chosen = Override(
        "B", "LBT en opleiding wijzen op B1.", "regievoerder", dt.datetime(2026, 11, 28)
    )
    decided = draft_plan(interview, rules, {"leerroute": chosen})
    assert decided.value("leerroute") == "B"
    assert decided.fields["leerroute"].rule_value is None
    assert decided.open_decisions() == []


def test_override_survives_a_new_draft(default_bundle: Bundle) -> None:
    personas = PERSONAS.values() if isinstance(PERSONAS, Mapping) else PERSONAS
    (rami,) = [p for p in personas if p.key == "rami"]
    interview = Interview(default_bundle, today=FrozenClock.on(TODAY).today)
    apply(rami, interview)
    overrides = {
        "leerroute": Override(
            "O",
            "Wil toch eerst een opleiding volgen.",
            "regievoerder",
            dt.datetime(2026, 11, 28, 10),
        )
    }
    first = draft_plan(interview, default_bundle.plan, overrides)
    assert first.value("leerroute") == "O"
    assert first.fields["leerroute"].rule_value == "B"
    assert first.fields["leerroute"].override is overrides["leerroute"]
    assert first.fields["leerroute"].decided
    assert [s.rule for s in first.fields["alfabetisering"].sources] == ["alfabetisering_niet_nodig"]
    assert first.value("geschatte_intensiteit") == 800

    interview.set_answer("geletterdheid", Answer.of("anders_gealfabetiseerd"))
    second = draft_plan(interview, default_bundle.plan, overrides)
    assert second.value("leerroute") == "O"
    assert second.fields["leerroute"].rule_value == "B"
    assert second.fields["leerroute"].override == overrides["leerroute"]
    assert second.value("alfabetisering") == "AA"
    assert [s.rule for s in second.fields["alfabetisering"].sources] == [
        "s5_alfabetisering_anders_gealfabetiseerd"
    ]
    assert second.value("geschatte_intensiteit") == 1200
    assert [s.rule for s in second.fields["geschatte_intensiteit"].sources] == [
        "intensiteit_b1_overig"
    ]


def test_derived_fields_follow_an_override(default_bundle: Bundle) -> None:
    """ontzorgen.tot (6 months) follows a corrected start date; a decided route gets a schedule."""
    personas = PERSONAS.values() if isinstance(PERSONAS, Mapping) else PERSONAS
    (abdullah,) = [p for p in personas if p.key == "abdullah"]
    interview = Interview(default_bundle, today=FrozenClock.on(TODAY).today)
    apply(abdullah, interview)
    at = dt.datetime(2026, 11, 28, 10)
    plan = draft_plan(
        interview,
        default_bundle.plan,
        {
            "ontzorgen.van": Override(dt.date(2026, 9, 1), "Bijstand later gestart.", "rv", at),
            "leerroute": Override("Z", "LBT-uitslag binnen: niet haalbaar.", "rv", at),
        },
    )
    assert plan.value("ontzorgen.tot") == dt.date(2027, 2, 28)  # 6 months "tot en met"
    # A draft names the schedule; the dates come with the dagtekening (legal_rules.final_dates).
    assert plan.value("voortgangsgesprekken.schema") == "3, 6, 12"
    assert plan.value("voortgangsgesprekken") is None
