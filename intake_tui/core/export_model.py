"""The models of the export document (`intake-export/2`) and the constants of its schema; the
document is built in core/export.py, which the committed JSON Schema is generated from.

`/2` (issue 19) adds the case's follow-up conversations (`followups`) and what a revision
changed against the previous final one (`plan.changes`). A `/1` document is still read: both
lists are then empty (schemas/intake-export-1.schema.json stays as it was published)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StrictInt,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

SCHEMA_NAME: Literal["intake-export/2"] = "intake-export/2"
SCHEMA_NAMES = ("intake-export/1", "intake-export/2")  # what is read (the server accepts both)
SCHEMA_ID = "https://intake-tui.invalid/schemas/intake-export-2.schema.json"
SCHEMA_FILE = "intake-export-2.schema.json"
FOLLOWUP_SCHEMA_NAME: Literal["intake-followup/1"] = "intake-followup/1"
REGENERATE = "python -m intake_tui.core.export --write-schema"

Status = Literal["discussed", "final"]
AnswerState = Literal["answered", "unknown", "declined"]
JsonValue = StrictBool | StrictInt | str | list[str] | None
"""An answer or plan value in JSON form: dates ISO text, decimals text, multi-choice a list."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_serialization_defaults_required=True,
    )


# -- record and interview ---------------------------------------------------------------------


class Record(_Model):
    """Which revision this is: `(interview_id, revision)`; it names its predecessor."""

    interview_id: Annotated[str, Field(min_length=1)]
    revision: Annotated[StrictInt, Field(ge=1)]
    previous_revision: Annotated[StrictInt, Field(ge=1)] | None
    status: Status
    frozen_at: dt.datetime

    @model_validator(mode="after")
    def _predecessor_before(self) -> Record:
        if self.previous_revision is not None and self.previous_revision >= self.revision:
            raise ValueError("previous_revision must be lower than revision")
        return self


class BundleRef(_Model):
    """The questionnaire bundle the interview was pinned to."""

    id: str
    version: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Interpreter(_Model):
    used: StrictBool
    how: str | None
    language: str | None


class InterviewInfo(_Model):
    """Facts about the interview; `caseworker` is the employee's login name, never the newcomer."""

    bundle: BundleRef
    client_language: str
    interpreter: Interpreter
    created_at: dt.datetime
    finalized_at: dt.datetime | None
    caseworker: str
    device_id: str


# -- answers ----------------------------------------------------------------------------------


class AnswerOut(_Model):
    """One answer: a value, or "weet niet" (`unknown`) / "wil niet zeggen" (`declined`)."""

    state: AnswerState
    value: JsonValue

    @model_validator(mode="after")
    def _value_only_when_answered(self) -> AnswerOut:
        if self.state != "answered" and self.value is not None:
            raise ValueError("an unknown or declined answer has no value")
        return self


RepeatInstance = dict[str, AnswerOut]
AnswerEntry = AnswerOut | list[RepeatInstance]


# -- plan -------------------------------------------------------------------------------------


class InputOut(_Model):
    """An answer a rule read; `shown` is null when the answer may not be in this document."""

    question: str
    instance: str | None
    shown: str | None


class SourceOut(_Model):
    rule: str
    because: str
    inputs: list[InputOut]


class GoalOut(_Model):
    """An ontwikkelwens or aandachtspunt in the plan, with sub-goals and dates (ISO)."""

    omschrijving: str
    subdoelen: str | None
    start: str | None
    eind: str | None


PlanValue = JsonValue | list[GoalOut]
"""A plan field's value in JSON form (goals are objects; everything else as JsonValue)."""


class OverrideOut(_Model):
    """The caseworker's own choice, with the reason, who (login name) and when."""

    value: PlanValue
    reason: str
    by: str
    at: dt.datetime


class PlanFieldOut(_Model):
    value: PlanValue
    rule_value: PlanValue
    sources: list[SourceOut]
    needs_decision: list[SourceOut]
    override: OverrideOut | None


class Termijn(_Model):
    """The 3-year termijn: from the day after the first final PIP's dagtekening."""

    start: dt.date
    end: dt.date


# A model with a field whose JSON name is not a Python name ("schema", "from").
_ALIASED = ConfigDict(
    extra="forbid",
    frozen=True,
    json_schema_serialization_defaults_required=True,
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
)


class ChangeOut(_Model):
    """A field this revision changed against the previous final one, and why (`/2`)."""

    model_config = _ALIASED

    field: str
    from_: PlanValue = Field(alias="from")
    to: PlanValue
    reason: str


class PlanOut(_Model):
    fields: dict[str, PlanFieldOut]
    dagtekening: dt.date | None
    termijn: Termijn | None
    changes: list[ChangeOut] = Field(default_factory=list)


# -- follow-up conversations (`/2`) -----------------------------------------------------------


