"""Persona 5, Abdullah (`docs/personas.md`): the answers of the brede intake."""

from __future__ import annotations

from intake_tui.core import UNKNOWN
from intake_tui.personas.base import Persona, _a, _confirm, _d

ABDULLAH = Persona(
    key="abdullah",
    given_name="Abdullah",
    family_name="Qasim",
    client_language="ar",
    interpreter=(True, "telefonisch", "ar"),
    duo_notice_date=_d("2026-09-03"),
    stage="in_progress",
    expected=(
        "Nog geen leerroute: beslissing nodig, uitslag LBT ontbreekt; alfabetisering A; "
        "ontzorgen; participatie-uren beperkt tot wat hij aankan (10 uur); gesprek over medische "
        "ontheffing alleen als de beperking blijvend is; PIP kan pas definitief als de route "
        "vaststaat."
    ),
    answers=(
        # Opening
        _a("datum_intake", _d("2026-10-22")),
        _confirm("gesprekstaal", "ar"),
        _confirm("tolk_ingezet", True),
        _confirm("tolk_vorm", "telefonisch"),
        _confirm("tolk_taal", "ar"),
        _a("aanwezigen", ("niemand",)),
        _a("individueel_gesprek_aangeboden", True),
        _a("informatie_intake_gegeven", True),
        _a("privacy_informatie_gegeven", True),
        _a("privacy_informatie_taal", "ar"),
        _a("informatie_datum", _d("2026-10-22")),
        _a("toestemming_delen", True),
        _a("toestemming_delen_met", ("vluchtelingenwerk",)),
        # Identificatie: only the year of birth is known (1 January, as the BRP has it)
        _confirm("voornamen", "Abdullah"),
        _confirm("achternaam", "Qasim"),
        _a("bsn", "133254756"),
        _a("geboortedatum", _d("1974-01-01")),
        _a("geslacht", "man"),
        _a("nationaliteit", ("YE",)),
        _a("doelgroep", "asielstatushouder"),
        _a("verblijfsvergunning_soort", "asiel"),
        _a("datum_start_inburgeringsplicht", _d("2026-07-09")),
        _a("datum_kennisgeving_duo", _d("2026-09-03")),
        _a("woonsituatie", "huurwoning"),
        _a("datum_vestiging_gemeente", _d("2026-08-25")),
        _a("eerder_pip", False),
        # Taal
        _a("moedertaal", "ar"),
        _a("geletterdheid", "analfabeet"),
        _a("nederlands_niveau_inschatting", "geen"),
        _a("engels_niveau", "geen"),
        _a("voorinburgering_gevolgd", True),
        _a("voorinburgering_groep", "analfabeten"),
        _a("ict_vaardigheid", "basis"),
        # Leerbaarheidstoets: registered, not yet taken (on a touchscreen)
        _a("lbt_status", "aangemeld"),
        _a("lbt_examennummer", UNKNOWN),
        _a("lbt_datum_gepland", _d("2026-12-03")),
        # Opleiding: never went to school
        _a("jaren_onderwijs", 0),
        _a("hoogst_afgeronde_opleiding", "geen"),
        _a("ambitie_opleiding", False),
        _a("nl_onderwijs_ingeschreven", False),
        _a("nl_diploma", False),
        # Werk
        _a("werk_beroep", "Boer (eigen land, groente en vee)", 0),
        _a("werk_sector", "landbouw", 0),
        _a("werk_land", "YE", 0),
        _a("werk_soort", "familiebedrijf", 0),
        _a("jaren_werkervaring", 30),
        _a("werk_nl_huidig", False),
        # Persoonlijke omstandigheden
        _a("burgerlijke_staat", "weduwe_weduwnaar"),
        _a("zorgtaken", ("geen",)),
        _a("bijstand", True),
        _a("datum_start_bijstand", _d("2026-08-25")),
        _a("ontzorgen_machtiging_getekend", True),
        _a("ontzorgen_machtiging_datum", _d("2026-10-22")),
        _a("ontzorgen_vaste_lasten", ("huur", "energie", "water", "zorgverzekering")),
        # Gezondheid: functional limits only
        _a("ervaren_gezondheid", "matig"),
        _a("belemmeringen_leren", ("pijn_vermoeidheid",)),
        _a(
            "belemmeringen_toelichting",
            "Pijn bij lang zitten, staan en tillen; kan ongeveer een uur achter elkaar zitten.",
        ),
        _a("beperking_duur", UNKNOWN),
        _a("aanpassingen_nodig", ("extra_pauzes",)),
        _a("belastbaarheid_uren_per_week", 10),
        _a("psychische_klachten_signaal", False),
        _a("medische_ontheffing_overwegen", False),
        _a(
            "gezondheid_ondersteuning",
            "Maakt met de maatschappelijk begeleider een afspraak bij de huisarts. Blijkt de "
            "beperking blijvend, dan een gesprek over medische ontheffing.",
        ),
        # Participatie en afsluiting
        _a("hoofddoel", "participatie"),
        _a("beschikbaar_uren_per_week", 10),
        _a("samenvatting_besproken", True),
        _a("vervolgafspraken", "Leerbaarheidstoets op 3 december; daarna route bespreken."),
        _a("volgende_afspraak_datum", _d("2026-12-10")),
    ),
)
