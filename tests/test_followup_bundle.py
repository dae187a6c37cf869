"""The default follow-up bundle voortgangsgesprek: it follows the brede intake, asks what a
progress talk needs with a reason for each answer, and speaks every client language (machine-made,
marked unreviewed)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from benchmarks.scripted import answer_step
from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.bundle_model import Bundle
from intake_tui.core.catalogs import Localizer, coverage, unreviewed_languages
from intake_tui.core.questionnaire import check_bundle, load_bundle
from intake_tui.core.translations import bundle_messages
from intake_tui.core.values import Value

from .conftest import DEFAULT_BUNDLE, REPO

FOLLOWUP_BUNDLE = REPO / "questionnaires" / "voortgangsgesprek"
CLIENT_LANGUAGES = ["ar", "en", "fa", "prs", "so", "ti", "tr"]
HEALTH = ("belemmeringen_soort", "belemmering_gezondheid", "gezondheid_hulp")
COMPONENTS = ("voortgang_taal", "voortgang_knm", "voortgang_map", "voortgang_pvt")


@pytest.fixture(scope="module")
def followup() -> Bundle:
    return load_bundle(FOLLOWUP_BUNDLE)


def test_the_bundle_loads_without_problems_or_warnings() -> None:
    bundle, problems = check_bundle(FOLLOWUP_BUNDLE)
    assert problems == []
    assert bundle is not None
    assert [str(w) for w in bundle.warnings] == []
    assert bundle.id == "voortgangsgesprek"
    assert bundle.version == "1.1.0"  # 1.1.0: the opening shows the plan and the intake
    assert not (FOLLOWUP_BUNDLE / "plan.yaml").exists()


def test_it_follows_the_brede_intake_which_is_an_intake_bundle(followup: Bundle) -> None:
    assert followup.spec.follows == "brede-intake"
    intake = load_bundle(DEFAULT_BUNDLE)
    assert intake.id == followup.spec.follows
    assert intake.spec.follows is None


def test_it_is_offered_in_the_intakes_languages(followup: Bundle) -> None:
    intake = load_bundle(DEFAULT_BUNDLE)
    assert followup.spec.source_language == "nl"
    assert followup.spec.languages == intake.spec.languages


def test_every_catalog_is_complete_current_and_marked_unreviewed(followup: Bundle) -> None:
    rows = {row.language: row for row in coverage(followup)}
    assert sorted(rows) == CLIENT_LANGUAGES
    total = len(bundle_messages(followup))
    for language, row in rows.items():
        assert (row.total, row.translated, row.fuzzy, row.missing, row.obsolete) == (
            total,
            total,
            0,
            0,
            0,
        ), language
        assert row.unreviewed == total, language  # nobody has checked them yet
    assert unreviewed_languages(followup) == CLIENT_LANGUAGES
    for language in CLIENT_LANGUAGES:
        head = (FOLLOWUP_BUNDLE / "translations" / f"{language}.po").read_text("utf-8")
        comment = head.split("msgid", 1)[0]
        assert "Machine-made translation; not reviewed" in comment, language
        assert '"X-Intake-Reviewed: no\\n"' in head, language


@pytest.mark.parametrize("language", ["nl", *CLIENT_LANGUAGES])
def test_no_text_is_empty_or_falls_back_in_any_language(followup: Bundle, language: str) -> None:
    localizer = Localizer(followup)
    for message in bundle_messages(followup):
        shown = localizer.text(message.key, message.source, language)
        assert shown.text.strip(), (language, message.key)
        assert shown.lang == language, (language, message.key)
        if language != "nl":
            assert shown.status == "unreviewed", (language, message.key)
            # a translation keeps the article numbers and the Dutch abbreviations it explains
            for token in re.findall(r"\b(?:PIP|KNM|MAP|PVT|DUO|A2|B1)\b", message.source):
                assert token in shown.text, (language, message.key, token)


def test_health_answers_are_special_category(followup: Bundle) -> None:
    for question in HEALTH:
        assert followup.items[question].question.sensitivity == "special", question
    health_codes = {"gezondheid"}
    assert health_codes <= followup.items["belemmeringen_soort"].choice_codes()
    for item in followup.value_questions():
        if "gezondheid" in item.id:
            assert item.question.sensitivity == "special", item.id


def test_the_summary_must_be_discussed_before_finalizing(followup: Bundle) -> None:
    item = followup.items["samenvatting_besproken"]
    assert item.type == "yes_no"
    assert item.required is True
    assert item.relevant is None
    assert item.for_caseworker


def test_it_asks_about_the_route_per_component_and_the_schools_report(followup: Bundle) -> None:
    items = followup.items
    codes = {"op_schema", "achter", "voor", "niet_van_toepassing"}
    for question in COMPONENTS:
        assert items[question].type == "choice", question
        assert codes <= items[question].choice_codes(), question
        assert items[question].required is True, question
    assert items["aanwezigheid"].type == "choice"
    assert items["uren_taal_knm"].type == "integer"
    assert items["uren_participatie"].type == "integer"
    assert items["rapportage_school_ontvangen"].type == "yes_no"
    report = items["rapportage_school_inhoud"]
    assert report.for_caseworker
    assert report.relevant is not None
    assert "rapportage_school_ontvangen" in (report.question.relevant or "")


def test_obstacles_wishes_and_agreements(followup: Bundle) -> None:
    items = followup.items
    obstacles = items["belemmeringen_soort"]
    assert obstacles.type == "multi_choice"
    assert {"gezondheid", "zorg", "werk", "wonen", "geld", "niets"} <= obstacles.choice_codes()
    assert [c.value for c in obstacles.choices or () if c.exclusive] == ["niets"]
    wishes = items["wijziging_gewenst"]
    assert {"route", "uren", "module", "anders", "geen"} <= wishes.choice_codes()
    assert [c.value for c in wishes.choices or () if c.exclusive] == ["geen"]
    agreements = items["afspraken_lijst"]
    assert agreements.type == "repeat"
    assert set(agreements.children) == {"afspraak_wat", "afspraak_wie", "afspraak_wanneer"}


def test_size_and_purposes(followup: Bundle) -> None:
    values = followup.value_questions()
    assert 25 <= len(values) <= 40
    for item in values:
        purpose = item.question.purpose or ""
        # an article is always named with its law; where none was found the purpose says so
        if "art." in purpose:
            assert "inburgering 2021" in purpose or "AVG" in purpose, item.id
    exports = [i.question.export for i in values if i.question.export]
    assert len(exports) == len(set(exports))


def test_its_roles_are_the_agreements_the_newcomer_takes_home(followup: Bundle) -> None:
    from intake_tui.core.roles import FOLLOW_UP_ROLES

    assert set(followup.roles) == FOLLOW_UP_ROLES
    repeat = followup.roles["agreements"]
    for role in ("agreement", "agreement_who", "agreement_when"):
        assert followup.items[followup.roles[role]].repeat == repeat


def test_the_newcomer_is_addressed_as_u(followup: Bundle) -> None:
    informal = re.compile(r"\b(?:je|jij|jou|jouw)\b", re.IGNORECASE)
    spoken = [i for i in followup.questions if not i.for_caseworker]
    assert len(spoken) >= 15
    for item in spoken:
        for text in (item.question.label, item.question.hint):
            assert not informal.search(text or ""), item.id
            assert "de inburgeraar" not in (text or "").casefold(), item.id
    notes = [i for i in followup.questions if i.type == "note"]
    assert notes and all(i.for_caseworker for i in notes)


def _interview(bundle: Bundle, clock: FrozenClock, **answers: Value) -> Interview:
    interview = Interview(bundle, today=clock.today)
    for question, value in answers.items():
        interview.set_answer(question, Answer.of(value))
    return interview


def test_a_talk_walks_from_the_first_question_to_finalizing(
    followup: Bundle, clock: FrozenClock
) -> None:
    interview = Interview(followup, today=clock.today)
    assert interview.finalize_blockers()  # the required questions are not answered yet
    step = interview.next_step(None)
    answered = 0
    while step is not None:
        item = interview.item(step.id)
        if item.type == "repeat":
            while len(interview.instances(step.id)) < 2:
                interview.add_instance(step.id)
        elif item.holds_value:
            answer = answer_step(interview, step)
            assert answer is not None, step
            interview.set_answer(step.id, answer, step.instance)
            answered += 1
        step = interview.next_step(step)
    assert answered >= 25
    assert interview.finalize_blockers() == []


def test_follow_up_questions_appear_only_when_they_apply(
    followup: Bundle, clock: FrozenClock
) -> None:
    none = _interview(
        followup, clock, rapportage_school_ontvangen=False, belemmeringen_soort=("niets",)
    )
    some = _interview(
        followup, clock, rapportage_school_ontvangen=True, belemmeringen_soort=("gezondheid",)
    )
    for question in ("rapportage_school_inhoud", "rapportage_school_advies"):
        assert not none.is_visible(question) and some.is_visible(question), question
        assert some.is_required(question), question
    for question in ("belemmering_gezondheid", "gezondheid_hulp"):
        assert not none.is_visible(question) and some.is_visible(question), question
    assert not some.is_visible("belemmering_geld")
    on_track = _interview(followup, clock, voortgang_taal="op_schema")
    behind = _interview(followup, clock, voortgang_taal="op_schema", voortgang_pvt="achter")
    assert not on_track.is_required("voortgang_toelichting")
    assert behind.is_required("voortgang_toelichting")


def test_an_agreement_cannot_be_due_before_the_talk(followup: Bundle, clock: FrozenClock) -> None:
    talk = dt.date(2026, 3, 2)
    interview = _interview(followup, clock, datum_gesprek=talk)
    interview.add_instance("afspraken_lijst")
    (instance,) = interview.instances("afspraken_lijst")
    before = talk - dt.timedelta(days=1)
    assert interview.validate("afspraak_wanneer", before, instance)
    assert interview.validate("afspraak_wanneer", talk, instance) == []
    assert interview.validate("volgende_gesprek_datum", talk)
