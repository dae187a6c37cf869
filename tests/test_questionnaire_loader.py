"""The bundle loader: every check reports its problem at the right path:line:col, all at once."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from intake_tui.core import check_bundle, load_bundle
from intake_tui.core.questionnaire import BundleError, bundle_files, bundle_sha256

from .conftest import BUNDLES, DEFAULT_BUNDLE

BROKEN = sorted(p for p in (BUNDLES / "broken").iterdir() if p.is_dir())
CARET = re.compile(r"#( *)\^ (.+)$")


def expected_problems(source: Path) -> list[tuple[int, int, str]]:
    """The problems a broken bundle announces in its own comments.

    A comment line `#      ^ message` under a line says: a problem whose message contains
    `message`, at that line, at the column of the caret. The expectations are written next to
    the YAML they are about, so a reader sees at once what the loader must say and where.
    """
    expected: list[tuple[int, int, str]] = []
    target = 0
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        match = CARET.match(line)
        if match:
            expected.append((target, len(match.group(1)) + 2, match.group(2)))
        else:
            target = number
    return expected


def assert_problems_as_announced(case: Path, file: str) -> None:
    """The broken bundle `case` fails with exactly the problems its `file` announces."""
    bundle, problems = check_bundle(case)
    expected = expected_problems(case / file)
    assert expected, "a broken case must announce its problems"
    assert bundle is None
    found = [(p.location.line, p.location.column, p.message) for p in problems]
    unmatched = list(found)
    for line, column, text in expected:
        hit = next((f for f in unmatched if f[:2] == (line, column) and text in f[2]), None)
        assert hit is not None, f"expected {line}:{column}: {text!r}; got {found}"
        unmatched.remove(hit)
    assert not unmatched, f"problems nobody announced: {unmatched}"
    assert all(p.location.path.endswith(file) for p in problems)


@pytest.mark.parametrize("case", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_bundle_reports_each_problem_at_its_place(case: Path) -> None:
    assert_problems_as_announced(case, "questionnaire.yaml")


def test_problems_render_as_path_line_col_message() -> None:
    _bundle, problems = check_bundle(BUNDLES / "broken" / "unknown_key")
    assert [str(p) for p in problems] == [
        f"{BUNDLES / 'broken' / 'unknown_key' / 'questionnaire.yaml'}:10:9: "
        "unknown key 'lable' (did you mean 'label'?)"
    ]


def test_load_bundle_raises_with_every_problem() -> None:
    with pytest.raises(BundleError) as caught:
        load_bundle(BUNDLES / "broken" / "choices_missing_and_unknown_list")
    assert len(caught.value.problems) == 3


def test_a_path_to_questionnaire_yaml_works_like_its_folder() -> None:
    by_folder = load_bundle(BUNDLES / "engine")
    by_file = load_bundle(BUNDLES / "engine" / "questionnaire.yaml")
    assert by_folder.sha256 == by_file.sha256
    assert by_folder.order == by_file.order


def write_bundle(tmp_path: Path, content: bytes | str) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / "questionnaire.yaml").write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n  ", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
        (b"id: x\x00\x01\x02", "binary data"),
        (b"- just\n- a list\n", "must be a mapping"),
        (b"just text", "must be a mapping"),
    ],
    ids=["empty", "blank", "png", "nul", "list", "scalar"],
)
def test_junk_gives_a_problem_not_a_traceback(tmp_path: Path, content: bytes, message: str) -> None:
    bundle, problems = check_bundle(write_bundle(tmp_path, content))
    assert bundle is None
    assert any(message in p.message for p in problems), problems


def test_not_utf8_reports_the_line_and_column_of_the_bad_byte(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path, b"id: x\ntitle: caf\xe9\n")
    _bundle, problems = check_bundle(folder)
    assert [(p.location.line, p.location.column) for p in problems] == [(2, 11)]


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    folder = write_bundle(tmp_path, "\n".join(lines) + "\n")
    _bundle, problems = check_bundle(folder)
    aliases = [p for p in problems if "anchors and aliases" in p.message]
    # Each alias is reported once where it stands (9 per line, 9 lines), never expanded:
    # expanded, the document would hold 9**10 strings.
    assert len(aliases) == 81


def test_a_file_of_megabytes_is_refused_with_its_size(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path, b"# " + b"x" * (5 * 1024 * 1024))
    _bundle, problems = check_bundle(folder)
    assert len(problems) == 1 and "too large" in problems[0].message


def test_deep_nesting_is_a_problem_not_a_recursion_error(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    _bundle, problems = check_bundle(folder)
    assert problems
    assert all(isinstance(p.message, str) for p in problems)


def test_missing_folder_and_file_are_problems(tmp_path: Path) -> None:
    _b, missing_folder = check_bundle(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    _b, missing_file = check_bundle(tmp_path / "empty")
    assert "no such bundle folder" in missing_folder[0].message
    assert "file not found" in missing_file[0].message


def test_yes_and_no_stay_text_and_dates_stay_text(tmp_path: Path) -> None:
    folder = write_bundle(
        tmp_path,
        """id: t
