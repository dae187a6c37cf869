"""The draft PIP: fields, rules with provenance, caseworker overrides, DUO's acceptance rules."""

from intake_tui.core.plan.duo import Check, DuoFacts, duo_block, duo_checks, duo_facts
from intake_tui.core.plan.fields import FIELDS, FieldSpec
from intake_tui.core.plan.rules import (
    Input,
    Override,
    Plan,
    PlanField,
    PlanRules,
    Rule,
    Source,
    builtin_source,
    draft_plan,
    load_plan_rules,
)

__all__ = [
    "FIELDS",
    "Check",
    "DuoFacts",
    "FieldSpec",
    "Input",
    "Override",
    "Plan",
    "PlanField",
    "PlanRules",
    "Rule",
    "Source",
    "builtin_source",
    "draft_plan",
    "duo_block",
    "duo_checks",
    "duo_facts",
    "load_plan_rules",
]
