"""Small XLSForms written with openpyxl for the importer's tests (synthetic, one per construct)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from intake_tui.core import Interview
from intake_tui.core.questionnaire import load_bundle
from intake_tui.xlsform.writer import import_xlsform

Row = dict[str, object]


def write_form(
    path: Path,
    survey: Sequence[Row],
    choices: Sequence[Row] = (),
    settings: Row | None = None,
) -> Path:
    """An .xlsx with a survey sheet (columns: every key used), and choices/settings if given."""
    from openpyxl import Workbook

    book = Workbook()
    sheets: list[tuple[str, Sequence[Row]]] = [("survey", survey)]
    if choices:
        sheets.append(("choices", choices))
    if settings:
        sheets.append(("settings", [settings]))
    first = True
    for title, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        columns: list[str] = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    book.save(path)
    return path


def imported(tmp_path: Path, survey: Sequence[Row], choices: Sequence[Row] = (), **kw: object):
    form = write_form(tmp_path / "form.xlsx", survey, choices, kw.get("settings"))  # type: ignore[arg-type]
    result = import_xlsform(form, tmp_path / "bundle")
    return result, load_bundle(tmp_path / "bundle")


def visible(interview: Interview) -> list[str]:
    """The ids of the visible questions, in order (repeat instances as `id#n`)."""
    out = []
    for step in interview.steps():
        if step.instance is None:
            out.append(step.id)
        else:
            number = interview.instances(interview.item(step.id).repeat or "").index(step.instance)
            out.append(f"{step.id}#{number + 1}")
    return out