version: "1.0.0"
title: T
sections:
  - id: s
    title: S
    questions:
      - id: antwoord
        type: choice
        label: Antwoord
        purpose: test
        sensitivity: personal
        choices:
          - {value: no, label: Nee}
          - {value: yes, label: Ja}
      - id: datum
        type: date
        label: Datum
        min: "2020-01-01"
        max: 2030-12-31
        purpose: test
        sensitivity: personal
""",
    )
    bundle = load_bundle(folder)
    assert bundle.items["antwoord"].choice_codes() == {"no", "yes"}
    assert bundle.items["datum"].question.max == "2030-12-31"


def test_a_note_needs_no_purpose_but_a_repeat_does(engine_bundle) -> None:  # type: ignore[no-untyped-def]
    assert engine_bundle.items["vve_info"].question.purpose is None
    assert engine_bundle.items["gezinsleden"].question.purpose == "test"


def test_sha256_changes_with_any_file_of_the_bundle(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path, (BUNDLES / "engine" / "questionnaire.yaml").read_text())
    before = bundle_sha256(bundle_files(folder))
    (folder / "translations").mkdir()
    (folder / "translations" / "en.po").write_text('msgid ""\nmsgstr ""\n')
    after = bundle_sha256(bundle_files(folder))
    assert before != after
    assert load_bundle(folder).sha256 == after


def test_dependents_come_in_an_order_where_inputs_are_computed_first(engine_bundle) -> None:  # type: ignore[no-untyped-def]
    order = engine_bundle.topological
    # geboortedatum -> leeftijd -> volwassen -> werk_gehad -> beroep -> beroep_toelichting
    chain = ["leeftijd", "volwassen", "werk_gehad", "beroep", "beroep_toelichting"]
    dependents = engine_bundle.dependents["geboortedatum"]
    assert [d for d in dependents if d in chain] == chain
    assert all(order[a] < order[b] for a, b in itertools.pairwise(chain))
    assert "gezondheid" in dependents  # a section's relevance counts too


def test_default_bundle_is_valid() -> None:
    bundle, problems = check_bundle(DEFAULT_BUNDLE)
    assert problems == []
    assert bundle is not None
    assert len(bundle.value_questions()) > 100


def test_audience_says_who_an_item_speaks_to_and_defaults_to_the_newcomer(
    tmp_path: Path,
) -> None:
    folder = write_bundle(
        tmp_path,
        """\
id: b
version: "1.0.0"
title: B
sections:
  - id: s
    title: S
    questions:
      - id: uitleg
        type: note
        audience: caseworker
        label: Vraag de anderen even weg te gaan.
      - id: naam
        type: text
        label: Wat is uw naam?
        purpose: test
        sensitivity: personal
      - id: ook_naam
        type: text
        audience: newcomer
        label: Wat is uw achternaam?
        purpose: test
        sensitivity: personal
""",
    )
    bundle = load_bundle(folder)
    assert bundle.items["uitleg"].for_caseworker
    assert bundle.items["uitleg"].question.audience == "caseworker"
    assert bundle.items["naam"].question.audience == "newcomer"
    assert not bundle.items["naam"].for_caseworker
    assert not bundle.items["ook_naam"].for_caseworker
    assert not bundle.items["s"].for_caseworker  # a section has no audience
