"""DUO's acceptance rules for a PIP, as checks a caseworker understands, and DUO's `PIP` block.

The rules come from DUO's interface description (shared reference/duo/README.md, "Het
aanleveren van een PIP") and the law (domain.md §3.1 H1–H9). A plan cannot become final while
any check fails. The `duo` block has exactly the fields of DUO's `PIP` schema
(PIP.openapi.yml): dagtekeningPip, leerroute, niveau, geschatteIntensiteitB1Route,
indicatorMagOpleidingAfmaken, indicatorAlfabetiseringsonderwijs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from intake_tui.core import roles
from intake_tui.core.engine import Interview
from intake_tui.core.plan.rules import Plan
from intake_tui.i18n import _


@dataclass(frozen=True)
class DuoFacts:
    """What the checks need besides the plan: dates, the target group, earlier PIPs, the LBT."""

    dagtekening: dt.date | None
    start_inburgeringsplicht: dt.date | None
    vestiging: dt.date | None
    asielstatushouder: bool
    first_pip_ever: bool
    previous_dagtekening: dt.date | None  # of the initial or current PIP (any municipality)
    lbt_taken: bool
    lbt_exempt: bool  # visual or auditory impairment (Wet art. 14 lid 6 and 7)
    earlier_pip_date_missing: bool = False  # an earlier PIP elsewhere, its dagtekening unknown


@dataclass(frozen=True)
class Check:
    """One acceptance rule: passed or not, and what it means for the caseworker."""

    id: str
    ok: bool
    message: str
    kind: str = "duo"  # "duo": DUO refuses the PIP; "wet": a legal rule (legal_rules.py)


def duo_facts(
    interview: Interview,
    dagtekening: dt.date | None,
    *,
    earlier_final_dagtekening: dt.date | None = None,
) -> DuoFacts:
    """The facts from the interview's visible answers and this laptop's earlier final revisions
    (read by role: core/roles.py)."""
    earlier_elsewhere = roles.value(interview, "earlier_pip") is True
    earlier_date = roles.date(interview, "earlier_pip_date")
    previous = [d for d in (earlier_date, earlier_final_dagtekening) if d]
    return DuoFacts(
        dagtekening=dagtekening,
        start_inburgeringsplicht=roles.date(interview, "obligation_start_date"),
        vestiging=roles.date(interview, "settlement_date"),
        asielstatushouder=is_asylum_permit_holder(interview),
        first_pip_ever=not earlier_elsewhere and earlier_final_dagtekening is None,
        previous_dagtekening=max(previous) if previous else None,
        lbt_taken=roles.has_code(interview, "lbt_result", "feasible")
        or roles.has_code(interview, "lbt_result", "not_feasible"),
        lbt_exempt=roles.has_code(interview, "lbt_state", "skipped")
        and (
            roles.has_code(interview, "lbt_skip_reason", "visual")
            or roles.has_code(interview, "lbt_skip_reason", "auditory")
        ),
        earlier_pip_date_missing=earlier_elsewhere and earlier_date is None,
    )


def is_asylum_permit_holder(interview: Interview) -> bool:
    """DUO's target group of the newcomer is asielstatushouder (role target_group)."""
    return roles.has_code(interview, "target_group", "asylum_permit_holder")


def show_date(day: dt.date) -> str:
    """A date as the caseworker reads it: dd-mm-yyyy."""
    return day.strftime("%d-%m-%Y")


