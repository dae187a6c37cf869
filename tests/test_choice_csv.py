"""Choice lists read from a CSV file in the bundle (`source: gemeenten.csv`, issue 18): every
problem at `file.csv:line:col`, the file in the bundle's digest and pinned copy, and its labels
translated under the keys of a named list, like a list written in questionnaire.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_tui.core import check_bundle, load_bundle
from intake_tui.core.catalogs import Localizer, coverage
from intake_tui.core.choice_csv import read_choice_csv
from intake_tui.core.questionnaire import bundle_files, bundle_sha256, load_bundle_files
from intake_tui.core.translations import bundle_messages

from .conftest import BUNDLES

CASCADE = BUNDLES / "cascade"

QUESTIONNAIRE = """\
id: csv-test
version: "1.0.0"
title: CSV
choice_lists:
  gemeenten: {source: gemeenten.csv}
sections:
  - id: s
    title: S
    questions:
      - id: gemeente
        type: choice
        label: Gemeente
        choices: gemeenten
        purpose: test
        sensitivity: personal
"""


def _bundle(tmp_path: Path, csv: bytes) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "questionnaire.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    (folder / "gemeenten.csv").write_bytes(csv)
    return folder


PROBLEMS = [
    # (what is wrong, the file, (line, column, part of the message))
    ("missing column", b"value,naam\nassen,Assen\n", [(1, 1, "missing column 'label'")]),
    (
        "duplicate value",
        b"value,label\nassen,Assen\nemmen,Emmen\nassen,Assen 2\n",
        [(4, 1, "choice value 'assen' appears twice (first on line 2)")],
    ),
    ("bad code", b"value,label\nas sen,Assen\n", [(2, 1, "must be a short code")]),
    ("empty label", b"value,label\nassen,\n", [(2, 7, "the label is empty")]),
    (
        "too many cells",
        b"value,label\nassen,Assen,noord\n",
        [(2, 13, "this row has 3 cells; the header has 2")],
    ),
    (
        "too few cells",
        b"value,label,regio\nassen,Assen\n",
        [(2, 1, "this row has 2 cells; the header has 3")],
    ),
    ("not UTF-8", b"value,label\nassen,Ass\xe9n\n", [(2, 10, "not UTF-8 text")]),
    ("empty file", b"", [(1, 1, "the file is empty")]),
    ("header only", b"value,label\n", [(1, 1, "at least one choice")]),
    ("column not snake_case", b"value,label,Regio\na,A,n\n", [(1, 13, "must be snake_case")]),
    ("column twice", b"value,label,label\na,A,B\n", [(1, 13, "column 'label' appears twice")]),
    ("open quote", b'value,label\n"assen,Assen\n', [(2, 1, "not a valid CSV file")]),
    (
        "long attribute",
        b"value,label,regio\na,A," + b"x" * 201 + b"\n",
        [(2, 5, "at most 200 characters")],
    ),
]


@pytest.mark.parametrize(("case", "csv", "expected"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_a_csv_problem_is_reported_at_its_place(
    tmp_path: Path, case: str, csv: bytes, expected: list[tuple[int, int, str]]
) -> None:
    folder = _bundle(tmp_path, csv)
    bundle, problems = check_bundle(folder)
    assert bundle is None
    found = [(p.location.path, p.location.line, p.location.column, p.message) for p in problems]
    assert len(found) == len(expected), found
    for (path, line, column, message), (want_line, want_column, text) in zip(
        found, expected, strict=True
    ):
        assert path == f"{folder}/gemeenten.csv"
        assert (line, column) == (want_line, want_column), found
        assert text in message, found


VALID = [
    ("plain", b"value,label\nassen,Assen\n", [("assen", "Assen", None, ())]),
    ("byte order mark", b"\xef\xbb\xbfvalue,label\nassen,Assen\n", [("assen", "Assen", None, ())]),
    ("windows line ends", b"value,label\r\nassen,Assen\r\n", [("assen", "Assen", None, ())]),
    (
        "quoted comma, hint and attributes",
        b'label,value,regio,hint\n"Den Bosch, \'s-Hertogenbosch",den-bosch,zuid,Brabant\n',
        [("den-bosch", "Den Bosch, 's-Hertogenbosch", "Brabant", (("regio", "zuid"),))],
    ),
    (
        "an empty attribute is no attribute; empty lines are skipped",
        b"value,label,regio\n\nassen,Assen,\n",
        [("assen", "Assen", None, ())],
    ),
]


@pytest.mark.parametrize(("case", "csv", "expected"), VALID, ids=[v[0] for v in VALID])
def test_a_valid_csv_gives_its_choices(
    case: str, csv: bytes, expected: list[tuple[str, str, str | None, tuple[object, ...]]]
) -> None:
    choices, problems = read_choice_csv(csv, "gemeenten", "b/gemeenten.csv")
    assert problems == []
    assert [(c.value, c.label, c.hint, c.attrs) for c in choices] == expected
    assert all(c.key == f"choice_list.gemeenten.{c.value}" for c in choices)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_hostile_csv_bytes_give_choices_or_problems_never_an_exception(raw: bytes) -> None:
    choices, problems = read_choice_csv(b"value,label,regio\n" + raw, "l", "l.csv")
    assert all(p.location.path == "l.csv" and p.location.line >= 1 for p in problems)
    assert len({c.value for c in choices}) == len(choices)


def test_the_csv_is_part_of_the_bundle_its_digest_and_its_pinned_copy(tmp_path: Path) -> None:
    folder = tmp_path / "cascade"
    shutil.copytree(CASCADE, folder)
    files = bundle_files(folder)
    assert "gemeenten.csv" in files
    before = bundle_sha256(files)
    (folder / "gemeenten.csv").write_bytes(files["gemeenten.csv"] + b"urk,Urk,,noord\n")
    assert bundle_sha256(bundle_files(folder)) != before
    # A pinned copy (the files' bytes, as an interview keeps them) loads with the same list.
    pinned, problems = load_bundle_files(bundle_files(folder), pinned=True)
    assert problems == [] and pinned is not None
    assert "urk" in pinned.items["gemeente"].choice_codes()


def test_csv_labels_are_translated_and_counted_like_every_choice() -> None:
    bundle = load_bundle(CASCADE)
    keys = {m.key: m.source for m in bundle_messages(bundle)}
    assert keys["choice_list.gemeenten.den-bosch"] == "'s-Hertogenbosch, Den Bosch"
    assert keys["choice_list.gemeenten.assen.hint"] == "Hoofdstad van Drenthe"
    assert "choice_list.gemeenten.groningen" in keys
    (english,) = coverage(bundle)
    assert english.total == len(keys) and english.translated == 3
    localizer = Localizer(bundle)
    den_bosch = next(c for c in bundle.items["gemeente"].choices or () if c.value == "den-bosch")
    assert localizer.text(den_bosch.key, den_bosch.label, "en").text == (
        "'s-Hertogenbosch (Den Bosch)"
    )


def test_a_new_catalog_has_the_csv_labels() -> None:
    from intake_tui.core.catalog_update import new_catalog_text

    text = new_catalog_text(load_bundle(CASCADE), "de")
    assert 'msgctxt "choice_list.gemeenten.emmen"\nmsgid "Emmen"' in text
    assert 'msgctxt "choice_list.gemeenten.assen.hint"' in text
