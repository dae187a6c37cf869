"""The texts of an imported XLSForm (issue 20): pyxform's own warnings, `required_message` and
`${q}` inside labels, each on a small synthetic form."""

from __future__ import annotations

from pathlib import Path

from tests.xlsform_forms import imported


def _report(tmp_path: Path) -> str:
    return (tmp_path / "bundle" / "IMPORT-REPORT.md").read_text("utf-8")


def test_pyxform_warnings_are_in_the_report_with_sheet_and_row(tmp_path: Path) -> None:
    survey = [
        {"type": "text", "name": "a", "label": "A"},
        {"type": "image", "name": "photo", "label": "Photo"},
        {"type": "begin_repeat", "name": "people"},
        {"type": "text", "name": "b", "label": "B"},
        {"type": "end_repeat"},
        {"type": "select_one l", "name": "c", "label": "C"},
    ]
    choices = [
        {"list_name": "l", "name": "x", "label": "X"},
        {"list_name": "l", "name": "y"},
    ]
    result, _bundle = imported(tmp_path, survey, choices)
    report = _report(tmp_path)
    section = report.split("## pyxform's warnings about the form (3)\n", 1)[1]
    assert "- `choices:3`: On the 'choices' sheet, the 'label' value is invalid." in section
    assert "- `survey:3`: Use the max-pixels parameter" in section
    assert "- `survey:4`: Repeat has no label" in section
    assert result.report_lines == report.count("\n- `")  # they count for --strict too


def test_a_warning_without_a_row_names_its_sheet(tmp_path: Path) -> None:
    survey = [
        {"type": "text", "name": "a", "label::English (en)": "A", "label::French (fr)": "A",
         "hint::English (en)": "Help"},
    ]  # fmt: skip
    imported(tmp_path, survey)
    assert "- `survey`: Language 'French (fr)' is missing the survey hint column." in (
        _report(tmp_path)
    )
