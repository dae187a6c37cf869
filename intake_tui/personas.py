"""Six synthetic newcomers for the demo, design work and end-to-end tests.

Everything here is invented: the names, BSNs (made up, but passing the elfproef), V-numbers,
phone numbers, addresses and life stories belong to no real person. The e-mail addresses use the
reserved domain example.org. The people and the plans a regievoerder expects for them come from
`docs/personas.md` (Rami, Semhar, Farid, Ayşe, Abdullah, Hodan).

Dates are relative to a demo "today" (`DEMO_TODAY`, 28 November 2026): the DUO notices are a
few weeks to a few months back, so some PIPs are due soon and one is overdue in the cases table.

Each persona is pure data: the answers a caseworker would type, in the order of the interview,
for the default questionnaire `questionnaires/brede-intake`. `apply` plays them into an
`Interview`; it needs nothing but `intake_tui.core` (no store, no UI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from intake_tui.core import DECLINED, UNKNOWN, Answer, Interview
from intake_tui.core.values import Value

DEMO_TODAY = dt.date(2026, 11, 28)
"""The demo's "today": freeze the clock here (`FrozenClock.on(DEMO_TODAY)`)."""

Stage = Literal["finalized", "in_progress", "new"]


@dataclass(frozen=True)
class PersonaAnswer:
    """One answer as a caseworker enters it.

    `instance` is the 0-based index of the repeat instance (for questions inside a repeat);
    instances are created in order, so index 1 exists only after index 0.
    """

    question_id: str
    value: Answer
    instance: int | None = None
    confirmed: bool = False  # the caseworker confirmed the question's proposed default


@dataclass(frozen=True)
class Persona:
    """A synthetic newcomer and the answers of their brede intake."""

    key: str
    given_name: str
    family_name: str
    client_language: str
    interpreter: tuple[bool, str | None, str | None]  # used, how, language
    duo_notice_date: dt.date
    stage: Stage
    answers: tuple[PersonaAnswer, ...]
    expected: str

    @property
    def display_name(self) -> str:
        """The name on the cases screen: made of the names the new-intake form recorded."""
        return f"{self.given_name} {self.family_name}"

    def case_facts(self) -> dict[str, object]:
        """What the new-intake form records: a question's `default:` reads it as `case.<field>`."""
        used, how, language = self.interpreter
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "client_language": self.client_language,
            "interpreter": used,
            "interpreter_mode": how,
            "interpreter_language": language,
        }

    def answer(self, question_id: str, instance: int | None = None) -> Answer | None:
        """The persona's (last) answer to a question, or None when it has none."""
        found = None
        for item in self.answers:
            if item.question_id == question_id and item.instance == instance:
                found = item.value
        return found


def _a(question_id: str, value: Answer | Value, instance: int | None = None) -> PersonaAnswer:
    answer = value if isinstance(value, Answer) else Answer.of(value)
    return PersonaAnswer(question_id, answer, instance)


def _confirm(question_id: str, value: Value, instance: int | None = None) -> PersonaAnswer:
    """The caseworker confirms what the question proposes (its `default:`), which is `value`."""
    return PersonaAnswer(question_id, Answer.of(value), instance, confirmed=True)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def instance_id(interview: Interview, answer: PersonaAnswer) -> str | None:
    """The interview's instance id for `answer`, adding repeat instances up to its index."""
    if answer.instance is None:
        return None
    repeat = interview.item(answer.question_id).repeat
    if repeat is None:
        raise KeyError(f"{answer.question_id} is not inside a repeat")
    while len(interview.instances(repeat)) <= answer.instance:
        interview.add_instance(repeat)
    return interview.instances(repeat)[answer.instance]


def apply(persona: Persona, interview: Interview) -> None:
    """Enter every answer of `persona` into `interview`, in order (repeats grow as needed).

    The new-intake form's facts come first (as the store gives them to an opened interview);
    an answer marked `confirmed` confirms the question's proposed default, which must be the
    answer the persona expects."""
    for field, fact in persona.case_facts().items():
        interview.case_facts.setdefault(field, fact)
    for answer in persona.answers:
        instance = instance_id(interview, answer)
        if answer.confirmed:
            proposed = interview.proposal(answer.question_id, instance)
            if proposed != answer.value.value:
                raise ValueError(
                    f"{persona.key}: {answer.question_id} proposes {proposed!r}, "
                    f"not {answer.value.value!r}"
                )
            interview.confirm_default(answer.question_id, instance)
        else:
            interview.set_answer(answer.question_id, answer.value, instance)


# -- 1. Rami -------------------------------------------------------------------------------------

_RAMI = Persona(
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

# -- 2. Semhar -----------------------------------------------------------------------------------

_SEMHAR = Persona(
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

# -- 3. Farid ------------------------------------------------------------------------------------

_FARID = Persona(
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

# -- 4. Ayşe -------------------------------------------------------------------------------------

_AYSE = Persona(
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

# -- 5. Abdullah ---------------------------------------------------------------------------------

_ABDULLAH = Persona(
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

# -- 6. Hodan ------------------------------------------------------------------------------------

_HODAN = Persona(
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

PERSONAS: tuple[Persona, ...] = (_RAMI, _SEMHAR, _FARID, _AYSE, _ABDULLAH, _HODAN)
"""The six personas, in the order of `docs/personas.md`."""

_BY_KEY = {persona.key: persona for persona in PERSONAS}


def persona(key: str) -> Persona:
    """The persona with this key ("rami", "semhar", ...); KeyError when there is none."""
    return _BY_KEY[key]


__all__ = [
    "DEMO_TODAY",
    "PERSONAS",
    "Persona",
    "PersonaAnswer",
    "apply",
    "instance_id",
    "persona",
]
