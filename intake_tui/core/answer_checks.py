"""Checks of one value against its question, beside the engine: the BSN's elfproef, `min` and
`max`, and turning a `default:` result into a value of the question's type."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from intake_tui.core.bundle_model import Item
from intake_tui.core.values import VALUE_TYPES, Value
from intake_tui.i18n import _


def elfproef(digits: str) -> bool:
    """The Dutch BSN check: 9 digits, weights 9..2 and -1, sum divisible by 11, not all zero."""
    if not re.fullmatch(r"[0-9]{9}", digits) or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def as_value(item: Item, result: object) -> Value | None:
    """A default's result as a value of the question's type, or None when it is not one."""
    if result is None or item.type not in VALUE_TYPES or item.type == "multi_choice":
        return None
    value_type = VALUE_TYPES[item.type]
    if isinstance(result, Decimal) and item.type in ("integer", "year"):
        result = int(result) if result == result.to_integral_value() else result
    if isinstance(result, str) and item.type == "date":
        try:
            result = dt.date.fromisoformat(result)
        except ValueError:
            return None
    if not value_type.accepts(result):
        return None
    if isinstance(result, str) and not result.strip():
        return None
    return result  # type: ignore[return-value]


def bound_problems(item: Item, value: object) -> list[str]:
    spec = item.question
    low: object = spec.min
    high: object = spec.max
    if low is None and high is None:
        return []
    measured: object = value
    if item.type in ("multi_choice", "repeat") and isinstance(value, tuple):
        measured = len(value)
    elif item.type == "date":
        low = dt.date.fromisoformat(str(low)) if low is not None else None
        high = dt.date.fromisoformat(str(high)) if high is not None else None
    if not isinstance(measured, (int, Decimal, dt.date)) or isinstance(measured, bool):
        return []
    shown_low = show_bound(low)
    shown_high = show_bound(high)
    if low is not None and measured < low:  # type: ignore[operator]
        if item.type in ("multi_choice", "repeat"):
            return [_("choose at least {n}").format(n=shown_low)]
        return [_("must be at least {low}").format(low=shown_low)]
    if high is not None and measured > high:  # type: ignore[operator]
        if item.type in ("multi_choice", "repeat"):
            return [_("at most {n}").format(n=shown_high)]
        return [_("must be at most {high}").format(high=shown_high)]
    return []


def show_bound(bound: object) -> str:
    if isinstance(bound, dt.date):
        return bound.strftime("%d-%m-%Y")
    return str(bound)
