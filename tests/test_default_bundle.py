"""The default brede-intake bundle: complete, purposeful, translated, and walkable to the end."""

from __future__ import annotations

from babel.messages.pofile import read_po

from benchmarks.scripted import scripted_answers
from intake_tui.core import FrozenClock, Interview
from intake_tui.core.questionnaire import Bundle
from intake_tui.core.translations import bundle_messages

from .conftest import DEFAULT_BUNDLE


def test_every_question_that_holds_a_value_says_why_and_how_sensitive(
    default_bundle: Bundle,
) -> None:
    for item in default_bundle.value_questions():
        assert item.question.purpose, item.id
        assert item.question.sensitivity, item.id


def test_health_questions_are_special_category(default_bundle: Bundle) -> None:
    health = [i for i in default_bundle.value_questions() if i.section == "gezondheid"]
    assert health
    assert {i.question.sensitivity for i in health} == {"special"}


def test_the_statutory_topics_of_article_14_are_asked(default_bundle: Bundle) -> None:
    items = default_bundle.items
    # (a) leerbaarheidstoets, with the exemption for visual or auditory impairment
    assert {"visueel", "auditief"} <= items["lbt_overslaan_reden"].choice_codes()
    assert {"haalbaar", "niet_haalbaar", "onbekend"} == items["lbt_resultaat"].choice_codes()
    # (b) education and work history, as repeats
    assert items["opleidingen"].type == "repeat"
    assert items["werkervaring"].type == "repeat"
    # (c) personal circumstances including physical and mental health
    assert items["psychische_klachten_signaal"].section == "gezondheid"
    assert items["gezinsleden"].type == "repeat"


def test_the_dates_the_plan_and_duo_need_are_asked(default_bundle: Bundle) -> None:
    for question in (
        "datum_start_inburgeringsplicht",
        "datum_kennisgeving_duo",
        "datum_vestiging_gemeente",
        "datum_start_bijstand",
        "eerder_pip_dagtekening",
    ):
        assert default_bundle.items[question].type == "date", question
    assert default_bundle.items["eerder_pip_leerroute"].choices


def test_no_question_asks_about_religion_ethnicity_or_politics(default_bundle: Bundle) -> None:
    forbidden = ("religie", "geloof", "etnic", "etnisch", "politiek", "ras ")
    for item in default_bundle.questions:
        text = f"{item.id} {item.label}".casefold()
        assert not any(word in text for word in forbidden), item.id


def test_english_catalog_translates_every_text_of_the_bundle(default_bundle: Bundle) -> None:
    with (DEFAULT_BUNDLE / "translations" / "en.po").open("rb") as handle:
        catalog = read_po(handle)
    entries = {(m.context, m.id): m for m in catalog if m.id}
    missing = [
        m.key
        for m in bundle_messages(default_bundle)
        if (m.key, m.source) not in entries or not entries[(m.key, m.source)].string
    ]
    assert missing == []
    keys = {m.key for m in bundle_messages(default_bundle)}
    stale = [context for context, _id in entries if context not in keys]
    assert stale == []


def test_translation_keys_are_unique(default_bundle: Bundle) -> None:
    keys = [m.key for m in bundle_messages(default_bundle)]
    assert len(keys) == len(set(keys))


def test_a_scripted_interview_walks_from_the_first_question_to_the_last(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    interview = Interview(default_bundle, today=clock.today)
    answered = 0
    for step, answer in scripted_answers(interview):
        assert interview.validate(step.id, answer, step.instance) == [], step
        interview.set_answer(step.id, answer, step.instance)
        answered += 1
    assert answered == 200
    touched = {interview.item(question).section for question, _i in interview.answers()}
    assert touched == set(default_bundle.sections)


def test_the_default_bundle_gets_no_advice(default_bundle: Bundle) -> None:
    # The psychological-complaints question was a choice of "nee"/"ja" (in the other order
    # than every yes/no question); it is a yes_no now, and nothing else is left to advise.
    assert default_bundle.warnings == ()
    assert default_bundle.items["psychische_klachten_signaal"].type == "yes_no"
