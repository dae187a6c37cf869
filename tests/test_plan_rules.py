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

from intake_tui.core import UNKNOWN, Answer, FrozenClock, Interview
from intake_tui.core.expressions import compile_expression
from intake_tui.core.plan import Override, Plan, PlanRules, Rule, draft_plan
from intake_tui.core.questionnaire import Bundle
from intake_tui.personas import PERSONAS, apply

TODAY = "2026-11-28"

# -- building interviews ------------------------------------------------------------------------

Answers = Mapping[str, Any]
"""Question id -> value (or an `Answer`); a repeat id -> a list of dicts, one per instance."""


def interview_with(bundle: Bundle, answers: Answers) -> Interview:
    """An interview with just these answers (repeat instances added as needed); a key
    `followup.<id>` is the latest completed voortgangsgesprek's answer (its case context)."""
    followup = {k.split(".", 1)[1]: v for k, v in answers.items() if k.startswith("followup.")}
    context = {"followup": followup} if followup else None
    interview = Interview(bundle, today=FrozenClock.on(TODAY).today, context=context)
    for question, value in answers.items():
        if question.startswith("followup."):
            continue
        if isinstance(value, list):
            for child_answers in value:
                instance = interview.add_instance(question)
                for child, child_value in child_answers.items():
                    interview.set_answer(child, _answer(child_value), instance)
        else:
            interview.set_answer(question, _answer(value))
    return interview


def _answer(value: Any) -> Answer:
    return value if isinstance(value, Answer) else Answer.of(value)


def firing(plan: Plan) -> set[str]:
    """Every rule id that set, added to or asked a decision on any field."""
    return {s.rule for f in plan.fields.values() for s in [*f.sources, *f.needs_decision]}


# -- answer sets --------------------------------------------------------------------------------

HIGH = "hbo_bachelor"
ASIEL = {"doelgroep": "asielstatushouder", "verblijfsvergunning_soort": "asiel"}
GEZIN = {"doelgroep": "gezinsmigrant_overig", "verblijfsvergunning_soort": "regulier_gezin"}
LBT_HAALBAAR = {"lbt_status": "afgenomen", "lbt_resultaat": "haalbaar"}
LBT_NIET = {"lbt_status": "afgenomen", "lbt_resultaat": "niet_haalbaar"}
EXEMPT = {"lbt_status": "overgeslagen", "lbt_overslaan_reden": "visueel"}
STUDENT = {
    "geboortedatum": dt.date(2006, 1, 1),
    "ambitie_opleiding": True,
    "gewenste_opleiding_niveau": "hbo",
    "voltijd_leren_mogelijk": True,
    "jaren_onderwijs": 11,
}
OLDER = {"geboortedatum": dt.date(1990, 1, 1)}
ALL_COSTS = ("huur", "energie", "water", "zorgverzekering")
ONTZORGEN = {
    **ASIEL,
    "bijstand": True,
    "datum_start_bijstand": dt.date(2026, 9, 1),
    "ontzorgen_machtiging_getekend": True,
    "ontzorgen_vaste_lasten": ALL_COSTS,
}
ABROAD_MBO = {
    "opleidingen": [
        {
            "opleiding_niveau": "mbo",
            "opleiding_land": "TR",
            "opleiding_afgerond": True,
            "opleiding_diploma": "ja",
            "opleiding_diplomawaardering": "gewenst",
        }
    ]
}

ANY = object()  # the field's value is not asserted

