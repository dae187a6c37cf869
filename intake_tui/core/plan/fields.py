"""The fields of a draft PIP (persoonlijk plan inburgering en participatie) and their types.

One registry says which fields a plan has, what values each may take, and in which section of
the plan it appears. Rules (plan.yaml), overrides by the caseworker and the export all name
fields by these keys, and every value is checked against its field's type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

Leerroute = Literal["B", "O", "Z"]
"""DUO's codes: B1-route (Wet art. 7), onderwijsroute (art. 8), zelfredzaamheidsroute (art. 9)."""

Section = Literal[
    "leerroute", "onderdelen", "participatie", "ondersteuning", "financien", "gezin", "planning"
]


@dataclass(frozen=True)
class FieldSpec:
    """One field of the plan: its type, whether rules add to it (lists), and its section."""

    key: str
    type: Any
    section: Section
    is_list: bool = False
    special: bool = False  # the value itself is health data (AVG art. 9): withheld in plain exports

    def adapter(self) -> TypeAdapter[Any]:
        return _ADAPTERS[self.key]


def _spec(
    key: str, type_: Any, section: Section, *, is_list: bool = False, special: bool = False
) -> FieldSpec:
    return FieldSpec(key, type_, section, is_list, special)


ACTIVITY = Literal[
    "duaal_traject", "werk", "vrijwilligerswerk", "stage", "onderwijs", "schakeltraject"
]
SUPPORT = Literal[
    "aangepast_examen",
    "toegankelijk_lesmateriaal",
    "tolk_bij_gesprekken",
    "kinderopvang_regelen",
    "digitale_vaardigheden",
    "budgetcursus",
    "diplomawaardering",
    "contact_uaf",
    "taalmaatje",
    "fietsles",
    "schuldhulp",
    "vve_aanmelding",
]
# gza: Gezondheidszorg Asielzoekers, the care at the COA location (not GGZ)
# (no "ggz": no question records such a referral; POH-GGZ is the praktijkondersteuner)
REFERRAL = Literal["huisarts", "praktijkondersteuner", "maatschappelijk_werk", "gza"]
EXTENSION = Literal["ziekte", "zwangerschap", "alfabetisering", "opleiding_afmaken"]
FIXED_COST = Literal["huur", "energie", "water", "zorgverzekering"]


class Goal(TypedDict):
    """An ontwikkelwens (development wish) or aandachtspunt (point of attention) with its
    sub-goals and dates, as the intake recorded it (GGM Ontwikkelwens / Aandachtspunt)."""

    omschrijving: str
    subdoelen: str | None
    start: dt.date | None
    eind: dt.date | None


FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        _spec("leerroute", Leerroute, "leerroute"),
        _spec("niveau", Literal["A2", "B1"], "leerroute"),
        _spec("geschatte_intensiteit", int, "leerroute"),
        _spec("alfabetisering", Literal["A", "AA", "NVT"], "leerroute"),
        _spec("mag_opleiding_afmaken", bool, "leerroute"),
        _spec("hoofddoel", Literal["werk", "onderwijs", "participatie"], "leerroute"),
        _spec("pvt.uren", int, "onderdelen"),
        _spec("pvt.vorm", Literal["groep", "individueel"], "onderdelen"),
        _spec("map.van_toepassing", bool, "onderdelen"),
        _spec("map.uren", int, "onderdelen"),
        _spec("map.vorm", Literal["groep", "individueel", "werkplek"], "onderdelen"),
        _spec("knm.vorm", Literal["examen", "cursus"], "onderdelen"),
        _spec("knm.uren", int, "onderdelen"),
        _spec("taal.uren", int, "onderdelen"),
        _spec("participatie.activiteiten", ACTIVITY, "participatie", is_list=True),
        _spec("participatie.uren_per_week", int, "participatie"),
        _spec("participatie.uren_totaal", int, "participatie"),
        _spec("begeleiding", SUPPORT, "ondersteuning", is_list=True),
        _spec("maatschappelijke_begeleiding", bool, "ondersteuning"),
        _spec("gezondheid.verwijzing", REFERRAL, "ondersteuning", is_list=True, special=True),
        _spec("gezondheid.ontheffing_bespreken", bool, "ondersteuning", special=True),
        _spec("ontzorgen.van_toepassing", bool, "financien"),
        _spec("ontzorgen.van", dt.date, "financien"),
        _spec("ontzorgen.tot", dt.date, "financien"),
        _spec("ontzorgen.vaste_lasten", FIXED_COST, "financien", is_list=True),
        _spec("ontzorgen.machtiging_getekend", bool, "financien"),
        _spec("vve_informatie", bool, "gezin"),
        _spec("ontwikkelwensen", Goal, "participatie", is_list=True),
        _spec("aandachtspunten", Goal, "ondersteuning", is_list=True),
        _spec("contactpersoon.naam", str, "planning"),
        _spec("contactpersoon.email", str, "planning"),
        _spec("contactpersoon.telefoon", str, "planning"),
        _spec("pip_uiterlijk", dt.date, "planning"),
        # months after the dagtekening, as text ("3, 6, 12": the export schema has no int lists)
        _spec("voortgangsgesprekken.schema", str, "planning"),
        _spec("voortgangsgesprekken", dt.date, "planning", is_list=True),  # dates, once final
        # The law's facts (core/plan/legal_rules.py): where the termijn comes from, the AOW date
        # and the decision it asks, DUO's vrijstelling, grounds to extend, the bezwaar clause.
        _spec("termijn_bron", Literal["berekend", "duo"], "planning"),
        _spec("aow_datum", dt.date, "planning"),
        _spec("aow_binnen_termijn", bool, "planning"),
        _spec(
            "aow_beslissing",
            Literal["traject_tot_aow", "aangepast_traject", "geen_inburgeringsplicht"],
            "planning",
        ),
        _spec(
            "vrijstelling.duo",
            Literal["vrijgesteld", "niet_vrijgesteld", "niet_van_toepassing"],
            "leerroute",
        ),
        _spec("verlenging.gronden", EXTENSION, "planning", is_list=True),
        _spec("bezwaar.clausule", str, "planning"),
        _spec("bezwaar.gemeente", str, "planning"),  # filled into the clause (config.toml)
        _spec("bezwaar.adres", str, "planning"),
    )
}

_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    key: TypeAdapter(list[spec.type] if spec.is_list else spec.type)  # type: ignore[name-defined]
    for key, spec in FIELDS.items()
}
_ITEM_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    key: TypeAdapter(spec.type) for key, spec in FIELDS.items() if spec.is_list
}


def value_codes(key: str) -> tuple[str, ...]:
    """The codes a field's values are drawn from (its Literal); () for free values."""
    return tuple(str(code) for code in getattr(FIELDS[key].type, "__args__", ()))


class FieldValueError(ValueError):
    """A value does not fit its plan field; the message says what would."""


def check_value(key: str, value: object, *, item: bool = False) -> Any:
    """`value` as the field's type (a date from "YYYY-MM-DD" too); FieldValueError otherwise."""
    spec = FIELDS.get(key)
    if spec is None:
        raise FieldValueError(f"unknown plan field {key!r}")
    adapter = _ITEM_ADAPTERS[key] if item else _ADAPTERS[key]
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise FieldValueError(f"{key}: {first['msg']}") from None


def to_json(value: Any) -> Any:
    """A plan value in its JSON form (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value