def duo_checks(plan: Plan, facts: DuoFacts) -> list[Check]:
    """Every acceptance rule, passed or failed (ids are stable; messages are for people)."""
    route = plan.value("leerroute")
    niveau = plan.value("niveau")
    intensity = plan.value("geschatte_intensiteit")
    checks: list[Check] = []

    def add(check_id: str, ok: bool, failed: str, passed: str) -> None:
        checks.append(Check(check_id, ok, passed if ok else failed))

    add(
        "leerroute_gekozen",
        route in ("B", "O", "Z"),
        _("No leerroute has been chosen yet; DUO requires one."),
        _("A leerroute has been chosen."),
    )
    add(
        "onderwijsroute_niet_a2",
        not (route == "O" and niveau == "A2"),
        _("The onderwijsroute cannot have level A2: DUO refuses it. Choose B1 or leave it empty."),
        _("Level fits the onderwijsroute."),
    )
    add(
        "zroute_niet_b1",
        not (route == "Z" and niveau == "B1"),
        _("The Z-route cannot have level B1: DUO refuses it. Leave the level empty."),
        _("Level fits the Z-route."),
    )
    add(
        "eerste_pip_b1_niet_a2",
        not (route == "B" and niveau == "A2" and facts.first_pip_ever),
        _(
            "Level A2 in the B1-route is only possible in a later PIP (afschalen), not in the "
            "first PIP of this person in any municipality."
        ),
        _("Level fits a first or later PIP."),
    )
    intensity_ok = intensity is None or (
        route == "B" and facts.asielstatushouder and 1 <= int(intensity) <= 9999
    )
    add(
        "intensiteit_alleen_b1_asiel",
        intensity_ok,
        _(
            "An estimated intensity (1 to 9999 hours) is only for the B1-route of an asylum "
            "permit holder; remove it or change the route."
        ),
        _("Estimated intensity fits the route and target group."),
    )
    add(
        "geen_map_in_onderwijsroute",
        not (route == "O" and plan.value("map.van_toepassing") is True),
        _("The MAP does not apply in the onderwijsroute (Wet inburgering art. 8 lid 3)."),
        _("The MAP fits the route."),
    )
    add(
        "lbt_verplicht",
        facts.lbt_taken or facts.lbt_exempt,
        _(
            "The leerbaarheidstoets has no result yet; it is required unless the person is "
            "exempt for a visual or auditory impairment."
        ),
        _("The leerbaarheidstoets was taken, or the person is exempt."),
    )
    day = facts.dagtekening
    add(
        "dagtekening_gezet",
        day is not None,
        _("A final PIP needs its dagtekening (the date it is signed)."),
        _("The dagtekening is set."),
    )
    # DUO compares the dagtekening with these dates; unknown, the check could not be made here
    # and DUO would refuse the PIP later.
    add(
        "start_plicht_bekend",
        facts.start_inburgeringsplicht is not None,
        _("A final PIP needs the start date of the inburgeringsplicht."),
        _("The start of the inburgeringsplicht is known."),
    )
    add(
        "vorige_dagtekening_bekend",
        not facts.earlier_pip_date_missing,
        _(
            "There is an earlier PIP: its dagtekening is needed (a new PIP may not be dated "
            "before it)."
        ),
        _("The dagtekening of an earlier PIP is known, or there is none."),
    )
    add(
        "vestiging_bekend",
        facts.vestiging is not None,
        _("A final PIP needs the date of settlement in the municipality."),
        _("The date of settlement is known."),
    )
    if day is not None:
        start = facts.start_inburgeringsplicht
        add(
            "dagtekening_na_start_plicht",
            start is None or day >= start,
            _("The dagtekening lies before the start of the inburgeringsplicht ({date}).").format(
                date=show_date(start) if start else "?"
            ),
            _("The dagtekening is not before the start of the inburgeringsplicht."),
        )
        add(
            "dagtekening_na_vestiging",
            facts.vestiging is None or day >= facts.vestiging,
            _("The dagtekening lies before the settlement in the municipality ({date}).").format(
                date=show_date(facts.vestiging) if facts.vestiging else "?"
            ),
            _("The dagtekening is not before the settlement in the municipality."),
        )
        previous = facts.previous_dagtekening
        add(
            "dagtekening_niet_voor_vorige",
            previous is None or day >= previous,
            _("A changed PIP cannot be dated before the earlier PIP ({date}).").format(
                date=show_date(previous) if previous else "?"
            ),
            _("The dagtekening is not before an earlier PIP."),
        )
    return checks


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


def duo_block(plan: Plan, dagtekening: dt.date, *, asielstatushouder: bool) -> dict[str, object]:
    """DUO's `PIP` object for a final plan: only the fields DUO defines, empty ones left out."""
    route = plan.value("leerroute")
    block: dict[str, object] = {"dagtekeningPip": dagtekening.isoformat(), "leerroute": route}
    niveau = plan.value("niveau")
    if niveau is not None:
        block["niveau"] = niveau
    intensity = plan.value("geschatte_intensiteit")
    if intensity is not None and route == "B" and asielstatushouder:
        block["geschatteIntensiteitB1Route"] = int(intensity)
    finish = plan.value("mag_opleiding_afmaken")
    if finish is not None:
        block["indicatorMagOpleidingAfmaken"] = bool(finish)
    literacy = plan.value("alfabetisering")
    if literacy is not None:
        block["indicatorAlfabetiseringsonderwijs"] = literacy
    return block