class FollowupOut(_Model):
    """A voortgangsgesprek of the case: planned (no answers yet), completed (its answers, as the
    intake's: by export key, health withheld from a plain document) or missed (with why)."""

    id: str
    bundle: BundleRef | None
    date: dt.date
    status: Literal["planned", "completed", "missed"]
    reason: str | None
    caseworker: str | None
    interpreter: Interpreter | None
    client_language: str | None
    answers: dict[str, AnswerEntry]
    special: list[str]  # the export keys of its bundle that hold health data (withheld plain)


class FollowupRecord(_Model):
    """Which talk a follow-up record is: `(interview_id, "followup", followup_id)`, where
    `interview_id` is the case (the intake's id) and `followup_id` the talk's id, the same as
    its `followups[].id` in the export document (docs/sync-protocol.md, "Records")."""

    interview_id: Annotated[str, Field(min_length=1)]
    followup_id: Annotated[str, Field(min_length=1)]
    status: Literal["completed", "missed"]
    frozen_at: dt.datetime


class FollowupDocument(_Model):
    """A completed or missed talk as its own sync record (`intake-followup/1`): a `record`
    header as a plan revision's, and the talk exactly as the export's `followups[]` item,
    whole (health answers included, named in `special`), as a plan revision is synced."""

    model_config = ConfigDict(**_ALIASED, title="intake-tui follow-up record (intake-followup/1)")

    schema_: Literal["intake-followup/1"] = Field(default=FOLLOWUP_SCHEMA_NAME, alias="schema")
    record: FollowupRecord
    followup: FollowupOut

    @model_validator(mode="after")
    def _consistent(self) -> FollowupDocument:
        if self.followup.id != self.record.followup_id:
            raise ValueError("followup.id must be record.followup_id")
        if self.followup.status != self.record.status:
            raise ValueError("followup.status must be record.status")
        if self.record.status == "completed" and self.followup.bundle is None:
            raise ValueError("a completed talk names its bundle")
        if self.record.status == "missed" and (self.followup.answers or not self.followup.reason):
            raise ValueError("a missed talk has a reason and no answers")
        return self


# -- DUO --------------------------------------------------------------------------------------


def _is_none(value: object) -> bool:
    return value is None


class DuoPip(BaseModel):
    """DUO's `PIP` object (reference/duo/PIP.openapi.yml); empty optional fields are left out."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        title="PIP",
    )

    dagtekening_pip: dt.date = Field(alias="dagtekeningPip")
    leerroute: Literal["B", "O", "Z"]
    niveau: Literal["A2", "B1"] | None = Field(default=None, exclude_if=_is_none)
    geschatte_intensiteit_b1_route: Annotated[StrictInt, Field(ge=1, le=9999)] | None = Field(
        default=None, exclude_if=_is_none, alias="geschatteIntensiteitB1Route"
    )
    indicator_mag_opleiding_afmaken: StrictBool | None = Field(
        default=None, exclude_if=_is_none, alias="indicatorMagOpleidingAfmaken"
    )
    indicator_alfabetiseringsonderwijs: Literal["A", "AA", "NVT"] | None = Field(
        default=None, exclude_if=_is_none, alias="indicatorAlfabetiseringsonderwijs"
    )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Optional fields are absent when empty, never null: DUO's schema has no nulls.
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for prop in target.get("properties", {}).values():
            branches = prop.pop("anyOf", None)
            if branches:
                prop.update(next(b for b in branches if b != {"type": "null"}))
                prop.pop("default", None)
        return schema


# -- the document -----------------------------------------------------------------------------


class ExportDocument(_Model):
    """One frozen plan revision with the answers it rests on, and the case's follow-ups."""

    model_config = ConfigDict(**_ALIASED, title="intake-tui export document (intake-export/2)")

    schema_: Literal["intake-export/1", "intake-export/2"] = Field(
        default=SCHEMA_NAME, alias="schema"
    )
    record: Record
    interview: InterviewInfo
    answers: dict[str, AnswerEntry]
    withheld: list[str]
    sealed: StrictBool
    plan: PlanOut
    duo: DuoPip | None
    followups: list[FollowupOut] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> ExportDocument:
        if self.withheld != sorted(set(self.withheld)):
            raise ValueError("withheld must be sorted and unique")
        if self.sealed and self.withheld:
            raise ValueError("a sealed document withholds nothing")
        if self.record.status == "final":
            if self.plan.dagtekening is None or self.duo is None:
                raise ValueError("a final revision has a dagtekening and a duo block")
            if self.duo.dagtekening_pip != self.plan.dagtekening:
                raise ValueError("the duo block's dagtekeningPip must be the plan's dagtekening")
        elif self.duo is not None or self.plan.dagtekening is not None:
            raise ValueError("only a final revision has a dagtekening and a duo block")
        return self
