"""The export document (`intake-export/2`): one frozen `discussed` or `final` plan revision.

The document is what a laptop syncs to the central system and what `intake-tui export` writes.
Its JSON Schema is generated from the pydantic models (core/export_model.py) and committed as
`schemas/intake-export-1.schema.json`; regenerate it after changing a model with

    python -m intake_tui.core.export --write-schema

Top-level keys:

    schema     "intake-export/2" (a "/1" document, without followups and changes, is still read)
    record     {interview_id, revision, previous_revision, status, frozen_at}
    interview  {bundle {id, version, sha256}, client_language, interpreter {used, how, language},
                created_at, finalized_at, caseworker, device_id}
    answers    {export key: {state, value}} for the VISIBLE answers of questions with an
               `export` key; a repeat's key maps to a list of instance objects (keyed by the
               children's export keys) in instance order
    withheld   export keys of special-category (health) answers left out of this document
    sealed     true when special-category answers are included (then `withheld` is empty)
    plan       {fields {key: {value, rule_value, sources, needs_decision, override}},
                dagtekening, termijn {start, end},
                changes [{field, from, to, reason}]: against the previous final revision}
    duo        DUO's `PIP` object (final revisions only; null before)
    followups  the case's voortgangsgesprekken: [{id, bundle, date, status (planned |
               completed | missed), reason, caseworker, interpreter, client_language, answers,
               special}]

Rules (DESIGN.md §4, §8): caseworker notes and questions without an `export` key never appear;
hidden answers never appear; special-category answers appear only in a sealed document. The
plan's provenance shows the answers a rule read as the caseworker saw them; the shown text of an
answer that may not be exported (no export key, or special-category in a plain document) is
replaced by null.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from intake_tui.core.bundle_model import Bundle, Item
from intake_tui.core.engine import Interview
from intake_tui.core.export_model import (
    REGENERATE,
    SCHEMA_FILE,
    SCHEMA_ID,
    SCHEMA_NAME,
    AnswerEntry,
    AnswerOut,
    AnswerState,
    BundleRef,
    ChangeOut,
    DuoPip,
    ExportDocument,
    FollowupDocument,
    FollowupOut,
    FollowupRecord,
    GoalOut,
    InputOut,
    Interpreter,
    InterviewInfo,
    JsonValue,
    OverrideOut,
    PlanFieldOut,
    PlanOut,
    PlanValue,
    Record,
    RepeatInstance,
    SourceOut,
    Status,
    Termijn,
)
from intake_tui.core.plan.fields import FIELDS
from intake_tui.core.plan.fields import to_json as plan_to_json
from intake_tui.core.plan.legal import termijn_end
from intake_tui.core.plan.rules import Plan, PlanField, Source
from intake_tui.core.values import Value
from intake_tui.core.values import to_json as value_to_json

# The models live in core/export_model.py; this module is where the rest of the app imports them.
__all__ = [
    "REGENERATE",
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "SCHEMA_NAME",
    "AnswerEntry",
    "AnswerOut",
    "AnswerState",
    "BundleRef",
    "ChangeOut",
    "DuoPip",
    "ExportDocument",
    "ExportMeta",
    "FollowupDocument",
    "FollowupOut",
    "FollowupRecord",
    "GoalOut",
    "InputOut",
    "Interpreter",
    "InterviewInfo",
    "JsonValue",
    "OverrideOut",
    "PlanFieldOut",
    "PlanOut",
    "PlanValue",
    "Record",
    "RepeatInstance",
    "SourceOut",
    "Status",
    "Termijn",
    "answers_of",
    "build_export",
    "export_json",
    "export_json_schema",
    "plain_copy",
    "special_items",
    "termijn_end",
    "write_schema",
]


@dataclass(frozen=True)
class ExportMeta:
    """What the document needs besides the answers and the plan (from the store)."""

    interview_id: str
    revision: int
    previous_revision: int | None
    status: Status
    frozen_at: dt.datetime
    created_at: dt.datetime
    finalized_at: dt.datetime | None
    caseworker: str
    device_id: str
    client_language: str
    interpreter_used: bool
    interpreter_how: str | None
    interpreter_language: str | None
    dagtekening: dt.date | None
    termijn_start: dt.date | None  # the day after the FIRST PIP's dagtekening, anywhere
    termijn_end: dt.date | None = None  # DUO's end when known (core/plan/legal.py), else computed


def build_export(
    interview: Interview,
    plan: Plan,
    meta: ExportMeta,
    *,
    include_special: bool = False,
    duo: dict[str, Any] | None = None,
    followups: Sequence[FollowupOut] = (),
    changes: Sequence[ChangeOut] = (),
) -> ExportDocument:
    """The export document of one plan revision (special-category answers only if asked),
    with the case's follow-ups and what it changed against the previous final revision."""
    bundle = interview.bundle
    if meta.status == "final":
        if meta.dagtekening is None:
            raise ValueError("a final revision needs its dagtekening")
        if duo is None:
            from intake_tui.core.plan.duo import duo_block, is_asylum_permit_holder

            duo = duo_block(
                plan, meta.dagtekening, asielstatushouder=is_asylum_permit_holder(interview)
            )
        duo_model: DuoPip | None = DuoPip.model_validate(duo)
        dagtekening: dt.date | None = meta.dagtekening
    else:
        if duo is not None:
            raise ValueError("only a final revision carries a duo block")
        duo_model = None
        dagtekening = None
    termijn = (
        Termijn(start=meta.termijn_start, end=meta.termijn_end or termijn_end(meta.termijn_start))
        if meta.termijn_start is not None
        else None
    )
    exportable = {i.id for i in bundle.value_questions() if i.question.export is not None}
    document = ExportDocument(
        record=Record(
            interview_id=meta.interview_id,
            revision=meta.revision,
            previous_revision=meta.previous_revision,
            status=meta.status,
            frozen_at=meta.frozen_at,
        ),
        interview=InterviewInfo(
            bundle=BundleRef(id=bundle.id, version=bundle.version, sha256=bundle.sha256),
            client_language=meta.client_language,
            interpreter=Interpreter(
                used=meta.interpreter_used,
                how=meta.interpreter_how,
                language=meta.interpreter_language,
            ),
            created_at=meta.created_at,
            finalized_at=meta.finalized_at,
            caseworker=meta.caseworker,
            device_id=meta.device_id,
        ),
        answers=_answers(interview),
        withheld=[],
        sealed=True,
        plan=PlanOut(
            fields={key: _plan_field(plan.fields[key], exportable) for key in FIELDS},
            dagtekening=dagtekening,
            termijn=termijn,
            changes=list(changes),
        ),
        duo=duo_model,
        followups=list(followups),
    )
    return document if include_special else plain_copy(document, bundle)


