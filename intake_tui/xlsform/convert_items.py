"""The items of an imported form: sections, questions, choice lists, expressions, texts."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path
from typing import Any

from intake_tui.core.bundle_model import (
    CHOICE_VALUE_PATTERN,
    PURPOSE_PLACEHOLDER,
    RESERVED_NAMES,
)
from intake_tui.i18n import _
from intake_tui.xlsform.expressions import Context, Untranslatable, quote, translate
from intake_tui.xlsform.reader import Form, ImportFailure
from intake_tui.xlsform.references import NAMED_TEXT_FIELDS, REFERENCE, escape, shows_answers
from intake_tui.xlsform.report import Report

_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0", ""}
EXPRESSION_KEYS = (
    "relevant",
    "constraint",
    "calculate",
    "required",
    "choice_filter",
    "repeat_count",
    "default",
)


TYPES = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "select one": "choice",
    "select all that apply": "multi_choice",
    "note": "note",
    "calculate": "text",
    "acknowledge": "yes_no",
    "trigger": "yes_no",
    "range": "integer",
    "group": "group",
    "repeat": "repeat",
}
METADATA = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "start-geopoint", "uri:deviceid", "uri:email",
    "uri:username", "uri:phonenumber", "uri:subscriberid", "uri:simserial",
}  # fmt: skip
PURPOSE = {
    "nl": PURPOSE_PLACEHOLDER + " overgenomen uit XLSForm {form}; doel nog invullen",
    "en": PURPOSE_PLACEHOLDER + " imported from XLSForm {form}; purpose still to be written",
}
SENSITIVITIES = ("personal", "confidential", "special")
_UNTAGGED = "default"
# What a translated calculation gives → the type expressions that read it see ("calculate":
# not known; the loader works it out from the expression itself).
_CALCULATED = {"int": "integer", "number": "decimal", "date": "date", "text": "text"}


def snake(name: str) -> str:
    """A name as a bundle id: trimmed, lower-cased, `.`, `-` and spaces as `_`."""
    text = re.sub(r"[.\-\s]+", "_", name.strip().lower())
    text = re.sub(r"[^a-z0-9_]", "", text)
    if not text or not text[0].isalpha():
        text = "q_" + text
    return text + "_q" if text in RESERVED_NAMES else text


def code_of(value: str) -> str:
    text = str(value).strip()
    if CHOICE_VALUE_PATTERN.match(text):
        return text
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-") or "code"
    return text


class Items:
    """The item-level half of the converter (convert.py has the form-level half)."""

    form: Form
    path: Path
    report: Report
    ids: dict[str, str]
    kinds: dict[str, str]
    rows: dict[str, int]
    lists: dict[str, Any]
    list_names: dict[str, str]
    codes: dict[str, str]
    csv_files: dict[str, bytes]
    csv_lists: set[str]
    translations: dict[str, dict[str, str]]
    languages: dict[str, str]
    source: str
    source_tag: str
    form_id: str
    node_ids: dict[int, str]
    ambiguous: set[str]

    def _choice_lists(self) -> dict[str, Any]:
        lists: dict[str, Any] = {}
        for list_name, choices in self.lists.items():
            name = self.list_names[list_name]
            entries: list[dict[str, Any]] = []
            seen: set[str] = set()
            for choice in choices:
                raw = str(choice.get("name", ""))
                value = code_of(raw)
                row = self.form.choice_rows.get((list_name, raw))
                if value in seen:
                    self.report.add(
                        "choices",
                        row,
                        _("code `{code}` of list {list} twice; the second left out").format(
                            code=raw, list=list_name
                        ),
                    )
                    continue
                seen.add(value)
                if value != raw:
                    self.codes[raw] = value
                    self.report.add(
                        "choices", row, _("code `{raw}` → `{value}`").format(raw=raw, value=value)
                    )
                entry: dict[str, Any] = {
                    "value": value,
                    "label": self._text(
                        choice.get("label"), f"choice_list.{name}.{value}", sheet="choices", row=row
                    )
                    or raw,
                }
                hint = self._text(
                    choice.get("hint"), f"choice_list.{name}.{value}.hint", sheet="choices", row=row
                )
                if hint:
                    entry["hint"] = hint
                attrs = {
                    snake(str(k)): str(v)[:200]
                    for k, v in choice.items()
                    if k not in ("name", "label", "hint", "media", "list_name", "list name")
                    and isinstance(v, (str, int, float))
                    and str(v) != ""
                }
                if attrs:
                    entry["attrs"] = attrs
                if choice.get("media"):
                    self.report.add(
                        "choices", row, _("media of choice `{code}` left out").format(code=raw)
                    )
                entries.append(entry)
            if entries:
                lists[name] = entries
        return lists

    def _sections(self, children: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
        sections: list[dict[str, Any]] = []
        loose: list[dict[str, Any]] = []
        taken = set(self.ids.values())

        def flush() -> None:
            if not loose:
                return
            number = len(sections) + 1
            section_id = f"section_{number}"
            while section_id in taken:
                section_id += "_"
            taken.add(section_id)
            sections.append({"id": section_id, "title": title, "questions": list(loose)})
            self._translate_text(f"section.{section_id}.title", self.form.tree.get("title"))
            loose.clear()

        for child in children:
            name = str(child.get("name", ""))
            if id(child) not in self.node_ids:
                continue
            if child.get("type") == "group":
                flush()
                section_id = self.node_ids[id(child)]
                section: dict[str, Any] = {
                    "id": section_id,
                    "title": self._text(child.get("label"), f"section.{section_id}.title") or name,
                }
                description = self._text(child.get("hint"), f"section.{section_id}.description")
                if description:
                    section["description"] = description
                relevant = self._expression(child.get("bind") or {}, "relevant", section_id)
                if relevant:
                    section["relevant"] = relevant
                section["questions"] = self._questions(child.get("children", []))
                if not section["questions"]:
                    section["questions"] = [self._placeholder_note(section_id)]
                self.kinds.pop(section_id, None)
                sections.append(section)
            else:
                loose.extend(self._questions([child]))
        flush()
        return sections

    def _placeholder_note(self, section_id: str) -> dict[str, Any]:
        return {"id": f"{section_id}_note", "type": "note", "label": "-"}

    def _questions(self, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [q for child in children if (q := self._question(child)) is not None]

    def _question(self, child: dict[str, Any]) -> dict[str, Any] | None:
        name = str(child.get("name", ""))
        if id(child) not in self.node_ids:
            return None
        qid = self.node_ids[id(child)]
        kind = self.kinds[qid]
        row = self.rows.get(qid) or None
        xls_type = str(child.get("type", ""))
        q: dict[str, Any] = {"id": qid, "type": kind}
        label = self._text(child.get("label"), f"question.{qid}.label")
        if kind != "group" or label:
            q["label"] = label or name
        hint = self._text(child.get("hint"), f"question.{qid}.hint")
        if hint:
            q["hint"] = hint
        bind = child.get("bind") or {}
        control = child.get("control") or {}
        if kind in ("choice", "multi_choice"):
            itemset = str(child.get("itemset") or child.get("list_name") or "")
            if itemset.endswith(".csv"):
                q["choices"] = self._csv_list(itemset, row)
            elif itemset in self.list_names and self.list_names[itemset] in self._list_keys():
                q["choices"] = self.list_names[itemset]
            else:
                q["choices"] = [
                    {
                        "value": code_of(str(c.get("name"))),
                        "label": self._text(
                            c.get("label"), f"question.{qid}.choice.{code_of(str(c.get('name')))}"
                        )
                        or str(c.get("name")),
                    }
                    for c in child.get("choices", [])
                ]
        if xls_type == "range":
            params = child.get("parameters") or {}
            for key, bound in (("start", "min"), ("end", "max")):
                with contextlib.suppress(ValueError):
                    q[bound] = int(float(params.get(key, 1 if key == "start" else 10)))
            self.report.add(
                "survey",
                row,
                _("range `{name}` asked as a whole number with min/max").format(name=name),
            )
        if xls_type in ("acknowledge", "trigger"):
            self.report.add(
                "survey", row, _("{type} `{name}` asked as yes/no").format(type=xls_type, name=name)
            )
        if xls_type == "calculate":
            calculation = self._expression(bind, "calculate", qid, row=row)
            if calculation is None:
                if not bind.get("calculate"):  # else _expression said why
                    message = _("calculation `{name}` left out: it has none").format(name=name)
                    self.report.add("survey", row, message)
                if self.ids.get(name) == qid:
                    self.ids.pop(name)
                return None
            q["calculate"] = calculation
        for key in ("relevant", "constraint"):
            if (value := self._expression(bind, key, qid, row=row)) is not None:
                q[key] = value
        constraint_message = self._text(
            bind.get("jr:constraintMsg"), f"question.{qid}.constraint_message"
        )
        if constraint_message and "constraint" in q:
            q["constraint_message"] = constraint_message
        required = str(bind.get("required", "")).strip()
        if required.lower() in _TRUE:
            q["required"] = True
        elif (
            required.lower() not in _FALSE
            and (value := self._expression(bind, "required", qid, row=row)) is not None
        ):
            q["required"] = value
        required_message = self._text(
            bind.get("jr:requiredMsg"), f"question.{qid}.required_message"
        )
        if required_message and "required" in q:
            q["required_message"] = required_message
        elif required_message:
            message = _("required_message of `{name}` left out: the question is not required")
            self.report.add("survey", row, message.format(name=name))
        if child.get("choice_filter") and "choices" not in q:
            self.report.add(
                "survey",
                row,
                _("choice_filter of `{name}` left out (asked as text)").format(name=name),
            )
        if child.get("choice_filter") and "choices" in q:
            value = self._expression(child, "choice_filter", qid, row=row, choice_filter=True)
            if value is not None:
                q["choice_filter"] = value
        if kind == "repeat" and control.get("jr:count"):
            value = self._expression(control, "jr:count", qid, row=row)
            if value is not None:
                q["repeat_count"] = value
        if (
            child.get("default") not in (None, "")
            and kind not in ("note", "group", "repeat", "multi_choice")
            and "calculate" not in q
        ):
            q["default"] = self._default(str(child["default"]), kind, qid, row)
        appearance = control.get("appearance")
        if appearance:
            self.report.add(
                "survey",
                row,
                _("appearance {a!r} of `{name}` left out").format(a=appearance, name=name),
            )
        if child.get("media"):
            self.report.add("survey", row, _("media of `{name}` left out").format(name=name))
        if kind not in ("note", "group"):
            self._privacy(child, q, name, row, qid)
        if kind in ("group", "repeat"):
            q["questions"] = self._questions(child.get("children", []))
            if not q["questions"]:
                q["questions"] = [self._placeholder_note(qid)]
        return q

    def _list_keys(self) -> set[str]:
        return {self.list_names[k] for k, v in self.lists.items() if v}

    def _privacy(
        self, child: dict[str, Any], q: dict[str, Any], name: str, row: int | None, qid: str
    ) -> None:
        sensitivity = str(child.get("sensitivity", "")).strip().lower()
        purpose = self._text(child.get("purpose"), f"question.{qid}.purpose") or ""
        q["sensitivity"] = sensitivity if sensitivity in SENSITIVITIES else "special"
        text = PURPOSE.get(self.source_tag.split("-")[0], PURPOSE["en"]).format(form=self.form_id)
        q["purpose"] = purpose or text
        if not purpose or sensitivity not in SENSITIVITIES:
            self.report.add(
                "survey",
                row,
                _(
                    "`{name}`: write its purpose and sensitivity (now a placeholder, "
                    "sensitivity special)"
                ).format(name=name),
                todo=True,
            )

    def _default(self, raw: str, kind: str, qid: str, row: int | None) -> str:
        text = raw.strip()
        if kind in ("integer", "decimal") and text.replace(".", "", 1).lstrip("-").isdigit():
            return text
        if kind == "yes_no":
            return "true" if text.lower() in _TRUE else "false"
        if kind == "choice":
            return quote(self.codes.get(text, code_of(text)))
        if "${" in text or "(" in text:
            try:
                return translate(text, self._context())
            except Untranslatable as error:
                self.report.add(
                    "survey", row, _("default of `{q}` left out: {why}").format(q=qid, why=error)
                )
        return quote(text)

    def _context(self, *, choice_filter: bool = False, value_kind: str | None = None) -> Context:
        def rename(name: str) -> str:
            if name in self.ambiguous:
                raise Untranslatable(_("`{name}` names two questions").format(name=name))
            if name not in self.ids:
                raise Untranslatable(
                    _("it reads `{name}`, which was not carried over").format(name=name)
                )
            return self.ids[name]

        return Context(
            rename=rename,
            kind=self.kinds.get,
            code=lambda c: self.codes.get(c, code_of(c)),
            choice_filter=choice_filter,
            value_kind=value_kind,
        )

    def _expression(
        self,
        source: dict[str, Any],
        key: str,
        qid: str,
        *,
        row: int | None = None,
        choice_filter: bool = False,
    ) -> str | None:
        raw = source.get(key)
        if raw in (None, ""):
            return None
        value_kind = self.kinds.get(qid) if key == "constraint" else None
        context = self._context(choice_filter=choice_filter, value_kind=value_kind)
        column = {"jr:count": "repeat_count", "calculate": "calculation"}.get(key, key)
        try:
            result = translate(str(raw), context)
            if key == "calculate":  # what it gives, for the expressions that read it
                self.kinds[qid] = _CALCULATED.get(context.result or "", "calculate")
        except Untranslatable as error:
            self.report.add(
                "survey",
                row or self.rows.get(qid),
                _("{column} of `{q}` left out: {why} ({raw})").format(
                    column=column, q=qid, why=error, raw=raw
                ),
            )
            return None
        for note in dict.fromkeys(context.notes):
            self.report.add("survey", row or self.rows.get(qid), f"{column} `{qid}`: {note}")
        return result

    def _text(
        self, value: Any, key: str, *, sheet: str = "survey", row: int | None = None
    ) -> str | None:
        """The source-language text of a label/hint cell; the other languages go to their .po.
        `${q}` in it (an answer put into the text) becomes `[q]`, with a report line."""
        if value is None:
            return None
        value = self._references(value, key, sheet, row)
        if isinstance(value, str):
            return value.strip() or None
        source = value.get(self.source)
        if not source:
            source = next((str(v) for v in value.values() if v), None)
        self._translate_text(key, value)
        return str(source).strip() if source else None

    def _references(self, value: Any, key: str, sheet: str, row: int | None) -> Any:
        """The text(s) with each `${q}` as the bundle shows an answer: `{q}` in a question's or
        section's label, hint and message (docs/bundle-texts.md; where `q` did not become a
        top-level question, `names_fallback` makes it `[q]` once every item is known), `[q]`
        with a report line elsewhere (a choice label cannot show an answer). Literal braces are
        doubled where names are shown, so they stay text."""
        shows_names = shows_answers(key)
        shown: list[str] = []

        def one(text: str) -> str:
            parts: list[str] = []
            end = 0
            for match in REFERENCE.finditer(text):
                literal = text[end : match.start()]
                parts.append(escape(literal) if shows_names else literal)
                name = self.ids.get(match.group(1)) or snake(match.group(1))
                if shows_names:
                    parts.append("{" + name + "}")
                else:
                    parts.append(f"[{name}]")
                    if f"`{name}`" not in shown:
                        shown.append(f"`{name}`")
                end = match.end()
            rest = text[end:]
            parts.append(escape(rest) if shows_names else rest)
            return "".join(parts)

        if isinstance(value, dict):
            value = {k: one(t) if isinstance(t, str) else t for k, t in value.items()}
        elif isinstance(value, str):
            value = one(value)
        if shown:
            self._bracket_line(key, shown, sheet, row)
        return value

    def _bracket_line(self, key: str, shown: list[str], sheet: str, row: int | None) -> None:
        if row is None and key.split(".")[0] in ("question", "section"):
            row = self.rows.get(key.split(".")[1])
        message = _(
            "{key} shows the answer of {names} (`${{…}}`); this text cannot hold an answer, so "
            "each is written as its id in brackets ([{first}]) in every language"
        )
        self.report.add(
            sheet, row, message.format(key=key, names=", ".join(shown), first=shown[0].strip("`"))
        )

    def names_fallback(self, sections: list[dict[str, Any]]) -> None:
        """`{q}` in a text whose `q` is not a top-level question with an answer in the bundle
        as written (inside a repeat, left out, a note) becomes `[q]`, with a report line."""
        from intake_tui.core.text_refs import names_in

        top = _top_level_values(sections)
        for key, node, field in _named_texts(sections):
            wrong = [n for n in dict.fromkeys(names_in(node[field])) if n not in top]
            if wrong:
                self._bracket_line(key, [f"`{n}`" for n in wrong], "survey", None)
                node[field] = _bracket(node[field], top)
            for texts in self.translations.values():
                if key in texts:
                    texts[key] = _bracket(texts[key], top)

    def _translate_text(self, key: str, value: Any) -> None:
        if isinstance(value, dict):
            for language, text in value.items():
                tag = self.languages.get(language)
                if tag and text and str(text).strip():
                    self.translations[tag][key] = str(text).strip()

    def _csv_list(self, file_name: str, row: int | None) -> str:
        name = snake(file_name.removesuffix(".csv"))
        target = f"{name}.csv"
        if target in self.csv_files:
            return name
        self.csv_lists.add(name)
        raw = (self.path.parent / file_name).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise_row = raw[: error.start].count(b"\n") + 1  # the row of the first bad byte
            raise ImportFailure(
                _("{file}, row {row}: not UTF-8 text; save it as UTF-8").format(
                    file=file_name, row=raise_row
                )
            ) from None
        table = list(csv.DictReader(io.StringIO(text)))
        columns = [
            c for c in (table[0].keys() if table else []) if c not in ("name", "label", "list_name")
        ]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["value", "label", *(snake(c) for c in columns)])
        for entry in table:
            value = code_of(str(entry.get("name", "")))
            writer.writerow(
                [value, entry.get("label") or value, *(entry.get(c, "") for c in columns)]
            )
        self.csv_files[target] = out.getvalue().encode("utf-8")
        self.report.add(
            "survey",
            row,
            _("choices from {file} kept as {target}").format(file=file_name, target=target),
        )
        return name


def _bracket(text: str, top: set[str]) -> str:
    """Each `{q}` in `text` that is no top-level question of the bundle, as `[q]`."""
    from intake_tui.core.text_refs import NAME

    return NAME.sub(
        lambda m: m.group(0) if not m.group(1) or m.group(1) in top else f"[{m.group(1)}]", text
    )


def _top_level_values(sections: list[dict[str, Any]]) -> set[str]:
    """The ids of the questions outside any repeat that hold an answer."""
    found: set[str] = set()

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            kind = node.get("type")
            if kind == "group":
                walk(node.get("questions", []))
            elif kind not in (None, "note", "repeat"):
                found.add(str(node["id"]))

    for section in sections:
        walk(section.get("questions", []))
    return found


def _named_texts(sections: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], str]]:
    """(catalog key, node, field) of every text that shows names, in the bundle as written."""
    found: list[tuple[str, dict[str, Any], str]] = []

    def walk(nodes: list[dict[str, Any]], prefix: str) -> None:
        for node in nodes:
            for field in NAMED_TEXT_FIELDS:
                if isinstance(node.get(field), str) and "{" in node[field]:
                    found.append((f"{prefix}.{node['id']}.{field}", node, field))
            walk(node.get("questions", []), "question")

    walk(sections, "section")
    return found
