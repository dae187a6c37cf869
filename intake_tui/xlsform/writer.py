"""Writing an imported form as a bundle folder: questionnaire.yaml (one key per line, so a
loader problem points at one key), the CSV lists, translations/<lang>.po (laid out by
core/catalog_update.py) and IMPORT-REPORT.md. Whatever the loader still refuses (a code an
expression compares with that is not in the list, a type clash) is left out key by key, each
with a report line, until the bundle loads."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake_tui.i18n import _
from intake_tui.xlsform.convert import Converter, Imported
from intake_tui.xlsform.convert_items import EXPRESSION_KEYS
from intake_tui.xlsform.reader import ImportFailure, read_form

REPORT_FILE = "IMPORT-REPORT.md"
_ROUNDS = 25


@dataclass
class Result:
    out: Path
    bundle_id: str
    questions: int
    languages: list[str]
    report_lines: int


def import_xlsform(path: Path, out: Path, *, source_language: str | None = None) -> Result:
    """Import the form at `path` into the bundle folder `out` (created; must be empty)."""
    from intake_tui.core.catalog_update import new_catalog_text
    from intake_tui.core.questionnaire import TRANSLATIONS_DIR, check_bundle

    if out.exists() and any(out.iterdir()):
        raise ImportFailure(_("{out} is not empty; give a new folder").format(out=out))
    form = read_form(path)
    imported = Converter(form, path, untagged_language=source_language).convert()
    out.mkdir(parents=True, exist_ok=True)
    for name, data in imported.csv_files.items():
        (out / name).write_bytes(data)
    bundle = None
    for _round in range(_ROUNDS):
        lines = _emit(imported.data)
        (out / "questionnaire.yaml").write_text("\n".join(t for t, _where in lines) + "\n", "utf-8")
        bundle, problems = check_bundle(out)
        if bundle is not None:
            break
        if not _repair(imported, lines, problems):
            raise ImportFailure(
                _("the imported bundle does not load:") + "\n" + "\n".join(map(str, problems[:20]))
            )
    if bundle is None:
        raise ImportFailure(_("the imported bundle does not load"))
    languages = sorted(imported.translations)
    if languages:
        folder = out / TRANSLATIONS_DIR
        folder.mkdir(exist_ok=True)
        for lang in languages:
            text = new_catalog_text(bundle, lang, translated=imported.translations[lang])
            (folder / f"{lang}.po").write_text(text, "utf-8")
        imported.data = {**imported.data, "languages": imported.languages or languages}
        ordered: dict[str, Any] = {
            k: imported.data[k]
            for k in ("id", "version", "title", "source_language", "languages")
            if k in imported.data
        }
        imported.data = {**ordered, **imported.data}
        (out / "questionnaire.yaml").write_text(
            "\n".join(t for t, _where in _emit(imported.data)) + "\n", "utf-8"
        )
        bundle, problems = check_bundle(out)
        if bundle is None:
            shown = [_("the imported bundle does not load:"), *map(str, problems[:20])]
            raise ImportFailure("\n".join(shown))
    (out / REPORT_FILE).write_text(imported.report.markdown(path.name, bundle.id), "utf-8")
    return Result(
        out, bundle.id, len(bundle.value_questions()), languages, len(imported.report.lines)
    )


# -- questionnaire.yaml, one key per line --------------------------------------------------------

Where = tuple[dict[str, Any], str] | None


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _emit(data: dict[str, Any]) -> list[tuple[str, Where]]:
    lines: list[tuple[str, Where]] = []

    def mapping(node: dict[str, Any], indent: int, first_prefix: str | None = None) -> None:
        for index, (key, value) in enumerate(node.items()):
            pad = first_prefix if (index == 0 and first_prefix is not None) else " " * indent
            where: Where = (node, key)
            if isinstance(value, dict):
                lines.append((f"{pad}{key}:", where))
                mapping(value, indent + 2)
            elif isinstance(value, list):
                if not value:
                    lines.append((f"{pad}{key}: []", where))
                    continue
                lines.append((f"{pad}{key}:", where))
                for entry in value:
                    if isinstance(entry, dict):
                        mapping(entry, indent + 4, " " * (indent + 2) + "- ")
                    else:
                        lines.append((" " * (indent + 2) + "- " + _scalar(entry), where))
            else:
                lines.append((f"{pad}{key}: {_scalar(value)}", where))

    mapping(data, 0)
    return lines


_AT = re.compile(r"questionnaire\.yaml:(\d+):\d+: (.*)")


def _repair(imported: Imported, lines: list[tuple[str, Where]], problems: list[Any]) -> bool:
    """Leave out what each problem points at, with a report line; False when nothing could be."""
    changed = False
    for problem in problems:
        match = _AT.search(str(problem))
        if match is None:
            continue
        line = int(match.group(1))
        if not 1 <= line <= len(lines) or lines[line - 1][1] is None:
            continue
        node, key = lines[line - 1][1]  # type: ignore[misc]
        qid = node.get("id") if isinstance(node, dict) else None
        row = imported.rows.get(str(qid)) or None
        if key in EXPRESSION_KEYS or key in ("constraint_message", "min", "max", "attrs"):
            if key not in node:
                continue
            if key == "calculate":
                _drop_item(imported.data, node)
                imported.report.add(
                    "survey",
                    row,
                    _("calculation `{q}` left out: {why}").format(q=qid, why=match.group(2)),
                )
            else:
                del node[key]
                if key == "constraint":
                    node.pop("constraint_message", None)
                imported.report.add(
                    "survey",
                    row,
                    _("{key} of `{q}` left out: {why}").format(key=key, q=qid, why=match.group(2)),
                )
            changed = True
        elif qid is not None and "type" in node and _drop_item(imported.data, node):
            imported.report.add(
                "survey", row, _("`{q}` left out: {why}").format(q=qid, why=match.group(2))
            )
            changed = True
    return changed


def _drop_item(data: dict[str, Any], target: dict[str, Any]) -> bool:
    def walk(items: list[dict[str, Any]]) -> bool:
        for index, item in enumerate(items):
            if item is target:
                del items[index]
                return True
            if walk(item.get("questions", [])):
                return True
        return False

    return any(walk(section["questions"]) for section in data["sections"])
