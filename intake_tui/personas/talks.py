"""What happened after two of the demo's final plans (issue 19): a voortgangsgesprek Rami had,
with the plan change it led to, and a talk with Kwame brought forward and not yet held.

Pure data like the personas: the answers of the default voortgangsgesprek bundle
(`questionnaires/voortgangsgesprek`), the caseworker's change to the plan with its reason, and
the reschedule with its reason. Everything is invented.
"""

from __future__ import annotations

import datetime as dt

RAMI_TALK_DAY = dt.date(2026, 11, 27)
"""Rami's first voortgangsgesprek, held early: the school reported that speaking lags."""

RAMI_TALK: dict[str, object] = {
    "datum_gesprek": RAMI_TALK_DAY,
    "aanleiding_gesprek": "signaal_school",
    "aanwezigheid": "meestal",
    "voortgang_taal": "achter",
    "voortgang_knm": "op_schema",
    "voortgang_map": "op_schema",
    "voortgang_pvt": "niet_gestart",
    "voortgang_toelichting": "Lezen en schrijven gaan goed; spreken gaat langzamer dan gepland.",
    "rapportage_school_ontvangen": True,
    "rapportage_school_datum": dt.date(2026, 11, 24),
    "rapportage_school_inhoud": "Spreekvaardigheid onder het verwachte niveau; extra oefenen.",
    "rapportage_school_advies": "intensiveren",
    "belemmeringen_soort": ("werk",),
    "belemmering_werk": "Werkt sinds kort 12 uur per week in de bouw, ook in de ochtend.",
    "wijziging_gewenst": ("uren",),
    "wijziging_toelichting": "Meer oefenen met spreken, liefst in de avond naast het werk.",
    "wijziging_uren_per_week": 4,
    "pip_bijstellen": "ja",
    "pip_bijstellen_onderdelen": ("begeleiding",),
    "volgende_gesprek_datum": dt.date(2027, 2, 20),
    "samenvatting_besproken": True,
}
RAMI_AGREEMENTS = (
    {
        "afspraak_wat": "Aanmelden bij een taalmaatje voor spreekoefening",
        "afspraak_wie": "regievoerder",
        "afspraak_wanneer": dt.date(2026, 12, 11),
    },
)

# What the talk changed in the plan (revision 3): plan.yaml's rule taalmaatje_na_voortgang
# adds a taalmaatje (speaking lags), and the caseworker lowers the participation hours with
# this reason (plan field, new value, reason).
RAMI_CHANGE = (
    "participatie.uren_per_week",
    8,
    "Voortgangsgesprek 27-11-2026: werkt sinds november 12 uur per week in de bouw; dat werk "
    "telt mee als participatie, daarom minder uren daarnaast.",
)

KWAME_RESCHEDULED_TO = dt.date(2026, 11, 26)
KWAME_RESCHEDULE_REASON = "Op verzoek van de school eerder, na de rapportage."
