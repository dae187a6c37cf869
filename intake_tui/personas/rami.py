"""Persona 1, Rami (`docs/personas.md`): the answers of the brede intake."""

from __future__ import annotations

from intake_tui.personas.base import Persona, _a, _confirm, _d

RAMI = Persona(
    key="rami",
    given_name="Rami",
    family_name="Haddad",
    client_language="ar",
    interpreter=(True, "telefonisch", "ar"),
    duo_notice_date=_d("2026-09-24"),
    stage="finalized",
    expected=(
        "B1-route, niveau B1, geschatte intensiteit (asiel + B1); MAP en PVT; duaal traject naar "
        "technisch werk (IDW-diplomawaardering, contact UAF); ontzorgen 6 maanden (huur, energie, "
        "water, zorgverzekering) met machtiging; VVE-informatie (kind van 3); alfabetisering "
        "n.v.t.; hoofddoel werk."
    ),
    answers=(
        # Opening
        _a("datum_intake", _d("2026-10-29")),
        _confirm("gesprekstaal", "ar"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "telefonisch"),
        _confirm("tolk_taal", "ar"),
        _a("tolk_kenmerk", "Tolknummer 48213"),
        _a("aanwezigen", ("niemand",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("individueel_gesprek_gewenst", False),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "ar"),
        _a("informatie_datum", _d("2026-10-29")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("uaf", "werkgeversservicepunt")),
        # Identificatie
        _confirm("voornamen", "Rami"),
        _confirm("achternaam", "Haddad"),
        _a("bsn", "183796901"),
        _a("geboortedatum", _d("1992-03-14")),
        _a("geslacht", "man"),
        _a("nationaliteit", ("SY",)),
        _a("doelgroep", "asielstatushouder"),
        _a("verblijfsvergunning_soort", "asiel"),
        _a("datum_start_inburgeringsplicht", _d("2026-08-20")),
        _a("datum_kennisgeving_duo", _d("2026-09-24")),
        _a("woonsituatie", "huurwoning"),
        _a("datum_vestiging_gemeente", _d("2026-09-01")),
        _a("eerder_pip", False),
        # Taal
        _a("moedertaal", "ar"),
        _a("geletterdheid", "latijns"),
        _a("schrift", ("latijns", "arabisch")),
        _a("nederlands_niveau_inschatting", "a0"),
        _a("engels_niveau", "b1"),
        _a("ict_vaardigheid", "goed"),
        # Leerbaarheidstoets
        _a("lbt_status", "afgenomen"),
        _a("lbt_datum_afname", _d("2026-10-13")),
        _a("lbt_behaalde_score", 33),
        _confirm("lbt_benodigde_score", 28),
        _confirm("lbt_resultaat", "haalbaar"),
        # Opleiding
        _a("opleiding_niveau", "hbo_bachelor", 0),
        _a("opleiding_richting", "Civiele techniek", 0),
        _a("opleiding_land", "SY", 0),
        _a("opleiding_afgerond", True, 0),
        _a("opleiding_diploma", "achtergebleven", 0),
        _a("opleiding_diplomawaardering", "gewenst", 0),
        _a("jaren_onderwijs", 16),
        _a("hoogst_afgeronde_opleiding", "hbo_bachelor"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk
        _a("werk_beroep", "Uitvoerder / site engineer", 0),
        _a("werk_sector", "bouw", 0),
        _a("werk_van_jaar", 2014, 0),
        _a("werk_tot_jaar", 2022, 0),
        _a("werk_nl_huidig", False),
        _a("contact_uaf", False),
        _a("werkwens", "Weer in de bouw werken, eerst als werkvoorbereider, later als ingenieur."),
        # Persoonlijke omstandigheden
        _a("burgerlijke_staat", "gehuwd"),
        _a("gezinslid_relatie", "partner", 0),
        _a("gezinslid_in_nl", False, 0),
        _a("gezinslid_nareis_status", "aangevraagd", 0),
        _a("gezinslid_relatie", "kind", 1),
        _a("gezinslid_geboortejaar", 2019, 1),
        _a("gezinslid_in_nl", True, 1),
        _a("gezinslid_relatie", "kind", 2),
        _a("gezinslid_geboortejaar", 2023, 2),
        _a("gezinslid_in_nl", True, 2),
        _a("vve_geinformeerd", True),
        _a("vve_geinformeerd_datum", _d("2026-10-29")),
        _a("zorgtaken", ("jonge_kinderen", "schoolgaande_kinderen")),
        _a("bijstand", True),
        _a("datum_start_bijstand", _d("2026-09-01")),
        _a("ontzorgen_machtiging_getekend", True),
        _a("ontzorgen_machtiging_datum", _d("2026-10-29")),
        _a("ontzorgen_vaste_lasten", ("huur", "energie", "water", "zorgverzekering")),
        # Gezondheid
        _a("ervaren_gezondheid", "goed"),
        _a("belemmeringen_leren", ("geen",)),
        _a("psychische_klachten_signaal", False),
        _a("medische_ontheffing_overwegen", False),
        # Participatie en afsluiting
        _a("hoofddoel", "werk"),
        _a("samenvatting_besproken", True),
    ),
)
