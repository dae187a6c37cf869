"""Persona 8, Kwame (issue 14; not in docs/personas.md): reaches the AOW age in the termijn."""

from __future__ import annotations

from intake_tui.personas.base import Persona, _a, _confirm, _d

KWAME = Persona(
    key="kwame",
    given_name="Kwame",
    family_name="Asante",
    client_language="en",
    interpreter=(False, None, None),
    duo_notice_date=_d("2026-09-10"),
    stage="finalized",
    expected=(
        "B1-route (LBT haalbaar); AOW-leeftijd op 10-03-2027, binnen de termijn: beslissing "
        "met reden (traject tot de AOW-datum); MAP en PVT; geen ontzorgen (gezinsmigrant); "
        "geen geschatte intensiteit (alleen asiel); vrijwilligerswerk; hoofddoel participatie."
    ),
    decisions=(
        (
            "aow_beslissing",
            "traject_tot_aow",
            "Bereikt de AOW-leeftijd op 10-03-2027, ruim voor het einde van de termijn; daarna "
            "geldt de inburgeringsplicht niet meer. Besproken: taalles, KNM en "
            "vrijwilligerswerk tot die datum.",
        ),
    ),
    answers=(
        # Opening: in English, no interpreter; his wife is present
        _a("datum_intake", _d("2026-10-14")),
        _confirm("gesprekstaal", "en"),
        _confirm("tolk_ingezet", False),
        _a("aanwezigen", ("partner",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("individueel_gesprek_gewenst", False),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "en"),
        _a("informatie_datum", _d("2026-10-14")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("vrijwilligers",)),
        # Identificatie: a family migrant, married to a Dutch woman
        _confirm("voornamen", "Kwame"),
        _confirm("achternaam", "Asante"),
        _a("bsn", "121547280"),
        _a("geboortedatum", _d("1960-03-10")),
        _a("geslacht", "man"),
        _a("emailadres", "kwame.asante@example.org"),
        _a("nationaliteit", ("GH",)),
        _a("geboorteland", "GH"),
        _a("doelgroep", "gezinsmigrant_overig"),
        _a("gedetailleerde_doelgroep", "gezinsvormer"),
        _a("verblijfsvergunning_soort", "regulier_gezin"),
        _a("datum_start_inburgeringsplicht", _d("2026-07-22")),
        _a("datum_kennisgeving_duo", _d("2026-09-10")),
        _a("datum_inschrijving_brp", _d("2026-07-24")),
        _a("woonsituatie", "koopwoning"),
        _a("datum_vestiging_gemeente", _d("2026-07-24")),
        _a("digid", "actief"),
        _a("rijbewijs", True),
        _a("rijbewijs_land", "GH"),
        _a("eerder_pip", False),
        # Taal: Twi at home, English all his working life; A1 Dutch from the exam abroad
        _a("moedertaal", "ak"),
        _a("overige_taal", "en", 0),
        _a("overige_taal_niveau", "moedertaalniveau", 0),
        _a("geletterdheid", "latijns"),
        _a("schrift", ("latijns",)),
        _a("nederlands_niveau_inschatting", "a1"),
        _a("engels_niveau", "b2_plus"),
        _a("ict_vaardigheid", "redelijk"),
        # Leerbaarheidstoets
        _a("lbt_status", "afgenomen"),
        _a("lbt_datum_afname", _d("2026-09-29")),
        _a("lbt_instructietaal", "en"),
        _a("lbt_behaalde_score", 31),
        _confirm("lbt_benodigde_score", 28),
        _confirm("lbt_resultaat", "haalbaar"),
        # Opleiding
        _a("opleiding_niveau", "hbo_bachelor", 0),
        _a("opleiding_richting", "Lerarenopleiding wiskunde", 0),
        _a("opleiding_land", "GH", 0),
        _a("opleiding_van_jaar", 1979, 0),
        _a("opleiding_tot_jaar", 1983, 0),
        _a("opleiding_afgerond", True, 0),
        _a("opleiding_diploma", "ja", 0),
        _a("opleiding_voertaal", "en", 0),
        _a("opleiding_diplomawaardering", "nee", 0),
        _a("jaren_onderwijs", 16),
        _a("hoogst_afgeronde_opleiding", "hbo_bachelor"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk: retired teacher
        _a("werk_beroep", "Docent wiskunde in het voortgezet onderwijs", 0),
        _a("werk_sector", "onderwijs", 0),
        _a("werk_land", "GH", 0),
        _a("werk_van_jaar", 1984, 0),
        _a("werk_tot_jaar", 2023, 0),
        _a("werk_soort", "loondienst", 0),
        _a("jaren_werkervaring", 39),
        _a("werk_nl_huidig", False),
        _a("werkwens", "Geen betaald werk meer; wel vrijwilligerswerk met kinderen en rekenen."),
        # Persoonlijke omstandigheden: his wife's income and house; no bijstand
        _a("burgerlijke_staat", "gehuwd"),
        _a("gezinslid_relatie", "partner", 0),
        _a("gezinslid_geboortejaar", 1962, 0),
        _a("gezinslid_in_nl", True, 0),
        _a("gezinslid_inburgeringsplichtig", False, 0),
        _a("zorgtaken", ("geen",)),
        _a("bijstand", False),
        _a("zorgverzekering", True),
        _a("schulden", False),
        _a("mobiliteit", ("lopen", "ov")),
        _a("fietsles_gewenst", True),
        _a("familie_in_nl", True),
        _a("vrijwilligersmaatje", "gewenst"),
        # Gezondheid: functional limits only, no diagnosis
        _a("ervaren_gezondheid", "redelijk"),
        _a("belemmeringen_leren", ("horen",)),
        _a(
            "belemmeringen_toelichting",
            "Verstaat minder goed in een groot lokaal met veel geluid; vooraan zitten helpt.",
        ),
        _a("beperking_duur", "blijvend"),
        _a("aanpassingen_nodig", ("ringleiding",)),
        _a("psychische_klachten_signaal", False),
        _a("huisarts_ingeschreven", True),
        _a("medische_ontheffing_overwegen", False),
        # Participatie en afsluiting
        _a("hoofddoel", "participatie"),
        _a(
            "hoofddoel_toelichting",
            "Tot zijn AOW-leeftijd Nederlands leren en meedoen in de buurt.",
        ),
        _a("ontwikkelwens_omschrijving", "Huiswerkbegeleiding geven als vrijwilliger", 0),
        _a("beschikbaar_uren_per_week", 16),
        _a("voorkeur_lestijden", ("ochtend", "middag")),
        _a("vrijwilligerswerk_gewenst", "Huiswerkbegeleiding rekenen in de bibliotheek"),
        _a("samenvatting_besproken", True),
        _a(
            "vervolgafspraken",
            "AOW-datum (10-03-2027) besproken: het plan loopt tot die datum.",
        ),
    ),
)
