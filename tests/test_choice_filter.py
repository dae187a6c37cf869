"""`choice_filter:` (cascading selects) and `repeat_count:` in the engine (issue 18): what is
offered and how many instances there are for each answer, what happens to an answer the
filter no longer offers and to the instances a lower count drops, and hostile input."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_tui.core import load_bundle
from intake_tui.core.bundle_model import REPEAT_COUNT_LIMIT, Bundle, Item
from intake_tui.core.choice_filter import counted_instances, kept_codes
from intake_tui.core.display import show_answer
from intake_tui.core.engine import Interview, Step
from intake_tui.core.expressions import ExpressionError, compile_expression
from intake_tui.core.values import DECLINED, UNKNOWN, Answer

from .conftest import BUNDLES

BUNDLE = load_bundle(BUNDLES / "cascade")
NOORD = ["groningen", "assen", "leeuwarden", "zwolle", "emmen"]
ZUID = ["maastricht", "eindhoven", "den-bosch"]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def interview(**answers: object) -> Interview:
    pairs = {
        (key, None): value if isinstance(value, Answer) else Answer.of(value)  # type: ignore[arg-type]
        for key, value in answers.items()
    }
    return Interview(BUNDLE, pairs)


def offered(engine: Interview, question: str, instance: str | None = None) -> list[str]:
    return [c.value for c in engine.choices(question, instance)]


FILTERS = [
    # (answers, question, codes offered) - unanswered, unknown and declined read as None,
    # and a comparison with None is false: nothing is offered until the region is known.
    ({}, "gemeente", []),
    ({"regio": "noord"}, "gemeente", NOORD),
    ({"regio": "zuid"}, "gemeente", ZUID),
    ({"regio": UNKNOWN}, "gemeente", []),
    ({"regio": "zuid"}, "buurgemeenten", ZUID),
    ({}, "vervoer", ["bus", "auto"]),  # `a if c else b`: an unanswered c chooses b
    ({"woont_in_stad": True}, "vervoer", ["fiets", "bus"]),
    ({"woont_in_stad": False}, "vervoer", ["bus", "auto"]),
    ({"regio": "noord"}, "regio", ["noord", "zuid"]),  # no filter: every choice
]


@pytest.mark.parametrize(("answers", "question", "codes"), FILTERS)
def test_the_filter_offers(answers: dict[str, object], question: str, codes: list[str]) -> None:
    assert offered(interview(**answers), question) == codes


def test_a_filter_follows_the_answer_it_reads_at_once() -> None:
    engine = interview()
    assert "gemeente" in BUNDLE.dependents["regio"]
    engine.set_answer("regio", Answer.of("noord"))
    assert offered(engine, "gemeente") == NOORD
    engine.set_answer("regio", Answer.of("zuid"))
    assert offered(engine, "gemeente") == ZUID
    engine.set_answer("regio", None)
    assert offered(engine, "gemeente") == []


def test_inside_a_repeat_each_instance_has_its_own_choices() -> None:
    engine = interview(aantal_kinderen=2)
    engine.set_answer("kind_regio", Answer.of("zuid"), "1")
    assert offered(engine, "kind_gemeente", "1") == ZUID
    assert offered(engine, "kind_gemeente", "2") == []
    engine.set_answer("kind_regio", Answer.of("noord"), "2")
    assert offered(engine, "kind_gemeente", "2") == NOORD
    assert offered(engine, "kind_gemeente", "1") == ZUID


def test_an_answer_no_longer_offered_is_kept_but_blocks_finalizing() -> None:
    engine = interview(regio="zuid", gemeente="eindhoven")
    assert engine.finalize_blockers() == []
    engine.set_answer("regio", Answer.of("noord"))
    assert engine.answer("gemeente") == Answer.of("eindhoven")  # never silently dropped
    assert engine.value("gemeente") == "eindhoven"
    assert Step("gemeente") in engine.finalize_blockers()
    (issue,) = [i for i in engine.issues() if i.step == Step("gemeente")]
    assert issue.kind == "invalid" and "no longer offered" in issue.message
    # Its label is still what the review and the exports show.
    assert show_answer(BUNDLE.items["gemeente"], engine.answer("gemeente")) == "Eindhoven"
    # A new choice among those offered clears it; so does the old region.
    engine.set_answer("regio", Answer.of("zuid"))
    assert engine.finalize_blockers() == []
    assert engine.validate("gemeente", "assen") != []
    assert engine.validate("gemeente", "maastricht") == []


def test_a_multi_choice_with_one_code_no_longer_offered_blocks() -> None:
    engine = interview(regio="noord", gemeente="assen", buurgemeenten=("groningen", "emmen"))
    assert Step("buurgemeenten") not in engine.finalize_blockers()
    engine.set_answer("regio", Answer.of("zuid"))
    engine.set_answer("gemeente", Answer.of("eindhoven"))
    assert engine.finalize_blockers() == [Step("buurgemeenten")]


COUNTS = [
    # (answer to aantal_kinderen, instances; max: 5 in the bundle)
    (None, ()),
    (DECLINED, ()),
    (0, ()),
    (2, ("1", "2")),
    (5, ("1", "2", "3", "4", "5")),
    (7, ("1", "2", "3", "4", "5")),
    (-3, ()),
    (10**15, ("1", "2", "3", "4", "5")),
]


@pytest.mark.parametrize(("count", "instances"), COUNTS)
def test_the_count_gives_the_instances(count: object, instances: tuple[str, ...]) -> None:
    engine = interview() if count is None else interview(aantal_kinderen=count)
    assert engine.instances("kinderen") == instances
    assert engine.value("aantal_ingevuld") == len(instances)
    over = [i for i in engine.issues() if i.step == Step("kinderen")]
    if isinstance(count, int) and count > 5:
        assert over and f"the count is {count}" in over[0].message
    else:
        assert not over


def test_answers_of_dropped_instances_stay_and_come_back() -> None:
    engine = interview(aantal_kinderen=3)
    engine.set_answer("kind_naam", Answer.of("Sara"), "3")
    engine.set_answer("aantal_kinderen", Answer.of(1))
    assert engine.instances("kinderen") == ("1",)
    assert ("kind_naam", "3") in engine.hidden_answers()  # kept, listed in the review
    assert engine.answer("kind_naam", "3") == Answer.of("Sara")
    engine.set_answer("aantal_kinderen", Answer.of(3))
    assert engine.value("kind_naam", "3") == "Sara"
    assert ("kind_naam", "3") not in engine.hidden_answers()
    # Reopened from the stored answers: the same instances, nothing stored for the repeat.
    again = Interview(BUNDLE, engine.answers())
    assert again.instances("kinderen") == ("1", "2", "3")
    assert ("kinderen", None) not in engine.answers()


def test_a_counted_repeat_cannot_be_changed_by_hand() -> None:
    engine = interview(aantal_kinderen=2)
    for change in (
        lambda: engine.add_instance("kinderen"),
        lambda: engine.remove_instance("kinderen", "1"),
        lambda: engine.move_instance("kinderen", "2", 0),
    ):
        with pytest.raises(ValueError, match="repeat_count"):
            change()
    assert engine.instances("kinderen") == ("1", "2")


def test_the_dependency_graph_has_the_count_and_the_filter() -> None:
    for name in ("kinderen", "kind_naam", "kind_gemeente", "aantal_ingevuld"):
        assert name in BUNDLE.dependents["aantal_kinderen"]
    assert "kind_gemeente" in BUNDLE.dependents["kind_regio"]


# -- hostile input ------------------------------------------------------------------------------

ATTRS = frozenset({"regio"})
TOKENS = [
    "choice.regio", "choice.prov", "choice", "regio", "gemeente", "woont_in_stad", "==", "!=",
    "and", "or", "not", "in", "if", "else", "(", ")", "[", "]", ",", "'noord'", "'zuid'", "1",
    "null", "true", "case.given_name", "choice.regio.x", "count(regio)", ".", "+", "len(",
]  # fmt: skip


def _with(item_id: str, **changes: object) -> Bundle:
    bundle = dataclasses.replace(BUNDLE)
    bundle.items = dict(BUNDLE.items)
    bundle.items[item_id] = dataclasses.replace(BUNDLE.items[item_id], **changes)  # type: ignore[arg-type]
    return bundle


@FAST
@given(
    st.one_of(st.text(max_size=120), st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join)),
    st.sampled_from([None, "noord", "zuid", UNKNOWN]),
)
def test_a_hostile_filter_is_refused_or_keeps_a_subset(source: str, regio: object) -> None:
    try:
        expression = compile_expression(source, choice_fields=ATTRS)
    except ExpressionError as error:
        assert error.offset is None or 0 <= error.offset <= len(source)
        return
    item: Item = dataclasses.replace(BUNDLE.items["gemeente"], choice_filter=expression)
    engine = interview() if regio is None else interview(regio=regio)
    kept = kept_codes(item, engine.scope())  # never raises: a broken filter keeps the choice
    assert kept <= item.choice_codes()


counts = st.one_of(
    st.integers(-(10**15), 10**15),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.booleans(),
    st.none(),
)


@FAST
@given(
    st.sampled_from(
        [
            "aantal_kinderen",
            "aantal_kinderen * aantal_kinderen",
            "aantal_kinderen / 3",
            "-aantal_kinderen",
            "aantal_kinderen * 999999999999999 * 999999999999999",
            "len(regio)",
            "count(buurgemeenten) + aantal_kinderen",
        ]
    ),
    counts,
    st.integers(0, REPEAT_COUNT_LIMIT),
)
def test_a_hostile_count_gives_a_bounded_number_of_instances(
    source: str, value: object, limit: int
) -> None:
    expression = compile_expression(source)
    spec = BUNDLE.items["kinderen"].question.model_copy(update={"max": limit})
    item = dataclasses.replace(BUNDLE.items["kinderen"], repeat_count=expression, spec=spec)
    engine = interview(regio="noord") if value is None else interview(aantal_kinderen=value)
    instances, asked = counted_instances(item, engine.scope())
    assert len(instances) <= limit and asked >= len(instances)
    assert instances == tuple(str(n) for n in range(1, len(instances) + 1))


@FAST
@given(st.lists(st.tuples(st.integers(-5, 60), st.integers(1, 60)), max_size=12))
def test_counts_going_up_and_down_never_lose_an_answer(changes: list[tuple[int, int]]) -> None:
    engine = interview()
    written: dict[tuple[str, str | None], Answer] = {}
    for count, instance in changes:
        engine.set_answer("aantal_kinderen", Answer.of(count))
        assert engine.instances("kinderen") == tuple(
            str(n) for n in range(1, min(max(count, 0), 5) + 1)
        )
        if str(instance) in engine.instances("kinderen"):
            engine.set_answer("kind_naam", Answer.of(f"kind {instance}"), str(instance))
            written[("kind_naam", str(instance))] = Answer.of(f"kind {instance}")
    stored = engine.answers()
    assert all(stored[key] == answer for key, answer in written.items())


def test_a_decimal_count_is_truncated() -> None:
    bundle = _with("kinderen", repeat_count=compile_expression("aantal_kinderen / 2"))
    engine = Interview(bundle, {("aantal_kinderen", None): Answer.of(5)})
    assert engine.instances("kinderen") == ("1", "2")


def test_a_filter_that_fails_to_evaluate_shows_the_choice() -> None:
    # Ordering text against a number cannot be evaluated: the choice is shown, not hidden.
    bundle = _with(
        "gemeente", choice_filter=compile_expression("choice.regio > 3", choice_fields=ATTRS)
    )
    engine = Interview(bundle)
    assert [c.value for c in engine.choices("gemeente")][:2] == ["groningen", "assen"]


COMPILE = [
    # (source, choice_fields, part of the error, or None when it compiles)
    ("choice.regio == regio", ATTRS, None),
    ("choice.regoi == regio", ATTRS, "did you mean choice.regio?"),
    ("choice.regio == regio", None, "only allowed in a choice_filter"),
    ("choice.stad == 'ja'", frozenset(), "the choices of this question have no attrs"),
    ("case.given_name == choice.regio", ATTRS, "attribute access"),
    ("choice.regio.x == 'a'", ATTRS, "attribute access"),
]


@pytest.mark.parametrize(("source", "fields", "error"), COMPILE)
def test_choice_attributes_are_checked_when_compiled(
    source: str, fields: frozenset[str] | None, error: str | None
) -> None:
    if error is None:
        expression = compile_expression(source, choice_fields=fields)
        assert expression.names == {"regio"}  # `choice` is not a question
        return
    with pytest.raises(ExpressionError, match=error.replace("?", r"\?")):
        compile_expression(source, choice_fields=fields)
