"""`questionnaire export-xlsform` (issue 20, item 7): the default brede intake written as an
XLSForm and imported again gives the same questionnaire (after normalisation: the loaded spec)
and the same translations."""

from __future__ import annotations

from pathlib import Path

from intake_tui.cli import main
from intake_tui.core.catalogs import parse_catalog
from intake_tui.core.questionnaire import load_bundle
from intake_tui.xlsform.export import export_xlsform
from intake_tui.xlsform.writer import import_xlsform
from intake_tui.xlsform.xpath import to_xpath

from .conftest import DEFAULT_BUNDLE
from .xlsform_forms import write_form


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
    # Every translation comes back, as it was: labels, hints, purposes, messages, choices, the
    # title and description, section descriptions, and the plan's texts (beside the form).
    for po in sorted((DEFAULT_BUNDLE / "translations").glob("*.po")):
        first = parse_catalog(po.read_bytes(), name=po.name).entries
        again = parse_catalog(
            (tmp_path / "back" / "translations" / po.name).read_bytes(), name=po.name
        ).entries
        translated = {k: (e.source, e.text, e.fuzzy) for k, e in first.items() if e.text}
        assert {k: (e.source, e.text, e.fuzzy) for k, e in again.items() if e.text} == translated
        keys = {key.split(".")[0] + "." + key.rsplit(".", 1)[-1] for key in translated}
        assert {"bundle.title", "question.purpose", "section.description"} <= keys, po.name


def test_exported_sheets_carry_purpose_sensitivity_and_languages(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    form = tmp_path / "brede.xlsx"
    assert main(["questionnaire", "export-xlsform", str(DEFAULT_BUNDLE), "--out", str(form)]) == 0
    book = load_workbook(form)
    header = [c.value for c in next(book["survey"].iter_rows(max_row=1))]
    assert {"sensitivity", "bundle", "relevant"} <= set(header)
    assert {"label::Arabic (ar)", "label::Dutch (nl)", "purpose::Dutch (nl)"} <= set(header)
    assert "purpose::Arabic (ar)" in header
    settings = dict(zip(*(list(book["settings"].iter_rows(values_only=True))), strict=True))
    assert settings["form_title"] == load_bundle(DEFAULT_BUNDLE).spec.title
    assert settings["form_title::Arabic (ar)"] and settings["description::Turkish (tr)"]
    assert not any(column.endswith("::Dutch (nl)") for column in settings)


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


def test_a_small_form_s_texts_in_two_languages_round_trip(tmp_path: Path) -> None:
    """Purpose, required_message, the title, a group's hint (the section's description) and a
    choice's hint, each with its Arabic, from a form into a bundle, out and in again."""
    survey = [
        {"type": "begin_group", "name": "home", "label::English (en)": "Home",
         "label::Arabic (ar)": "المنزل", "hint::English (en)": "About the home",
         "hint::Arabic (ar)": "عن المنزل"},
        {"type": "select_one kind", "name": "kind", "label::English (en)": "Kind",
         "label::Arabic (ar)": "النوع", "required": "yes",
         "required_message::English (en)": "Ask the landlord",
         "required_message::Arabic (ar)": "اسأل المالك",
         "purpose::English (en)": "To plan the visit", "purpose::Arabic (ar)": "لتخطيط الزيارة",
         "sensitivity": "personal"},
        {"type": "end_group"},
    ]  # fmt: skip
    choices = [
        {"list_name": "kind", "name": "flat", "label::English (en)": "Flat",
         "label::Arabic (ar)": "شقة", "hint::English (en)": "One floor",
         "hint::Arabic (ar)": "طابق واحد"},
    ]  # fmt: skip
    settings = {"form_title": "Housing", "form_title::Arabic (ar)": "السكن"}
    first = tmp_path / "first"
    import_xlsform(write_form(tmp_path / "form.xlsx", survey, choices, settings), first)
    spec = load_bundle(first).spec
    section = spec.sections[0]
    assert (section.description, spec.choice_lists["kind"][0].hint) == (  # type: ignore[index]
        "About the home",
        "One floor",
    )
    question = section.questions[0]
    assert (question.purpose, question.required_message) == (
        "To plan the visit",
        "Ask the landlord",
    )
    arabic = parse_catalog((first / "translations/ar.po").read_bytes(), name="ar.po").entries
    expected = {
        "bundle.title": "السكن",
        "section.home.description": "عن المنزل",
        "question.kind.purpose": "لتخطيط الزيارة",
        "question.kind.required_message": "اسأل المالك",
        "choice_list.kind.flat.hint": "طابق واحد",
    }
    assert {key: arabic[key].text for key in expected} == expected
    export_xlsform(first, tmp_path / "out" / "form.xlsx")
    again = tmp_path / "again"
    import_xlsform(tmp_path / "out" / "form.xlsx", again)
    assert load_bundle(again).spec == spec
    assert (again / "translations/ar.po").read_text("utf-8").split("\n\n", 1)[1] == (
        first / "translations/ar.po"
    ).read_text("utf-8").split("\n\n", 1)[1]
