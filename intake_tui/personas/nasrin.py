"""Persona 7, Nasrin (issue 14; not in docs/personas.md): moved here with an earlier PIP."""

from __future__ import annotations

from intake_tui.core import UNKNOWN
from intake_tui.personas.base import Persona, _a, _confirm, _d

NASRIN = Persona(
    key="nasrin",
    given_name="Nasrin",
    family_name="Rahimi",
    client_language="fa",
    interpreter=(True, "video", "fa"),
    # DUO's notice came in her first gemeente; the PIP there was made in time.
    duo_notice_date=_d("2025-02-27"),
    stage="finalized",
    expected=(
        "Gewijzigd PIP na verhuizing: de B1-route en niveau B1 van het PIP uit Zwolle blijven "
        "(beslissing met reden); de termijn loopt van 02-05-2025 tot en met 01-05-2028 (dag na "
        "de dagtekening van het eerste PIP); geschatte intensiteit (asiel + B1); MAP op de "
        "werkplek; geen ontzorgen (geen bijstand); hoofddoel werk."
    ),
    decisions=(
        (
            "leerroute",
            "B",
            "Na de verhuizing uit Zwolle blijft de B1-route van het PIP van 01-05-2025 gelden; "
            "de LBT (34 van 40) en haar werk in de apotheek passen daarbij.",
        ),
    ),
    answers=(
        # Opening
        _a("datum_intake", _d("2026-10-21")),
        _confirm("gesprekstaal", "fa"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "video"),
        _confirm("tolk_taal", "fa"),
        _a("aanwezigen", ("niemand",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("individueel_gesprek_gewenst", False),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "fa"),
        _a("informatie_datum", _d("2026-10-21")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("taalaanbieder",)),
        # Identificatie: an asylum permit holder, first housed in Zwolle
        _confirm("voornamen", "Nasrin"),
        _confirm("achternaam", "Rahimi"),
        _a("bsn", "163726516"),
        _a("v_nummer", "8204417356"),
        _a("geboortedatum", _d("1988-04-22")),
        _a("geslacht", "vrouw"),
        _a("emailadres", "nasrin.rahimi@example.org"),
        _a("nationaliteit", ("IR",)),
        _a("geboorteland", "IR"),
        _a("doelgroep", "asielstatushouder"),
        _a("gedetailleerde_doelgroep", "asielstatushouder"),
        _a("verblijfsvergunning_soort", "asiel"),
        _a("datum_start_inburgeringsplicht", _d("2025-01-16")),
        _a("datum_kennisgeving_duo", _d("2025-02-27")),
        _a("datum_inschrijving_brp", _d("2024-12-10")),
        _a("woonsituatie", "huurwoning"),
        _a("datum_vestiging_gemeente", _d("2026-06-15")),
        _a("digid", "actief"),
        _a("rijbewijs", True),
        _a("rijbewijs_land", "IR"),
        # Her earlier PIP: Zwolle, B1-route at B1; DUO's end of the termijn not looked up yet
        _a("eerder_pip", True),
        _a("eerder_pip_gemeente", "Zwolle"),
        _a("eerder_pip_dagtekening", _d("2025-05-01")),
        _a("eerder_pip_leerroute", "b1"),
        _a("eerder_pip_niveau", "b1"),
        _a("einddatum_termijn_duo", UNKNOWN),
        _a("afschalen_uren_keurmerk", 420),
        _a("afschalen_voldoende_inspanning", True),
        _a(
            "afschalen_inspanning_toelichting",
            "Aanwezigheid 95% volgens de taalschool in Zwolle; examens lezen en luisteren op A2 "
            "gehaald.",
        ),
        # Taal
        _a("moedertaal", "fa"),
        _a("overige_taal", "en", 0),
        _a("overige_taal_niveau", "goed", 0),
        _a("geletterdheid", "latijns"),
        _a("schrift", ("latijns", "arabisch")),
        _a("nederlands_niveau_inschatting", "a2"),
        _a("engels_niveau", "b1"),
        _a("voorinburgering_gevolgd", True),
        _a("voorinburgering_uren", 60),
        _a("voorinburgering_groep", "midden_hoog"),
        _a("ict_vaardigheid", "goed"),
        # Leerbaarheidstoets: taken before the first PIP, in Zwolle
        _a("lbt_status", "afgenomen"),
        _a("lbt_datum_afname", _d("2025-03-18")),
        _a("lbt_instructietaal", "fa"),
        _a("lbt_behaalde_score", 34),
        _confirm("lbt_benodigde_score", 28),
        _confirm("lbt_resultaat", "haalbaar"),
        # Opleiding
        _a("opleiding_niveau", "hbo_bachelor", 0),
        _a("opleiding_richting", "Farmacie", 0),
        _a("opleiding_land", "IR", 0),
        _a("opleiding_van_jaar", 2006, 0),
        _a("opleiding_tot_jaar", 2010, 0),
        _a("opleiding_afgerond", True, 0),
        _a("opleiding_diploma", "ja", 0),
        _a("opleiding_voertaal", "fa", 0),
        _a("opleiding_diplomawaardering", "aangevraagd", 0),
        _a("jaren_onderwijs", 16),
        _a("hoogst_afgeronde_opleiding", "hbo_bachelor"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        _a("nl_certificaat_b1", False),
        # Werk: the job that brought her here
        _a("werk_beroep", "Apotheker in een ziekenhuisapotheek", 0),
        _a("werk_sector", "zorg", 0),
        _a("werk_land", "IR", 0),
        _a("werk_van_jaar", 2011, 0),
        _a("werk_tot_jaar", 2021, 0),
        _a("werk_soort", "loondienst", 0),
        _a("jaren_werkervaring", 10),
        _a("werk_nl_huidig", True),
        _a("werk_nl_uren_per_week", 24),
        _a("cv_gemaakt", True),
        _a("contact_uaf", True),
        _a(
            "werkwens",
            "Als apothekersassistent blijven werken en later de erkenning als apotheker halen.",
        ),
        # Persoonlijke omstandigheden: her sister's family lives here; no bijstand since the job
        _a("burgerlijke_staat", "gescheiden"),
        _a("zorgtaken", ("geen",)),
        _a("bijstand", False),
        _a("bankrekening", True),
        _a("zorgverzekering", True),
        _a("toeslagen", ("zorgtoeslag", "huurtoeslag")),
        _a("schulden", False),
        _a("mobiliteit", ("fiets", "ov")),
        _a("familie_in_nl", True),
        _a(
            "sociaal_netwerk",
            "Haar zus woont met haar gezin in deze gemeente; in Zwolle had ze een taalmaatje.",
        ),
        _a("maatschappelijke_begeleiding", "nee"),
        # Gezondheid
        _a("ervaren_gezondheid", "goed"),
        _a("belemmeringen_leren", ("geen",)),
        _a("psychische_klachten_signaal", False),
        _a("huisarts_ingeschreven", True),
        _a("medische_ontheffing_overwegen", False),
        # Participatie en afsluiting
        _a("hoofddoel", "werk"),
        _a("ontwikkelwens_omschrijving", "Erkenning van haar diploma als apotheker", 0),
        _a("beschikbaar_uren_per_week", 12),
        _a("voorkeur_lestijden", ("avond",)),
        _a("samenvatting_besproken", True),
        _a(
            "vervolgafspraken",
            "PIP en voortgang opgevraagd bij Zwolle; lessen bij een taalschool hier in de avond.",
        ),
    ),
)
