"""A plan beside the central server's version of it: which fields differ (issue 15, "conflicts
become visible"). Values are compared in their JSON form, the form both documents carry; a
field the central document leaves out counts as empty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intake_tui.core.plan.fields import FIELDS, FieldValueError, check_value, to_json
from intake_tui.core.plan.rules import Plan


@dataclass(frozen=True)
class Difference:
    """One plan field that is not the same here and centrally (values in their field's type
    where they fit it, else as the JSON said)."""

    key: str
    here: Any
    central: Any


def _empty(value: Any) -> bool:
    return value is None or value == []


def typed_value(key: str, value: Any) -> Any:
    """A field's JSON value in the field's type (a date from ISO text), or as it came when it
    does not fit (the central system may know values this laptop does not); None when empty."""
    if _empty(value):
        return None
    try:
        return check_value(key, value)
    except FieldValueError:
        return value


def plan_values(plan: Plan) -> dict[str, Any]:
    """A live plan's field values in JSON form."""
    return {key: to_json(field.value) for key, field in plan.fields.items()}


def document_values(document: Mapping[str, Any]) -> dict[str, Any]:
    """An export document's plan field values (its JSON form); {} when it has none."""
    plan_part = document.get("plan")
    fields = plan_part.get("fields", {}) if isinstance(plan_part, Mapping) else {}
    if not isinstance(fields, Mapping):
        return {}
    return {key: entry.get("value") for key, entry in fields.items() if isinstance(entry, Mapping)}


def differences(here: Mapping[str, Any], central: Mapping[str, Any]) -> list[Difference]:
    """The fields whose value differs (both in JSON form), in the order of the registry."""
    found = []
    for key in FIELDS:
        mine, theirs = here.get(key), central.get(key)
        if _empty(mine) and _empty(theirs):
            continue
        if mine != theirs:
            found.append(Difference(key, typed_value(key, mine), typed_value(key, theirs)))
    return found


# -- a plan changed after a final revision (PIP bijstellen, issue 19) ----------------------------

# Dated when a revision is signed, so a draft never has them: not a change the caseworker made.
DATED_AT_SIGNING = frozenset({"voortgangsgesprekken"})


@dataclass(frozen=True)
class Change:
    """A field of the plan changed since the last final revision: from, to, and why."""

    key: str
    before: Any
    after: Any
    reason: str  # the caseworker's (a change by hand) or the rules' (their reasons)


def changes_since(plan: Plan, final: Mapping[str, Any]) -> list[Change]:
    """Every field whose value differs from the final revision's (`document_values` of it), in
    the order of the registry, with the reason the plan now has for it."""
    found = []
    for diff in differences(plan_values(plan), final):
        if diff.key in DATED_AT_SIGNING:
            continue
        field = plan.fields[diff.key]
        if field.override is not None:
            reason = field.override.reason
        else:
            reason = " ".join(source.because for source in field.sources if source.because)
        found.append(Change(diff.key, diff.central, diff.here, reason))
    return found
