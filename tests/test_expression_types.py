"""The types of expressions, checked when a bundle loads (issue 17, item 2): a choice code that is
not in the list, text or a date against a number, text against a date, and selected() on a
question that is not a multi-choice are errors at their place; where a type is not known,
nothing is said."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from intake_tui.core.expression_types import (
    ANY,
    BOOL,
    DATE,
    NUMBER,
    TEXT,
    ValueType,
    check_types,
    question_types,
)
from intake_tui.core.expressions import compile_expression
from intake_tui.core.questionnaire import load_bundle_files

from .expression_helpers import CHILD_NAMES, FAST, OUTER_NAMES, REPEAT_OF, expressions

STAAT = ValueType("choice", "burgerlijke_staat", frozenset({"ongehuwd", "gehuwd", "gescheiden"}))
TALEN = ValueType("multi", "talen", frozenset({"nl", "ar"}))
TYPES = {
    "burgerlijke_staat": STAAT,
    "talen": TALEN,
    "naam": TEXT,
    "leeftijd": NUMBER,
    "geboortedatum": DATE,
    "werk": BOOL,
    "berekend": ANY,
    "land": ValueType("choice", "land", None),  # codes not known: never checked
}


def problems(source: str, value: ValueType = ANY) -> list[tuple[int, str]]:
    found = check_types(compile_expression(source, allow_value=True), TYPES, value)
    return [(p.offset, p.message) for p in found]


# ---------------------------------------------------------------------- choice codes


def test_a_code_not_in_the_list_is_reported_at_the_literal_with_did_you_mean() -> None:
    assert problems("burgerlijke_staat == 'gehuwt'") == [
        (
            21,
            "'gehuwt' is not a code of 'burgerlijke_staat' (did you mean 'gehuwd'?); "
            "its codes are gehuwd, gescheiden, ongehuwd",
        )
    ]


@pytest.mark.parametrize(
    ("source", "offset"),
    [
        ("'gehuwt' == burgerlijke_staat", 0),
        ("burgerlijke_staat != 'gehuwt'", 21),
        ("burgerlijke_staat in ['gehuwd', 'gehuwt']", 32),
        ("burgerlijke_staat not in ['gehuwt']", 26),
        ("burgerlijke_staat == ('gehuwd' if werk else 'gehuwt')", 44),
        ("'fr' in talen", 0),
        ("talen == 'fr'", 9),
        ("selected(talen, 'fr')", 16),
        ("known(talen) and not selected(talen, 'fr')", 37),
    ],
)
def test_every_way_of_naming_a_code_is_checked(source: str, offset: int) -> None:
    found = problems(source)
    assert len(found) == 1, found
    assert found[0][0] == offset
    assert "is not a code of" in found[0][1]


@pytest.mark.parametrize(
    "source",
    [
        "burgerlijke_staat == 'gehuwd'",
        "burgerlijke_staat in ['gehuwd', 'gescheiden']",
        "selected(talen, 'ar') or 'nl' in talen",
        "land == 'xx'",  # the codes of this list are not known
        "berekend == 'whatever'",
        "naam == 'gehuwt'",  # text, not a choice
    ],
)
def test_known_codes_and_unknown_lists_pass(source: str) -> None:
    assert problems(source) == []


def test_a_long_list_is_counted_instead_of_listed() -> None:
    many = ValueType("choice", "land", frozenset(f"c{i:02d}" for i in range(40)))
    found = check_types(compile_expression("land == 'xyz'"), {"land": many})
    assert [p.message for p in found] == ["'xyz' is not a code of 'land'; its list has 40 codes"]


# ---------------------------------------------------------------------- kinds


def test_text_against_a_number_is_reported_at_the_operator() -> None:
    assert problems("naam > 3") == [(5, "cannot compare 'naam' (text) with a number")]


@pytest.mark.parametrize(
    ("source", "offset", "message"),
    [
        ("leeftijd == 'twintig'", 9, "'leeftijd' (a number) with text 'twintig'"),
        ("(naam) >= (3)", 7, "'naam' (text) with a number"),
        ("geboortedatum < 2000", 14, "'geboortedatum' (a date) with a number"),
        ("geboortedatum == naam", 14, "'geboortedatum' (a date) with 'naam' (text)"),
        ("burgerlijke_staat == 1", 18, "'burgerlijke_staat' (a choice) with a number"),
        ("leeftijd > '2000-01-01'", 9, "'leeftijd' (a number) with a date '2000-01-01'"),
        ("known(naam) and 0 < leeftijd < naam", 29, "'leeftijd' (a number) with 'naam' (text)"),
        ("leeftijd in ['a', 'b']", 9, "'leeftijd' (a number) with text 'a'"),
        ("today() > 2000", 8, "a date with a number"),
        ("len(naam) + 1 > naam", 14, "a number with 'naam' (text)"),
        ("value > 3", 6, "'value' (text) with a number"),
    ],
)
def test_unrelated_kinds_are_reported(source: str, offset: int, message: str) -> None:
    value = TEXT if source.startswith("value") else ANY
    found = problems(source, value)
    assert len(found) == 1, found
    assert found[0][0] == offset
    assert f"cannot compare {message}" in found[0][1]


def test_a_chain_is_checked_pair_by_pair() -> None:
    assert problems("0 < naam < 10") == [
        (2, "cannot compare a number with 'naam' (text)"),
        (9, "cannot compare 'naam' (text) with a number"),
    ]


def test_a_date_against_a_number_says_how_to_write_a_date() -> None:
    (only,) = problems("geboortedatum >= 2010")
    assert only[1].endswith(
        "; write a date as 'YYYY-MM-DD', or compare age(...) or years_between(...) with a number"
    )


@pytest.mark.parametrize(
    "source",
    [
        "geboortedatum < '2000-01-01'",  # an ISO date literal is a date
        "'2000-01-01' <= geboortedatum",
        "naam == '2000-01-01'",  # ... and text
        "age(geboortedatum) >= 18",
        "years_between(geboortedatum, today()) < 5",
        "len(naam) > 3",
        "count(talen) >= 1",
        "leeftijd > 2.5",
        "max_of(leeftijd, 3) > 2",
        "naam + 'x' == 'ax'",
        "werk == 1",  # yes/no against a number: documented as false, not checked here
        "berekend > 3 and berekend == 'a'",  # a type that is not known
        "(leeftijd if werk else naam) > 3",  # either side: not known
        "geboortedatum > (today() if werk else '2000-01-01')",
        "value > 3",  # `value` outside a constraint is not known here
    ],
)
def test_comparisons_that_can_hold_pass(source: str) -> None:
    assert problems(source) == []


# ---------------------------------------------------------------------- selected()


@pytest.mark.parametrize("question", ["burgerlijke_staat", "naam", "werk"])
def test_selected_on_a_question_that_is_not_a_multi_choice_is_an_error(question: str) -> None:
    source = f"werk and selected({question}, 'gehuwd')"
    assert problems(source) == [
        (
            9,
            f"selected() is for a multi-choice question, and {question!r} is not one; "
            f"compare it with == (as in {question} == 'code')",
        )
    ]


def test_selected_on_an_unknown_type_or_a_list_passes() -> None:
    assert problems("selected(berekend, 'a') or selected(['a', 'b'], 'a')") == []


# ---------------------------------------------------------------------- the bundle's types


BUNDLE = """
id: types
version: "1.0.0"
title: Types
sections:
  - id: s
    title: S
    questions:
      - {id: geboren, type: date, label: G, purpose: t, sensitivity: personal}
      - {id: jaar, type: year, label: J, purpose: t, sensitivity: personal}
      - {id: opmerking, type: longtext, label: O, purpose: t, sensitivity: personal}
      - {id: akkoord, type: yes_no, label: A, purpose: t, sensitivity: personal}
      - id: talen
        type: multi_choice
        label: T
        choices: [{value: nl, label: NL}]
        purpose: t
        sensitivity: personal
      - id: land
        type: choice
        label: L
        choices: landen
        purpose: t
        sensitivity: personal
      - {id: leeftijd, type: integer, label: L, calculate: age(geboren), purpose: t,
         sensitivity: personal}
      - {id: volwassen, type: integer, label: V, calculate: leeftijd >= 18, purpose: t,
         sensitivity: personal}
      - {id: iets, type: text, label: I, calculate: "max_of(jaar, opmerking)", purpose: t,
         sensitivity: personal}
