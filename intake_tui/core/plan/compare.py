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


def _typed(key: str, value: Any) -> Any:
    if _empty(value):
        return None
    try:
        return check_value(key, value)
    except FieldValueError:
        return value  # shown as it came; the central system may know values this laptop does not


def differences(plan: Plan, central_document: Mapping[str, Any]) -> list[Difference]:
    """The fields whose value differs, in the order of the field registry."""
    plan_part = central_document.get("plan")
    central_fields = plan_part.get("fields", {}) if isinstance(plan_part, Mapping) else {}
    found = []
    for key in FIELDS:
        here = to_json(plan.fields[key].value) if key in plan.fields else None
        entry = central_fields.get(key) if isinstance(central_fields, Mapping) else None
        central = entry.get("value") if isinstance(entry, Mapping) else None
        if _empty(here) and _empty(central):
            continue
        if here != central:
            found.append(Difference(key, _typed(key, here), _typed(key, central)))
    return found
