"""The law's own rules on a plan, apart from DUO's acceptance checks (duo.py) and from the
proposals in plan.yaml: facts every plan carries (the termijn's source, the AOW date), the
decisions they ask for, and the checks that keep a plan from being final while it breaks them.

A check here is a legal rule (`Check.kind == "wet"`): its message says so, and names what is
missing. Sources: domain.md §3.1 (H7, H10, H12), §4.5, §6.5, Besluit inburgering 2021 art. 5.5,
Algemene Ouderdomswet art. 7a; where an article could not be confirmed, the source says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from intake_tui.core import roles
from intake_tui.core.engine import Interview
from intake_tui.core.plan.duo import Check, show_date
from intake_tui.core.plan.legal import (
    AOW_SOURCE,
    TERMIJN_SOURCE,
    Termijn,
    add_months,
    aow,
    earliest_aow,
)
from intake_tui.core.plan.loader import ObjectionSpec
from intake_tui.core.plan.rules import Input, Plan, PlanField, Source
from intake_tui.i18n import _

# The reasons the law gives, as plain text for the newcomer (translated like plan.yaml's, by
# msgctxt plan.rule.<id>.because), each with its source for the regievoerder.
LEGAL_REASONS: dict[str, tuple[str, str]] = {
    "wet.termijn": (
        "De termijn van 3 jaar begint op de dag na de dagtekening van uw eerste PIP, ook als "
        "dat PIP in een andere gemeente is gemaakt.",
        TERMIJN_SOURCE,
    ),
    "wet.termijn_duo_anders": (
        "DUO noemt een andere einddatum van de termijn dan de berekende. De regievoerder zoekt "
        "uit welke datum klopt, bijvoorbeeld door een verlenging.",
        TERMIJN_SOURCE,
    ),
    "wet.aow_datum": (
        "Op deze datum bereikt u de AOW-leeftijd.",
        AOW_SOURCE,
    ),
    "wet.aow_binnen_termijn": (
        "U bereikt de AOW-leeftijd voor het einde van de termijn. Vanaf dan geldt de "
        "inburgeringsplicht niet meer. De regievoerder bespreekt met u wat het plan tot die "
        "datum is.",
        AOW_SOURCE,
    ),
    "wet.aow_bereikt": (
        "U heeft de AOW-leeftijd al bereikt. Dan geldt er geen inburgeringsplicht. De "
        "regievoerder controleert dit bij DUO.",
        AOW_SOURCE + " Het artikel van de Wet inburgering 2021 dat dit regelt, is hier niet "
        "nagelezen (domain.md §10): daarom een beslissing, geen blokkade.",
    ),
    "wet.aow_onbekend": (
        "De wet heeft uw AOW-leeftijd nog niet vastgesteld. Misschien bereikt u die voor het "
        "einde van de termijn. De regievoerder bespreekt dit met u.",
        AOW_SOURCE,
    ),
    "wet.bezwaar": (
        "Dit plan is een besluit van de gemeente. Daarom staat hier hoe u bezwaar kunt maken.",
        "Algemene wet bestuursrecht art. 3:45: bij een besluit staat of en hoe bezwaar kan; het "
        "PIP is een beschikking (domain.md §4.1, [SCH-PIP]). De tekst staat in plan.yaml "
        "(bezwaar), met zijn eigen bron.",
    ),
    "wet.vrijstelling_diploma": (
        "U heeft een Nederlands diploma. Misschien hoeft u daarom niet in te burgeren "
        "(vrijstelling). DUO beslist daarover. De regievoerder controleert het bij DUO.",
        "Wet inburgering 2021 art. 4; Regeling inburgering 2021 art. 2.1 (domain.md §6.5): "
        "vmbo, havo, vwo, mbo-2 of hoger en hbo/wo in het Nederlands; mbo-1/entree niet.",
    ),
    "wet.lbt_uitslag_tegen_score": (
        "De uitslag van de leerbaarheidstoets past niet bij de score en de norm. De "
        "regievoerder kijkt welke leerroute past en schrijft de reden op.",
        "Wet inburgering 2021 art. 14 lid 3; norm 28 sinds 12 april 2023, daarvoor 31 "
        "(domain.md §2).",
    ),
}

# The decisions the rules above can ask, with what a regievoerder may choose.
AOW_CHOICES = ("traject_tot_aow", "aangepast_traject", "geen_inburgeringsplicht")
# The code roles of an earlier PIP's leerroute, as the plan writes the route.
ROUTE_OF_CODE_ROLE = {"route_b1": "B", "route_education": "O", "route_z": "Z"}


def legal_source(rule_id: str, inputs: tuple[Input, ...] = ()) -> Source:
    because, source = LEGAL_REASONS[rule_id]
    return Source(rule_id, because, inputs, source)


def _inputs(interview: Interview, *names: str) -> tuple[Input, ...]:
    """The answers of the questions with these roles that have one, as the plan shows them."""
    from intake_tui.core.display import show_value

    found: list[Input] = []
    for role in names:
        question = roles.question_id(interview.bundle, role)
        if question is not None and interview.value(question) is not None:
            item = interview.bundle.items[question]
            found.append(Input(question, None, show_value(item, interview.value(question))))
    return tuple(found)


def lbt_contradiction(interview: Interview) -> bool:
    """The recorded LBT outcome says the opposite of the score against the norm."""
    feasible = roles.has_code(interview, "lbt_result", "feasible")
    not_feasible = roles.has_code(interview, "lbt_result", "not_feasible")
    score = roles.value(interview, "lbt_score")
    norm = roles.value(interview, "lbt_required_score")
    taken = roles.date(interview, "lbt_date")
    if not isinstance(norm, int) and taken is not None:
        norm = 31 if taken < dt.date(2023, 4, 12) else 28
    if not (feasible or not_feasible) or not isinstance(score, int):
        return False
    if not isinstance(norm, int):
        return False
    return (score >= norm) != feasible


def legal_fields(
    interview: Interview, fields: dict[str, PlanField], period: Termijn | None
) -> None:
    """The facts the law fixes on every plan, and the decisions they ask for."""
    if period is not None:
        target = fields["termijn_bron"]
        target.rule_value = period.source
        inputs = _inputs(interview, "earlier_pip_date", "duo_term_end")
        target.sources.append(legal_source("wet.termijn", inputs))
        if period.differs:
            target.needs_decision.append(legal_source("wet.termijn_duo_anders", inputs))
    _aow(interview, fields, period)
    diploma = roles.value(interview, "dutch_diploma")
    kind = roles.value(interview, "dutch_diploma_kind")
    if diploma is True and (
        kind is None or roles.has_code(interview, "dutch_diploma_kind", "exempting")
    ):
        inputs = _inputs(interview, "dutch_diploma", "dutch_diploma_kind")
        fields["vrijstelling.duo"].needs_decision.append(
            legal_source("wet.vrijstelling_diploma", inputs)
        )
    if lbt_contradiction(interview):
        inputs = _inputs(interview, "lbt_result", "lbt_score", "lbt_required_score")
        fields["leerroute"].needs_decision.append(
            legal_source("wet.lbt_uitslag_tegen_score", inputs)
        )


def _aow(interview: Interview, fields: dict[str, PlanField], period: Termijn | None) -> None:
    birth = roles.date(interview, "birth_date")
    if birth is None:
        return
    found = aow(birth)
    inputs = _inputs(interview, "birth_date")
    decide = fields["aow_beslissing"]
    if found.date is not None:
        fields["aow_datum"].rule_value = found.date
        fields["aow_datum"].sources.append(legal_source("wet.aow_datum", inputs))
    today = interview.today()
    if found.status == "voor_2024" or (found.date is not None and found.date <= today):
        decide.needs_decision.append(legal_source("wet.aow_bereikt", inputs))
        fields["aow_binnen_termijn"].rule_value = True
        return
    if period is None:
        return
    if found.date is not None:
        within = found.date <= period.end
        fields["aow_binnen_termijn"].rule_value = within
        fields["aow_binnen_termijn"].sources.append(legal_source("wet.aow_datum", inputs))
        if within:
            decide.needs_decision.append(legal_source("wet.aow_binnen_termijn", inputs))
    elif earliest_aow(birth) <= period.end:
        decide.needs_decision.append(legal_source("wet.aow_onbekend", inputs))


@dataclass(frozen=True)
class LegalFacts:
    """What the legal checks read besides the plan."""

    earlier_route: str | None  # B, O or Z of an earlier PIP (any gemeente)
    earlier_a2: bool  # the level of an earlier PIP was lowered to A2 (afgeschaald)
    first_pip: dt.date | None  # the dagtekening of the first PIP anywhere
    signing: dt.date  # the dagtekening, or today for a draft
    later_pip: bool  # there was a PIP before this one
    hours_keurmerk: int | None
    enough_effort: bool | None


def legal_facts(
    interview: Interview, first_pip: dt.date | None, signing: dt.date, later_pip: bool
) -> LegalFacts:
    earlier = roles.value(interview, "earlier_pip") is True
    route = next(
        (
            letter
            for code_role, letter in ROUTE_OF_CODE_ROLE.items()
            if earlier and roles.has_code(interview, "earlier_pip_route", code_role)
        ),
        None,
    )
    hours = roles.value(interview, "reduction_hours")
    effort = roles.value(interview, "reduction_effort")
    return LegalFacts(
        earlier_route=route,
        earlier_a2=roles.has_code(interview, "earlier_pip_level", "level_a2"),
        first_pip=first_pip,
        signing=signing,
        later_pip=later_pip or earlier,
        hours_keurmerk=hours if isinstance(hours, int) else None,
        enough_effort=effort if isinstance(effort, bool) else None,
    )


def _effort(enough: bool | None) -> str:
    if enough is None:
        return "?"
    return _("yes") if enough else _("no")


def legal_checks(plan: Plan, facts: LegalFacts) -> list[Check]:
    """The legal rules a final plan keeps (ids are stable; messages name them as legal rules)."""
    route = plan.value("leerroute")
    niveau = plan.value("niveau")
    chosen = plan.fields["leerroute"].override is not None
    checks: list[Check] = []

    def add(check_id: str, ok: bool, failed: str, passed: str) -> None:
        checks.append(Check(check_id, ok, passed if ok else failed, kind="wet"))

    earlier = facts.earlier_route
    changed = earlier is not None and route is not None and route != earlier
    back_to_b1 = facts.earlier_a2 and route == "B" and niveau != "A2"
    add(
        "leerroute_na_verhuizing",
        not (changed and not chosen)
        and not (back_to_b1 and plan.fields["niveau"].override is None),
        _(
            "Legal rule: the new gemeente keeps the leerroute of the earlier PIP ({route}); "
            "another route or going back from A2 to B1 is a decision with a reason."
        ).format(route=earlier or "?"),
        _("Legal rule: the leerroute of an earlier PIP is kept, or changed by a decision."),
    )
    limit = add_months(facts.first_pip, 18) if facts.first_pip else None
    late = limit is not None and facts.signing > limit
    add(
        "schakelen_binnen_termijn",
        not (changed and late and not (earlier == "O" and route == "B")),
        _(
            "Legal rule: a change of leerroute (schakelen) is possible only within 1.5 years of "
            "the first PIP (until {date}); onderwijsroute to B1-route is possible at any time."
        ).format(date=show_date(limit) if limit else "?"),
        _("Legal rule: no change of leerroute after 1.5 years."),
    )
    afschalen = route == "B" and niveau == "A2" and facts.later_pip and not facts.earlier_a2
    met = (facts.hours_keurmerk or 0) >= 600 and facts.enough_effort is True
    add(
        "afschalen_a2_voorwaarden",
        not afschalen or met,
        _(
            "Legal rule: lowering the level to A2 needs at least 600 hours of Dutch at a school "
            "with the Blik op Werk keurmerk and enough effort shown (recorded: {hours} hours; "
            "effort: {effort})."
        ).format(
            hours=facts.hours_keurmerk if facts.hours_keurmerk is not None else "?",
            effort=_effort(facts.enough_effort),
        ),
        _("Legal rule: the conditions for A2 are met, or the level is not lowered."),
    )
    for key, check_id, failed, passed in (
        (
            "vrijstelling.duo",
            "vrijstelling_nl_diploma",
            _(
                "Legal rule: a Dutch diploma may give a vrijstelling; check it with DUO and "
                "record it."
            ),
            _("Legal rule: a vrijstelling is decided or does not apply."),
        ),
        (
            "aow_beslissing",
            "aow_beslissing",
            _(
                "Legal rule: the AOW age falls in the termijn or has been reached; decide "
                "what the plan is."
            ),
            _("Legal rule: the AOW age is taken into account."),
        ),
    ):
        field = plan.fields[key]
        add(check_id, not (field.needs_decision and field.override is None), failed, passed)
    return checks


OBJECTION_SOURCE_ID = "wet.bezwaar"


def objection_field(
    fields: dict[str, PlanField],
    spec: ObjectionSpec | None,
    gemeente: str | None,
    adres: str | None,
) -> None:
    """The rechtsmiddelenclausule (plan.yaml `bezwaar`), filled in with the gemeente's name and
    address from config.toml, which are kept as fields of their own so a printed plan can fill
    in the same clause in the newcomer's language."""
    if spec is None:
        return
    name = gemeente or "de gemeente"
    where = adres or "het adres dat de gemeente u geeft"
    source = Source(OBJECTION_SOURCE_ID, LEGAL_REASONS[OBJECTION_SOURCE_ID][0], (), spec.source)
    for key, value in (
        (
            "bezwaar.clausule",
            spec.tekst.format(gemeente=name, adres=where) + " " + spec.niet_nakomen,
        ),
        ("bezwaar.gemeente", gemeente),
        ("bezwaar.adres", adres),
    ):
        if value:
            fields[key].rule_value = value
            fields[key].sources.append(source)


def final_dates(fields: dict[str, PlanField], dagtekening: dt.date) -> None:
    """What a final plan dates from its dagtekening: the voortgangsgesprekken."""
    schema = fields["voortgangsgesprekken.schema"].value
    months = [int(m) for m in str(schema or "").replace(" ", "").split(",") if m.isdigit()]
    if months:
        target = fields["voortgangsgesprekken"]
        target.rule_value = [add_months(dagtekening, m) for m in months]
        target.sources = list(fields["voortgangsgesprekken.schema"].sources)
