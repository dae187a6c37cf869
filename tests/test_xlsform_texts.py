"""The texts of an imported XLSForm (issue 20): pyxform's own warnings, `required_message` and
`${q}` inside labels, each on a small synthetic form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from intake_tui.core import Interview
from intake_tui.core.questionnaire import check_bundle
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


# -- required_message ----------------------------------------------------------------------------


def test_required_message_with_its_translation_is_what_an_empty_answer_says(
    tmp_path: Path,
) -> None:
    survey = [
        {"type": "text", "name": "doc", "label::English (en)": "Document number",
         "label::Arabic (ar)": "رقم الوثيقة", "required": "yes",
         "required_message::English (en)": "Ask for the residence permit",
         "required_message::Arabic (ar)": "اطلب تصريح الإقامة"},
        {"type": "text", "name": "city", "label::English (en)": "City", "required": "yes"},
    ]  # fmt: skip
    _result, bundle = imported(tmp_path, survey)
    assert bundle.items["doc"].spec.required_message == "Ask for the residence permit"
    po = (tmp_path / "bundle" / "translations" / "ar.po").read_text("utf-8")
    assert (
        'msgctxt "question.doc.required_message"\n'
        'msgid "Ask for the residence permit"\n'
        'msgstr "اطلب تصريح الإقامة"'
    ) in po
    interview = Interview(bundle, today=lambda: dt.date(2026, 1, 5))
    assert interview.validate("doc", None) == ["Ask for the residence permit"]
    assert interview.validate("city", None) == ["an answer is required"]
    assert [(i.step.id, i.message) for i in interview.issues()] == [
        ("doc", "Ask for the residence permit"),
        ("city", "an answer is required"),
    ]
    assert "required_message" not in _report(tmp_path)


def test_required_message_of_a_question_that_is_not_required_is_reported(tmp_path: Path) -> None:
    survey = [{"type": "text", "name": "a", "label": "A", "required_message": "Please answer"}]
    _result, bundle = imported(tmp_path, survey)
    assert bundle.items["a"].spec.required_message is None
    assert "`survey:2`: required_message of `a` left out: the question is not required" in (
        _report(tmp_path)
    )


def test_the_loader_warns_of_a_required_message_that_is_never_shown(tmp_path: Path) -> None:
    (tmp_path / "questionnaire.yaml").write_text(
        """id: t
version: "1.0.0"
title: T
sections:
  - id: s
    title: S
    questions:
      - id: a
        type: text
        label: A
        required_message: Vraag naar het document
        purpose: Om te testen
        sensitivity: personal
""",
        "utf-8",
    )
    bundle, problems = check_bundle(tmp_path)
    assert bundle is not None, problems
    assert [str(w) for w in bundle.warnings] == [
        f"{tmp_path / 'questionnaire.yaml'}:11:27: warning: 'required_message' is shown only "
        "when a required question is left empty"
    ]


# -- ${q} in a text ------------------------------------------------------------------------------


def test_an_answer_in_a_label_is_shown_and_where_it_cannot_be_a_report_line_says_so(
    tmp_path: Path,
) -> None:
    survey = [
        {"type": "text", "name": "Child.Name", "label::English (en)": "Name of the child",
         "label::Arabic (ar)": "اسم الطفل"},
        {"type": "integer", "name": "child_age",
         "label::English (en)": "How old is ${Child.Name}?",
         "label::Arabic (ar)": "كم عمر ${Child.Name}؟",
         "hint::English (en)": "${Child.Name} and ${Child.Name} again {not a name}"},
        {"type": "select_one yn", "name": "school", "label::English (en)": "School?"},
        {"type": "begin_repeat", "name": "visits", "label::English (en)": "Visits"},
        {"type": "date", "name": "visit_date", "label::English (en)": "Date"},
        {"type": "end_repeat"},
        {"type": "note", "name": "after", "label::English (en)": "Last visit: ${visit_date}"},
    ]  # fmt: skip
    choices = [
        {"list_name": "yn", "name": "yes", "label::English (en)": "Yes, ${child_age} years"},
        {"list_name": "yn", "name": "no", "label::English (en)": "No"},
    ]
    _result, bundle = imported(tmp_path, survey, choices)
    spec = bundle.items["child_age"].spec
    # A top-level question: the bundle's own `{name}`, filled when shown (docs/bundle-texts.md);
    # a literal brace doubled, so it stays text.
    assert (spec.label, spec.hint) == (
        "How old is {child_name}?",
        "{child_name} and {child_name} again {{not a name}}",
    )
    assert 'msgstr "كم عمر {child_name}؟"' in (
        tmp_path / "bundle" / "translations" / "ar.po"
    ).read_text("utf-8")
    from intake_tui.core.text_refs import fill

    assert fill(spec.hint, {"child_name": "Amal"}.get) == "Amal and Amal again {not a name}"
    # Inside a repeat, or in a choice label: no answer can be shown there; [id] and a line.
    assert bundle.items["after"].spec.label == "Last visit: [visit_date]"
    report = _report(tmp_path)
    for where, key, name in [
        ("survey:8", "question.after.label", "visit_date"),
        ("choices:2", "choice_list.yn.yes", "child_age"),
    ]:
        line = (
            f"- `{where}`: {key} shows the answer of `{name}` (`${{…}}`); this text cannot "
            f"hold an answer, so each is written as its id in brackets ([{name}]) in every "
            "language\n"
        )
        assert report.count(line) == 1, (line, report)
    assert report.count("shows the answer of") == 2


def test_an_answer_in_a_label_goes_out_as_an_xlsform_reference_and_comes_back(
    tmp_path: Path,
) -> None:
    """Exported, `{child_name}` is ODK's `${child_name}` (not braces ODK shows as text), a
    doubled brace one brace; imported again, the bundle's texts are what they were."""
    from openpyxl import load_workbook

    from intake_tui.core.questionnaire import load_bundle
    from intake_tui.xlsform.export import export_xlsform
    from intake_tui.xlsform.writer import import_xlsform

    survey = [
        {"type": "text", "name": "child_name", "label::English (en)": "Name of the child"},
        {"type": "integer", "name": "child_age",
         "label::English (en)": "How old is ${child_name}?",
         "label::Arabic (ar)": "كم عمر ${child_name}؟",
         "hint::English (en)": "Ask ${child_name} {not a name}"},
    ]  # fmt: skip
    _result, bundle = imported(tmp_path, survey, [])
    out = tmp_path / "out" / "form.xlsx"
    export_xlsform(tmp_path / "bundle", out)
    sheet = load_workbook(out)["survey"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if "child_age" in r)
    cells = dict(zip(header, row, strict=False))
    assert cells["label::English (en)"] == "How old is ${child_name}?"
    assert cells["label::Arabic (ar)"] == "كم عمر ${child_name}؟"
    assert cells["hint::English (en)"] == "Ask ${child_name} {not a name}"
    import_xlsform(out, tmp_path / "again")
    again = load_bundle(tmp_path / "again").items["child_age"].spec
    assert (again.label, again.hint) == (
        bundle.items["child_age"].spec.label,
        "Ask {child_name} {{not a name}}",
    )
    assert (tmp_path / "again" / "translations" / "ar.po").read_text("utf-8").count(
        'msgstr "كم عمر {child_name}؟"'
    ) == 1