# (rule id, fires, answers, field, expected value when it fires / value when it does not)
CASES: list[tuple[str, bool, Answers, str, Any]] = [
    # LBT missing, skipped, exempt
    ("lbt_uitslag_ontbreekt", True, {"lbt_status": "aangemeld"}, "leerroute", None),
    ("lbt_uitslag_ontbreekt", True, {"lbt_status": "nog_aan_te_melden"}, "leerroute", None),
    (
        "lbt_uitslag_ontbreekt",
        True,
        {"lbt_status": "afgenomen", "lbt_resultaat": "onbekend"},
        "leerroute",
        None,
    ),
    ("lbt_uitslag_ontbreekt", True, {}, "leerroute", None),
    ("lbt_uitslag_ontbreekt", False, LBT_HAALBAAR, "leerroute", "B"),
    (
        "lbt_overgeslagen_zonder_vrijstelling",
        True,
        {"lbt_status": "overgeslagen", "lbt_overslaan_reden": "anders"},
        "leerroute",
        None,
    ),
    ("lbt_overgeslagen_zonder_vrijstelling", False, EXEMPT, "leerroute", ANY),
    ("lbt_vrijstelling", True, EXEMPT, "leerroute", None),
    (
        "lbt_vrijstelling",
        False,
        {"lbt_status": "overgeslagen", "lbt_overslaan_reden": "anders"},
        "leerroute",
        None,
    ),
    (
        "lbt_vrijstelling_voorstel_b1",
        True,
        {**EXEMPT, "hoogst_afgeronde_opleiding": "vo_boven"},
        "leerroute",
        "B",
    ),
    (
        "lbt_vrijstelling_voorstel_b1",
        True,
        {**EXEMPT, "lbt_overslaan_reden": "auditief", "engels_niveau": "b1"},
        "niveau",
        "B1",
    ),
    (
        "lbt_vrijstelling_voorstel_b1",
        False,
        {**EXEMPT, "hoogst_afgeronde_opleiding": "vo_boven", **STUDENT},
        "leerroute",
        "O",
    ),
    ("lbt_vrijstelling_voorstel_onderwijs", True, {**EXEMPT, **STUDENT}, "leerroute", "O"),
    (
        "lbt_vrijstelling_voorstel_onderwijs",
        True,
        {**EXEMPT, **STUDENT},
        "map.van_toepassing",
        False,
    ),
    (
        "lbt_vrijstelling_voorstel_onderwijs",
        False,
        {**EXEMPT, **STUDENT, **OLDER},
        "leerroute",
        None,
    ),
    (
        "lbt_vrijstelling_voorstel_z",
        True,
        {**EXEMPT, "hoogst_afgeronde_opleiding": "basis"},
        "leerroute",
        "Z",
    ),
    (
        "lbt_vrijstelling_voorstel_z",
        False,
        {**EXEMPT, "hoogst_afgeronde_opleiding": "basis", "engels_niveau": "b1"},
        "leerroute",
        "B",
    ),
    # the three routes
    ("s1_b1_route", True, LBT_HAALBAAR, "leerroute", "B"),
    ("s1_b1_route", True, LBT_HAALBAAR, "niveau", "B1"),
    ("s1_b1_route", True, LBT_HAALBAAR, "map.van_toepassing", True),
    ("s1_b1_route", True, LBT_HAALBAAR, "map.uren", 40),
    ("s1_b1_route", True, LBT_HAALBAAR, "knm.vorm", "examen"),
    ("s1_b1_route", True, LBT_HAALBAAR, "participatie.activiteiten", ["duaal_traject"]),
    ("s1_b1_route", True, {**LBT_HAALBAAR, **STUDENT, **OLDER}, "leerroute", "B"),
    ("s1_b1_route", False, {**LBT_HAALBAAR, **STUDENT}, "leerroute", "O"),
    ("s1_b1_route", False, LBT_NIET, "leerroute", "Z"),
    ("s2_onderwijsroute", True, {**LBT_HAALBAAR, **STUDENT}, "leerroute", "O"),
    ("s2_onderwijsroute", True, {**LBT_HAALBAAR, **STUDENT}, "niveau", "B1"),
    ("s2_onderwijsroute", True, {**LBT_HAALBAAR, **STUDENT}, "map.van_toepassing", False),
    ("s2_onderwijsroute", True, {**LBT_HAALBAAR, **STUDENT}, "knm.vorm", "examen"),
    (
        "s2_onderwijsroute",
        True,
        {**LBT_HAALBAAR, **STUDENT},
        "participatie.activiteiten",
        ["schakeltraject", "onderwijs"],
    ),
    (
        "s2_onderwijsroute",
        False,
        {**LBT_HAALBAAR, **STUDENT, "voltijd_leren_mogelijk": False},
        "leerroute",
        "B",
    ),
    ("s2_onderwijsroute", False, {**LBT_NIET, **STUDENT}, "leerroute", "Z"),
    ("s2_onderwijsroute_overwegen", True, {**LBT_HAALBAAR, **STUDENT, **OLDER}, "leerroute", "B"),
    (
        "s2_onderwijsroute_overwegen",
        True,
        {**LBT_HAALBAAR, **STUDENT, "voltijd_leren_mogelijk": False},
        "leerroute",
        "B",
    ),
    ("s2_onderwijsroute_overwegen", False, {**LBT_HAALBAAR, **STUDENT}, "leerroute", "O"),
    ("s3_zroute", True, LBT_NIET, "leerroute", "Z"),
    ("s3_zroute", True, LBT_NIET, "taal.uren", 800),
    ("s3_zroute", True, LBT_NIET, "knm.vorm", "cursus"),
    ("s3_zroute", True, LBT_NIET, "map.van_toepassing", True),
    ("s3_zroute", True, LBT_NIET, "map.uren", 40),
    ("s3_zroute", False, LBT_HAALBAAR, "taal.uren", None),
    ("s3_zroute_participatie_asiel", True, {**LBT_NIET, **ASIEL}, "participatie.uren_totaal", 800),
    (
        "s3_zroute_participatie_asiel",
        False,
        {**LBT_NIET, **GEZIN},
        "participatie.uren_totaal",
        None,
    ),
    (
        "s3_lbt_uitslag_twijfelachtig",
        True,
        {**LBT_NIET, "hoogst_afgeronde_opleiding": "mbo"},
        "leerroute",
        "Z",
    ),
    (
        "s3_lbt_uitslag_twijfelachtig",
        True,
        {**LBT_NIET, "opleidingen": [{"opleiding_niveau": "vo_boven"}]},
        "leerroute",
        "Z",
    ),
    (
        "s3_lbt_uitslag_twijfelachtig",
        True,
        {**LBT_NIET, "lbt_datum_afname": dt.date(2023, 1, 10), "lbt_behaalde_score": 29},
        "leerroute",
        "Z",
    ),
    (
        "s3_lbt_uitslag_twijfelachtig",
        False,
        {**LBT_NIET, "lbt_datum_afname": dt.date(2023, 5, 10), "lbt_behaalde_score": 29},
        "leerroute",
        "Z",
    ),
    (
        "s3_lbt_uitslag_twijfelachtig",
        False,
        {**LBT_NIET, "hoogst_afgeronde_opleiding": "basis"},
        "leerroute",
        "Z",
    ),
    ("eerder_pip_leerroute", True, {**LBT_HAALBAAR, "eerder_pip": True}, "leerroute", "B"),
    ("eerder_pip_leerroute", False, {**LBT_HAALBAAR, "eerder_pip": False}, "leerroute", "B"),
    # estimated intensity: B1-route of asylum permit holders only
    (
        "intensiteit_b1_hoog_opgeleid",
        True,
        {**ASIEL, **LBT_HAALBAAR, "geletterdheid": "latijns", "hoogst_afgeronde_opleiding": HIGH},
        "geschatte_intensiteit",
        800,
    ),
    (
        "intensiteit_b1_hoog_opgeleid",
        False,
        {**GEZIN, **LBT_HAALBAAR, "geletterdheid": "latijns", "hoogst_afgeronde_opleiding": HIGH},
        "geschatte_intensiteit",
        None,
    ),
    (
        "intensiteit_b1_middelbaar_opgeleid",
        True,
        {**ASIEL, **LBT_HAALBAAR, "geletterdheid": "latijns", "hoogst_afgeronde_opleiding": "mbo"},
        "geschatte_intensiteit",
        1000,
    ),
    (
        "intensiteit_b1_middelbaar_opgeleid",
        False,
        {**ASIEL, **LBT_NIET, "geletterdheid": "latijns", "hoogst_afgeronde_opleiding": "mbo"},
        "geschatte_intensiteit",
        None,
    ),
    (
        "intensiteit_b1_overig",
        True,
        {
            **ASIEL,
            **LBT_HAALBAAR,
            "geletterdheid": "anders_gealfabetiseerd",
            "hoogst_afgeronde_opleiding": HIGH,
        },
        "geschatte_intensiteit",
        1200,
    ),
    ("intensiteit_b1_overig", True, {**ASIEL, **LBT_HAALBAAR}, "geschatte_intensiteit", 1200),
    (
        "intensiteit_b1_overig",
        False,
        {**ASIEL, **LBT_HAALBAAR, **STUDENT},
        "geschatte_intensiteit",
        None,
    ),
    # literacy
    ("s4_alfabetisering_analfabeet", True, {"geletterdheid": "analfabeet"}, "alfabetisering", "A"),
    ("s4_alfabetisering_analfabeet", False, {"geletterdheid": "latijns"}, "alfabetisering", "NVT"),
    (
        "s5_alfabetisering_anders_gealfabetiseerd",
        True,
        {"geletterdheid": "anders_gealfabetiseerd"},
        "alfabetisering",
        "AA",
    ),
    (
        "s5_alfabetisering_anders_gealfabetiseerd",
        False,
        {"geletterdheid": "analfabeet"},
        "alfabetisering",
        "A",
    ),
    ("alfabetisering_niet_nodig", True, {"geletterdheid": "latijns"}, "alfabetisering", "NVT"),
    (
        "alfabetisering_niet_nodig",
        False,
        {"geletterdheid": "anders_gealfabetiseerd"},
        "alfabetisering",
        "AA",
    ),
    (
        "alfabetisering_beperkt_geletterd",
        True,
        {"geletterdheid": "beperkt_geletterd"},
        "alfabetisering",
        None,
    ),
    (
        "alfabetisering_beperkt_geletterd",
        False,
        {"geletterdheid": "latijns"},
        "alfabetisering",
        "NVT",
    ),
    # PVT, MAP, participation
    ("pvt_voor_iedereen", True, GEZIN, "pvt.uren", 12),
    ("pvt_voor_iedereen", True, ASIEL, "pvt.vorm", "groep"),
    ("pvt_voor_iedereen", False, {}, "pvt.uren", None),
    ("map_op_de_werkplek", True, {**LBT_HAALBAAR, "werk_nl_huidig": True}, "map.vorm", "werkplek"),
    ("map_op_de_werkplek", True, {**LBT_NIET, "werk_nl_huidig": True}, "map.vorm", "werkplek"),
    (
        "map_op_de_werkplek",
        False,
        {**LBT_HAALBAAR, **STUDENT, "werk_nl_huidig": True},
        "map.vorm",
        None,
    ),
    ("map_op_de_werkplek", False, {**LBT_HAALBAAR, "werk_nl_huidig": False}, "map.vorm", None),
    ("participatie_werk", True, {"werk_nl_huidig": True}, "participatie.activiteiten", ["werk"]),
    ("participatie_werk", False, {"werk_nl_huidig": False}, "participatie.activiteiten", None),
    (
        "participatie_vrijwilligerswerk",
        True,
        {"vrijwilligerswerk_gewenst": "Voedselbank"},
        "participatie.activiteiten",
        ["vrijwilligerswerk"],
    ),
    ("participatie_vrijwilligerswerk", False, {}, "participatie.activiteiten", None),
    (
        "s6_belastbaarheid",
        True,
        {"belastbaarheid_uren_per_week": 10},
        "participatie.uren_per_week",
        10,
    ),
    (
        "s6_belastbaarheid",
        False,
        {"belastbaarheid_uren_per_week": 20},
        "participatie.uren_per_week",
        None,
    ),
    (
        "s6_belastbaarheid",
        False,
        {"belastbaarheid_uren_per_week": UNKNOWN},
        "participatie.uren_per_week",
        None,
    ),
    ("hoofddoel_uit_intake", True, {"hoofddoel": "werk"}, "hoofddoel", "werk"),
    ("hoofddoel_uit_intake", True, {"hoofddoel": "participatie"}, "hoofddoel", "participatie"),
    ("hoofddoel_uit_intake", False, {}, "hoofddoel", None),
    (
        "opleiding_afmaken",
        True,
        {"nl_onderwijs_ingeschreven": True, "nl_onderwijs_soort": "entree"},
        "mag_opleiding_afmaken",
        True,
    ),
    (
        "opleiding_afmaken",
        False,
        {"nl_onderwijs_ingeschreven": True, "nl_onderwijs_soort": "mbo"},
        "mag_opleiding_afmaken",
        None,
    ),
    # health: referrals only, never a diagnosis
    (
        "s6_ontheffing_bespreken",
        True,
        {"medische_ontheffing_overwegen": True},
        "gezondheid.ontheffing_bespreken",
        True,
    ),
    (
        "s6_ontheffing_bespreken",
        True,
        {
            "belemmeringen_leren": ("pijn_vermoeidheid",),
            "beperking_duur": "blijvend",
            "ervaren_gezondheid": "slecht",
        },
        "gezondheid.ontheffing_bespreken",
        True,
    ),
    (
        "s6_ontheffing_bespreken",
        False,
        {
            "belemmeringen_leren": ("zien",),
            "beperking_duur": "blijvend",
            "ervaren_gezondheid": "goed",
            "medische_ontheffing_overwegen": False,
        },
        "gezondheid.ontheffing_bespreken",
        None,
    ),
    (
        "verwijzing_huisarts",
        True,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("huisarts",)},
        "gezondheid.verwijzing",
        ["huisarts"],
    ),
    (
        "verwijzing_huisarts",
        False,
        {"psychische_klachten_signaal": False, "doorverwezen_naar": ("huisarts",)},
        "gezondheid.verwijzing",
        None,
    ),
    (
        "verwijzing_huisarts",
        False,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("huisarts", "niet_gewenst")},
        "gezondheid.verwijzing",
        None,
    ),
    (
        "verwijzing_praktijkondersteuner",
        True,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("praktijkondersteuner",)},
        "gezondheid.verwijzing",
        ["praktijkondersteuner"],
    ),
    (
        "verwijzing_praktijkondersteuner",
        False,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("huisarts",)},
        "gezondheid.verwijzing",
        ["huisarts"],
    ),
    (
        "verwijzing_maatschappelijk_werk",
        True,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("maatschappelijk_werk",)},
        "gezondheid.verwijzing",
        ["maatschappelijk_werk"],
    ),
    (
        "verwijzing_maatschappelijk_werk",
        False,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("anders",)},
        "gezondheid.verwijzing",
        None,
    ),
    # GZA: the care at the COA location, its own value (not ggz)
    (
        "verwijzing_gza",
        True,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("gza",)},
        "gezondheid.verwijzing",
        ["gza"],
    ),
    (
        "verwijzing_gza",
        False,
        {"psychische_klachten_signaal": True, "doorverwezen_naar": ("gza", "niet_gewenst")},
        "gezondheid.verwijzing",
        None,
    ),
    # grounds to extend the termijn (DUO decides; the plan names them)
    (
        "verlenging_zwangerschap",
        True,
        {"zwangerschap": True},
        "verlenging.gronden",
        ["zwangerschap"],
    ),
    ("verlenging_zwangerschap", False, {"zwangerschap": False}, "verlenging.gronden", None),
    (
        "verlenging_alfabetisering",
        True,
        {"geletterdheid": "analfabeet"},
        "verlenging.gronden",
        ["alfabetisering"],
    ),
    ("verlenging_alfabetisering", False, {"geletterdheid": "latijns"}, "verlenging.gronden", None),
    (
        "verlenging_opleiding",
        True,
        {"nl_onderwijs_ingeschreven": True},
        "verlenging.gronden",
        ["opleiding_afmaken"],
    ),
    (
        "verlenging_opleiding",
        False,
        {"nl_onderwijs_ingeschreven": False},
        "verlenging.gronden",
        None,
    ),
    (
        "verlenging_ziekte",
        True,
        {"medische_ontheffing_overwegen": True},
        "verlenging.gronden",
        ["ziekte"],
    ),
    (
        "verlenging_ziekte",
        False,
        {"medische_ontheffing_overwegen": False},
        "verlenging.gronden",
        None,
    ),
    # purposes the plan now delivers: debt help, VVE sign-up help
    ("schuldhulp", True, {"schulden": True, "schuldhulp_gewenst": True}, "begeleiding", ANY),
    ("schuldhulp", False, {"schulden": True, "schuldhulp_gewenst": False}, "begeleiding", ANY),
    (
        "vve_aanmelding",
        True,
        {
            "gezinsleden": [{"gezinslid_relatie": "kind", "gezinslid_geboortejaar": 2023}],
            "vve_aanmelding_hulp": True,
        },
        "begeleiding",
        ANY,
    ),
    (
        "vve_aanmelding",
        False,
        {
            "gezinsleden": [{"gezinslid_relatie": "kind", "gezinslid_geboortejaar": 2023}],
            "vve_aanmelding_hulp": False,
        },
        "begeleiding",
        ANY,
    ),
    # a move after afschalen keeps A2 (Besluit art. 5.5, H12)
    (
        "eerder_pip_afgeschaald",
        True,
        {"eerder_pip": True, "eerder_pip_leerroute": "b1", "eerder_pip_niveau": "a2"},
        "niveau",
        "A2",
    ),
    (
        "eerder_pip_afgeschaald",
        False,
        {"eerder_pip": True, "eerder_pip_leerroute": "b1", "eerder_pip_niveau": "b1"},
        "niveau",
        ANY,
    ),
    # support
    (
        "begeleiding_zien_horen",
        True,
        {"belemmeringen_leren": ("horen",)},
        "begeleiding",
        ["aangepast_examen", "toegankelijk_lesmateriaal"],
    ),
    (
        "begeleiding_zien_horen",
        True,
        {"aanpassingen_nodig": ("grote_letters",)},
        "begeleiding",
        ["aangepast_examen", "toegankelijk_lesmateriaal"],
    ),
    ("begeleiding_zien_horen", False, {"belemmeringen_leren": ("geen",)}, "begeleiding", None),
    (
        "begeleiding_aangepast_examen",
        True,
        {"aanpassingen_nodig": ("aangepast_examen",)},
        "begeleiding",
        ["aangepast_examen"],
    ),
    (
        "begeleiding_aangepast_examen",
        False,
        {"aanpassingen_nodig": ("extra_pauzes",)},
        "begeleiding",
        None,
    ),
    ("begeleiding_diplomawaardering", True, ABROAD_MBO, "begeleiding", ["diplomawaardering"]),
    (
        "begeleiding_diplomawaardering",
        False,
        {"opleidingen": [{**ABROAD_MBO["opleidingen"][0], "opleiding_land": "NL"}]},
        "begeleiding",
        None,
    ),
    (
        "begeleiding_diplomawaardering",
        False,
        {
            "opleidingen": [
                {**ABROAD_MBO["opleidingen"][0], "opleiding_diplomawaardering": "ontvangen"}
            ]
        },
        "begeleiding",
        None,
    ),
    (
        "begeleiding_contact_uaf",
        True,
        {**ASIEL, "opleidingen": [{"opleiding_niveau": HIGH}]},
        "begeleiding",
        ["contact_uaf"],
    ),
    (
        "begeleiding_contact_uaf",
        True,
        {**ASIEL, "ambitie_opleiding": True, "gewenste_opleiding_niveau": "wo"},
        "begeleiding",
        ["contact_uaf"],
    ),
    (
        "begeleiding_contact_uaf",
        False,
        {**ASIEL, "contact_uaf": True, "opleidingen": [{"opleiding_niveau": HIGH}]},
        "begeleiding",
        None,
    ),
    (
        "begeleiding_contact_uaf",
        False,
        {**GEZIN, "opleidingen": [{"opleiding_niveau": HIGH}]},
        "begeleiding",
        None,
    ),
    (
        "begeleiding_budgetcursus",
        True,
        {"budgetcursus_gewenst": True},
        "begeleiding",
        ["budgetcursus"],
    ),
    ("begeleiding_budgetcursus", False, {"budgetcursus_gewenst": False}, "begeleiding", None),
    (
        "begeleiding_kinderopvang",
        True,
        {"zorgtaken": ("jonge_kinderen",), "kinderopvang_nodig": True},
        "begeleiding",
        ["kinderopvang_regelen"],
    ),
    (
        "begeleiding_kinderopvang",
        False,
        {"zorgtaken": ("geen",), "kinderopvang_nodig": True},
        "begeleiding",
        None,
    ),
    (
        "begeleiding_digitale_vaardigheden",
        True,
        {"ict_vaardigheid": "geen"},
        "begeleiding",
        ["digitale_vaardigheden"],
    ),
    ("begeleiding_digitale_vaardigheden", False, {"ict_vaardigheid": "goed"}, "begeleiding", None),
    (
        "begeleiding_tolk",
        True,
        {"tolk_ingezet": True, "nederlands_niveau_inschatting": "a0"},
        "begeleiding",
        ["tolk_bij_gesprekken"],
    ),
    (
        "begeleiding_tolk",
        False,
        {"tolk_ingezet": True, "nederlands_niveau_inschatting": "a2"},
        "begeleiding",
        None,
    ),
    (
        "begeleiding_taalmaatje",
        True,
        {"vrijwilligersmaatje": "gewenst"},
        "begeleiding",
        ["taalmaatje"],
    ),
    ("begeleiding_taalmaatje", False, {"vrijwilligersmaatje": "ja"}, "begeleiding", None),
    (
        "begeleiding_fietsles",
        True,
        {"mobiliteit": ("lopen",), "fietsles_gewenst": True},
        "begeleiding",
        ["fietsles"],
    ),
    (
        "begeleiding_fietsles",
        False,
        {"mobiliteit": ("fiets",), "fietsles_gewenst": True},
        "begeleiding",
        None,
    ),
    ("maatschappelijke_begeleiding_asiel", True, ASIEL, "maatschappelijke_begeleiding", True),
    ("maatschappelijke_begeleiding_asiel", False, GEZIN, "maatschappelijke_begeleiding", None),
    # ontzorgen (Participatiewet art. 56a)
    ("ontzorgen_asiel_bijstand", True, ONTZORGEN, "ontzorgen.van_toepassing", True),
    ("ontzorgen_asiel_bijstand", True, ONTZORGEN, "ontzorgen.van", dt.date(2026, 9, 1)),
    ("ontzorgen_asiel_bijstand", True, ONTZORGEN, "ontzorgen.machtiging_getekend", True),
    (
        "ontzorgen_asiel_bijstand",
        True,
        {
            **ONTZORGEN,
            "verblijfsvergunning_soort": "asiel_nareiziger",
            "ontzorgen_machtiging_getekend": False,
        },
        "ontzorgen.machtiging_getekend",
        False,
    ),
    (
        "ontzorgen_asiel_bijstand",
        False,
        {**ONTZORGEN, "verblijfsvergunning_soort": "regulier_gezin"},
        "ontzorgen.van_toepassing",
        False,
    ),
    ("ontzorgen_asiel_bijstand", False, {**ONTZORGEN, "bijstand": False}, "ontzorgen.van", None),
    ("ontzorgen_huur", True, ONTZORGEN, "ontzorgen.vaste_lasten", list(ALL_COSTS)),
    (
        "ontzorgen_huur",
        False,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("water",)},
        "ontzorgen.vaste_lasten",
        ["water"],
    ),
    (
        "ontzorgen_energie",
        True,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("energie",)},
        "ontzorgen.vaste_lasten",
        ["energie"],
    ),
    (
        "ontzorgen_energie",
        False,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("huur",)},
        "ontzorgen.vaste_lasten",
        ["huur"],
    ),
    (
        "ontzorgen_water",
        True,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("water",)},
        "ontzorgen.vaste_lasten",
        ["water"],
    ),
    (
        "ontzorgen_water",
        False,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("energie",)},
        "ontzorgen.vaste_lasten",
        ["energie"],
    ),
    (
        "ontzorgen_zorgverzekering",
        True,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("zorgverzekering",)},
        "ontzorgen.vaste_lasten",
        ["zorgverzekering"],
    ),
    (
        "ontzorgen_zorgverzekering",
        False,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("huur", "water")},
        "ontzorgen.vaste_lasten",
        ["huur", "water"],
    ),
    (
        "ontzorgen_vaste_lasten_onvolledig",
        True,
        {**ONTZORGEN, "ontzorgen_vaste_lasten": ("huur",)},
        "ontzorgen.vaste_lasten",
        ["huur"],
    ),
    (
        "ontzorgen_vaste_lasten_onvolledig",
        False,
        ONTZORGEN,
        "ontzorgen.vaste_lasten",
        list(ALL_COSTS),
    ),
    (
        "ontzorgen_vergunning_onbekend",
        True,
        {"doelgroep": "asielstatushouder", "verblijfsvergunning_soort": UNKNOWN, "bijstand": True},
        "ontzorgen.van_toepassing",
        None,
    ),
    ("ontzorgen_vergunning_onbekend", False, ONTZORGEN, "ontzorgen.van_toepassing", True),
    ("ontzorgen_niet_van_toepassing", True, GEZIN, "ontzorgen.van_toepassing", False),
    (
        "ontzorgen_niet_van_toepassing",
        True,
        {**ASIEL, "bijstand": False},
        "ontzorgen.van_toepassing",
        False,
    ),
    (
        "ontzorgen_niet_van_toepassing",
        True,
        {
            "doelgroep": "asielstatushouder",
            "verblijfsvergunning_soort": "regulier_gezin",
            "bijstand": True,
        },
        "ontzorgen.van_toepassing",
        False,
    ),
    ("ontzorgen_niet_van_toepassing", False, ONTZORGEN, "ontzorgen.van_toepassing", True),
    # family
    (
        "vve_informatie_kinderen",
        True,
        {"gezinsleden": [{"gezinslid_relatie": "kind", "gezinslid_geboortejaar": 2023}]},
        "vve_informatie",
        True,
    ),
    (
        "vve_informatie_kinderen",
        False,
        {"gezinsleden": [{"gezinslid_relatie": "kind", "gezinslid_geboortejaar": 2012}]},
        "vve_informatie",
        None,
    ),
    (
        "vve_informatie_kinderen",
        False,
        {"gezinsleden": [{"gezinslid_relatie": "partner", "gezinslid_geboortejaar": 1990}]},
        "vve_informatie",
        None,
    ),
    # After a voortgangsgesprek: the latest completed one's answers (followup.<id>).
    (
        "uren_na_voortgang",
        True,
        {
            "followup.pip_bijstellen": "ja",
            "followup.pip_bijstellen_onderdelen": ("intensiteit",),
            "followup.wijziging_uren_per_week": 12,
        },
        "participatie.uren_per_week",
        12,
    ),
    (
        "uren_na_voortgang",
        False,
        {  # hours were wished for, but the PIP's hours are not what is changed
            "followup.pip_bijstellen": "ja",
            "followup.pip_bijstellen_onderdelen": ("begeleiding",),
            "followup.wijziging_uren_per_week": 12,
        },
        "participatie.uren_per_week",
        ANY,
    ),
    (
        "taalmaatje_na_voortgang",
        True,
        {"followup.voortgang_taal": "achter"},
        "begeleiding",
        ANY,
    ),
    (
        "taalmaatje_na_voortgang",
        False,
        {"followup.voortgang_taal": "op_schema"},
        "begeleiding",
        ANY,
    ),
]


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
