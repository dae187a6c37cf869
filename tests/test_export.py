"""The export document (`intake-export/2`): its committed JSON Schema, real exports of the
personas, the privacy rules (hidden, unexported and special-category answers) and DUO's block."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.export import (
    REGENERATE,
    SCHEMA_NAME,
    DuoPip,
    ExportDocument,
    ExportMeta,
    build_export,
    export_json,
    export_json_schema,
    main,
    plain_copy,
    termijn_end,
)
from intake_tui.core.plan import FIELDS, Override, draft_plan
from intake_tui.core.questionnaire import Bundle
from intake_tui.personas import DEMO_TODAY, PERSONAS, apply, persona

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"
EXPORT_SCHEMA = SCHEMAS / "intake-export-2.schema.json"
DUO_SCHEMA = SCHEMAS / "duo-pip.schema.json"
# A copy of DUO's published PIP API (duonl/gemeente-m2m-inburgering), kept with the schemas so
# the comparison runs everywhere; refresh it when DUO publishes a new revision.
DUO_OPENAPI = REPO / "schemas" / "duo" / "PIP.openapi.yml"
UTC = dt.UTC
KEYS = [p.key for p in PERSONAS]


def interview_of(bundle: Bundle, key: str) -> Interview:
    interview = Interview(bundle, today=FrozenClock.on(DEMO_TODAY.isoformat()).today)
    apply(persona(key), interview)
    return interview


def meta(
    status: str = "discussed",
    *,
    revision: int = 1,
    dagtekening: dt.date | None = None,
    termijn_start: dt.date | None = None,
) -> ExportMeta:
    return ExportMeta(
        interview_id="0b6f3c1e-2d4a-4f7e-9a51-3c2b1d0e9f88",
        revision=revision,
        previous_revision=revision - 1 if revision > 1 else None,
        status=status,  # type: ignore[arg-type]
        frozen_at=dt.datetime(2026, 11, 28, 10, 30, tzinfo=UTC),
        created_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        finalized_at=dt.datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
        caseworker="jdevries",
        device_id="device-7f3a",
        client_language="ar",
        interpreter_used=True,
        interpreter_how="telefonisch",
        interpreter_language="ar",
        dagtekening=dagtekening,
        termijn_start=termijn_start,
    )


def validator(path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def exported(doc: ExportDocument) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(export_json(doc))
    return data


def flat_keys(answers: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key, entry in answers.items():
        found.add(key)
        if isinstance(entry, list):
            for row in entry:
                found.update(row)
    return found


def special_keys(bundle: Bundle) -> set[str]:
    return {
        i.question.export
        for i in bundle.value_questions()
        if i.question.export and i.question.sensitivity == "special"
    }


# -- the committed schema -----------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    assert EXPORT_SCHEMA.is_file(), f"{EXPORT_SCHEMA} is missing; run: {REGENERATE}"
    committed = json.loads(EXPORT_SCHEMA.read_text(encoding="utf-8"))
    assert committed == export_json_schema(), (
        f"{EXPORT_SCHEMA.name} is stale: the export models changed. Regenerate it with "
        f"`{REGENERATE}` and commit the result."
    )
    assert main(["--check"]) == 0


def test_schema_has_id_title_and_document_keys() -> None:
    schema = export_json_schema()
    assert schema["$id"].endswith("/intake-export-2.schema.json")
    assert schema["title"]
    assert REGENERATE in schema["description"]
    assert set(schema["required"]) == {
        "schema",
        "record",
        "interview",
        "answers",
        "withheld",
        "sealed",
        "plan",
        "duo",
        "followups",
    }
    assert schema["additionalProperties"] is False


def test_write_schema_to_another_path(tmp_path: Path) -> None:
    target = tmp_path / "out.schema.json"
    assert main(["--write-schema", "--out", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == export_json_schema()
    target.write_text("{}\n", encoding="utf-8")
    assert main(["--check", "--out", str(target)]) == 1


# -- real exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("sealed", [False, True])
def test_persona_exports_validate_against_committed_schema(
    default_bundle: Bundle, key: str, sealed: bool
) -> None:
    interview = interview_of(default_bundle, key)
    plan = draft_plan(interview, default_bundle.plan)
    doc = build_export(interview, plan, meta(), include_special=sealed)
    data = exported(doc)
    validator(EXPORT_SCHEMA).validate(data)
    assert data["schema"] == SCHEMA_NAME
    assert data["sealed"] is sealed
    assert data["duo"] is None
    assert data["plan"]["dagtekening"] is None
    assert set(data["plan"]["fields"]) == set(FIELDS)
    assert data["record"] == {
        "interview_id": "0b6f3c1e-2d4a-4f7e-9a51-3c2b1d0e9f88",
        "revision": 1,
        "previous_revision": None,
        "status": "discussed",
        "frozen_at": "2026-11-28T10:30:00Z",
    }
    assert data["interview"]["bundle"] == {
        "id": default_bundle.id,
        "version": default_bundle.version,
        "sha256": default_bundle.sha256,
    }
    assert data["interview"]["caseworker"] == "jdevries"
    # The document reads back into the model unchanged (the store re-reads frozen documents).
    assert ExportDocument.model_validate(data) == doc


def test_export_json_is_deterministic_sorted_and_utf8(default_bundle: Bundle) -> None:
    interview = interview_of(default_bundle, "rami")
    plan = draft_plan(interview, default_bundle.plan)
    first = export_json(build_export(interview, plan, meta()))
    again = export_json(build_export(interview_of(default_bundle, "rami"), plan, meta()))
    assert first == again
    assert first.endswith("}\n") and not first.endswith("\n\n")
    data = json.loads(first)
    assert first == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    assert "\\u" not in first  # UTF-8 text, not escapes


def test_answers_are_typed_json(default_bundle: Bundle) -> None:
    bundle = default_bundle
    interview = interview_of(bundle, "rami")
    data = exported(
        build_export(interview, draft_plan(interview, bundle.plan), meta(), include_special=True)
    )
    answers = data["answers"]
    by_key = {i.question.export: i for i in bundle.value_questions() if i.question.export}
    seen_types: set[str] = set()
    for key, entry in answers.items():
        item = by_key[key]
        if item.type == "repeat":
            assert isinstance(entry, list)
            instances = interview.instances(item.id)
            assert len(entry) == len(instances)
            for row, instance in zip(entry, instances, strict=True):
                for child_key, child in row.items():
                    child_item = by_key[child_key]
                    assert child_item.repeat == item.id
                    stored = interview.answer(child_item.id, instance)
                    assert stored is not None and child["state"] == stored.state
            continue
        seen_types.add(item.type)
        stored = interview.answer(item.id)
        if item.calculate is None:
            assert stored is not None and entry["state"] == stored.state
        value = entry["value"]
        if entry["state"] != "answered":
            assert value is None
        elif item.type == "date":
            assert dt.date.fromisoformat(value) == stored.value  # type: ignore[union-attr]
        elif item.type == "decimal":
            assert isinstance(value, str)
        elif item.type == "multi_choice":
            assert isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif item.type == "yes_no":
            assert isinstance(value, bool)
        elif item.type in ("integer", "year"):
            assert isinstance(value, int) and not isinstance(value, bool)
    assert {"date", "multi_choice", "yes_no"} <= seen_types


def test_unknown_and_declined_and_decimal(default_bundle: Bundle) -> None:
    bundle = default_bundle
    interview = interview_of(bundle, "rami")
    plain = [
        i
        for i in bundle.value_questions()
        if i.repeat is None
        and i.type not in ("repeat",)
        and i.calculate is None
        and i.question.export
        and i.question.sensitivity != "special"
        and interview.is_visible(i.id)
    ]
    unknown_item = next(i for i in plain if "unknown" in i.question.allow)
    declined_item = next(
        (i for i in plain if "declined" in i.question.allow and i is not unknown_item), None
    )
    interview.set_answer(unknown_item.id, Answer("unknown"))
    if declined_item is not None:
        interview.set_answer(declined_item.id, Answer("declined"))
    answers = exported(build_export(interview, draft_plan(interview, bundle.plan), meta()))[
        "answers"
    ]
    assert answers[unknown_item.question.export] == {"state": "unknown", "value": None}
    if declined_item is not None:
        assert answers[declined_item.question.export] == {"state": "declined", "value": None}


def test_repeat_instances_in_instance_order(default_bundle: Bundle) -> None:
    bundle = default_bundle
    interview = interview_of(bundle, "rami")
    repeat = next(
        i
        for i in bundle.value_questions()
        if i.type == "repeat" and i.question.export and len(interview.instances(i.id)) >= 2
    )
    before = exported(build_export(interview, draft_plan(interview, bundle.plan), meta()))
    first = interview.instances(repeat.id)[0]
    interview.move_instance(repeat.id, first, len(interview.instances(repeat.id)))
    after = exported(build_export(interview, draft_plan(interview, bundle.plan), meta()))
    rows_before = before["answers"][repeat.question.export]
    rows_after = after["answers"][repeat.question.export]
    assert rows_after == [*rows_before[1:], rows_before[0]]


# -- privacy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_special_answers_withheld_in_plain_present_when_sealed(
    default_bundle: Bundle, key: str
) -> None:
    interview = interview_of(default_bundle, key)
    plan = draft_plan(interview, default_bundle.plan)
    special = special_keys(default_bundle)
    plain = exported(build_export(interview, plan, meta()))
    sealed = exported(build_export(interview, plan, meta(), include_special=True))
    assert not flat_keys(plain["answers"]) & special
    present = flat_keys(sealed["answers"]) & special
    assert [k for k in plain["withheld"] if not k.startswith("plan.")] == sorted(present)
    # Plan fields whose value is health data are withheld too, when they have a value.
    from intake_tui.core.plan.fields import FIELDS

    health_fields = {
        f"plan.{k}"
        for k, spec in FIELDS.items()
        if spec.special and sealed["plan"]["fields"][k]["value"] not in (None, [])
    }
    assert {k for k in plain["withheld"] if k.startswith("plan.")} == health_fields
    assert sealed["withheld"] == []
    for k in plain["withheld"]:
        assert k not in json.dumps(plain["answers"])
    assert flat_keys(sealed["answers"]) - special == flat_keys(plain["answers"])


def test_some_persona_has_special_answers(default_bundle: Bundle) -> None:
    withheld = set()
    for key in KEYS:
        interview = interview_of(default_bundle, key)
        doc = build_export(interview, draft_plan(interview, default_bundle.plan), meta())
        withheld.update(doc.withheld)
    assert withheld, "no persona answers a special-category question: the test proves nothing"


def test_plain_copy_of_sealed_equals_plain_export(default_bundle: Bundle) -> None:
    interview = interview_of(default_bundle, "semhar")
    plan = draft_plan(interview, default_bundle.plan)
    sealed = build_export(interview, plan, meta(), include_special=True)
    plain = build_export(interview, plan, meta())
    assert plain_copy(sealed, default_bundle) == plain
    assert plain_copy(plain, default_bundle) is plain


def test_hidden_answer_is_never_exported(default_bundle: Bundle) -> None:
    bundle = default_bundle
    for key in KEYS:
        interview = interview_of(bundle, key)
        hidden = [
            k
            for k in interview.hidden_answers()
            if k[0] in bundle.items and bundle.items[k[0]].question.export
        ]
        if hidden:
            break
    else:  # no persona leaves a hidden answer: make one
        interview = interview_of(bundle, "rami")
        hidden = []
        for item in bundle.value_questions():
            if item.relevant is None or item.repeat or item.type == "repeat":
                continue
            if not item.question.export or interview.is_visible(item.id):
                continue
            interview.set_answer(item.id, Answer("unknown"))
            hidden.append((item.id, None))
            break
    assert hidden
    data = exported(
        build_export(interview, draft_plan(interview, bundle.plan), meta(), include_special=True)
    )
    keys = flat_keys(data["answers"])
    for question_id, instance in hidden:
        item = bundle.items[question_id]
        if instance is None:
            assert item.question.export not in keys
        else:
            repeat = bundle.items[item.repeat]  # type: ignore[index]
            rows = data["answers"].get(repeat.question.export, [])
            live = interview.instances(repeat.id)
            if instance in live:
                assert item.question.export not in rows[live.index(instance)]


def test_questions_without_export_key_never_appear(default_bundle: Bundle) -> None:
    bundle = default_bundle
    unexported = [i for i in bundle.value_questions() if not i.question.export]
    assert unexported
    interview = interview_of(bundle, "rami")
    for item in unexported:
        if item.repeat is None and item.type in ("text", "longtext") and item.calculate is None:
            interview.set_answer(item.id, Answer.of("GEHEIM-NOTITIE-4711"))
    text = export_json(
        build_export(interview, draft_plan(interview, bundle.plan), meta(), include_special=True)
    )
    assert "GEHEIM-NOTITIE-4711" not in text
    keys = flat_keys(json.loads(text)["answers"])
    exported_keys = {i.question.export for i in bundle.value_questions() if i.question.export}
    assert keys <= exported_keys
    for item in unexported:
        assert f'"{item.id}"' not in text


# -- the plan -----------------------------------------------------------------------------------


def test_plan_fields_sources_and_override(default_bundle: Bundle) -> None:
    bundle = default_bundle
    interview = interview_of(bundle, "rami")
    overrides = {
        "leerroute": Override(
            "O", "Wil een opleiding; <b>&\"'", "jdevries", dt.datetime(2026, 11, 27, 9, tzinfo=UTC)
        ),
        "voortgangsgesprekken": Override(
            [dt.date(2027, 1, 5)],
            "Eerder gesprek",
            "jdevries",
            dt.datetime(2026, 11, 27, tzinfo=UTC),
        ),
    }
    plan = draft_plan(interview, bundle.plan, overrides)
    data = exported(build_export(interview, plan, meta()))
    validator(EXPORT_SCHEMA).validate(data)
    fields = data["plan"]["fields"]
    assert fields["leerroute"]["value"] == "O"
    assert fields["leerroute"]["override"] == {
        "value": "O",
        "reason": "Wil een opleiding; <b>&\"'",
        "by": "jdevries",
        "at": "2026-11-27T09:00:00Z",
    }
    assert fields["voortgangsgesprekken"]["value"] == ["2027-01-05"]
    for key, field in plan.fields.items():
        out = fields[key]
        assert len(out["sources"]) == len(field.sources)
        for src, got in zip(field.sources, out["sources"], strict=True):
            assert got["rule"] == src.rule and got["because"] == src.because
            assert [i["question"] for i in got["inputs"]] == [i.question for i in src.inputs]
        if field.override is None:
            assert out["override"] is None


def test_plan_inputs_do_not_leak_special_answers(default_bundle: Bundle) -> None:
    bundle = default_bundle
    special_ids = {i.id for i in bundle.value_questions() if i.question.sensitivity == "special"}
    unexported_ids = {i.id for i in bundle.value_questions() if not i.question.export}
    for key in KEYS:
        interview = interview_of(bundle, key)
        plan = draft_plan(interview, bundle.plan)
        for sealed in (False, True):
            data = exported(build_export(interview, plan, meta(), include_special=sealed))
            for field in data["plan"]["fields"].values():
                for source in field["sources"] + field["needs_decision"]:
                    for item in source["inputs"]:
                        if item["question"] in unexported_ids or (
                            not sealed and item["question"] in special_ids
                        ):
                            assert item["shown"] is None


def test_termijn_is_three_years_minus_a_day() -> None:
    assert termijn_end(dt.date(2026, 12, 2)) == dt.date(2029, 12, 1)
    assert termijn_end(dt.date(2028, 2, 29)) == dt.date(2031, 2, 28)
    assert termijn_end(dt.date(2027, 1, 1)) == dt.date(2029, 12, 31)


# -- the final revision and DUO's block ----------------------------------------------------------


def final_doc(bundle: Bundle, key: str = "rami", *, sealed: bool = False) -> ExportDocument:
    interview = interview_of(bundle, key)
    overrides = {
        "leerroute": Override("B", "Besproken", "jdevries", dt.datetime(2026, 11, 27, tzinfo=UTC)),
        "niveau": Override("B1", "Besproken", "jdevries", dt.datetime(2026, 11, 27, tzinfo=UTC)),
    }
    plan = draft_plan(interview, bundle.plan, overrides)
    day = dt.date(2026, 12, 1)
    return build_export(
        interview,
        plan,
        meta("final", revision=2, dagtekening=day, termijn_start=day + dt.timedelta(days=1)),
        include_special=sealed,
    )


def test_final_revision_carries_duo_dagtekening_and_termijn(default_bundle: Bundle) -> None:
    data = exported(final_doc(default_bundle))
    validator(EXPORT_SCHEMA).validate(data)
    assert data["record"]["status"] == "final"
    assert data["record"]["previous_revision"] == 1
    assert data["plan"]["dagtekening"] == "2026-12-01"
    assert data["plan"]["termijn"] == {"start": "2026-12-02", "end": "2029-12-01"}
    assert data["duo"]["dagtekeningPip"] == "2026-12-01"
    assert data["duo"]["leerroute"] == "B"
    assert data["duo"]["niveau"] == "B1"
    validator(DUO_SCHEMA).validate(data["duo"])
    assert None not in data["duo"].values()


def test_duo_block_passed_by_caller_validates(default_bundle: Bundle) -> None:
    interview = interview_of(default_bundle, "farid")
    plan = draft_plan(interview, default_bundle.plan)
    day = dt.date(2026, 12, 3)
    block = {
        "dagtekeningPip": day.isoformat(),
        "leerroute": "B",
        "niveau": "B1",
        "geschatteIntensiteitB1Route": 600,
        "indicatorMagOpleidingAfmaken": True,
        "indicatorAlfabetiseringsonderwijs": "NVT",
    }
    doc = build_export(
        interview, plan, meta("final", dagtekening=day, termijn_start=day), duo=block
    )
    data = exported(doc)
    assert data["duo"] == block
    validator(DUO_SCHEMA).validate(data["duo"])
    validator(EXPORT_SCHEMA).validate(data)


@pytest.mark.parametrize(
    "block",
    [
        {"dagtekeningPip": "2026-12-03", "leerroute": "X"},
        {"dagtekeningPip": "2026-12-03", "leerroute": "B", "extra": 1},
        {"dagtekeningPip": "2026-12-03", "leerroute": "B", "geschatteIntensiteitB1Route": 0},
        {"leerroute": "B"},
    ],
)
def test_duo_schema_and_model_refuse_what_duo_refuses(block: dict[str, Any]) -> None:
    assert list(validator(DUO_SCHEMA).iter_errors(block))
    with pytest.raises(ValueError):
        DuoPip.model_validate(block)


def test_discussed_refuses_a_duo_block_and_final_needs_dagtekening(default_bundle: Bundle) -> None:
    interview = interview_of(default_bundle, "rami")
    plan = draft_plan(interview, default_bundle.plan)
    with pytest.raises(ValueError):
        build_export(
            interview, plan, meta(), duo={"dagtekeningPip": "2026-12-03", "leerroute": "B"}
        )
    with pytest.raises(ValueError):
        build_export(interview, plan, meta("final"))


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            path = node["$ref"].removeprefix("#/").split("/")
            target: Any = root
            for part in path:
                target = target[part]
            return _resolve(target, root)
        return {k: _resolve(v, root) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root) for v in node]
    return node


CHECKED = ("type", "format", "enum", "minimum", "maximum", "description")


def test_duo_schema_matches_duo_openapi_definition() -> None:
    openapi = yaml.safe_load(DUO_OPENAPI.read_text(encoding="utf-8"))
    pip = _resolve(openapi["components"]["schemas"]["PIP"], openapi)
    ours = json.loads(DUO_SCHEMA.read_text(encoding="utf-8"))
    mine = _resolve({k: v for k, v in ours.items() if k != "$defs"}, ours)
    assert mine["type"] == pip["type"] == "object"
    assert sorted(mine["required"]) == sorted(pip["required"])
    assert list(mine["properties"]) == list(pip["properties"])
    for name, spec in pip["properties"].items():
        for key in CHECKED:
            assert mine["properties"][name].get(key) == spec.get(key), (name, key)
    # The model the export uses has exactly the same fields.
    model = DuoPip.model_json_schema(by_alias=True)
    assert list(model["properties"]) == list(pip["properties"])
    assert sorted(model["required"]) == sorted(pip["required"])
    for name, spec in pip["properties"].items():
        for key in ("type", "enum", "minimum", "maximum", "format"):
            if key == "format" and spec.get(key) == "int32":
                continue
            assert model["properties"][name].get(key) == spec.get(key), (name, key)
