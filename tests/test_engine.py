"""The interview engine on a small bundle that has one question for each rule of DESIGN.md §3."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from intake_tui.core import DECLINED, UNKNOWN, Answer, FrozenClock, Interview, Step
from intake_tui.core.engine import elfproef
from intake_tui.core.questionnaire import Bundle, load_bundle_files


@pytest.fixture
def interview(engine_bundle: Bundle, clock: FrozenClock) -> Interview:
    return Interview(engine_bundle, today=clock.today)


def ids(steps: list[Step]) -> list[str]:
    return [s.id for s in steps]


ADULT = dt.date(1990, 5, 1)
CHILD = dt.date(2015, 5, 1)


# -- visibility chains ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "visible", "hidden"),
    [
        ({}, [], ["werk_gehad", "beroep", "beroep_toelichting", "belastbaarheid"]),
        ({"geboortedatum": CHILD}, [], ["werk_gehad", "beroep", "belastbaarheid"]),
        (
            {"geboortedatum": ADULT},
            ["werk_gehad", "belastbaarheid"],
            ["beroep", "beroep_toelichting"],
        ),
        (
            {"geboortedatum": ADULT, "werk_gehad": True},
            ["werk_gehad", "beroep"],
            ["beroep_toelichting"],
        ),
        (
            {"geboortedatum": ADULT, "werk_gehad": True, "beroep": "lasser"},
            ["beroep", "beroep_toelichting"],
            [],
        ),
        ({"geboortedatum": ADULT, "werk_gehad": False}, ["werk_gehad"], ["beroep"]),
    ],
    ids=["nothing", "child", "adult", "worked", "job-known", "never-worked"],
)
def test_visibility_follows_the_chain_of_answers(
    interview: Interview, answers: dict[str, object], visible: list[str], hidden: list[str]
) -> None:
    for question, value in answers.items():
        interview.set_answer(question, Answer.of(value))  # type: ignore[arg-type]
    shown = ids(interview.steps())
    assert all(q in shown for q in visible), shown
    assert not any(q in shown for q in hidden), shown


def test_calculated_values_follow_their_inputs(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    assert interview.value("leeftijd") == 36
    assert interview.value("volwassen") is True
    interview.set_answer("geboortedatum", Answer.of(CHILD))
    assert interview.value("leeftijd") == 11
    assert interview.value("volwassen") is False
    interview.set_answer("geboortedatum", None)
    assert interview.value("leeftijd") is None


def test_calculated_questions_are_never_steps(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    assert "leeftijd" not in ids(interview.steps())
    assert "volwassen" not in ids(interview.steps())


def test_a_hidden_section_hides_all_its_questions(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(CHILD))
    assert interview.steps("gezondheid") == []
    assert interview.progress()["gezondheid"].visible is False


# -- unknown / declined -----------------------------------------------------------------------


def test_unknown_counts_as_answered_but_expressions_see_no_value(interview: Interview) -> None:
    interview.set_answer("geboortedatum", UNKNOWN)
    assert interview.state("geboortedatum") == "unknown"
    assert interview.value("geboortedatum") is None
    assert interview.value("leeftijd") is None  # age(unanswered) is unanswered


def test_declined_hides_what_depends_on_a_known_value(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", DECLINED)
    assert "beroep" not in ids(interview.steps())
    assert interview.state("werk_gehad") == "declined"


@pytest.mark.parametrize(
    ("question", "answer", "allowed"),
    [
        ("geboortedatum", UNKNOWN, True),
        ("geboortedatum", DECLINED, False),
        ("schulden", DECLINED, True),
        ("schulden", UNKNOWN, False),
        ("bsn", UNKNOWN, False),
    ],
)
def test_unknown_and_declined_only_where_the_question_allows_them(
    interview: Interview, question: str, answer: Answer, allowed: bool
) -> None:
    assert (interview.validate(question, answer) == []) is allowed


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("geboortedatum", dt.date(2027, 1, 1), "Een geboortedatum ligt niet in de toekomst."),
        ("geboortedatum", dt.date(2026, 11, 28), None),
        ("score", 41, "must be at most 40"),
        ("score", -1, "must be at least 0"),
        ("score", 40, None),
        ("score", True, "does not fit the question type"),
        ("score", Decimal("3.5"), "does not fit the question type"),
        ("bsn", "123456782", None),
        ("bsn", "123456789", "elfproef"),
        ("bsn", "12345678", "elfproef"),
        ("talen", ("ar", "en"), None),
        ("talen", ("ar", "en", "nl"), "at most 2"),
        ("talen", ("ar", "xx"), "not one of the choices"),
        ("schulden", "misschien", "not one of the choices"),
        ("schulden", "ja", None),
    ],
)
def test_validate_a_candidate_value(
    interview: Interview, question: str, value: object, message: str | None
) -> None:
    problems = interview.validate(question, value)  # type: ignore[arg-type]
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


def test_required_by_expression(interview: Interview) -> None:
    assert interview.validate("score_toelichting", None) == []  # score unanswered: not required
    interview.set_answer("score", Answer.of(22))
    assert interview.validate("score_toelichting", None) == ["an answer is required"]
    interview.set_answer("score", Answer.of(33))
    assert interview.validate("score_toelichting", None) == []


def test_required_is_satisfied_by_an_allowed_unknown(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", Answer.of(True))
    missing = [i.step.id for i in interview.issues() if i.kind == "missing_required"]
    assert "beroep" in missing
    interview.set_answer("beroep", Answer.of("lasser"))
    missing = [i.step.id for i in interview.issues() if i.kind == "missing_required"]
    assert "beroep" not in missing


# -- hidden but answered ----------------------------------------------------------------------


def test_hidden_answer_is_kept_but_invisible_to_expressions_and_issues(
    interview: Interview,
) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", Answer.of(True))
    interview.set_answer("beroep", Answer.of("lasser"))
    assert interview.is_visible("beroep_toelichting")
    interview.set_answer("werk_gehad", Answer.of(False))
    assert interview.answer("beroep") == Answer.of("lasser")  # kept
    assert interview.value("beroep") is None  # but not seen
    assert not interview.is_visible("beroep_toelichting")  # nor what depended on it
    assert ("beroep", None) in interview.hidden_answers()
    interview.set_answer("werk_gehad", Answer.of(True))
    assert interview.value("beroep") == "lasser"  # and back when visible again
    assert ("beroep", None) not in interview.hidden_answers()


def test_invalid_hidden_answer_is_not_an_issue(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(CHILD))
    interview.set_answer("belastbaarheid", Answer.of("veel"))  # wrong type, but section hidden
    assert not [i for i in interview.issues() if i.step.id == "belastbaarheid"]
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    assert [i.kind for i in interview.issues() if i.step.id == "belastbaarheid"] == ["invalid"]


# -- repeats ----------------------------------------------------------------------------------


def test_repeat_instances_add_remove_reorder(interview: Interview) -> None:
    first = interview.add_instance("gezinsleden")
    second = interview.add_instance("gezinsleden")
    third = interview.add_instance("gezinsleden")
    assert interview.instances("gezinsleden") == (first, second, third)
    assert interview.value("aantal_gezinsleden") == 3
    interview.move_instance("gezinsleden", third, 0)
    assert interview.instances("gezinsleden") == (third, first, second)
    interview.remove_instance("gezinsleden", first)
    assert interview.instances("gezinsleden") == (third, second)
    assert interview.value("aantal_gezinsleden") == 2


def test_removed_instance_keeps_its_answers_and_new_ids_never_reuse_them(
    interview: Interview,
) -> None:
    first = interview.add_instance("gezinsleden")
    interview.set_answer("relatie", Answer.of("kind"), first)
    interview.remove_instance("gezinsleden", first)
    assert interview.answer("relatie", first) == Answer.of("kind")
    assert ("relatie", first) in interview.hidden_answers()
    again = interview.add_instance("gezinsleden")
    assert again != first


def test_questions_inside_a_repeat_are_steps_per_instance(interview: Interview) -> None:
    kid = interview.add_instance("gezinsleden")
    partner = interview.add_instance("gezinsleden")
    interview.set_answer("relatie", Answer.of("kind"), kid)
    interview.set_answer("relatie", Answer.of("partner"), partner)
    steps = interview.steps("gezin")
    assert steps == [
        Step("gezinsleden"),
        Step("relatie", kid),
        Step("geboortejaar", kid),
        Step("naar_school", kid),  # the group is relevant for the child only
        Step("relatie", partner),
        Step("geboortejaar", partner),
    ]


def test_aggregate_over_repeat_drives_visibility(interview: Interview) -> None:
    assert "vve_geinformeerd" not in ids(interview.steps())
    kid = interview.add_instance("gezinsleden")
    interview.set_answer("relatie", Answer.of("kind"), kid)
    interview.set_answer("geboortejaar", Answer.of(2024), kid)
    assert interview.value("jong_kind") is True
    assert "vve_info" in ids(interview.steps())
    assert [i.step.id for i in interview.issues() if i.kind == "missing_required"].count(
        "vve_geinformeerd"
    ) == 1
    interview.set_answer("geboortejaar", Answer.of(2015), kid)
    assert interview.value("jong_kind") is False
    assert "vve_geinformeerd" not in ids(interview.steps())


def test_removing_the_only_young_child_hides_the_vve_question(interview: Interview) -> None:
    kid = interview.add_instance("gezinsleden")
    interview.set_answer("relatie", Answer.of("kind"), kid)
    interview.set_answer("geboortejaar", Answer.of(2024), kid)
    assert interview.is_visible("vve_geinformeerd")
    interview.remove_instance("gezinsleden", kid)
    assert not interview.is_visible("vve_geinformeerd")


def test_repeat_max_is_checked(interview: Interview) -> None:
    for _ in range(6):
        interview.add_instance("gezinsleden")
    assert [i.message for i in interview.issues() if i.step.id == "gezinsleden"] == ["at most 5"]


def test_required_inside_a_repeat_is_per_instance(interview: Interview) -> None:
    one = interview.add_instance("gezinsleden")
    two = interview.add_instance("gezinsleden")
    interview.set_answer("relatie", Answer.of("ouder"), one)
    missing = [i.step for i in interview.issues() if i.kind == "missing_required"]
    assert Step("relatie", two) in missing
    assert Step("relatie", one) not in missing


def test_instance_is_required_exactly_inside_repeats(interview: Interview) -> None:
    with pytest.raises(KeyError):
        interview.set_answer("relatie", Answer.of("kind"))
    with pytest.raises(KeyError):
        interview.set_answer("bsn", Answer.of("123456782"), "1")


# -- navigation and progress ------------------------------------------------------------------


def test_next_and_previous_skip_hidden_questions(interview: Interview) -> None:
    first = interview.next_step(None)
    assert first == Step("geboortedatum")
    interview.set_answer("geboortedatum", Answer.of(CHILD))
    assert interview.next_step(first) == Step("bsn")  # werk_gehad & co are hidden
    assert interview.previous_step(Step("bsn")) == first
    assert interview.previous_step(first) is None


def test_next_from_a_step_that_just_became_hidden(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", Answer.of(True))
    interview.set_answer("geboortedatum", Answer.of(CHILD))  # werk_gehad and beroep now hidden
    assert interview.next_step(Step("beroep")) == Step("bsn")
    assert interview.previous_step(Step("beroep")) == Step("geboortedatum")


def test_the_last_step_has_no_next(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    last = interview.steps()[-1]
    assert last == Step("belastbaarheid")
    assert interview.next_step(last) is None


def test_progress_counts_visible_questions_and_missing_required(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", Answer.of(True))
    before = interview.progress()["persoon"]
    interview.set_answer("bsn", Answer.of("123456782"))
    after = interview.progress()["persoon"]
    assert after.answered == before.answered + 1
    assert after.total == before.total
    assert before.missing_required == 1  # beroep
    interview.set_answer("beroep", Answer.of("lasser"))
    assert interview.progress()["persoon"].missing_required == 0


# -- what blocks finalizing ---------------------------------------------------------------------


def test_finalize_blockers_are_the_visible_required_questions_without_an_answer(
    interview: Interview,
) -> None:
    assert interview.finalize_blockers() == []  # nothing required is visible yet
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", Answer.of(True))
    one = interview.add_instance("gezinsleden")
    two = interview.add_instance("gezinsleden")
    interview.set_answer("relatie", Answer.of("kind"), one)
    interview.set_answer("geboortejaar", Answer.of(2024), one)  # a young child: VVE is asked
    assert interview.finalize_blockers() == [
        Step("beroep"),
        Step("relatie", two),
        Step("vve_geinformeerd"),
    ]
    interview.set_answer("relatie", Answer.of("ouder"), two)
    interview.set_answer("vve_geinformeerd", Answer.of(True))
    interview.set_answer("beroep", Answer.of("lasser"))
    assert interview.finalize_blockers() == []


def test_dont_know_unblocks_only_where_the_question_allows_it(interview: Interview) -> None:
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    interview.set_answer("werk_gehad", Answer.of(True))
    interview.set_answer("beroep", UNKNOWN)  # beroep has no `allow:`
    assert interview.finalize_blockers() == [Step("beroep")]
    interview.set_answer("beroep", Answer.of(""))  # an empty answer is no answer
    assert interview.finalize_blockers() == [Step("beroep")]
    interview.set_answer("werk_gehad", DECLINED)  # allowed there; beroep is hidden now
    assert interview.finalize_blockers() == []


def test_a_removed_repeat_instance_no_longer_blocks(interview: Interview) -> None:
    one = interview.add_instance("gezinsleden")
    assert interview.finalize_blockers() == [Step("relatie", one)]
    interview.remove_instance("gezinsleden", one)
    assert interview.finalize_blockers() == []


# -- recomputation is incremental ---------------------------------------------------------------


def test_an_answer_recomputes_only_its_dependents(
    engine_bundle: Bundle, clock: FrozenClock
) -> None:
    interview = Interview(engine_bundle, today=clock.today)
    computed: list[str] = []
    original = interview._compute

    def spy(item):  # type: ignore[no-untyped-def]
        computed.append(item.id)
        original(item)

    interview._compute = spy  # type: ignore[method-assign]
    interview.set_answer("bsn", Answer.of("123456782"))
    assert computed == []  # nothing depends on the BSN
    interview.set_answer("geboortedatum", Answer.of(ADULT))
    assert set(computed) == set(engine_bundle.dependents["geboortedatum"])
    assert "bsn" not in computed and "talen" not in computed


def test_loaded_answers_give_the_same_state_as_typed_ones(
    engine_bundle: Bundle, clock: FrozenClock
) -> None:
    typed = Interview(engine_bundle, today=clock.today)
    typed.set_answer("geboortedatum", Answer.of(ADULT))
    typed.set_answer("werk_gehad", Answer.of(True))
    kid = typed.add_instance("gezinsleden")
    typed.set_answer("relatie", Answer.of("kind"), kid)
    loaded = Interview(engine_bundle, typed.answers(), today=clock.today)
    assert loaded.steps() == typed.steps()
    assert loaded.calculated() == typed.calculated()


@pytest.mark.parametrize(
    ("bsn", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("000000000", False),
        ("111222334", False),
        ("12345678a", False),
    ],
)
def test_elfproef(bsn: str, valid: bool) -> None:
    assert elfproef(bsn) is valid


# -- issue 18: sum() over a repeat, and pattern: by RE2 -----------------------------------------

SUM_BUNDLE = b"""\
id: som
version: "1.0.0"
title: Som
sections:
  - id: s
    title: S
    questions:
      - id: banen
        type: repeat
        label: Banen
        purpose: p
        sensitivity: personal
        questions:
          - {id: uren, type: decimal, label: Uren, purpose: p, sensitivity: personal}
      - id: totaal_uren
        type: decimal
        label: Totaal
        calculate: sum(uren)
        purpose: p
        sensitivity: personal
      - id: voltijd
        type: yes_no
        label: Voltijd
        calculate: coalesce(sum(uren), 0) >= 36
        purpose: p
        sensitivity: personal
      - id: code
        type: text
        label: Code
        pattern: (a+)+$
        purpose: p
        sensitivity: personal
