"""Moving a draft to a newer version of its bundle: which answers carry over, and which do not.

A newer version may rename a question (`renamed_from: [old_id]`), rename a code
(`renamed_from` on a choice), remove a question, change its type or drop a code. `plan_move`
works out, answer by answer, where each goes: carried to its (possibly new) id and code, or
listed as no longer fitting, with the reason. The store (store/migration.py) shows that list
before the move and keeps what does not fit as hidden history; nothing is dropped.

`check_renames` is the loader's part: a `renamed_from` names an id or code that the bundle no
longer uses, and no two questions (or two codes of a list) claim the same old name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from intake_tui.core.bundle_model import ID_PATTERN, Bundle, Item
from intake_tui.core.values import Answer, from_json, to_json
from intake_tui.i18n import N_, _

if TYPE_CHECKING:
    from intake_tui.core.yamlsource import DataPath

Key = tuple[str, str | None]  # (question id, repeat instance)
Reason = Literal["removed", "type_changed", "code_gone", "value_does_not_fit"]

REASONS: Mapping[Reason, str] = {
    "removed": N_("the question is no longer in the questionnaire"),
    "type_changed": N_("the question asks for another kind of answer now"),
    "code_gone": N_("the chosen option is no longer in the list"),
    "value_does_not_fit": N_("the answer does not fit the question any more"),
}

# Types whose values read the same: a short text that became a long one, a whole number that
# may now have a fraction. Any other change of type does not carry the value.
COMPATIBLE = {("text", "longtext"), ("longtext", "text"), ("integer", "decimal")}


@dataclass(frozen=True)
class Carried:
    old: Key
    new: Key
    answer: Answer  # with the codes of the new version


@dataclass(frozen=True)
class Misfit:
    old: Key
    reason: Reason
    entry: int | None = None  # inside a repeat: which entry, counted from 1 as the screen does


@dataclass(frozen=True)
class MovePlan:
    """What a move from `source` to `target` does with each stored answer."""

    source_version: str
    target_version: str
    carried: tuple[Carried, ...]
    misfits: tuple[Misfit, ...]
    renamed: dict[str, str]  # old question id → new id, for notes, drafts and the resume point

    @property
    def loses_nothing(self) -> bool:
        return not self.misfits


def renames(target: Bundle) -> dict[str, str]:
    """Old question id → its id in `target` (by `renamed_from`; unchanged ids map to themselves)."""
    found = {item_id: item_id for item_id in target.items}
    for item in target.items.values():
        for old in getattr(item.spec, "renamed_from", ()):
            found.setdefault(old, item.id)
    return found


def _code_map(item: Item) -> dict[str, str]:
    found = {choice.value: choice.value for choice in item.choices or ()}
    for choice in item.choices or ():
        for old in choice.renamed_from:
            found.setdefault(old, choice.value)
    return found


def plan_move(source: Bundle, target: Bundle, answers: Mapping[Key, Answer]) -> MovePlan:
    """Where each answer of an interview on `source` goes in `target`."""
    to_new = renames(target)
    carried: list[Carried] = []
    misfits: list[Misfit] = []
    # A question of the old version that kept its id goes first: a rename onto its id loses.
    ordered = sorted(
        answers.items(), key=lambda kv: (to_new.get(kv[0][0]) != kv[0][0], _order(kv[0]))
    )
    taken: set[Key] = set()
    for (question, instance), answer in ordered:
        new_id = to_new.get(question)
        old_item = source.items.get(question)
        if new_id is not None and (new_id, instance) in taken:
            new_id = None  # two old questions, one new one: the one that kept its id has it
        if new_id is None:
            entry = _entry(source, answers, question, instance)
            misfits.append(Misfit((question, instance), "removed", entry))
            continue
        new_item = target.items[new_id]
        moved = _carry(old_item, new_item, answer) if old_item is not None else None
        if isinstance(moved, str):
            misfits.append(
                Misfit((question, instance), moved, _entry(source, answers, question, instance))
            )
        elif moved is None:
            misfits.append(
                Misfit(
                    (question, instance),
                    "value_does_not_fit",
                    _entry(source, answers, question, instance),
                )
            )
        else:
            carried.append(Carried((question, instance), (new_id, instance), moved))
            taken.add((new_id, instance))
    return MovePlan(
        source.version,
        target.version,
        tuple(sorted(carried, key=lambda c: _order(c.old))),
        tuple(sorted(misfits, key=lambda m: _order(m.old))),
        {old: new for old, new in to_new.items() if old != new and old in source.items},
    )


def _entry(
    source: Bundle, answers: Mapping[Key, Answer], question: str, instance: str | None
) -> int | None:
    item = source.items.get(question)
    if instance is None or item is None or item.repeat is None:
        return None
    found = answers.get((item.repeat, None))
    order = found.value if found is not None and isinstance(found.value, tuple) else ()
    return order.index(instance) + 1 if instance in order else None


def _order(key: Key) -> tuple[str, str]:  # instance None sorts as ""
    return key[0], key[1] or ""


def _carry(old: Item, new: Item, answer: Answer) -> Answer | Reason | None:
    if answer.state != "answered":
        return answer  # "don't know" and "won't say" hold no value to misfit
    if old.type != new.type and (old.type, new.type) not in COMPATIBLE:
        return "type_changed"
    value = answer.value
    if new.type == "repeat":
        return answer  # the instance ids: the answers inside carry one by one
    if new.choices is not None and new.choice_source is None:
        codes = _code_map(new)
        if isinstance(value, str):
            if value not in codes:
                return "code_gone"
            value = codes[value]
        elif isinstance(value, tuple):
            if any(code not in codes for code in value):
                return "code_gone"
            value = tuple(codes[code] for code in value)
    try:
        return Answer("answered", from_json(new.type, json.loads(json.dumps(to_json(value)))))
    except ValueError:
        return None


def reason_text(reason: Reason) -> str:
    return _(REASONS[reason])


# -- the loader's checks --------------------------------------------------------------------------


def check_renames(
    items: Mapping[str, Item],
    paths: Mapping[str, DataPath],
    error: Callable[[DataPath, str], None],
) -> None:
    """Each `renamed_from` at its place: a snake_case id that is not in use now and that no
    other question claims; on a choice, a code the list does not use now, claimed once."""
    claimed: dict[str, str] = {}
    for item_id, item in items.items():
        for index, old in enumerate(getattr(item.spec, "renamed_from", ())):
            at = (*paths[item_id], "renamed_from", index)
            if not ID_PATTERN.match(old):
                error(
                    at, _("renamed_from {id!r} must be a question id (snake_case)").format(id=old)
                )
            elif old in items:
                error(
                    at,
                    _("renamed_from {id!r} is the id of a question of this version").format(id=old),
                )
            elif old in claimed:
                error(
                    at,
                    _("renamed_from {id!r} is already claimed by question {other!r}").format(
                        id=old, other=claimed[old]
                    ),
                )
            else:
                claimed[old] = item_id
        _check_code_renames(item, paths[item_id], error)


def _check_code_renames(item: Item, path: DataPath, error: Callable[[DataPath, str], None]) -> None:
    raw = getattr(item.spec, "choices", None)
    if not item.choices:
        return
    base: DataPath = ("choice_lists", raw) if isinstance(raw, str) else (*path, "choices")
    current = item.choice_codes()
    claimed: dict[str, str] = {}
    for index, choice in enumerate(item.choices):
        for number, old in enumerate(choice.renamed_from):
            at = (*base, index, "renamed_from", number)
            if old in current:
                error(at, _("renamed_from {code!r} is a code of this list").format(code=old))
            elif old in claimed and claimed[old] != choice.value:
                error(
                    at,
                    _("renamed_from {code!r} is already claimed by code {other!r}").format(
                        code=old, other=claimed[old]
                    ),
                )
            else:
                claimed[old] = choice.value
