"""The choices of a bundle: named lists, a question's own list, and the checks of both."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from intake_tui.core.bundle_model import (
    CHOICE_TYPES,
    CHOICE_VALUE_PATTERN,
    ID_PATTERN,
    BundleSpec,
    Choice,
    ChoiceSource,
    ChoiceSourceSpec,
    ChoiceSpec,
    QuestionSpec,
)
from intake_tui.core.bundle_support import _did_you_mean, source_choices
from intake_tui.core.yamlsource import DataPath
from intake_tui.i18n import _

Report = Callable[..., None]  # report(path, message, key=False): a problem at a place


def check_choice_lists(
    spec: BundleSpec, report: Report
) -> dict[str, tuple[Choice, ...] | ChoiceSource]:
    """The bundle's named choice lists, each checked (a source list stays its source's name)."""
    lists: dict[str, tuple[Choice, ...] | ChoiceSource] = {}
    for name, entry in spec.choice_lists.items():
        if not ID_PATTERN.match(name):
            report(
                ("choice_lists", name),
                _("list name {name!r} must be snake_case").format(name=name),
                key=True,
            )
        if isinstance(entry, ChoiceSourceSpec):
            lists[name] = entry.source
        else:
            lists[name] = choices(entry, ("choice_lists", name), f"choice_list.{name}", report)
    return lists


def choices(
    entries: list[ChoiceSpec], path: DataPath, key: str, report: Report
) -> tuple[Choice, ...]:
    """One list of choices: short codes, each once; `key` prefixes their translation keys."""
    seen: set[str] = set()
    result: list[Choice] = []
    if not entries:
        report(path, _("a choice list needs at least one choice"))
    for index, choice in enumerate(entries):
        if not CHOICE_VALUE_PATTERN.match(choice.value):
            report(
                (*path, index, "value"),
                _("choice value {value!r} must be a short code (letters, digits, _ and -)").format(
                    value=choice.value
                ),
            )
        if choice.value in seen:
            report(
                (*path, index, "value"),
                _("choice value {value!r} appears twice").format(value=choice.value),
            )
        seen.add(choice.value)
        at = f"{key}.{choice.value}"
        result.append(
            Choice(
                choice.value,
                choice.label,
                choice.hint,
                at,
                choice.exclusive,
                choice.role,
                tuple(choice.renamed_from),
            )
        )
    return tuple(result)


def question_choices(
    node: QuestionSpec,
    path: DataPath,
    lists: Mapping[str, tuple[Choice, ...] | ChoiceSource],
    report: Report,
) -> tuple[tuple[Choice, ...] | None, ChoiceSource | None]:
    """A question's choices: its own, or a named list's (checked once, in check_choice_lists)."""
    if node.type not in CHOICE_TYPES:
        if node.choices is not None:
            report(
                (*path, "choices"),
                _("choices are only for choice and multi_choice questions"),
                key=True,
            )
        return None, None
    if node.choices is None:
        report(path, _("a {type} question needs choices").format(type=node.type))
        return None, None
    if isinstance(node.choices, str):
        found = lists.get(node.choices)
        if found is None:
            report(
                (*path, "choices"),
                _("unknown choice list {name!r}").format(name=node.choices)
                + _did_you_mean(node.choices, lists),
            )
            return None, None
        if isinstance(found, str):
            return source_choices(found), found
        return found, None
    return choices(node.choices, (*path, "choices"), f"question.{node.id}.choice", report), None