def answers_of(interview: Interview) -> dict[str, AnswerEntry]:
    """An interview's visible answers by export key (a follow-up's, as the intake's)."""
    return _answers(interview)


def special_items(bundle: Bundle) -> dict[str, Item]:
    """Questions holding special-category data (AVG art. 9), by export key."""
    return {
        item.question.export: item
        for item in bundle.value_questions()
        if item.question.export is not None and item.question.sensitivity == "special"
    }


def plain_copy(document: ExportDocument, bundle: Bundle) -> ExportDocument:
    """The document without special-category answers: they are listed in `withheld`, and the
    plan's provenance no longer shows them. A plain document comes back unchanged."""
    if not document.sealed:
        return document
    special = special_items(bundle)
    special_ids = {item.id for item in special.values()}
    withheld: set[str] = set()
    answers: dict[str, AnswerEntry] = {}
    for key, entry in document.answers.items():
        if key in special:
            withheld.add(key)
            continue
        if isinstance(entry, list):
            rows: list[RepeatInstance] = []
            for row in entry:
                withheld.update(k for k in row if k in special)
                rows.append({k: v for k, v in row.items() if k not in special})
            answers[key] = rows
        else:
            answers[key] = entry

    def redact(sources: list[SourceOut]) -> list[SourceOut]:
        # A reason that read a health answer can repeat it ("doorverwezen naar de huisarts"):
        # its text goes too, and the answers it read show no value.
        redacted: list[SourceOut] = []
        for s in sources:
            health = any(i.question in special_ids for i in s.inputs)
            redacted.append(
                s.model_copy(
                    update={
                        "because": "" if health else s.because,
                        "inputs": [
                            i.model_copy(update={"shown": None}) if i.question in special_ids else i
                            for i in s.inputs
                        ],
                    }
                )
            )
        return redacted

    fields = {}
    for key, field in document.plan.fields.items():
        spec = FIELDS.get(key)
        if spec is not None and spec.special:
            # The value itself is health data (a referral, an exemption to discuss).
            if field.value is not None or field.rule_value is not None or field.override:
                withheld.add(f"plan.{key}")
            fields[key] = field.model_copy(
                update={
                    "value": None,
                    "rule_value": None,
                    "override": None,
                    "sources": [],
                    "needs_decision": [],
                }
            )
            continue
        fields[key] = field.model_copy(
            update={
                "sources": redact(field.sources),
                "needs_decision": redact(field.needs_decision),
            }
        )
    # A change shows no special field, and no reason that read a health answer.
    health = {
        key
        for key, field in document.plan.fields.items()
        if any(i.question in special_ids for s in field.sources for i in s.inputs)
    }
    changes = [
        c.model_copy(update={"reason": ""}) if c.field in health else c
        for c in document.plan.changes
        if not (FIELDS.get(c.field) is not None and FIELDS[c.field].special)
    ]
    plan = document.plan.model_copy(update={"fields": fields, "changes": changes})
    followups = []
    for followup in document.followups:
        withheld.update(
            f"followups.{followup.id}.{k}" for k in followup.answers if k in followup.special
        )
        kept = {k: v for k, v in followup.answers.items() if k not in followup.special}
        followups.append(followup.model_copy(update={"answers": kept}).model_dump(mode="json"))
    data = document.model_dump(mode="json")
    data.update(
        answers={k: _dump(v) for k, v in answers.items()},
        withheld=sorted(withheld),
        sealed=False,
        plan=plan.model_dump(mode="json"),
        followups=followups,
    )
    return ExportDocument.model_validate(data)


