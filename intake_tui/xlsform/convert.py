"""pyxform's parsed form → the data of a questionnaire.yaml, its translations and the report.

The mapping table is in docs/xlsform.md. Names are made snake_case (and rewritten in every
expression); an XLSForm-only construct is left out with a report line; questions get the
placeholder purpose and `sensitivity: special` (XLSForm has neither), each with a report line,
unless the form has `purpose`/`sensitivity` columns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_tui.i18n import _
from intake_tui.xlsform.convert_items import _UNTAGGED, METADATA, TYPES, Items, snake
from intake_tui.xlsform.languages import language_tag
from intake_tui.xlsform.reader import Form, ImportFailure, warning_lines
from intake_tui.xlsform.references import from_cell, shows_answers
from intake_tui.xlsform.report import Report


@dataclass
class Imported:
    data: dict[str, Any]
    translations: dict[str, dict[str, str]]  # language → msgctxt → text
    csv_files: dict[str, bytes]
    report: Report
    rows: dict[str, int] = field(default_factory=dict)  # bundle id → survey row
    languages: list[str] | None = None  # the order of `languages:` (a round trip keeps it)


class Converter(Items):
    def __init__(self, form: Form, path: Path, *, untagged_language: str | None = None) -> None:
        self.form = form
        self.path = path
        self.report = Report()
        self.translations: dict[str, dict[str, str]] = {}
        self.csv_files: dict[str, bytes] = {}
        self.ids: dict[str, str] = {}  # XLSForm name → bundle id
        self.kinds: dict[str, str] = {}  # bundle id → bundle type
        self.rows: dict[str, int] = {}
        self.lists: dict[str, Any] = {}
        self.list_names: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.untagged_language = untagged_language
        self.form_id = ""
        self.source = _UNTAGGED
        self.languages: dict[str, str] = {}  # XLSForm language key → tag
        self.csv_lists: set[str] = set()
        self.originals: dict[str, str] = {}  # bundle id → XLSForm name
        self.node_ids: dict[int, str] = {}  # a survey row's node → its bundle id
        self.ambiguous: set[str] = set()
        self.source_tag = "en"

    # -- the whole form -------------------------------------------------------------------------

    def convert(self) -> Imported:
        tree, settings = self.form.tree, self.form.settings
        raw_id = settings.get("form_id") or tree.get("id_string") or self.path.stem
        self.form_id = re.sub(r"[^a-z0-9-]+", "-", raw_id.strip().lower()).strip("-") or "form"
        if not self.form_id[0].isalnum():
            self.form_id = "form-" + self.form_id
        version = settings.get("version", "")
        if not re.fullmatch(r"\d{1,6}\.\d{1,6}\.\d{1,6}", version):
            if version:
                self.report.add(
                    "settings",
                    2,
                    _("version {v!r} is not MAJOR.MINOR.PATCH; the bundle is 1.0.0").format(
                        v=version
                    ),
                )
            version = "1.0.0"
        self._languages(tree, settings)
        for sheet, row, message in warning_lines(self.form.warnings):
            self.report.add(sheet, row, message, pyxform=True)
        if settings.get("bundle"):  # written by export-xlsform: the bundle's own keys
            return self._round_trip(tree, settings["bundle"])
        self._names(tree.get("children", []), inside_repeat=False, depth=0)
        for list_name, choices in (tree.get("choices") or {}).items():
            self.list_names[list_name] = snake(list_name)
            self.lists[list_name] = choices
        title = settings.get("form_title") or tree.get("title") or self.form_id
        data: dict[str, Any] = {
            "id": self.form_id,
            "version": version,
            "title": str(title),
            "source_language": self.source_tag,
        }
        choice_lists = self._choice_lists()
        sections = self._sections(tree.get("children", []), str(title))
        self.names_fallback(sections)
        choice_lists.update({name: {"source": f"{name}.csv"} for name in self.csv_lists})
        if choice_lists:
            data["choice_lists"] = choice_lists
        data["sections"] = sections
        self._translate_text("bundle.title", tree.get("title"))
        return Imported(data, self.translations, self.csv_files, self.report, self.rows)

    def _translate_cells(self, key: str, value: Any) -> None:
        """An exported form's translations of `key`, as the bundle writes them (`${q}` → `{q}`
        where the text shows answers: xlsform/references.py)."""
        if isinstance(value, dict) and shows_answers(key):
            value = {k: from_cell(t) if isinstance(t, str) else t for k, t in value.items()}
        self._translate_text(key, value)

    def _round_trip(self, tree: dict[str, Any], top: str) -> Imported:
        data: dict[str, Any] = json.loads(top)
        data["sections"] = []
        order = data.pop("languages", None)

        def item(child: dict[str, Any]) -> dict[str, Any] | None:
            raw = child.get("bundle")
            if not raw:
                return None
            node: dict[str, Any] = json.loads(str(raw))
            node.pop("section", None)
            key = f"section.{node['id']}.title" if "title" in node else None
            if key:
                self._translate_cells(key, child.get("label"))
                self._translate_cells(f"section.{node['id']}.description", child.get("hint"))
            else:
                for column, suffix in (
                    ("label", "label"), ("hint", "hint"), ("purpose", "purpose"),
                    ("jr:constraintMsg", "constraint_message"),
                    ("jr:requiredMsg", "required_message"),
                ):  # fmt: skip
                    source = (child.get("bind") or {}) if column.startswith("jr:") else child
                    self._translate_cells(f"question.{node['id']}.{suffix}", source.get(column))
            if child.get("type") in ("group", "repeat"):
                node["questions"] = [q for c in child.get("children", []) if (q := item(c))]
            return node

        for child in tree.get("children", []):
            raw = child.get("bundle")
            if raw and json.loads(str(raw)).get("section"):
                section = item(child)
                if section is not None:
                    data["sections"].append(section)
        for list_name, entries in (tree.get("choices") or {}).items():
            for choice in entries:
                if list_name.startswith("q_"):
                    key = f"question.{list_name[2:]}.choice.{choice.get('name')}"
                else:
                    key = f"choice_list.{list_name}.{choice.get('name')}"
                self._translate_text(key, choice.get("label"))
                self._translate_text(f"{key}.hint", choice.get("hint"))
        self._translate_text("bundle.title", tree.get("title"))
        self._translate_text("bundle.description", tree.get("description"))
        plan = self.path.with_suffix(".plan.yaml")
        if plan.is_file():
            self.csv_files["plan.yaml"] = plan.read_bytes()
            self._plan_translations()
        for name in self.form_files(data):
            if (self.path.parent / name).is_file():
                self.csv_files[name] = (self.path.parent / name).read_bytes()
        result = Imported(data, self.translations, self.csv_files, self.report, self.rows)
        result.languages = order
        return result

    def _plan_translations(self) -> None:
        """The plan's texts in each language, from the catalogs export-xlsform put beside the
        form (`<form>.translations/<lang>.po`): an XLSForm has no place for them."""
        from intake_tui.core.catalogs import CatalogError, parse_catalog

        folder = self.path.with_suffix(".translations")
        for tag, texts in self.translations.items():
            po = folder / f"{tag}.po"
            if not po.is_file():
                continue
            try:
                catalog = parse_catalog(po.read_bytes(), name=po.name)
            except CatalogError as error:
                self.report.add(po.name, None, str(error))
                continue
            for key, entry in catalog.entries.items():
                if key.startswith("plan.") and entry.text and not entry.fuzzy:
                    texts.setdefault(key, entry.text)

    @staticmethod
    def form_files(data: dict[str, Any]) -> list[str]:
        lists = data.get("choice_lists") or {}
        return [
            e["source"]
            for e in lists.values()
            if isinstance(e, dict) and str(e.get("source", "")).endswith(".csv")
        ]

    def _languages(self, tree: dict[str, Any], settings: dict[str, str]) -> None:
        keys: list[str] = []

        def collect(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in (
                        "label",
                        "hint",
                        "jr:constraintMsg",
                        "jr:requiredMsg",
                    ) and isinstance(value, dict):
                        keys.extend(k for k in value if k not in keys)
                    else:
                        collect(value)
            elif isinstance(node, list):
                for entry in node:
                    collect(entry)

        collect(tree)
        default = settings.get("default_language", "").strip()
        if default and default != _UNTAGGED:
            self.source = default
            why = _("the settings' default_language ({lang})").format(lang=default)
        elif _UNTAGGED in keys or not keys:
            self.source = _UNTAGGED
            why = _("the untagged label column")
        else:
            self.source = keys[0]
            why = _("the first language column ({lang})").format(lang=keys[0])
        if self.source == _UNTAGGED:
            tag = self.untagged_language or "en"
            if not self.untagged_language:
                why += "; " + _("taken as English (en): --source-language says otherwise")
        else:
            tag = language_tag(self.source) or ""
            if not tag:
                raise ImportFailure(
                    _("settings: default_language {lang!r} names no known language").format(
                        lang=self.source
                    )
                )
        self.source_tag = tag
        self.report.notes.append(_("Source language: {why}.").format(why=why))
        for key in keys:
            if key == self.source:
                continue
            other = language_tag(key) if key != _UNTAGGED else None
            if other is None or other == tag:
                self.report.add(
                    "survey",
                    1,
                    _(
                        "language column {lang!r} left out: no known language, or the source's"
                    ).format(lang=key),
                )
                continue
            self.languages[key] = other
            self.translations.setdefault(other, {})

    # -- names ---------------------------------------------------------------------------------

    def _names(
        self, children: list[dict[str, Any]], *, inside_repeat: bool, depth: int, parent: str = ""
    ) -> None:
        for child in children:
            name = str(child.get("name", ""))
            kind = self._kind(child, inside_repeat)
            if kind is None:
                continue
            new = snake(name)
            first = self.originals.get(new)
            if first is not None and first != name:
                raise ImportFailure(
                    _(
                        "sheet survey: {a!r} (row {ra}) and {b!r} (row {rb}) both become {new!r}"
                    ).format(a=first, ra=self._row(first), b=name, rb=self._row(name), new=new)
                )
            row = self._row(name)
            if first is not None:  # the same name in another group: allowed in XLSForm
                base = f"{parent}_{new}" if parent else f"{new}_2"
                new, number = base, 2
                while new in self.originals:
                    number += 1
                    new = f"{base}_{number}"
                self.ambiguous.add(name)
                self.report.add(
                    "survey",
                    row,
                    _("`{name}` is used twice; this one is `{new}`").format(name=name, new=new),
                )
            elif new != name:
                self.report.add(
                    "survey", row, _("name `{name}` → `{new}`").format(name=name, new=new)
                )
            self.originals[new] = name
            self.ids.setdefault(name, new)
            self.node_ids[id(child)] = new
            self.kinds[new] = kind
            self.rows[new] = row or 0
            if kind in ("group", "repeat"):
                self._names(
                    child.get("children", []),
                    inside_repeat=inside_repeat or kind == "repeat",
                    depth=depth + 1,
                    parent=new,
                )

    def _row(self, name: str) -> int | None:
        return self.form.survey_rows.get(name)

    def _kind(self, child: dict[str, Any], inside_repeat: bool) -> str | None:
        """The bundle type of a survey row, or None (with a report line) when it is left out."""
        xls_type = str(child.get("type", ""))
        name = str(child.get("name", ""))
        row = self._row(name)
        if name == "meta" and xls_type == "group" and row is None:
            return None  # pyxform's own instanceID block, not in the form
        if xls_type in METADATA:
            self.report.add(
                "survey",
                row,
                _("metadata {type} `{name}` left out").format(type=xls_type, name=name),
            )
            return None
        if xls_type == "repeat" and inside_repeat:
            self.report.add(
                "survey",
                row,
                _("repeat `{name}` inside a repeat left out (with its questions)").format(
                    name=name
                ),
            )
            return None
        kind = TYPES.get(xls_type)
        if kind is None:
            self.report.add(
                "survey",
                row,
                _("type {type} of `{name}` has no equivalent; left out").format(
                    type=xls_type, name=name
                ),
            )
            return None
        itemset = str(child.get("itemset", ""))
        if (
            kind in ("choice", "multi_choice")
            and itemset.endswith(".csv")
            and not (self.path.parent / itemset).is_file()
        ) and True:
            self.report.add(
                "survey",
                row,
                _(
                    "the choice file {file} of `{name}` is not beside the form; asked as text"
                ).format(file=child["itemset"], name=name),
            )
            return "text"
        return kind
