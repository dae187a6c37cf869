"""Persona 6, Hodan (`docs/personas.md`): the answers of the brede intake."""

from __future__ import annotations

from intake_tui.personas.base import Persona, _a, _confirm, _d

HODAN = Persona(
    key="hodan",
    given_name="Hodan",
    family_name="Warsame",
    client_language="so",
    interpreter=(True, "fysiek", "so"),
    duo_notice_date=_d("2026-10-22"),
    stage="in_progress",
    expected=(
        "LBT overgeslagen (visuele beperking, Wet art. 14 lid 6) als reden dat er geen uitslag "
        "is; route voorgesteld op grond van opleiding en taal met die reden erbij (of aan de "
        "regievoerder, met uitleg); aangepast examen en toegankelijk materiaal onder begeleiding; "
        "ontzorgen; hoofddoel werk."
    ),
    answers=(
        # Opening
        _a("datum_intake", _d("2026-11-26")),
        _confirm("gesprekstaal", "so"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "fysiek"),
        _confirm("tolk_taal", "so"),
        _a("aanwezigen", ("begeleider",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("individueel_gesprek_gewenst", False),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "so"),
        _a("informatie_datum", _d("2026-11-26")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("vluchtelingenwerk", "taalaanbieder")),
        # Identificatie
        _confirm("voornamen", "Hodan"),
        _confirm("achternaam", "Warsame"),
        _a("bsn", "991716292"),
        _a("geboortedatum", _d("1996-02-17")),
        _a("geslacht", "vrouw"),
        _a("nationaliteit", ("SO",)),
        _a("doelgroep", "asielstatushouder"),
        _a("verblijfsvergunning_soort", "asiel"),
        _a("datum_start_inburgeringsplicht", _d("2026-08-13")),
        _a("datum_kennisgeving_duo", _d("2026-10-22")),
        _a("woonsituatie", "huurwoning"),
        _a("datum_vestiging_gemeente", _d("2026-10-01")),
        _a("eerder_pip", False),
        # Taal
        _a("moedertaal", "so"),
        _a("overige_taal", "en", 0),
        _a("overige_taal_niveau", "goed", 0),
        _a("geletterdheid", "latijns"),
        _a("schrift", ("latijns",)),
        _a("nederlands_niveau_inschatting", "a0"),
        _a("engels_niveau", "b1"),
        _a("ict_vaardigheid", "goed"),
        # Leerbaarheidstoets: skipped, visual impairment
        _a("lbt_status", "overgeslagen"),
        _a("lbt_overslaan_reden", "visueel"),
        _a(
            "lbt_overslaan_toelichting",
            "Ziet niets sinds de kindertijd; de toets is visueel en kan niet worden afgenomen.",
        ),
        # Opleiding: completed secondary school
        _a("opleiding_niveau", "vo_boven", 0),
        _a("opleiding_land", "SO", 0),
        _a("opleiding_van_jaar", 2008, 0),
        _a("opleiding_tot_jaar", 2014, 0),
        _a("opleiding_afgerond", True, 0),
        _a("opleiding_diploma", "achtergebleven", 0),
        _a("opleiding_voertaal", "en", 0),
        _a("jaren_onderwijs", 12),
        _a("hoogst_afgeronde_opleiding", "vo_boven"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk
        _a("werk_nl_huidig", False),
        # Persoonlijke omstandigheden
        _a("burgerlijke_staat", "ongehuwd"),
        _a("zorgtaken", ("geen",)),
        _a("bijstand", True),
        _a("datum_start_bijstand", _d("2026-10-01")),
        _a("ontzorgen_machtiging_getekend", True),
        _a("ontzorgen_machtiging_datum", _d("2026-11-26")),
        _a("ontzorgen_vaste_lasten", ("huur", "energie", "water", "zorgverzekering")),
        # Gezondheid: functional limits only
        _a("ervaren_gezondheid", "goed"),
        _a("belemmeringen_leren", ("zien",)),
        _a(
            "belemmeringen_toelichting",
            "Blind sinds de kindertijd; leest met brailleleesregel en voorleessoftware.",
        ),
        _a("beperking_duur", "blijvend"),
        _a("aanpassingen_nodig", ("brailleleesregel_voorlezen", "aangepast_examen")),
        _a("psychische_klachten_signaal", False),
        _a("medische_ontheffing_overwegen", False),
        # Participatie started; the afsluiting follows at the next appointment
        _a("hoofddoel", "werk"),
    ),
)
