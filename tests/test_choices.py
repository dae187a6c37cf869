"""Exclusive options ("Geen van deze"): ticking toggles them free of traps, and the engine refuses
a stored combination however it arrives."""

from __future__ import annotations

import pytest

from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.choices import exclusive_conflict, toggle_choice
from intake_tui.core.questionnaire import Bundle, Choice

OPTIONS = (
    Choice("zien", "Zien", None, "k.zien"),
    Choice("horen", "Horen", None, "k.horen"),
    Choice("pijn", "Pijn", None, "k.pijn"),
    Choice("geen", "Geen van deze", None, "k.geen", exclusive=True),
)
EXCLUSIVE_GEEN = ("zorgtaken", "toeslagen", "belemmeringen_leren", "aanpassingen_nodig")


@pytest.mark.parametrize(
    ("chosen", "code", "after"),
    [
        ((), "horen", ("horen",)),
        (("pijn",), "zien", ("zien", "pijn")),  # bundle order, not the order of ticking
        (("zien", "pijn"), "geen", ("geen",)),  # the exclusive option clears the others
        (("geen",), "horen", ("horen",)),  # another option clears the exclusive one
        (("zien", "pijn"), "zien", ("pijn",)),  # unticking only removes
        (("geen",), "geen", ()),
    ],
    ids=["tick", "order", "exclusive-clears", "clears-exclusive", "untick", "untick-exclusive"],
)
def test_toggle_choice(chosen: tuple[str, ...], code: str, after: tuple[str, ...]) -> None:
    assert toggle_choice(OPTIONS, chosen, code) == after


def test_toggle_keeps_codes_the_options_no_longer_have_and_refuses_to_tick_one() -> None:
    assert toggle_choice(OPTIONS, ("oud", "pijn"), "zien") == ("zien", "pijn", "oud")
    with pytest.raises(ValueError):
        toggle_choice(OPTIONS, (), "oud")


def test_exclusive_conflict_names_the_option_chosen_with_others() -> None:
    assert exclusive_conflict(OPTIONS, ("geen",)) is None
    assert exclusive_conflict(OPTIONS, ("zien", "pijn")) is None
    conflict = exclusive_conflict(OPTIONS, ("zien", "geen"))
    assert conflict is not None and conflict.value == "geen"


@pytest.mark.parametrize("question", EXCLUSIVE_GEEN)
def test_the_default_bundle_marks_geen_exclusive_instead_of_a_constraint(
    default_bundle: Bundle, question: str
) -> None:
    item = default_bundle.items[question]
    assert [c.value for c in item.choices or () if c.exclusive] == ["geen"]
    assert item.constraint is None
    others = [c.value for c in item.choices or () if not c.exclusive]
    assert toggle_choice(item, tuple(others[:2]), "geen") == ("geen",)
    assert toggle_choice(item, ("geen",), others[0]) == (others[0],)


def test_the_engine_refuses_geen_with_another_choice(default_bundle: Bundle) -> None:
    interview = Interview(default_bundle, today=FrozenClock.on("2026-11-28").today)
    assert interview.validate("belemmeringen_leren", ("zien", "horen")) == []
    assert interview.validate("belemmeringen_leren", ("geen",)) == []
    assert interview.validate("belemmeringen_leren", ("zien", "geen")) == [
        "“Geen van deze” cannot be combined with other choices"
    ]


def test_a_smuggled_combination_is_an_issue(default_bundle: Bundle) -> None:
    # An import or a sync does not go through the widgets: the stored answer is still checked.
    interview = Interview(default_bundle, today=FrozenClock.on("2026-11-28").today)
    interview.set_answer("zorgtaken", Answer.of(("mantelzorg", "geen")))
    found = [(i.step.id, i.kind) for i in interview.issues()]
    assert ("zorgtaken", "invalid") in found