"""


@pytest.fixture
def sum_interview(clock: FrozenClock) -> Interview:
    bundle, problems = load_bundle_files({"questionnaire.yaml": SUM_BUNDLE})
    assert bundle is not None, problems
    return Interview(bundle, today=clock.today)


def test_a_sum_over_a_repeat_follows_its_instances(sum_interview: Interview) -> None:
    interview = sum_interview
    assert interview.bundle.dependents["uren"] == ("totaal_uren", "voltijd")
    assert interview.value("totaal_uren") is None  # nothing to add yet
    assert interview.value("voltijd") is False
    first = interview.add_instance("banen")
    interview.set_answer("uren", Answer.of(Decimal("20")), first)
    assert interview.value("totaal_uren") == Decimal("20")
    second = interview.add_instance("banen")  # added: no hours yet, so the sum stays
    assert interview.value("totaal_uren") == Decimal("20")
    interview.set_answer("uren", Answer.of(Decimal("16.5")), second)  # an instance changed
    assert interview.value("totaal_uren") == Decimal("36.5")
    assert interview.value("voltijd") is True
    interview.set_answer("uren", UNKNOWN, first)  # unknown is skipped
    assert interview.value("totaal_uren") == Decimal("16.5")
    interview.set_answer("uren", Answer.of(Decimal("20")), first)
    interview.remove_instance("banen", second)  # removed
    assert interview.value("totaal_uren") == Decimal("20")
    assert interview.value("voltijd") is False
    interview.remove_instance("banen", first)
    assert interview.value("totaal_uren") is None


def test_pattern_is_matched_by_re2_on_the_whole_answer(sum_interview: Interview) -> None:
    # (a+)+$ backtracks exponentially in Python's re on "aaa…a!"; RE2 answers in linear time.
    expected_form = "the answer does not have the expected form"
    assert sum_interview.validate("code", Answer.of("a" * 5000)) == []
    assert sum_interview.validate("code", Answer.of("a" * 5000 + "!")) == [expected_form]
    assert sum_interview.validate("code", Answer.of("ba")) == [expected_form]  # whole answer


def test_a_pinned_copy_with_a_pattern_re2_refuses_opens_and_does_not_check_it(
    clock: FrozenClock,
) -> None:
    # Python's re took lookahead; a copy an interview was pinned to before RE2 must still open.
    files = {"questionnaire.yaml": SUM_BUNDLE.replace(b"pattern: (a+)+$", b"pattern: (?=a)a+")}
    bundle, problems = load_bundle_files(files)
    assert bundle is None
    assert ["lookahead and lookbehind" in p.message for p in problems] == [True]
    pinned, problems = load_bundle_files(files, pinned=True)
    assert pinned is not None, problems
    assert [w.message for w in pinned.warnings if "lookahead" in w.message]
    assert Interview(pinned, today=clock.today).validate("code", Answer.of("b!")) == []