choice_lists:
  landen: {source: countries}
"""


def test_question_types_come_from_the_types_and_calculations_from_their_expression() -> None:
    bundle, found = load_bundle_files({"questionnaire.yaml": BUNDLE.encode()})
    assert bundle is not None, found
    types = question_types(bundle.items, sorted(bundle.items, key=bundle.topological.get))
    assert types["geboren"] == DATE
    assert types["jaar"] == NUMBER
    assert types["opmerking"] == TEXT
    assert types["akkoord"] == BOOL
    assert types["talen"] == ValueType("multi", "talen", frozenset({"nl"}))
    # A list from CLDR: its codes are known when the bundle loads.
    assert types["land"].kind == "choice" and "NL" in (types["land"].codes or ())
    assert types["leeftijd"] == NUMBER  # integer as declared, and age() gives a number
    assert types["volwassen"] == BOOL  # declared integer, but the calculation gives yes/no
    assert types["iets"] == ANY  # a number or text: not known, so never reported
    assert "s" not in types


def test_a_country_code_in_the_wrong_case_is_reported() -> None:
    question = (
        "      - {id: x, type: text, label: X, relevant: \"land == 'nl'\", purpose: t,\n"
        "         sensitivity: personal}\n"
    )
    text = BUNDLE.replace("choice_lists:", question + "choice_lists:")
    bundle, found = load_bundle_files({"questionnaire.yaml": text.encode()})
    assert bundle is None
    assert [str(p).rsplit(" ", 2)[0] for p in found] == [
        "<bundle>/questionnaire.yaml:31:58: relevant: 'nl' is not a code of 'land' "
        "(did you mean 'NL'?); its list has"
    ]


# ---------------------------------------------------------------------- hostile input


ALL_TYPES = [ANY, TEXT, NUMBER, DATE, BOOL, STAAT, TALEN, ValueType("choice", "x", None)]


@FAST
@given(expressions())
def test_checking_any_well_formed_expression_never_fails(source: str) -> None:
    expression = compile_expression(source, repeat_of=REPEAT_OF)
    names = [*OUTER_NAMES, *CHILD_NAMES]
    types = {name: ALL_TYPES[index % len(ALL_TYPES)] for index, name in enumerate(names)}
    for problem in check_types(expression, types, TEXT):
        assert 0 <= problem.offset < len(source)
        assert problem.message


def test_an_interview_opens_with_its_pinned_bundle_even_if_it_has_a_type_mistake(
    tmp_path: Path,
) -> None:
    """A copy pinned before expressions were type-checked must still open, and behave as it
    always did: there the mistake is a warning, not a load error."""
    import base64
    import json

    from intake_tui.core import FrozenClock
    from intake_tui.core.questionnaire import load_bundle_files
    from intake_tui.store import bundle_copies, interviews
    from intake_tui.store.models import BundleCopyRow

    from .store_helpers import make_store

    folder = Path(__file__).parent / "bundles" / "engine"
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    mistaken = files["questionnaire.yaml"].replace(
        b"relevant: werk_gehad == true", b"relevant: bsn > 3"
    )
    assert mistaken != files["questionnaire.yaml"]
    refused, problems = load_bundle_files({**files, "questionnaire.yaml": mistaken})
    assert refused is None and any("cannot compare" in p.message for p in problems)

    store = make_store(tmp_path / "data", FrozenClock.on("2026-11-28"))
    try:
        bundle, _none = load_bundle_files(files)
        assert bundle is not None
        case = interviews.create_interview(
            store, bundle, client_display_name="Test Persoon", client_language="ar"
        ).id
        with store.session() as session:  # as if pinned before the checker existed
            row = session.get(BundleCopyRow, bundle.sha256)
            assert row is not None
            stored = json.loads(row.files_json)
            stored["questionnaire.yaml"] = base64.b64encode(mistaken).decode()
            row.files_json = json.dumps(stored, sort_keys=True)
            session.add(row)
        bundle_copies.clear_cache()
        opened = interviews.open_interview(store, case)
        assert any("cannot compare" in w.message for w in opened.bundle.warnings)
    finally:
        store.close()
