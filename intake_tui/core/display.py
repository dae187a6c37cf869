"""An answer as the caseworker sees it on screen: choice labels, dd-mm-jjjj dates, Ja/Nee.

One place turns stored values into text, so the plan's provenance ("because lbt_resultaat was
'B1-route haalbaar'") shows exactly what the caseworker saw when answering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from intake_tui.core.bundle_model import Choice, Item
from intake_tui.core.values import Answer
from intake_tui.i18n import _


def show_value(item: Item, value: object) -> str:
    """A value of `item` as text (Dutch source labels for choices; the UI translates by key)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    labels = {c.value: c.label for c in item.choices or ()}
    if isinstance(value, tuple):
        if item.type == "repeat":
            return str(len(value))
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, str) and labels:
        return labels.get(value, value)
    return str(value)


def show_answer(item: Item, answer: Answer | None) -> str:
    """An answer (or its absence) as text: "weet niet" and "wil niet zeggen" spelled out."""
    if answer is None:
        return "—"
    if answer.state == "unknown":
        return _("don't know")
    if answer.state == "declined":
        return _("prefer not to say")
    return show_value(item, answer.value)


def show_value_in(
    item: Item, value: object, lang: str, choice_label: Callable[[Choice, str], str]
) -> str:
    """A value of `item` as text in `lang`: choice labels through `choice_label` (the bundle's
    catalog), countries and languages by CLDR, yes/no in that language; dates dd-mm-jjjj."""
    from intake_tui.i18n import locale_format

    if isinstance(value, bool):
        return locale_format.yes_no(value, lang)
    if isinstance(value, tuple) and item.type != "repeat":
        return ", ".join(show_value_in(item, one, lang, choice_label) for one in value)
    if isinstance(value, str) and item.choice_source is not None:
        name = (
            locale_format.country_name
            if item.choice_source == "countries"
            else locale_format.language_name
        )
        return name(value, lang)
    if isinstance(value, str):
        for choice in item.choices or ():
            if choice.value == value:
                return choice_label(choice, lang)
    return show_value(item, value)
