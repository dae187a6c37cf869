"""Persona 2, Semhar (`docs/personas.md`): the answers of the brede intake."""

from __future__ import annotations

from intake_tui.core import DECLINED, UNKNOWN
from intake_tui.personas.base import Persona, _a, _confirm, _d

SEMHAR = Persona(
    key="semhar",
    given_name="Semhar",
    family_name="Tesfay",
    client_language="ti",
    interpreter=(True, "fysiek", "ti"),
    duo_notice_date=_d("2026-10-08"),
    stage="finalized",
    expected=(
        "Z-route (800 uur taal + KNM, 800 uur participatie, eindgesprek), geen B1-niveau; "
        "alfabetisering AA; MAP en PVT; participatie-uren rond de kinderopvang gepland; "
        "ontzorgen; VVE-informatie (kind bereikt de VVE-leeftijd binnen de termijn); "
        "doorverwijzing huisarts/POH aangeboden, geen diagnose; hoofddoel participatie."
    ),
    answers=(
        # Opening
        _a("datum_intake", _d("2026-11-05")),
        _confirm("gesprekstaal", "ti"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "fysiek"),
        _confirm("tolk_taal", "ti"),
        _a("aanwezigen", ("kind",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "ti"),
        _a("informatie_datum", _d("2026-11-05")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("vluchtelingenwerk", "vrijwilligers")),
        # Identificatie
        _confirm("voornamen", "Semhar"),
        _confirm("achternaam", "Tesfay"),
        _a("bsn", "127158121"),
        _a("geboortedatum", _d("1999-06-02")),
        _a("geslacht", "vrouw"),
        _a("nationaliteit", ("ER",)),
        _a("doelgroep", "asielstatushouder"),
        _a("verblijfsvergunning_soort", "asiel"),
        _a("datum_start_inburgeringsplicht", _d("2026-08-05")),
        _a("datum_kennisgeving_duo", _d("2026-10-08")),
        _a("woonsituatie", "huurwoning"),
        _a("datum_vestiging_gemeente", _d("2026-09-15")),
        _a("eerder_pip", False),
        # Taal
        _a("moedertaal", "ti"),
        _a("geletterdheid", "anders_gealfabetiseerd"),
        _a("schrift", ("geez",)),
        _a("nederlands_niveau_inschatting", "a0"),
        _a("engels_niveau", "geen"),
        _a("ict_vaardigheid", "basis"),
        # Leerbaarheidstoets
        _a("lbt_status", "afgenomen"),
        _a("lbt_datum_afname", _d("2026-10-27")),
        _a("lbt_instructietaal", "ti"),
        _a("lbt_behaalde_score", 22),
        _confirm("lbt_benodigde_score", 28),
        _confirm("lbt_resultaat", "niet_haalbaar"),
        # Opleiding
        _a("opleiding_niveau", "basis", 0),
        _a("opleiding_land", "ER", 0),
        _a("opleiding_van_jaar", 2006, 0),
        _a("opleiding_tot_jaar", 2009, 0),
        _a("opleiding_afgerond", False, 0),
        _a("jaren_onderwijs", 3),
        _a("hoogst_afgeronde_opleiding", "geen"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk
        _a("werk_nl_huidig", False),
        # Persoonlijke omstandigheden
        _a("burgerlijke_staat", "ongehuwd"),
        _a("gezinslid_relatie", "kind", 0),
        _a("gezinslid_geboortejaar", 2025, 0),
        _a("gezinslid_in_nl", True, 0),
        _a("gezinslid_opvang_school", "geen", 0),
        _a("vve_geinformeerd", True),
        _a("vve_geinformeerd_datum", _d("2026-11-05")),
        _a("vve_aanmelding_hulp", True),
        _a("zorgtaken", ("jonge_kinderen",)),
        _a("kinderopvang_nodig", True),
        _a("bijstand", True),
        _a("datum_start_bijstand", _d("2026-09-15")),
        _a("schulden", DECLINED),
        _a("ontzorgen_machtiging_getekend", True),
        _a("ontzorgen_machtiging_datum", _d("2026-11-05")),
        _a("ontzorgen_vaste_lasten", ("huur", "energie", "water", "zorgverzekering")),
        # Gezondheid: functional limits only, no diagnosis
        _a("ervaren_gezondheid", "matig"),
        _a("belemmeringen_leren", ("pijn_vermoeidheid", "concentratie")),
        _a(
            "belemmeringen_toelichting",
            "Is vaak moe en slaapt onrustig; 's ochtends lukt leren het best, met pauzes.",
        ),
        _a("beperking_duur", UNKNOWN),
        _a("psychische_klachten_signaal", True),
        _a("doorverwezen_naar", ("huisarts", "praktijkondersteuner")),
        _a("medische_ontheffing_overwegen", False),
        # Participatie en afsluiting
        _a("hoofddoel", "participatie"),
        _a("aandachtspunt_thema", "zorgtaken", 0),
        _a(
            "aandachtspunt_omschrijving",
            "Lessen en participatie alleen als de baby opvang heeft",
            0,
        ),
        _a("beschikbaar_uren_per_week", 16),
        _a("voorkeur_lestijden", ("ochtend",)),
        _a("samenvatting_besproken", True),
    ),
)