def _dump(entry: AnswerEntry) -> Any:
    if isinstance(entry, list):
        return [{k: v.model_dump(mode="json") for k, v in row.items()} for row in entry]
    return entry.model_dump(mode="json")


def _answers(interview: Interview) -> dict[str, AnswerEntry]:
    bundle = interview.bundle
    found: dict[str, AnswerEntry] = {}
    for item in bundle.value_questions():
        key = item.question.export
        if key is None or item.repeat is not None or not interview.is_visible(item.id):
            continue
        if item.type != "repeat":
            answer = _answer(interview, item, None)
            if answer is not None:
                found[key] = answer
            continue
        instances = interview.instances(item.id)
        if not instances:
            continue
        children = [
            child
            for child in bundle.value_questions()
            if child.repeat == item.id and child.question.export is not None
        ]
        rows: list[RepeatInstance] = []
        for instance in instances:
            row: RepeatInstance = {}
            for child in children:
                assert child.question.export is not None
                if not interview.is_visible(child.id, instance):
                    continue
                answer = _answer(interview, child, instance)
                if answer is not None:
                    row[child.question.export] = answer
            rows.append(row)
        found[key] = rows
    return found


def _answer(interview: Interview, item: Item, instance: str | None) -> AnswerOut | None:
    if item.calculate is not None:
        calculated = interview.value(item.id, instance)
        if calculated is None:
            return None
        return AnswerOut(state="answered", value=_answer_json(item, calculated))
    stored = interview.answer(item.id, instance)
    if stored is None:
        return None
    if stored.state != "answered":
        return AnswerOut(state=stored.state, value=None)
    if stored.value is None or stored.value == "" or stored.value == ():
        return None
    return AnswerOut(state="answered", value=_answer_json(item, stored.value))


def _answer_json(item: Item, value: object) -> Any:
    if item.type == "decimal" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (str, int, Decimal, dt.date, bool, tuple)):
        checked: Value = value
        return value_to_json(checked)
    return str(value)


def _plan_field(field: PlanField, exportable: set[str]) -> PlanFieldOut:
    def sources(found: list[Source]) -> list[SourceOut]:
        return [
            SourceOut(
                rule=s.rule,
                because=s.because,
                inputs=[
                    InputOut(
                        question=i.question,
                        instance=i.instance,
                        shown=i.shown if i.question in exportable else None,
                    )
                    for i in s.inputs
                ],
            )
            for s in found
        ]

    override = field.override
    return PlanFieldOut(
        value=plan_to_json(field.value),
        rule_value=plan_to_json(field.rule_value),
        sources=sources(field.sources),
        needs_decision=sources(field.needs_decision),
        override=OverrideOut(
            value=plan_to_json(override.value),
            reason=override.reason,
            by=override.by,
            at=override.at,
        )
        if override is not None
        else None,
    )


# -- JSON and its schema ----------------------------------------------------------------------


def export_json(document: ExportDocument) -> str:
    """The document as JSON text: sorted keys, indented, one trailing newline; deterministic."""
    data = document.model_dump(mode="json", by_alias=True)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the export document, as committed in schemas/."""
    schema = ExportDocument.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "intake-tui export document (intake-export/2)",
        "description": (
            "One frozen discussed or final PIP revision and the answers it rests on. "
            f"Generated from intake_tui/core/export.py; regenerate with `{REGENERATE}`."
        ),
    }


def schema_text() -> str:
    return json.dumps(export_json_schema(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def default_schema_path() -> Path:
    """schemas/intake-export-1.schema.json at the top of the source checkout."""
    return Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILE


def write_schema(path: Path | None = None) -> Path:
    """(Re)write the committed schema file; returns its path."""
    target = path or default_schema_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(), encoding="utf-8", newline="\n")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m intake_tui.core.export",
        description="Print, write or check the JSON Schema of the export document.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write-schema", action="store_true", help="rewrite the schema file")
    group.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    parser.add_argument("--out", type=Path, default=None, help="schema file (default: schemas/)")
    args = parser.parse_args(argv)
    if args.write_schema:
        print(write_schema(args.out))
        return 0
    if args.check:
        target = args.out or default_schema_path()
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != schema_text():
            print(f"{target} is stale; run: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
