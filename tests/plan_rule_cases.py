"""The cases of tests/test_plan_rules.py, first half: how an interview is built from a set of
answers, the answer sets the cases share, and the cases of the LBT, the routes, literacy, PVT/MAP,
health and GZA. Each case: (rule id, fires, answers, field, expected value when it fires / value
when it does not)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from intake_tui.core import UNKNOWN, Answer, FrozenClock, Interview
from intake_tui.core.plan import Plan
from intake_tui.core.questionnaire import Bundle

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
]
