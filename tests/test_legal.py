"""The law's dates and rules on a plan (issue 14): the AOW table, the termijn from the first PIP
anywhere, and the legal checks that keep a plan from being final (core/plan/legal*.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.plan import FIELDS, Override, Plan, PlanField
from intake_tui.core.plan.legal import add_months, aow, termijn, termijn_end
from intake_tui.core.plan.legal_rules import (
    LegalFacts,
    lbt_contradiction,
    legal_checks,
)
from intake_tui.core.questionnaire import Bundle

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("birth", "expected", "status"),
    [
        ("1956-12-31", None, "voor_2024"),
        ("1957-01-01", "2024-01-01", "bekend"),  # 67 in 2024
        ("1960-03-10", "2027-03-10", "bekend"),
        ("1960-12-31", "2027-12-31", "bekend"),  # the last to reach 67 in 2027
        ("1961-01-01", "2028-04-01", "bekend"),  # 67 years and 3 months in 2028
        ("1961-09-30", "2028-12-30", "bekend"),
        ("1961-10-01", None, "niet_vastgesteld"),  # reached in 2029: not fixed by law yet
        ("1964-02-29", None, "niet_vastgesteld"),
    ],
)
def test_the_aow_date_follows_the_table(birth: str, expected: str | None, status: str) -> None:
    found = aow(D(birth))
    assert found.status == status
    assert found.date == (D(expected) if expected else None)


def test_months_and_the_three_year_termijn_end_on_the_right_day() -> None:
    assert add_months(D("2026-08-31"), 6) == D("2027-02-28")
    assert add_months(D("2024-02-29"), 12) == D("2025-02-28")
    assert termijn_end(D("2025-05-02")) == D("2028-05-01")
    assert termijn_end(D("2024-03-01")) == D("2027-02-28")


def interview(bundle: Bundle, **answers: object) -> Interview:
    engine = Interview(bundle, today=FrozenClock.on("2026-11-28").today)
    for name, value in answers.items():
        engine.set_answer(name, Answer.of(value))  # type: ignore[arg-type]
    return engine


def test_the_termijn_runs_from_the_first_pip_anywhere(default_bundle: Bundle) -> None:
    moved = interview(default_bundle, eerder_pip=True, eerder_pip_dagtekening=D("2025-05-01"))
    # This laptop's first final PIP is later: the earlier one, elsewhere, starts the termijn.
    period = termijn(moved, D("2026-12-01"))
    assert period is not None and not period.estimated
    assert (period.start, period.end) == (D("2025-05-02"), D("2028-05-01"))
    assert period.source == "berekend"
    # No earlier PIP and none final here: only an estimate, from the planned signing day.
    fresh = interview(default_bundle, eerder_pip=False)
    assert termijn(fresh, None) is None
    estimate = termijn(fresh, None, planned=D("2026-12-01"))
    assert estimate is not None and estimate.estimated and estimate.start == D("2026-12-02")


@pytest.mark.parametrize(
    ("taken", "score", "outcome", "contradicts"),
    [
        ("2025-01-10", 30, "niet_haalbaar", True),  # 30 against the norm of 28
        ("2025-01-10", 30, "haalbaar", False),
        ("2025-01-10", 27, "haalbaar", True),
        ("2023-01-10", 30, "niet_haalbaar", False),  # the old norm of 31
    ],
)
def test_an_lbt_outcome_against_the_score_is_found(
    default_bundle: Bundle, taken: str, score: int, outcome: str, contradicts: bool
) -> None:
    engine = interview(
        default_bundle,
        lbt_status="afgenomen",
        lbt_datum_afname=D(taken),
        lbt_behaalde_score=score,
        lbt_resultaat=outcome,
    )
    assert lbt_contradiction(engine) is contradicts


def plan(**values: object) -> Plan:
    fields = {key: PlanField(key) for key in FIELDS}
    for key, value in values.items():
        fields[key.replace("__", ".")].rule_value = value
    return Plan(fields)


def facts(**changes: object) -> LegalFacts:
    base = {
        "earlier_route": "Z",
        "earlier_a2": False,
        "first_pip": D("2025-04-01"),
        "signing": D("2026-11-28"),  # 19 months after the first PIP
        "later_pip": True,
        "hours_keurmerk": None,
        "enough_effort": None,
    }
    return LegalFacts(**{**base, **changes})  # type: ignore[arg-type]


def failing(found: Plan, legal: LegalFacts) -> set[str]:
    return {c.id for c in legal_checks(found, legal) if not c.ok}


def decided(found: Plan, key: str, value: object) -> Plan:
    found.fields[key].override = Override(value, "besproken", "anna", dt.datetime(2026, 11, 28))
    return found


def test_a_move_keeps_the_route_and_schakelen_has_its_limit() -> None:
    # Z in the earlier PIP, B now: not kept, and 19 months after the first PIP.
    assert failing(plan(leerroute="B"), facts()) == {
        "leerroute_na_verhuizing",
        "schakelen_binnen_termijn",
    }
    # Decided with a reason within 1.5 years: allowed.
    within = facts(signing=D("2026-09-30"))
    assert failing(decided(plan(), "leerroute", "B"), within) == set()
    # After 1.5 years even a decision cannot do it ...
    assert failing(decided(plan(), "leerroute", "B"), facts()) == {"schakelen_binnen_termijn"}
    # ... except onderwijsroute to B1-route, at any time.
    assert failing(decided(plan(), "leerroute", "B"), facts(earlier_route="O")) == set()
    # The same route: nothing to decide.
    assert failing(plan(leerroute="Z"), facts()) == set()


def test_an_earlier_a2_does_not_silently_go_back_to_b1() -> None:
    earlier = facts(earlier_route="B", earlier_a2=True)
    assert "leerroute_na_verhuizing" in failing(plan(leerroute="B", niveau="B1"), earlier)
    assert "leerroute_na_verhuizing" not in failing(plan(leerroute="B", niveau="A2"), earlier)


def test_afschalen_to_a2_needs_600_hours_and_enough_effort() -> None:
    later = facts(earlier_route="B", earlier_a2=False)
    a2 = {"leerroute": "B", "niveau": "A2"}
    assert "afschalen_a2_voorwaarden" in failing(plan(**a2), later)
    short = facts(earlier_route="B", earlier_a2=False, hours_keurmerk=599, enough_effort=True)
    assert "afschalen_a2_voorwaarden" in failing(plan(**a2), short)
    lazy = facts(earlier_route="B", earlier_a2=False, hours_keurmerk=640, enough_effort=False)
    assert "afschalen_a2_voorwaarden" in failing(plan(**a2), lazy)
    met = facts(earlier_route="B", earlier_a2=False, hours_keurmerk=640, enough_effort=True)
    assert "afschalen_a2_voorwaarden" not in failing(plan(**a2), met)


def test_legal_checks_say_they_are_legal_rules() -> None:
    checks = legal_checks(plan(leerroute="B"), facts())
    assert {c.kind for c in checks} == {"wet"}
    assert all(c.message.startswith("Legal rule:") for c in checks)


def legal_draft(bundle: Bundle, first_here: dt.date | None = None, **answers: object) -> Plan:
    from intake_tui.core.plan import draft_plan
    from intake_tui.core.plan.legal_rules import legal_fields

    engine = interview(bundle, **answers)
    plan_ = draft_plan(engine, bundle.plan)
    legal_fields(engine, plan_.fields, termijn(engine, first_here, planned=D("2026-12-01")))
    return plan_


def test_the_pip_deadline_counts_from_the_right_date(default_bundle: Bundle) -> None:
    notice = {"datum_kennisgeving_duo": D("2026-09-01")}
    assert legal_draft(default_bundle, **notice).value("pip_uiterlijk") == D("2026-11-10")
    # Not yet in the BRP when DUO's notice came: 10 weeks from the registration.
    later = legal_draft(default_bundle, **notice, datum_inschrijving_brp=D("2026-10-01"))
    assert later.value("pip_uiterlijk") == D("2026-12-10")
    assert later.fields["pip_uiterlijk"].sources[0].inputs[0].question == "datum_inschrijving_brp"
    # An asylum permit holder in COA: DUO's SS139 signal starts the clock.
    asiel = legal_draft(
        default_bundle,
        **notice,
        doelgroep="asielstatushouder",
        woonsituatie="azc",
        datum_ss139=D("2026-09-15"),
    )
    assert asiel.value("pip_uiterlijk") == D("2026-11-24")


def test_a_duo_end_of_the_termijn_that_differs_asks_a_decision(default_bundle: Bundle) -> None:
    moved = {"eerder_pip": True, "eerder_pip_dagtekening": D("2025-05-01")}
    same = legal_draft(default_bundle, **moved, einddatum_termijn_duo=D("2028-05-01"))
    assert same.value("termijn_bron") == "duo"
    assert not same.fields["termijn_bron"].needs_decision
    other = legal_draft(default_bundle, **moved, einddatum_termijn_duo=D("2028-11-01"))
    assert other.value("termijn_bron") == "duo"
    assert [s.rule for s in other.fields["termijn_bron"].needs_decision] == [
        "wet.termijn_duo_anders"
    ]
    computed = legal_draft(default_bundle, **moved)
    assert computed.value("termijn_bron") == "berekend"


@pytest.mark.parametrize(
    ("kind", "asks"), [("havo", True), ("mbo2_of_hoger", True), ("mbo1_entree", False)]
)
def test_a_dutch_diploma_asks_for_duos_vrijstelling(
    default_bundle: Bundle, kind: str, asks: bool
) -> None:
    found = legal_draft(default_bundle, nl_diploma=True, nl_diploma_soort=kind)
    field = found.fields["vrijstelling.duo"]
    assert bool(field.needs_decision) is asks
    checks = legal_checks(found, facts(earlier_route=None))
    assert ("vrijstelling_nl_diploma" in {c.id for c in checks if not c.ok}) is asks


def test_an_lbt_outcome_against_the_score_asks_a_route_decision(default_bundle: Bundle) -> None:
    found = legal_draft(
        default_bundle,
        lbt_status="afgenomen",
        lbt_datum_afname=D("2025-01-10"),
        lbt_behaalde_score=30,
        lbt_benodigde_score=28,
        lbt_resultaat="niet_haalbaar",
    )
    assert "wet.lbt_uitslag_tegen_score" in {
        s.rule for s in found.fields["leerroute"].needs_decision
    }
    assert "leerroute" in {f.key for f in found.open_decisions()}
