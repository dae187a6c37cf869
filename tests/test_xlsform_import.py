"""The XLSForm importer on small synthetic forms, one per construct: each imports to a bundle that
loads, and the engine shows the questions the XLSForm would show for the given answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from intake_tui.core import Answer, Interview
from intake_tui.core.questionnaire import check_bundle, load_bundle
from intake_tui.xlsform.command import run_import
from intake_tui.xlsform.reader import ImportFailure
from intake_tui.xlsform.writer import import_xlsform
from tests.xlsform_forms import imported, visible, write_form

YES_NO = [
    {"list_name": "yn", "name": "yes", "label": "Yes"},
    {"list_name": "yn", "name": "no", "label": "No"},
]
FRUIT = [
    {"list_name": "fruit", "name": "apple", "label": "Apple"},
    {"list_name": "fruit", "name": "pear", "label": "Pear"},
    {"list_name": "fruit", "name": "none", "label": "None"},
]
CITIES = [
    {"list_name": "region", "name": "north", "label": "North"},
    {"list_name": "region", "name": "south", "label": "South"},
    {"list_name": "city", "name": "groningen", "label": "Groningen", "region": "north"},
    {"list_name": "city", "name": "assen", "label": "Assen", "region": "north"},
    {"list_name": "city", "name": "maastricht", "label": "Maastricht", "region": "south"},
]

# (construct, survey rows, choices, answers, expected visible question ids)
CASES = [
    (
        "relevant on a number",
        [
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "text", "name": "job", "label": "Job", "relevant": "${age} >= 18"},
        ],
        [],
        {"age": 12},
        ["age"],
    ),
    (
        "relevant on a number, shown",
        [
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "text", "name": "job", "label": "Job", "relevant": "${age} >= 18"},
        ],
        [],
        {"age": 30},
        ["age", "job"],
    ),
    (
        "select_one with selected()",
        [
            {"type": "select_one yn", "name": "kids", "label": "Children?"},
            {
                "type": "integer",
                "name": "n",
                "label": "How many",
                "relevant": "selected(${kids}, 'yes')",
            },
        ],
        YES_NO,
        {"kids": "yes"},
        ["kids", "n"],
    ),
    (
        "'!=' true on an empty answer, as in XLSForm",
        [
            {"type": "select_one yn", "name": "kids", "label": "Children?"},
            {
                "type": "note",
                "name": "nokids",
                "label": "No children said",
                "relevant": "${kids} != 'yes'",
            },
        ],
        YES_NO,
        {},
        ["kids", "nokids"],
    ),
    (
        "select_multiple with count-selected()",
        [
            {"type": "select_multiple fruit", "name": "fruit", "label": "Fruit"},
            {
                "type": "text",
                "name": "why",
                "label": "Why",
                "relevant": "count-selected(${fruit}) >= 2",
            },
            {
                "type": "text",
                "name": "pear_q",
                "label": "Pear?",
                "relevant": "selected(${fruit}, 'pear')",
            },
        ],
        FRUIT,
        {"fruit": ["apple", "pear"]},
        ["fruit", "why", "pear_q"],
    ),
    (
        "group becomes a section with its relevant",
        [
            {"type": "select_one yn", "name": "work", "label": "Work?"},
            {"type": "begin_group", "name": "job", "label": "Job", "relevant": "${work} = 'yes'"},
            {"type": "text", "name": "employer", "label": "Employer"},
            {"type": "end_group"},
        ],
        YES_NO,
        {"work": "no"},
        ["work"],
    ),
    (
        "repeat with repeat_count",
        [
            {"type": "integer", "name": "children", "label": "Children"},
            {
                "type": "begin_repeat",
                "name": "child",
                "label": "Child",
                "repeat_count": "${children}",
            },
            {"type": "text", "name": "child_name", "label": "Name"},
            {"type": "end_repeat"},
        ],
        [],
        {"children": 2},
        ["children", "child", "child_name#1", "child_name#2"],
    ),
    (
        "calculate with if()",
        [
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "calculate", "name": "adult", "calculation": "if(${age} >= 18, 'yes', 'no')"},
            {"type": "text", "name": "id_card", "label": "ID", "relevant": "${adult} = 'yes'"},
        ],
        [],
        {"age": 40},
        ["age", "id_card"],
    ),
    (
        "coalesce, string-length and regex",
        [
            {"type": "text", "name": "nick", "label": "Nickname"},
            {
                "type": "text",
                "name": "code",
                "label": "Code",
                "constraint": "regex(., '^[0-9]{4}$')",
            },
            {
                "type": "note",
                "name": "long",
                "label": "Long name",
                "relevant": "string-length(coalesce(${nick}, 'x')) > 3",
            },
        ],
        [],
        {"nick": "Alexander"},
        ["nick", "code", "long"],
    ),
    (
        "acknowledge and range",
        [
            {"type": "acknowledge", "name": "consent", "label": "I agree"},
            {
                "type": "range",
                "name": "score",
                "label": "Score",
                "parameters": "start=1 end=5",
                "relevant": "${consent} = 'OK'",
            },
        ],
        [],
        {},
        ["consent"],
    ),
    (
        "names normalised and rewritten in expressions",
        [
            {"type": "integer", "name": "Household.Size", "label": "Size"},
            {
                "type": "text",
                "name": "big-note",
                "label": "Big",
                "relevant": "${Household.Size} > 5",
            },
        ],
        [],
        {"household_size": 6},
        ["household_size", "big_note"],
    ),
]


@pytest.mark.parametrize(
    ("construct", "survey", "choices", "answers", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_construct(tmp_path: Path, construct: str, survey, choices, answers, expected) -> None:
    _result, bundle = imported(tmp_path, survey, choices)
    interview = Interview(bundle, today=lambda: dt.date(2026, 1, 5))
    for question, value in answers.items():
        interview.set_answer(question, Answer.of(value))
    assert visible(interview) == expected


def test_choice_filter_offers_the_region_s_cities(tmp_path: Path) -> None:
    survey = [
        {"type": "select_one region", "name": "region", "label": "Region"},
        {
            "type": "select_one city",
            "name": "city",
            "label": "City",
            "choice_filter": "region=${region}",
        },
    ]
    _result, bundle = imported(tmp_path, survey, CITIES)
    assert bundle.items["city"].spec.choice_filter == "(choice.region == region)"
    interview = Interview(bundle, today=lambda: dt.date(2026, 1, 5))
    interview.set_answer("region", Answer.of("north"))
    assert [c.value for c in interview.choices("city")] == ["groningen", "assen"]


def test_constraint_required_and_default(tmp_path: Path) -> None:
    survey = [
        {
            "type": "integer",
            "name": "age",
            "label": "Age",
            "required": "yes",
            "constraint": ". >= 0 and . <= 120",
            "constraint_message": "0 to 120",
            "default": "30",
        },
    ]
    _result, bundle = imported(tmp_path, survey)
    spec = bundle.items["age"].spec
    assert (spec.required, spec.constraint_message, spec.default) == (True, "0 to 120", "30")
    interview = Interview(bundle, today=lambda: dt.date(2026, 1, 5))
    assert interview.validate("age", 130)
    assert not interview.validate("age", 40)


def test_languages_go_to_po_files_and_placeholders_to_the_report(tmp_path: Path) -> None:
    survey = [
        {
            "type": "text",
            "name": "name",
            "label::English (en)": "Your name",
            "label::Arabic (ar)": "ما اسمك",
            "label::Dari": "نام شما",
        },
    ]
    result, bundle = imported(tmp_path, survey)
    assert bundle.spec.source_language == "en"
    assert result.languages == ["ar", "prs"]
    assert 'msgstr "ما اسمك"' in (tmp_path / "bundle/translations/ar.po").read_text("utf-8")
    spec = bundle.items["name"].spec
    assert spec.sensitivity == "special"
    assert spec.purpose and "purpose still to be written" in spec.purpose
    report = (tmp_path / "bundle/IMPORT-REPORT.md").read_text("utf-8")
    assert "`survey:2`: `name`: write its purpose" in report


def test_left_out_constructs_are_reported_and_strict_fails(tmp_path: Path, capsys) -> None:
    survey = [
        {"type": "geopoint", "name": "where", "label": "Where"},
        {"type": "text", "name": "a", "label": "A", "relevant": "pulldata('f', 'x', 'y', 'z') = 1"},
        {"type": "start", "name": "start"},
    ]
    form = write_form(tmp_path / "f.xlsx", survey)
    assert run_import(form, tmp_path / "b", strict=True) == 1
    report = (tmp_path / "b/IMPORT-REPORT.md").read_text("utf-8")
    assert "`survey:2`: type geopoint of `where` has no equivalent" in report
    assert "`survey:3`: relevant of `a` left out: pulldata()" in report
    assert "`survey:4`: metadata start" in report
    assert check_bundle(tmp_path / "b")[0] is not None


def test_name_clash_names_both_rows(tmp_path: Path) -> None:
    survey = [
        {"type": "text", "name": "Age", "label": "A"},
        {"type": "text", "name": "age", "label": "B"},
    ]
    with pytest.raises(
        ImportFailure, match=r"'Age' \(row 2\) and 'age' \(row 3\) both become 'age'"
    ):
        import_xlsform(write_form(tmp_path / "f.xlsx", survey), tmp_path / "b")


# -- bad input: a clear message with sheet and row, exit 1, never a traceback --------------


def _refused(tmp_path: Path, form: Path, capsys) -> str:
    assert run_import(form, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("import refused: ")
    return err


def test_corrupt_workbook(tmp_path: Path, capsys) -> None:
    form = tmp_path / "broken.xlsx"
    form.write_bytes(b"PK\x03\x04 this is not a zip")
    err = _refused(tmp_path, form, capsys)
    assert "broken.xlsx: " in err and len(err.splitlines()) == 1


def test_password_protected_workbook(tmp_path: Path, capsys) -> None:
    form = tmp_path / "secret.xlsx"
    form.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 600
        + "EncryptedPackage".encode("utf-16-le")
        + b"EncryptedPackage"
    )
    assert "password-protected" in _refused(tmp_path, form, capsys)


def test_no_survey_sheet(tmp_path: Path, capsys) -> None:
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.active.title = "choices"
    book.save(tmp_path / "f.xlsx")
    assert "survey" in _refused(tmp_path, tmp_path / "f.xlsx", capsys)


def test_duplicate_names(tmp_path: Path, capsys) -> None:
    survey = [
        {"type": "text", "name": "a", "label": "A"},
        {"type": "text", "name": "a", "label": "B"},
    ]
    err = _refused(tmp_path, write_form(tmp_path / "f.xlsx", survey), capsys)
    assert "row 3" in err


def test_unknown_list_name(tmp_path: Path, capsys) -> None:
    survey = [{"type": "select_one nowhere", "name": "a", "label": "A"}]
    err = _refused(tmp_path, write_form(tmp_path / "f.xlsx", survey, YES_NO), capsys)
    assert "sheet survey, row 2" in err and "nowhere" in err


def test_windows_1256_csv(tmp_path: Path, capsys) -> None:
    form = tmp_path / "survey.csv"
    text = "survey,type,name,label\n,text,a,A\n,text,b,ما اسمك\n"
    form.write_bytes(text.encode("cp1256"))
    err = _refused(tmp_path, form, capsys)
    assert "row 3 is not UTF-8" in err


def test_placeholder_purpose_warns_and_validate_strict_refuses(tmp_path: Path, capsys) -> None:
    from intake_tui.cli import main

    _result, bundle = imported(tmp_path, [{"type": "text", "name": "a", "label": "A"}])
    assert any("purpose is a placeholder" in str(w) for w in bundle.warnings)
    assert main(["questionnaire", "validate", str(tmp_path / "bundle")]) == 0
    assert main(["questionnaire", "validate", "--strict", str(tmp_path / "bundle")]) == 1


def test_purpose_and_sensitivity_columns_are_taken(tmp_path: Path) -> None:
    survey = [
        {
            "type": "text", "name": "a", "label": "A",
            "purpose": "Om contact op te nemen", "sensitivity": "personal",
        }
    ]  # fmt: skip
    _result, bundle = imported(tmp_path, survey)
    spec = bundle.items["a"].spec
    assert (spec.purpose, spec.sensitivity) == ("Om contact op te nemen", "personal")
    assert not bundle.warnings


def test_select_one_from_file_beside_the_form(tmp_path: Path) -> None:
    (tmp_path / "Cities.csv").write_text(
        "name,label,region\ngroningen,Groningen,north\nmaastricht,Maastricht,south\n", "utf-8"
    )
    survey = [
        {"type": "select_one region", "name": "region", "label": "Region"},
        {
            "type": "select_one_from_file Cities.csv", "name": "city", "label": "City",
            "choice_filter": "region=${region}",
        },
    ]  # fmt: skip
    _result, bundle = imported(tmp_path, survey, CITIES[:2])
    assert (tmp_path / "bundle/cities.csv").is_file()
    interview = Interview(bundle, today=lambda: dt.date(2026, 1, 5))
    interview.set_answer("region", Answer.of("south"))
    assert [c.value for c in interview.choices("city")] == ["maastricht"]


def test_survey_csv(tmp_path: Path) -> None:
    form = tmp_path / "survey.csv"
    form.write_text(
        "survey,type,name,label,relevant\n,integer,age,Age,\n,text,job,Job,${age} > 17\n", "utf-8"
    )
    import_xlsform(form, tmp_path / "b")
    interview = Interview(load_bundle(tmp_path / "b"), today=lambda: dt.date(2026, 1, 5))
    interview.set_answer("age", Answer.of(18))
    assert visible(interview) == ["age", "job"]


def test_version_and_id_from_settings(tmp_path: Path) -> None:
    settings = {"form_id": "My.Intake Form", "version": "2024061201", "form_title": "Intake"}
    _result, bundle = imported(
        tmp_path, [{"type": "text", "name": "a", "label": "A"}], settings=settings
    )
    assert (bundle.id, bundle.version, bundle.spec.title) == ("my-intake-form", "1.0.0", "Intake")
    report = (tmp_path / "bundle/IMPORT-REPORT.md").read_text("utf-8")
    assert "`settings:2`: version '2024061201' is not MAJOR.MINOR.PATCH" in report


def test_a_choice_csv_in_another_code_page_names_the_row_of_the_bad_byte(
    tmp_path: Path, capsys
) -> None:
    (tmp_path / "Cities.csv").write_bytes(
        "name,label\ngroningen,Groningen\nbagdad,بغداد\n".encode("cp1256")
    )
    survey = [{"type": "select_one_from_file Cities.csv", "name": "city", "label": "City"}]
    err = _refused(tmp_path, write_form(tmp_path / "f.xlsx", survey), capsys)
    assert "Cities.csv, row 3: not UTF-8" in err
