"""A question whose purpose says the plan (PIP) needs it is read by a plan rule or by the plan's
code, or is listed here with what else delivers that purpose (issue 14, item 9). A new question
that promises the plan something and is read by nothing makes this test fail."""

from __future__ import annotations

import re

from intake_tui.core.questionnaire import Bundle

from .conftest import REPO

PLAN_CODE = REPO / "intake_tui" / "core" / "plan"

# Purposes about the plan that no rule has to read, and what delivers them instead.
DELIVERED_ELSEWHERE = {
    # On the PIP document itself, or in the exchange with DUO (the export carries them).
    "voornamen": "printed on the PIP (the export's answers)",
    "achternaam": "printed on the PIP (the export's answers)",
    "bsn": "the key of the exchange with DUO (export)",
    "geslacht": "the form of address in letters and the PIP (export)",
    "gedetailleerde_doelgroep": "DUO's classification in the exchange (export)",
    "gemeente_koppeling": "which gemeente has the regie: the case, not a plan field",
    "datum_intake": "the intake's date on the record (export)",
    "gesprekstaal": "the language the PIP is discussed in: the printed plan's second language",
    "informatie_intake_gegeven": "proof the information was given, kept in the record",
    "vve_geinformeerd": "proof of the VVE information duty, kept in the record",
    "samenvatting_besproken": "finalizing requires it: the PIP is made together",
    # The caseworker's own planning of the conversation and the route, not a plan field.
    "tolk_vorm": "planning of the next conversations",
    "woonsituatie": "read through woont_in_azc; fixed costs are ontzorgen's (rules)",
    "woont_in_azc": "planning of the intake and the LBT",
    "coa_locatie_plaats": "planning appointments at the COA location",
    "datum_koppeling": "planning of housing and the start of the route",
    "verwachte_huisvestingsdatum": "planning the start of lessons",
    "eerder_pip_gemeente": "asking the earlier PIP from the other gemeente",
    "lbt_datum_gepland": "planning the intake within 10 weeks",
    "nl_onderwijs_einddatum": "planning; the extension reads nl_onderwijs_ingeschreven",
    "werk_nl_uren_per_week": "planning lessons around work",
    "cv_gemaakt": "the caseworker's support toward work",
    "burgerlijke_staat": "weighing the family situation (integrale weging)",
    "gezinsleden": "read through heeft_kinderen_vve_leeftijd (VVE rules)",
    "gezinslid_relatie": "read through heeft_kinderen_vve_leeftijd (VVE rules)",
    "gezinslid_in_nl": "planning around care and family reunification",
    "gezinslid_nareis_status": "planning around family reunification",
    "gezinslid_opvang_school": "planning lessons around childcare and school",
    "zorgtaken": "read through kinderopvang_nodig and the caseworker's intensity",
    "schulden": "asks schuldhulp_gewenst, which the schuldhulp rule reads",
    "ontzorgen_verlenging_gewenst": "voluntary budgetbeheer after ontzorgen (art. 57), by hand",
    "gezondheid_ondersteuning": "the caseworker's support; referrals come from doorverwezen_naar",
    "hoofddoel_toelichting": "makes the hoofddoel concrete in the caseworker's words",
    "aandachtspunt_thema": "groups the aandachtspunten copied into the plan",
    "voorkeur_lestijden": "planning lessons",
    # Counted as read only because a plan field has the same name, until the plan's code read
    # by role (issue 17): the rule gives it to every asielstatushouder; the answer says whether
    # it runs already, which the caseworker arranges (export: netwerk.*).
    "maatschappelijke_begeleiding": "whether it runs already; the plan sets it by doelgroep",
    "zelfredzaamheid_financieel": "the caseworker's judgement for a budgetcursus",
    "motivatie": "weighing the leerroute (integrale weging)",
    "samenvatting_observaties": "weighing everything for the PIP (integrale weging)",
    "vervolgafspraken": "agreements until the PIP is set",
    "volgende_afspraak_datum": "planning the PIP within 10 weeks",
}


def read_by_the_plan(bundle: Bundle) -> set[str]:
    names: set[str] = set()
    for rule in bundle.plan.rules:
        for expression in (rule.when, *rule.then.values()):
            names |= set(getattr(expression, "names", ()))
    # The plan's code reads answers by role (core/roles.py), never by a bundle's ids.
    code = "".join(path.read_text(encoding="utf-8") for path in PLAN_CODE.glob("*.py"))
    names |= {question for role, question in bundle.roles.items() if f'"{role}"' in code}
    return names


def test_every_purpose_about_the_plan_is_delivered(default_bundle: Bundle) -> None:
    read = read_by_the_plan(default_bundle)
    promised = {
        q.id
        for q in default_bundle.value_questions()
        if re.search(r"pip|plan", q.question.purpose or "", re.IGNORECASE)
    }
    unread = sorted(promised - read)
    assert unread == sorted(set(unread) & set(DELIVERED_ELSEWHERE)), (
        "purposes that promise the plan something nobody reads: "
        + ", ".join(sorted(set(unread) - set(DELIVERED_ELSEWHERE)))
    )
    # The list stays honest too: nothing in it that a rule now reads, or that is gone.
    stale = sorted(set(DELIVERED_ELSEWHERE) - set(unread))
    assert stale == [], f"listed as delivered elsewhere but read by the plan or gone: {stale}"


def test_the_four_purposes_the_review_named_are_read_now(default_bundle: Bundle) -> None:
    read = read_by_the_plan(default_bundle)
    named = {
        "schuldhulp_gewenst",
        "beschikbaar_uren_per_week",
        "vve_aanmelding_hulp",
        "zwangerschap",
    }
    assert named <= read
