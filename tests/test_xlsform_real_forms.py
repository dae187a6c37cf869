"""The XLSForm importer on the nine real public forms in ../shared/reference/xlsforms/.

They are not copied into the project (their licences differ; SOURCES.md there says which), so
this module runs only where that folder is beside the checkout (or named by
$INTAKE_TEST_XLSFORMS), as on the development machines.
A clean clone in CI has no ../shared: the module is skipped there, and the construct tests in
test_xlsform_import.py (synthetic forms) are what CI checks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from intake_tui.cli import main
from intake_tui.core import Answer, Interview
from intake_tui.core.questionnaire import check_bundle, load_bundle
from tests.xlsform_forms import visible

# Beside the checkout, or where INTAKE_TEST_XLSFORMS says (a worktree elsewhere).
FORMS = Path(
    os.environ.get("INTAKE_TEST_XLSFORMS")
    or Path(__file__).resolve().parents[2] / "shared" / "reference" / "xlsforms"
)
pytestmark = pytest.mark.skipif(not FORMS.is_dir(), reason="../shared/reference/xlsforms absent")

ARABIC = "onaio_onadata__tutorial_arabic_labels.xlsx"
CHILDREN = "onaio_onadata__childrens_survey_sw.xlsx"
UCL = "XLSForm_pyxform__UCL_Biomass_Plot_Form.xlsx"
REFUSED = {
    # pyxform itself refuses it: a choice list with the same name twice
    "validmeasures_liberiaS3Mforms__liberiaCoverage.xlsx": "sheet choices, row 126",
}
ALL = sorted(p.name for p in FORMS.glob("*.xls*")) if FORMS.is_dir() else []


@pytest.mark.parametrize("name", ALL)
def test_each_form_imports_and_validates_or_is_refused(tmp_path: Path, name: str, capsys) -> None:
    code = main(
        ["questionnaire", "import-xlsform", str(FORMS / name), "--out", str(tmp_path / "b")]
    )
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    if name in REFUSED:
        assert code == 1
        assert err.startswith("import refused: ") and REFUSED[name] in err
        return
    assert code == 0, err
    bundle, problems = check_bundle(tmp_path / "b")
    assert bundle is not None, problems
    assert main(["questionnaire", "validate", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b" / "IMPORT-REPORT.md").is_file()


def test_nine_forms_are_there() -> None:
    assert len(ALL) == 9


@pytest.fixture
def bundle_of(tmp_path: Path):
    def load(name: str):
        assert (
            main(
                [
                    "questionnaire",
                    "import-xlsform",
                    str(FORMS / name),
                    "--out",
                    str(tmp_path / name),
                ]
            )
            == 0
        )
        return load_bundle(tmp_path / name)

    return load


def _interview(bundle) -> Interview:
    return Interview(bundle, today=lambda: dt.date(2026, 1, 5))


def test_arabic_form_labels_land_in_ar_po(bundle_of, tmp_path: Path) -> None:
    bundle = bundle_of(ARABIC)
    assert bundle.spec.source_language == "en" and bundle.languages[-1] == "ar"
    po = (tmp_path / ARABIC / "translations" / "ar.po").read_text("utf-8")
    assert (
        'msgctxt "question.has_children.label"\n'
        'msgid "4. Do you have any children?"\n'
        'msgstr "4. هل لديك أي أطفال؟"' in po
    )
    assert 'msgstr "موزيلا فايرفوكس"' in po
    # photo and geopoint are left out; the four questions that remain are always shown
    assert visible(_interview(bundle)) == ["name", "age", "has_children", "web_browsers"]


def test_childrens_survey_repeat_and_the_name_used_twice(bundle_of) -> None:
    bundle = bundle_of(CHILDREN)
    assert bundle.spec.source_language == "sw"
    interview = _interview(bundle)
    interview.add_instance("children")
    interview.add_instance("children")
    per_child = ["children_name", "children_age", "fav_colors", "ice_creams"]
    assert visible(interview) == [
        "name", "age", "children",
        *(f"{q}#1" for q in per_child), *(f"{q}#2" for q in per_child),
        "geo_note", "tel_office", "tel_mobile",
    ]  # fmt: skip


UCL_ALWAYS = {
    "intro": ["note2", "note1"],
    "location": [
        "region_id", "district_id", "village", "plant_phase", "plot_id", "canopy_cover",
        "monumented", "slope", "note3",
    ],
}  # fmt: skip


def test_ucl_biomass_relevance_as_the_form_says(bundle_of) -> None:
    bundle = bundle_of(UCL)
    interview = _interview(bundle)
    interview.set_answer("leader_name", Answer.of("other"))
    for question in ("any_trees", "stumps_in_plot", "regen_in_subplot1", "regen_in_subplot2"):
        interview.set_answer(question, Answer.of("no"))
    assert visible(interview) == [
        *UCL_ALWAYS["intro"], "leader_name", "leader_name_other", "leader_number",
        *UCL_ALWAYS["location"],
        "any_trees", "stumps_in_plot", "regen_in_subplot1", "regen_in_subplot2",
        "disturbance", "remarks",
    ]  # fmt: skip

    interview = _interview(bundle)
    interview.set_answer("any_trees", Answer.of("yes"))
    interview.add_instance("trees")
    tree = ["tag", "latin_name_id", "tree_bearing", "tree_distance", "bole_height", "stem_count"]
    assert visible(interview) == [
        *UCL_ALWAYS["intro"], "leader_name", "leader_number", *UCL_ALWAYS["location"],
        "any_trees", "trees", *(f"{q}#1" for q in tree),
        "stumps_in_plot", "regen_in_subplot1", "regen_in_subplot2", "disturbance", "remarks",
    ]  # fmt: skip
