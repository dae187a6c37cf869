"""Persona 3, Farid (`docs/personas.md`): the answers of the brede intake."""

from __future__ import annotations

from intake_tui.core import UNKNOWN
from intake_tui.personas.base import Persona, _a, _confirm, _d

FARID = Persona(
    key="farid",
    given_name="Farid",
    family_name="Ahmadi",
    client_language="prs",
    interpreter=(True, "telefonisch", "fa"),
    duo_notice_date=_d("2026-09-30"),
    stage="in_progress",
    expected=(
        "Onderwijsroute (taalschakeltraject), niveau niet A2; geen MAP; geen geschatte "
        "intensiteit (alleen B1-route); PVT; hoofddoel onderwijs; ontzorgen alleen bij bijstand "
        "(hij heeft nog geen bijstand)."
    ),
    answers=(
        # Opening (Dari: the language lists have no `prs`; Persian `fa` stands for it)
        _a("datum_intake", _d("2026-11-24")),
        _a("gesprekstaal", "fa"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "telefonisch"),
        _confirm("tolk_taal", "fa"),
        _a("aanwezigen", ("begeleider",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("individueel_gesprek_gewenst", False),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "fa"),
        _a("informatie_datum", _d("2026-11-24")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("uaf", "taalaanbieder")),
        # Identificatie
        _confirm("voornamen", "Farid"),
        _confirm("achternaam", "Ahmadi"),
        _a("bsn", "988177869"),
        _a("geboortedatum", _d("2007-05-20")),
        _a("geslacht", "man"),
        _a("nationaliteit", ("AF",)),
        _a("doelgroep", "asielstatushouder"),
        _a("verblijfsvergunning_soort", "asiel"),
        _a("datum_start_inburgeringsplicht", _d("2026-08-27")),
        _a("datum_kennisgeving_duo", _d("2026-09-30")),
        _a("woonsituatie", "azc"),
        _a("coa_locatie_plaats", "Assen"),
        _a("gemeente_koppeling", "0014"),
        _a("datum_koppeling", _d("2026-09-10")),
        _a("verwachte_huisvestingsdatum", UNKNOWN),
        _a("datum_vestiging_gemeente", UNKNOWN),
        _a("eerder_pip", False),
        # Taal
        _a("moedertaal", "fa"),
        _a("overige_taal", "en", 0),
        _a("overige_taal_niveau", "basis", 0),
        _a("geletterdheid", "latijns"),
        _a("schrift", ("arabisch", "latijns")),
        _a("nederlands_niveau_inschatting", "a1"),
        _a("engels_niveau", "a2"),
        _a("voorinburgering_gevolgd", True),
        _a("voorinburgering_groep", "midden_hoog"),
        _a("ict_vaardigheid", "goed"),
        # Leerbaarheidstoets
        _a("lbt_status", "afgenomen"),
        _a("lbt_datum_afname", _d("2026-11-10")),
        _a("lbt_behaalde_score", 36),
        _confirm("lbt_benodigde_score", 28),
        _confirm("lbt_resultaat", "haalbaar"),
        # Opleiding: 11 years of school, secondary not finished
        _a("opleiding_niveau", "vo_boven", 0),
        _a("opleiding_land", "AF", 0),
        _a("opleiding_van_jaar", 2019, 0),
        _a("opleiding_tot_jaar", 2023, 0),
        _a("opleiding_afgerond", False, 0),
        _a("opleiding_niveau", "basis", 1),
        _a("opleiding_land", "AF", 1),
        _a("opleiding_afgerond", True, 1),
        _a("jaren_onderwijs", 11),
        _a("hoogst_afgeronde_opleiding", "basis"),
        _a("ambitie_opleiding", True),
        _a("gewenste_opleiding_niveau", "hbo"),
        _a("gewenste_opleiding_richting", "Verpleegkunde"),
        _a("voltijd_leren_mogelijk", True),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk
        _a("werk_nl_huidig", False),
        # Persoonlijke omstandigheden (no bijstand yet: lives on the COA allowance)
        _a("burgerlijke_staat", "ongehuwd"),
        _a("zorgtaken", ("geen",)),
        _a("bijstand", False),
        _a(
            "sociaal_netwerk",
            "Kwam als alleenstaande minderjarige; had tot zijn 18e een mentor. Vrienden uit de "
            "ISK.",
        ),
        # Gezondheid and participatie not finished: the second appointment is next week
        _a("ervaren_gezondheid", "goed"),
        _a("hoofddoel", "onderwijs"),
    ),
)
