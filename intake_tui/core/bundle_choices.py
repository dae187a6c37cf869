"""The choices of a bundle: named lists, a question's own list, and the checks of both."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from intake_tui.core.bundle_model import (
    CHOICE_TYPES,
    CHOICE_VALUE_PATTERN,
    ID_PATTERN,
    REPEAT_COUNT_LIMIT,
    BundleSpec,
    Choice,
    ChoiceSource,
    ChoiceSourceSpec,
    ChoiceSpec,
    QuestionSpec,
)
from intake_tui.core.bundle_support import _did_you_mean, source_choices
from intake_tui.core.yamlsource import DataPath, Problem
from intake_tui.i18n import _

Report = Callable[..., None]  # report(path, message, key=False): a problem at a place


def check_choice_lists(
    spec: BundleSpec,
    report: Report,
    files: Mapping[str, bytes] | None = None,
    display_dir: str = "<bundle>",
    problems: list[Problem] | None = None,
) -> dict[str, tuple[Choice, ...] | ChoiceSource]:
    """The bundle's named choice lists, each checked (a CLDR list stays its source's name; a
    CSV list is read from `files`, its problems added to `problems` at their place in it)."""
    lists: dict[str, tuple[Choice, ...] | ChoiceSource] = {}
    for name, entry in spec.choice_lists.items():
        if not ID_PATTERN.match(name):
            report(
                ("choice_lists", name),
                _("list name {name!r} must be snake_case").format(name=name),
                key=True,
            )
        if isinstance(entry, ChoiceSourceSpec) and entry.csv is not None:
            raw = (files or {}).get(entry.csv)
            if raw is None:
                report(
                    ("choice_lists", name, "source"),
                    _("no file {file!r} in the bundle folder").format(file=entry.csv)
                    + _did_you_mean(entry.csv, [f for f in files or () if f.endswith(".csv")]),
                )
                lists[name] = ()  # reported here, not again at each question that names it
                continue
            from intake_tui.core.choice_csv import read_choice_csv

            found, csv_problems = read_choice_csv(raw, name, f"{display_dir}/{entry.csv}")
            if problems is not None:
                problems.extend(csv_problems)
            lists[name] = found
        elif isinstance(entry, ChoiceSourceSpec):
            if entry.cldr is None:
                report(
                    ("choice_lists", name, "source"),
                    _(
                        "source must be countries, languages or the name of a .csv file in the "
                        "bundle folder, not {source!r}"
                    ).format(source=entry.source),
                )
                lists[name] = ()
                continue
            lists[name] = entry.cldr
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
        for attr in choice.attrs:
            if not ID_PATTERN.match(attr):
                report(
                    (*path, index, "attrs", attr),
                    _("attribute name {name!r} must be snake_case").format(name=attr),
                    key=True,
                )
        at = f"{key}.{choice.value}"
        attrs = tuple(sorted(choice.attrs.items()))
        result.append(
            Choice(
                choice.value,
                choice.label,
                choice.hint,
                at,
                choice.exclusive,
                choice.role,
                attrs=attrs,
                renamed_from=tuple(choice.renamed_from),
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


def check_counted_and_filtered(node: QuestionSpec, path: DataPath, report: Report) -> None:
    """`choice_filter` only on a choice question; `repeat_count` only on a repeat, whose `max`
    then stays at most REPEAT_COUNT_LIMIT (core/choice_filter.py)."""
    if node.choice_filter is not None and node.type not in CHOICE_TYPES:
        report(
            (*path, "choice_filter"),
            _("'choice_filter' applies only to choice and multi_choice questions"),
            key=True,
        )
    if node.repeat_count is None:
        return
    if node.type != "repeat":
        report((*path, "repeat_count"), _("'repeat_count' applies only to a repeat"), key=True)
    elif isinstance(node.max, int) and node.max > REPEAT_COUNT_LIMIT:
        report(
            (*path, "max"),
            _("a repeat with repeat_count has at most {limit} instances").format(
                limit=REPEAT_COUNT_LIMIT
            ),
        )
