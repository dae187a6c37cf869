"""`questionnaire export-xlsform` (issue 20, item 7): the default brede intake written as an
XLSForm and imported again gives the same questionnaire (after normalisation: the loaded spec)."""

from __future__ import annotations

from pathlib import Path

from intake_tui.cli import main
from intake_tui.core.questionnaire import load_bundle
from intake_tui.xlsform.xpath import to_xpath

from .conftest import DEFAULT_BUNDLE


def test_brede_intake_round_trip(tmp_path: Path, capsys) -> None:
    form = tmp_path / "xls" / "brede.xlsx"
    assert main(["questionnaire", "export-xlsform", str(DEFAULT_BUNDLE), "--out", str(form)]) == 0
    assert (tmp_path / "xls" / "brede.plan.yaml").is_file()
    code = main(["questionnaire", "import-xlsform", str(form), "--out", str(tmp_path / "back")])
    assert code == 0, capsys.readouterr().err
    original = load_bundle(DEFAULT_BUNDLE)
    back = load_bundle(tmp_path / "back")
    assert back.spec.model_dump(exclude_defaults=True) == original.spec.model_dump(
        exclude_defaults=True
    )
    assert (tmp_path / "back" / "plan.yaml").read_bytes() == (
        DEFAULT_BUNDLE / "plan.yaml"
    ).read_bytes()
    assert back.plan is not None


def test_exported_sheets_carry_purpose_sensitivity_and_languages(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    form = tmp_path / "brede.xlsx"
    assert main(["questionnaire", "export-xlsform", str(DEFAULT_BUNDLE), "--out", str(form)]) == 0
    header = [c.value for c in next(load_workbook(form)["survey"].iter_rows(max_row=1))]
    assert {"purpose", "sensitivity", "bundle", "relevant"} <= set(header)
    assert "label::Arabic (ar)" in header and "label::Dutch (nl)" in header


def test_export_refuses_what_is_not_xlsx(tmp_path: Path, capsys) -> None:
    out = tmp_path / "f.xls"
    assert main(["questionnaire", "export-xlsform", str(DEFAULT_BUNDLE), "--out", str(out)]) == 1
    assert "must end in .xlsx" in capsys.readouterr().err


def test_xpath_of_bundle_expressions() -> None:
    kinds = {"a": "choice", "n": "integer", "m": "multi_choice", "ok": "yes_no"}
    assert to_xpath("a == 'x' and n > 3", kinds) == "((${a} = 'x') and (${n} > 3))"
    assert to_xpath("'y' if n >= 18 else 'z'", kinds) == "if((${n} >= 18), 'y', 'z')"
    assert to_xpath("selected(m, 'p') or not known(a)", kinds) == (
        "(selected(${m}, 'p') or not((${a} != '')))"
    )
    assert (
        to_xpath("ok == true", kinds) is None
    )  # no XLSForm equivalent: the bundle column keeps it
    assert to_xpath("case.given_name", kinds) is None
