"""Persona 4, Ayşe (`docs/personas.md`): the answers of the brede intake."""

from __future__ import annotations

from intake_tui.personas.base import Persona, _a, _confirm, _d

AYSE = Persona(
    key="ayse",
    given_name="Ayşe",
    family_name="Yıldız",
    client_language="tr",
    interpreter=(True, "video", "tr"),
    duo_notice_date=_d("2026-10-15"),
    stage="finalized",
    expected=(
        "B1-route, B1; MAP en PVT; geen ontzorgen (geen asielstatushouder); geen geschatte "
        "intensiteit (alleen asiel); hoofddoel werk (eigen salon of in loondienst)."
    ),
    answers=(
        # Opening: her husband is present; she chooses to speak part of it alone
        _a("datum_intake", _d("2026-11-12")),
        _confirm("gesprekstaal", "tr"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "video"),
        _confirm("tolk_taal", "tr"),
        _a("aanwezigen", ("partner",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("individueel_gesprek_gewenst", True),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "tr"),
        _a("informatie_datum", _d("2026-11-12")),
        _a("toestemming_delen", False),
        # Identificatie
        _confirm("voornamen", "Ayşe"),
        _confirm("achternaam", "Yıldız"),
        _a("bsn", "137254933"),
        _a("geboortedatum", _d("1985-08-09")),
        _a("geslacht", "vrouw"),
        _a("nationaliteit", ("TR",)),
        _a("doelgroep", "gezinsmigrant_overig"),
        _a("gedetailleerde_doelgroep", "gezinsvormer"),
        _a("verblijfsvergunning_soort", "regulier_gezin"),
        _a("datum_start_inburgeringsplicht", _d("2026-07-01")),
        _a("datum_kennisgeving_duo", _d("2026-10-15")),
        _a("woonsituatie", "huurwoning"),
        _a("datum_vestiging_gemeente", _d("2026-07-06")),
        _a("digid", "actief"),
        _a("eerder_pip", False),
        # Taal: the basic civic integration exam abroad gave her some A1 Dutch
        _a("moedertaal", "tr"),
        _a("geletterdheid", "latijns"),
        _a("schrift", ("latijns",)),
        _a("nederlands_niveau_inschatting", "a1"),
        _a("engels_niveau", "a0"),
        _a("ict_vaardigheid", "redelijk"),
        # Leerbaarheidstoets
        _a("lbt_status", "afgenomen"),
        _a("lbt_datum_afname", _d("2026-11-03")),
        _a("lbt_behaalde_score", 30),
        _confirm("lbt_benodigde_score", 28),
        _confirm("lbt_resultaat", "haalbaar"),
        # Opleiding
        _a("opleiding_niveau", "mbo", 0),
        _a("opleiding_richting", "Kapper", 0),
        _a("opleiding_land", "TR", 0),
        _a("opleiding_afgerond", True, 0),
        _a("opleiding_diploma", "ja", 0),
        _a("opleiding_diplomawaardering", "gewenst", 0),
        _a("jaren_onderwijs", 11),
        _a("hoogst_afgeronde_opleiding", "mbo"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk
        _a("werk_beroep", "Kapper met eigen salon", 0),
        _a("werk_sector", "persoonlijke_dienstverlening", 0),
        _a("werk_land", "TR", 0),
        _a("werk_van_jaar", 2008, 0),
        _a("werk_tot_jaar", 2023, 0),
        _a("werk_soort", "zelfstandig", 0),
        _a("jaren_werkervaring", 15),
        _a("werk_nl_huidig", False),
        _a("werkwens", "Een eigen kapsalon beginnen, of eerst in loondienst bij een kapper."),
        # Persoonlijke omstandigheden: husband's income, no bijstand
        _a("burgerlijke_staat", "gehuwd"),
        _a("gezinslid_relatie", "partner", 0),
        _a("gezinslid_geboortejaar", 1980, 0),
        _a("gezinslid_in_nl", True, 0),
        _a("gezinslid_inburgeringsplichtig", False, 0),
        _a("zorgtaken", ("geen",)),
        _a("bijstand", False),
        _a("zorgverzekering", True),
        # Gezondheid
        _a("ervaren_gezondheid", "goed"),
        _a("belemmeringen_leren", ("geen",)),
        _a("psychische_klachten_signaal", False),
        _a("medische_ontheffing_overwegen", False),
        # Participatie en afsluiting
        _a("hoofddoel", "werk"),
        _a("ontwikkelwens_omschrijving", "Eigen kapsalon in de gemeente", 0),
        _a("samenvatting_besproken", True),
    ),
)
