"""Every problem of a bundle is reported at its own line:col, whatever else is broken.

Invalid questions and sections are left out of the parsed questionnaire; the problems of the
items after them must still point at those items, not at whichever item now has their index.
Each bundle here is generated so that every problem names a token written exactly once in the
YAML, at the very place the problem is about: the expected line and column are read from the
text itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from intake_tui.core import check_bundle
from intake_tui.core.yamlsource import Problem

TOKEN = re.compile(r"\b(ghost_\d+|bad_type_\d+|lable_\d+|Bad_Id_\d+)\b")


def question(qid: str, *extra: str, indent: int = 6) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}- id: {qid}"]
    body = {"type": "text", "label": qid.title(), "purpose": "test", "sensitivity": "personal"}
    for line in extra:
        key = line.split(":", 1)[0]
        body.pop(key, None)
        if key.startswith("lable_"):
            body.pop("label", None)
        lines.append(f"{pad}  {line}")
    lines.extend(f"{pad}  {key}: {value}" for key, value in body.items())
    return lines


def invalid_questions(start: int, count: int, indent: int = 6) -> list[str]:
    """`count` questions that fail validation, each in its own way, one after the other."""
    lines: list[str] = []
    for n in range(start, start + count):
        if n % 2:
            lines += question(f"kapot_{n}", f"type: bad_type_{n}", indent=indent)
        else:
            lines += question(f"kapot_{n}", f"lable_{n}: Oeps", indent=indent)
    return lines


def ghost_questions(start: int, count: int, indent: int = 6) -> list[str]:
    """`count` valid questions, each relevant on a question that does not exist."""
    lines: list[str] = []
    for n in range(start, start + count):
        lines += question(f"geldig_{n}", f"relevant: ghost_{n} == 'x'", indent=indent)
    return lines


def section(sid: str, questions: list[str], *, title: str | None = "Titel") -> list[str]:
    lines = [f"  - id: {sid}"]
    if title is not None:
        lines.append(f"    title: {title}")
    return [*lines, "    questions:", *questions]


def header() -> list[str]:
    return ["id: locations", 'version: "1.0.0"', "title: Locations", "sections:"]


def expected_place(text: str, problem: Problem) -> tuple[int, int]:
    """The line and column of the one token the problem's message names."""
    match = TOKEN.search(problem.message)
    assert match, f"a problem without a token to place it by: {problem}"
    token = match.group(1)
    hits = [
        (number, line.index(token) + 1)
        for number, line in enumerate(text.splitlines(), start=1)
        if re.search(rf"\b{token}\b", line)
    ]
    assert len(hits) == 1, f"{token} must be written once: {hits}"
    return hits[0]


def check_places(tmp_path: Path, lines: list[str], count: int) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    text = "\n".join(lines) + "\n"
    (folder / "questionnaire.yaml").write_text(text, encoding="utf-8")
    bundle, problems = check_bundle(folder)
    assert bundle is None
    found = sorted(((p.location.line, p.location.column), p.message) for p in problems)
    wanted = sorted((expected_place(text, p), p.message) for p in problems)
    assert found == wanted
    assert len(problems) == count, problems


@pytest.mark.parametrize("broken", [1, 3, 5])
def test_problems_after_invalid_questions_stay_at_their_own_line(
    tmp_path: Path, broken: int
) -> None:
    questions = [
        *question("eerste"),
        *invalid_questions(1, broken),
        *ghost_questions(1, 3),
        *invalid_questions(broken + 1, 2),
        *ghost_questions(4, 2),
    ]
    check_places(tmp_path, [*header(), *section("s", questions)], broken + 2 + 5)


def test_problems_after_invalid_children_of_a_group_stay_at_their_own_line(
    tmp_path: Path,
) -> None:
    children = [*invalid_questions(1, 3, indent=10), *ghost_questions(1, 2, indent=10)]
    group = [
        "      - id: groep",
        "        type: group",
        "        label: Groep",
        "        questions:",
        *children,
    ]
    questions = [*invalid_questions(4, 2), *group, *ghost_questions(3, 2)]
    check_places(tmp_path, [*header(), *section("s", questions)], 5 + 4)


def test_problems_after_invalid_sections_stay_at_their_own_line(tmp_path: Path) -> None:
    lines = [
        *header(),
        # Two sections that fail validation (a question of theirs fails too).
        *section("kapot_een", [*ghost_questions(1, 1), *invalid_questions(1, 1)], title="12"),
        *section("kapot_twee", [*invalid_questions(2, 1), *ghost_questions(2, 1)], title="13"),
        *section("heel", [*ghost_questions(3, 2), *invalid_questions(3, 1)]),
        *section("ook_heel", ghost_questions(5, 1)),
    ]
    text_problems = 2  # the titles that are numbers: no token names their place; left out
    folder = tmp_path / "bundle"
    folder.mkdir()
    text = "\n".join(lines) + "\n"
    (folder / "questionnaire.yaml").write_text(text, encoding="utf-8")
    _bundle, problems = check_bundle(folder)
    placed = [p for p in problems if "'title'" not in p.message]
    assert len(problems) - len(placed) == text_problems, problems
    for problem in placed:
        where = (problem.location.line, problem.location.column)
        assert where == expected_place(text, problem), problem
    # A question of each invalid section, then two relevants and a question in `heel`, then
    # the relevant in `ook_heel`; the relevants inside the invalid sections are never compiled.
    assert len(placed) == 1 + 1 + 3 + 1, problems


def test_an_invalid_sibling_does_not_move_a_duplicate_id(tmp_path: Path) -> None:
    questions = [
        *invalid_questions(1, 2),
        *question("dubbel"),
        *question("dubbel"),
    ]
    folder = tmp_path / "bundle"
    folder.mkdir()
    text = "\n".join([*header(), *section("s", questions)]) + "\n"
    (folder / "questionnaire.yaml").write_text(text, encoding="utf-8")
    _bundle, problems = check_bundle(folder)
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if "- id: dubbel" in line]
    duplicate = [p for p in problems if "duplicate id" in p.message]
    assert [(p.location.line, p.location.column) for p in duplicate] == [(lines[1], 13)]
    assert f"first defined at {lines[0]}:13" in duplicate[0].message
