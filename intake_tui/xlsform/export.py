"""`intake-tui questionnaire export-xlsform DIR --out FORM.xlsx`: a bundle as an XLSForm.

The sheets are what ODK/KoboToolbox read (types, names, `label::Language (tag)` columns from the
catalogs - likewise hint, purpose, constraint_message and required_message, the settings'
form_title and description, a section's description as its group's hint -, XPath where the
expression has an equivalent, a `sensitivity` column); a `bundle` column holds each row's bundle
keys as JSON (expressions in the bundle's own syntax, roles, export keys …) and the settings'
`bundle` cell the top level, so `import-xlsform` of the file gives the same questionnaire.yaml
and catalogs. plan.yaml, its catalogs (`FORM.translations/<lang>.po`: the plan's texts have no
place in an XLSForm) and CSV lists are copied beside the file. A fuzzy translation is left out
(it would come back as a current one). An answer shown inside a text (`{q}`, docs/bundle-texts.md)
is written as XLSForm writes it, `${q}`, and a doubled brace as one brace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

BUNDLE_COLUMN = "bundle"
_XLS_TYPES = {
    "text": "text", "longtext": "text", "integer": "integer", "year": "integer",
    "decimal": "decimal", "date": "date", "note": "note",
}  # fmt: skip


def export_xlsform(bundle_dir: Path, out: Path) -> Path:
    """Write the bundle at `bundle_dir` as the XLSForm `out` (.xlsx); returns `out`."""
    from babel import Locale
    from openpyxl import Workbook

    from intake_tui.core.catalogs import catalog_files, parse_catalog
    from intake_tui.core.questionnaire import load_bundle
    from intake_tui.core.translations import bundle_messages
    from intake_tui.i18n.locale_format import babel_locale
    from intake_tui.xlsform.references import shows_answers, to_cell
    from intake_tui.xlsform.xpath import to_xpath

    bundle = load_bundle(bundle_dir)
    spec = bundle.spec
    raw_catalogs = {
        lang: raw for lang, raw in catalog_files(bundle.files).items() if lang in spec.languages
    }
    catalogs = {lang: parse_catalog(raw, name=f"{lang}.po") for lang, raw in raw_catalogs.items()}
    sources = {m.key: m.source for m in bundle_messages(bundle)}

    def column_name(lang: str) -> str:
        try:
            name = Locale.parse(babel_locale(lang)).get_display_name("en") or lang
        except Exception:  # a tag CLDR has no locale for (prs)
            name = {"prs": "Dari"}.get(lang, lang)
        return f"{name} ({lang})"

    kinds = {item_id: item.type for item_id, item in bundle.items.items()}

    def texts(prefix: str, key: str) -> dict[str, str]:
        source = sources.get(key)
        if source is None:
            return {}
        shown = to_cell if shows_answers(key) else str
        cells = {f"{prefix}::{column_name(spec.source_language)}": shown(source)}
        for lang, catalog in catalogs.items():
            found = catalog.translation(key, source)
            if found and found[1]:  # a fuzzy one would come back as current
                cells[f"{prefix}::{column_name(lang)}"] = shown(found[0])
        return cells

    survey: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    lists_written: set[str] = set()

    def choice_rows(list_name: str, entries: Any, key_of: Any) -> None:
        if list_name in lists_written:
            return
        lists_written.add(list_name)
        for choice in entries:
            key = key_of(choice)
            row = {
                "list_name": list_name,
                "name": choice.value,
                **texts("label", key),
                **texts("hint", f"{key}.hint"),
            }
            choices.append(row)

    def expression_cells(node: Any, row: dict[str, Any]) -> None:
        for key, column in (
            ("relevant", "relevant"), ("constraint", "constraint"), ("calculate", "calculation"),
            ("choice_filter", "choice_filter"), ("repeat_count", "repeat_count"),
        ):  # fmt: skip
            value = getattr(node, key, None)
            if value and (xpath := to_xpath(value, kinds)) and key != "choice_filter":
                row[column] = xpath
        if key_calculated(node) and "calculation" not in row:
            row["calculation"] = "''"  # pyxform needs one; the bundle column has the expression
        if getattr(node, "required", False) is True:
            row["required"] = "yes"

    def key_calculated(node: Any) -> bool:
        return getattr(node, "calculate", None) is not None

    def item_rows(node: Any) -> None:
        data = node.model_dump(exclude_defaults=True, exclude={"questions"})
        row: dict[str, Any] = {"name": node.id, BUNDLE_COLUMN: json.dumps(data, ensure_ascii=False)}
        if node.type in ("group", "repeat"):
            row["type"] = f"begin_{node.type}"
        elif node.calculate is not None:
            row["type"] = "calculate"
        elif node.type == "yes_no":
            row["type"] = "select_one yes_no_"
            choices_yes_no()
        elif node.type in ("choice", "multi_choice"):
            row["type"] = _choice_type(node)
        else:
            row["type"] = _XLS_TYPES[node.type]
        row.update(texts("label", f"question.{node.id}.label"))
        row.update(texts("hint", f"question.{node.id}.hint"))
        row.update(texts("constraint_message", f"question.{node.id}.constraint_message"))
        row.update(texts("required_message", f"question.{node.id}.required_message"))
        row.update(texts("purpose", f"question.{node.id}.purpose"))
        if node.sensitivity:
            row["sensitivity"] = node.sensitivity
        expression_cells(node, row)
        survey.append(row)
        for child in node.questions:
            item_rows(child)
        if node.type in ("group", "repeat"):
            survey.append({"type": f"end_{node.type}"})

    def choices_yes_no() -> None:
        if "yes_no_" not in lists_written:
            lists_written.add("yes_no_")
            choices.append({"list_name": "yes_no_", "name": "true", "label": "true"})
            choices.append({"list_name": "yes_no_", "name": "false", "label": "false"})

    def _choice_type(node: Any) -> str:
        kind = "select_one" if node.type == "choice" else "select_multiple"
        if isinstance(node.choices, list):
            name = f"q_{node.id}"
            choice_rows(name, node.choices, lambda c: f"question.{node.id}.choice.{c.value}")
            return f"{kind} {name}"
        entry = spec.choice_lists.get(str(node.choices))
        if isinstance(entry, list):
            choice_rows(str(node.choices), entry, lambda c: f"choice_list.{node.choices}.{c.value}")
            return f"{kind} {node.choices}"
        source = getattr(entry, "csv", None)
        if source:
            return f"{kind}_from_file {source}"
        return "text"  # a list named by CLDR (countries, languages): the bundle column has it

    for section in spec.sections:
        data = section.model_dump(exclude_defaults=True, exclude={"questions"})
        row = {
            "type": "begin_group",
            "name": section.id,
            BUNDLE_COLUMN: json.dumps({"section": True, **data}, ensure_ascii=False),
            **texts("label", f"section.{section.id}.title"),
            **texts("hint", f"section.{section.id}.description"),
        }
        if section.relevant and (xpath := to_xpath(section.relevant, kinds)):
            row["relevant"] = xpath
        survey.append(row)
        for question in section.questions:
            item_rows(question)
        survey.append({"type": "end_group"})
    top = spec.model_dump(exclude_defaults=True, exclude={"sections"})
    settings: dict[str, Any] = {
        "form_id": spec.id,
        "form_title": spec.title,
        "version": spec.version,
        "default_language": column_name(spec.source_language),
        BUNDLE_COLUMN: json.dumps(top, ensure_ascii=False),
    }
    if spec.description:
        settings["description"] = spec.description
    own = f"::{column_name(spec.source_language)}"
    for column, key in (("form_title", "bundle.title"), ("description", "bundle.description")):
        # the source is the plain setting; each translation `form_title::Arabic (ar)`
        settings.update({k: v for k, v in texts(column, key).items() if not k.endswith(own)})
    book = Workbook()
    for index, (title, rows) in enumerate(
        (("survey", survey), ("choices", choices), ("settings", [settings]))
    ):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        columns: list[str] = []
        for entry in rows:
            columns += [k for k in entry if k not in columns]
        sheet.append(columns)
        for entry in rows:
            sheet.append([entry.get(c) for c in columns])
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    folder = Path(bundle_dir)
    for name in bundle.files:
        if name.endswith(".csv"):
            shutil.copyfile(folder / name, out.parent / name)
    if (folder / "plan.yaml").is_file():
        shutil.copyfile(folder / "plan.yaml", out.with_suffix(".plan.yaml"))
        # The plan's texts have no place in an XLSForm: its catalogs travel beside it too.
        beside = out.with_suffix(".translations")
        for lang, raw in raw_catalogs.items():
            beside.mkdir(exist_ok=True)
            (beside / f"{lang}.po").write_bytes(raw)
    return out
