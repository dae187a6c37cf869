"""Helpers of the bundle loader: where a problem is in the YAML, pydantic errors in words, "did
you mean", CLDR choice lists, and the dependency graph of the questions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from intake_tui.core.bundle_model import (
    EXPORT_PATTERN,
    LANGUAGE_TAG,
    BundleSpec,
    Choice,
    ChoiceSource,
    ChoiceSourceSpec,
    ChoiceSpec,
    Item,
    QuestionSpec,
    SectionSpec,
)
from intake_tui.core.yamlsource import (
    DataPath,
    Location,
    SourceMap,
)
from intake_tui.i18n import _


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    if matches:
        return " " + _("(did you mean {name!r}?)").format(name=matches[0])
    return ""


def _model_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _walk_loc(raw: object, loc: tuple[int | str, ...]) -> tuple[DataPath, object]:
    """The part of a pydantic error location that is a real path in the data (drops union tags)."""
    path: list[str | int] = []
    node = raw
    for part in loc:
        if _has_part(node, part):
            path.append(part)
            node = node[part]  # type: ignore[index]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_type_tag(part):
            path.append(part)  # a missing or extra key: its name is still the place
            node = None
    return tuple(path), node


def _has_part(node: object, part: int | str) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _is_type_tag(part: str) -> bool:
    return any(mark in part for mark in ("[", "(", "function-")) or part in {
        "str",
        "int",
        "bool",
        "decimal",
        "list",
        "dict",
        "ChoiceSpec",
        "ChoiceSourceSpec",
        "literal",
    }


def _owner_model(model: type[BaseModel], path: DataPath) -> type[BaseModel]:
    """The model that owns the mapping at `path` inside `model` (for key suggestions)."""
    names = [p for p in path if isinstance(p, str)]
    current = model
    nested: dict[str, type[BaseModel]] = {
        "questions": QuestionSpec,
        "sections": SectionSpec,
        "choices": ChoiceSpec,
    }
    for name in names:
        current = nested.get(name, current)
    if names and names[-1] == "choice_lists":
        return ChoiceSourceSpec
    return current


def _friendly(kind: str, detail: Mapping[str, Any], field_name: str, node: object) -> str:
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        shown = repr(node) if not isinstance(node, (dict, list)) else type(node).__name__
        message = _("{key!r} is {value}; expected one of {expected}").format(
            key=field_name, value=shown, expected=expected
        )
        if isinstance(node, str) and "'" in str(expected):
            options = re.findall(r"'([^']*)'", str(expected))
            message += _did_you_mean(node, options)
        return message
    if kind in ("string_type", "str_type"):
        return _("{key!r} must be text (put it in quotes)").format(key=field_name)
    if kind in ("bool_type", "bool_parsing"):
        return _("{key!r} must be true or false").format(key=field_name)
    if kind in ("list_type",):
        return _("{key!r} must be a list").format(key=field_name)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("{key!r} must be a mapping of keys").format(key=field_name)
    if kind == "string_too_short":
        return _("{key!r} must not be empty").format(key=field_name)
    if kind == "string_too_long":
        return _("{key!r} is too long").format(key=field_name)
    if kind == "string_pattern_mismatch":
        return _("{key!r} has characters that are not allowed").format(key=field_name)
    return f"{field_name}: {detail.get('msg', kind)}"


def _all_ids(question: QuestionSpec) -> Iterator[str]:
    yield question.id
    for child in question.questions:
        yield from _all_ids(child)


_Node = TypeVar("_Node", QuestionSpec, SectionSpec)


class Origins:
    """Where each parsed question and section was written, by the object itself.

    Invalid items are left out of the parsed lists, so a position in such a list is not a
    position in the file: every later sibling would be reported at another item's line.
    """

    def __init__(self) -> None:
        # id() of the parsed node -> (the node, kept alive so its id() stays its own; its path)
        self._paths: dict[int, tuple[QuestionSpec | SectionSpec, DataPath]] = {}

    def keep(self, node: _Node, path: DataPath) -> _Node:
        self._paths[id(node)] = (node, path)
        return node

    def path(self, node: QuestionSpec | SectionSpec) -> DataPath:
        return self._paths[id(node)][1]


def check_language_tags(spec: BundleSpec, report: Callable[[DataPath, str], None]) -> None:
    """Report each language tag of the bundle that is not BCP 47."""
    tags = [("source_language", None, spec.source_language)] + [
        ("languages", i, tag) for i, tag in enumerate(spec.languages)
    ]
    for key, index, tag in tags:
        if not LANGUAGE_TAG.match(tag):
            path: DataPath = (key,) if index is None else (key, index)
            report(
                path,
                _("{tag!r} is not a valid language tag (BCP 47, e.g. 'nl', 'ar', 'prs')").format(
                    tag=tag
                ),
            )


def _valid_lists(raw: object) -> dict[str, list[ChoiceSpec] | ChoiceSourceSpec]:
    """The choice lists that validate on their own, when the top level as a whole did not."""
    result: dict[str, list[ChoiceSpec] | ChoiceSourceSpec] = {}
    if not isinstance(raw, dict):
        return result
    for name, entry in raw.items():
        try:
            if isinstance(entry, dict):
                result[name] = ChoiceSourceSpec.model_validate(entry)
            elif isinstance(entry, list):
                result[name] = [ChoiceSpec.model_validate(c) for c in entry]
        except ValidationError:
            continue
    return result


_SOURCE_CACHE: dict[str, tuple[Choice, ...]] = {}


def source_choices(source: ChoiceSource) -> tuple[Choice, ...]:
    """The codes of a CLDR-backed list (ISO 3166 territories or ISO 639 languages), Dutch names.

    The UI names them in its own language through `intake_tui.i18n`; the engine needs the codes.
    """
    cached = _SOURCE_CACHE.get(source)
    if cached is not None:
        return cached
    # Babel is imported only when a bundle uses a CLDR-backed list.
    from babel import Locale

    locale = Locale("nl")
    if source == "countries":
        names: Mapping[str, str] = {
            code: name
            for code, name in locale.territories.items()
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        }
    else:
        names = {
            code: name
            for code, name in locale.languages.items()
            if code.isalpha() and code.islower() and 2 <= len(code) <= 3
        }
    choices = tuple(
        Choice(code, name, None, f"{source}.{code}")
        for code, name in sorted(names.items(), key=lambda kv: kv[1].casefold())
    )
    _SOURCE_CACHE[source] = choices
    return choices


# CLDR territory codes that are not countries a person comes from.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


def dependency_graph(
    items: Mapping[str, Item],
    raw_items: list[tuple[QuestionSpec | SectionSpec, DataPath, str, str | None, str | None]],
    report: Callable[..., None],
) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    """Who must be recomputed when an answer changes, in an order where inputs come first.

    An item's visibility depends on its own `relevant` names and its parent's visibility; its
    value (as expressions see it) depends on its visibility and, if calculated, on the
    `calculate` names; its choices offered on the `choice_filter` names; a repeat's instances
    on the `repeat_count` names. A cycle would make answers depend on themselves, so it is an error.
    """
    inputs: dict[str, set[str]] = {item_id: set() for item_id in items}
    for item in items.values():
        if item.relevant is not None:
            inputs[item.id].update(n for n in item.relevant.names if n in items)
        # What a filter reads changes the choices offered; what a count reads, the instances.
        for expression in (item.calculate, item.choice_filter, item.repeat_count):
            if expression is not None:
                inputs[item.id].update(n for n in expression.names if n in items)
        if item.parent is not None:
            inputs[item.id].add(item.parent)
    paths = {node.id: path for node, path, *_rest in raw_items}
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done
    for start in items:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(inputs[start])))]
        state[start] = 1
        trail = [start]
        while stack:
            node, pending = stack[-1]
            advanced = False
            for nxt in pending:
                if state.get(nxt) == 1:
                    cycle = [*trail[trail.index(nxt) :], nxt]
                    report(
                        paths.get(nxt, ()),
                        _("dependency cycle: {cycle}").format(cycle=" → ".join(cycle)),
                    )
                    continue
                if not state.get(nxt):
                    state[nxt] = 1
                    trail.append(nxt)
                    stack.append((nxt, iter(sorted(inputs[nxt]))))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                trail.pop()
                state[node] = 2
                order.append(node)
    topological = {item_id: index for index, item_id in enumerate(order)}
    direct: dict[str, set[str]] = {item_id: set() for item_id in items}
    for item_id, sources in inputs.items():
        for source in sources:
            direct[source].add(item_id)
    dependents: dict[str, tuple[str, ...]] = {}
    for item_id in items:
        seen: set[str] = set()
        todo = list(direct[item_id])
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(direct[nxt])
        dependents[item_id] = tuple(sorted(seen, key=lambda i: topological[i]))
    return dependents, topological


def expression_location(
    source_map: SourceMap, path: DataPath, source: str, offset: int
) -> Location:
    """Where character `offset` of the expression written at `path` is (questionnaire.yaml and
    plan.yaml alike). A plain scalar starts exactly at the text, a quoted one a character later;
    in a block scalar the start of the expression is close enough."""
    start = source_map.locate(path)
    if "\n" in source[:offset]:
        return start
    quote = 1 if path in source_map.quoted else 0
    return Location(start.path, start.line, start.column + quote + offset)


def check_export_key(
    node: QuestionSpec,
    path: DataPath,
    exports: dict[str, DataPath],
    source_map: SourceMap,
    report: Callable[[DataPath, str], None],
) -> None:
    """An `export:` key is dotted snake_case and names one question only."""
    if node.export is None:
        return
    if not EXPORT_PATTERN.match(node.export):
        report(
            (*path, "export"),
            _("export key {key!r} must be dotted snake_case (person.bsn)").format(key=node.export),
        )
    elif node.export in exports:
        first = source_map.locate((*exports[node.export], "export"))
        report(
            (*path, "export"),
            _("export key {key!r} is used twice (first at {line}:{column})").format(
                key=node.export, line=first.line, column=first.column
            ),
        )
    else:
        exports[node.export] = path
