"""A named choice list read from a CSV file in the bundle folder (`source: gemeenten.csv`).

The file has a header row naming its columns: `value` (the code) and `label` (the text in the
bundle's source language) are required, `hint` is optional, and every other column is a filter
attribute of each choice (`choice.<column>` in a `choice_filter:`). Its labels and hints are
translated in the bundle's `.po` files under the keys of a named list
(`choice_list.<list>.<value>`, `.hint`), exactly like a list written in questionnaire.yaml.

Every problem is reported at its place in the CSV file, `file.csv:line:col: message`, like the
problems of questionnaire.yaml; nothing here raises on bad input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from intake_tui.core.bundle_model import (
    ATTR_VALUE_MAX,
    CHOICE_VALUE_PATTERN,
    ID_PATTERN,
    Choice,
)
from intake_tui.core.yamlsource import MAX_FILE_BYTES, Location, Problem
from intake_tui.i18n import _

REQUIRED_COLUMNS = ("value", "label")
MAX_ROWS = 20_000
MAX_LABEL_CHARS = 4000  # like a label in questionnaire.yaml (bundle_model.Text)

ColumnOf = Callable[[int], int]  # a cell's index → its 1-based column on the line
Report = Callable[[int, int, str], None]  # (line, column, message)


def _cell_columns(line: str) -> list[int]:
    """The 1-based column where each cell of one CSV line starts (quotes respected)."""
    columns = [1]
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            columns.append(index + 2)
    return columns


def read_choice_csv(
    raw: bytes, list_name: str, display: str
) -> tuple[tuple[Choice, ...], list[Problem]]:
    """The choices of the CSV file `raw` (shown as `display` in messages), and its problems."""
    problems: list[Problem] = []

    def problem(line: int, column: int, message: str) -> None:
        problems.append(Problem(Location(display, line, column), message))

    if len(raw) > MAX_FILE_BYTES:
        problem(1, 1, _("the file is larger than 4 MiB"))
        return (), problems
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        problem(line, column, _("the file is not UTF-8 text"))
        return (), problems
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    result: list[Choice] = []
    first_line: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # an empty line
            raw_line = lines[line - 1] if 0 < line <= len(lines) else ""
            columns = _cell_columns(raw_line)

            def at(index: int, starts: list[int] = columns) -> int:
                return starts[index] if index < len(starts) else 1

            if header is None:
                header = [cell.strip() for cell in row]
                if not _check_header(header, line, at, problem):
                    return (), problems
                continue
            if len(result) >= MAX_ROWS:
                problem(line, 1, _("a choice list has at most {n} rows").format(n=MAX_ROWS))
                break
            if len(row) != len(header):
                problem(
                    line,
                    at(min(len(row), len(header))) if len(row) > len(header) else 1,
                    _("this row has {found} cells; the header has {wanted}").format(
                        found=len(row), wanted=len(header)
                    ),
                )
                continue
            found, row_problems = _row_choice(
                dict(zip(header, row, strict=True)), header, list_name
            )
            for column_index, message in row_problems:
                problem(line, at(column_index), message)
            if found is None:
                continue
            if found.value in first_line:
                problem(
                    line,
                    at(header.index("value")),
                    _("choice value {value!r} appears twice (first on line {line})").format(
                        value=found.value, line=first_line[found.value]
                    ),
                )
                continue
            first_line[found.value] = line
            result.append(found)
    except csv.Error as error:
        problem(reader.line_num or 1, 1, _("not a valid CSV file: {reason}").format(reason=error))
        return (), problems
    if header is None:
        problem(1, 1, _("the file is empty: it needs a header row (value,label,…)"))
    elif not result and not problems:
        problem(1, 1, _("a choice list needs at least one choice"))
    return tuple(result), problems


def _check_header(header: list[str], line: int, at: ColumnOf, problem: Report) -> bool:
    """Whether the header row can be read; its problems reported."""
    ok = True
    for name in REQUIRED_COLUMNS:
        if name not in header:
            problem(
                line,
                1,
                _(
                    "missing column {name!r} (the header row names value, label, hint and any "
                    "filter attributes)"
                ).format(name=name),
            )
            ok = False
    seen: set[str] = set()
    for index, name in enumerate(header):
        if name in seen:
            problem(line, at(index), _("column {name!r} appears twice").format(name=name))
            ok = False
        seen.add(name)
        if not ID_PATTERN.match(name):
            problem(
                line,
                at(index),
                _("column {name!r} must be snake_case (a filter attribute name)").format(name=name),
            )
            ok = False
    return ok


def _row_choice(
    cells: dict[str, str], header: list[str], list_name: str
) -> tuple[Choice | None, list[tuple[int, str]]]:
    """One row as a choice (None when it cannot be one), and its problems by column index."""
    problems: list[tuple[int, str]] = []
    value = cells["value"].strip()
    label = cells["label"].strip()
    if not CHOICE_VALUE_PATTERN.match(value):
        problems.append(
            (
                header.index("value"),
                _("choice value {value!r} must be a short code (letters, digits, _ and -)").format(
                    value=value
                ),
            )
        )
    if not label:
        problems.append((header.index("label"), _("the label is empty")))
    elif len(label) > MAX_LABEL_CHARS:
        problems.append(
            (
                header.index("label"),
                _("a label is at most {n} characters").format(n=MAX_LABEL_CHARS),
            )
        )
    hint = cells.get("hint", "").strip() or None
    attrs: list[tuple[str, str]] = []
    for name in header:
        if name in ("value", "label", "hint"):
            continue
        cell = cells[name].strip()
        if len(cell) > ATTR_VALUE_MAX:
            problems.append(
                (
                    header.index(name),
                    _("an attribute value is at most {n} characters").format(n=ATTR_VALUE_MAX),
                )
            )
        elif cell:
            attrs.append((name, cell))
    if problems:
        return None, problems
    key = f"choice_list.{list_name}.{value}"
    return Choice(value, label, hint, key, attrs=tuple(attrs)), []
