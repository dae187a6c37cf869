"""The default brede-intake bundle: complete, purposeful, translated, and walkable to the end."""

from __future__ import annotations

from babel.messages.pofile import read_po

from benchmarks.scripted import scripted_answers
from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.engine import Step
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


def test_questions_for_the_newcomer_say_u_never_de_inburgeraar(default_bundle: Bundle) -> None:
    spoken = [i for i in default_bundle.questions if not i.for_caseworker]
    assert len(spoken) > 80
    for item in spoken:
        for text in (item.question.label, item.question.hint):
            assert "de inburgeraar" not in (text or "").casefold(), item.id
    # Instructions and what the caseworker records about the conversation are theirs alone.
    for caseworker in ("opening_instructie", "aanwezigen", "individueel_gesprek_aangeboden"):
        assert default_bundle.items[caseworker].for_caseworker, caseworker
    notes = [i for i in default_bundle.questions if i.type == "note"]
    assert notes and all(i.for_caseworker for i in notes)


def test_the_pvt_is_the_traject_that_ends_with_signing_the_verklaring(
    default_bundle: Bundle,
) -> None:
    hint = default_bundle.items["informatie_intake_gegeven"].question.hint or ""
    assert "participatieverklaring (PVT)" not in hint
    assert "participatieverklaringstraject (PVT)" in hint


def _interview(bundle: Bundle, clock: FrozenClock, **answers: object) -> Interview:
    interview = Interview(bundle, today=clock.today)
    for question, value in answers.items():
        interview.set_answer(question, Answer.of(value))
    return interview


def test_who_is_present_is_recalled_before_health_and_money(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    notes = ("gezondheid_aanwezigen_instructie", "financien_aanwezigen_instructie")
    items = default_bundle.items
    assert items[notes[0]].parent == "gezondheid"
    assert default_bundle.order.index(notes[0]) < default_bundle.order.index("ervaren_gezondheid")
    assert items["financien"].children[0] == notes[1]
    alone = _interview(default_bundle, clock, aanwezigen=("niemand",))
    with_child = _interview(default_bundle, clock, aanwezigen=("partner", "kind"))
    for note in notes:
        assert items[note].for_caseworker and "kinderen niet tolken" in items[note].label
        assert not alone.is_visible(note)
        assert with_child.is_visible(note)


def test_not_pointing_out_the_individual_conversation_needs_a_reason(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    reason = "individueel_gesprek_niet_aangeboden_reden"
    told = _interview(default_bundle, clock, individueel_gesprek_aangeboden=True)
    not_told = _interview(default_bundle, clock, individueel_gesprek_aangeboden=False)
    assert not_told.validate("individueel_gesprek_aangeboden", Answer.of(False)) == []
    assert not told.is_visible(reason)
    assert not_told.is_visible(reason) and not_told.is_required(reason)
    assert Step(reason) in not_told.finalize_blockers()
    assert default_bundle.items[reason].type == "longtext"


def test_the_dates_that_start_the_ten_weeks_and_duos_end_of_the_termijn(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    items = default_bundle.items
    for question in ("einddatum_termijn_duo", "datum_inschrijving_brp", "datum_ss139"):
        assert items[question].type == "date" and items[question].section == "identificatie"
        assert items[question].question.allow == ["unknown"], question
    assert "verschil" in (items["einddatum_termijn_duo"].question.purpose or "")
    asylum_in_coa = _interview(
        default_bundle, clock, doelgroep="asielstatushouder", woonsituatie="azc", eerder_pip=False
    )
    family = _interview(default_bundle, clock, doelgroep="gezinsmigrant_overig", eerder_pip=True)
    assert asylum_in_coa.is_visible("datum_ss139") and not family.is_visible("datum_ss139")
    assert family.is_visible("datum_inschrijving_brp")
    assert not asylum_in_coa.is_visible("datum_inschrijving_brp")
    assert family.is_visible("einddatum_termijn_duo")
    assert not asylum_in_coa.is_visible("einddatum_termijn_duo")


def test_afschalen_to_a2_asks_the_hours_and_the_effort_after_an_earlier_b1_pip(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    questions = (
        "afschalen_uren_keurmerk",
        "afschalen_voldoende_inspanning",
        "afschalen_inspanning_toelichting",
    )
    items = default_bundle.items
    assert [items[q].type for q in questions] == ["integer", "yes_no", "longtext"]
    assert items[questions[0]].question.min == 0
    earlier = {"eerder_pip": True, "eerder_pip_leerroute": "b1"}
    b1 = _interview(default_bundle, clock, **earlier, eerder_pip_niveau="b1")
    a2 = _interview(default_bundle, clock, **earlier, eerder_pip_niveau="a2")
    first = _interview(default_bundle, clock, eerder_pip=False)
    for question in questions:
        assert b1.is_visible(question), question
        assert not a2.is_visible(question) and not first.is_visible(question), question
    assert not b1.is_required(questions[2])
    b1.set_answer(questions[1], Answer.of(False))
    assert b1.is_required(questions[2])


def test_a_dutch_diploma_and_a_b1_certificate_are_two_facts(
    default_bundle: Bundle, clock: FrozenClock
) -> None:
    items = default_bundle.items
    assert items["nl_diploma"].type == "yes_no" and items["nl_certificaat_b1"].type == "yes_no"
    assert "B1" not in (items["nl_diploma"].question.label or "")
    kinds = {"vmbo", "havo", "vwo", "mbo2_of_hoger", "mbo1_entree", "hbo_wo", "anders"}
    assert items["nl_diploma_soort"].choice_codes() == kinds
    with_diploma = _interview(default_bundle, clock, nl_diploma=True)
    without = _interview(default_bundle, clock, nl_diploma=False)
    assert with_diploma.is_visible("nl_diploma_soort")
    assert with_diploma.is_required("nl_diploma_soort")
    assert not without.is_visible("nl_diploma_soort")
    assert without.is_visible("nl_certificaat_b1")
