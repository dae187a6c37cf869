"""Answers inside a bundle's texts: `{name}` in a label, hint, description or message.

A follow-up conversation opens with what it builds on ("Leerroute in het PIP: {plan.leerroute}";
"Bij de intake werkte u als {intake.beroep_herkomst}"), and any question may repeat an earlier
answer of its own interview (`{voornamen}`). The names are those of the expression language
(docs/bundle-format.md, "Answers inside texts"): a top-level question of the bundle, and in a
bundle that `follows:` another, `intake.<id>` and `plan.<field>`. They are checked at load, like
the names in expressions, so a typo is an error at file:line:col and not a `{...}` on screen.

`{{` and `}}` are a literal brace. Text between braces that is not a name (a space, a capital,
nothing) is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from intake_tui.core.yamlsource import DataPath, Problem
from intake_tui.i18n import _

NAME = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\}")

# The texts of a question (and of a section) that may hold names.
QUESTION_TEXTS = ("label", "hint", "constraint_message")
SECTION_TEXTS = ("title", "description")


def names_in(text: str) -> list[str]:
    """The names in `text`, in order (a name used twice, twice)."""
    return [m.group(1) for m in NAME.finditer(text) if m.group(1)]


def fill(text: str, shown: Callable[[str], str | None]) -> str:
    """`text` with each name replaced by `shown(name)`; a name it does not know stays as it is
    (in braces), so nothing is silently dropped from a sentence. Without braces: unchanged."""
    if "{" not in text and "}" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        value = shown(match.group(1))
        return whole if value is None else value

    return NAME.sub(one, text)


def texts_of(node: Any) -> Iterable[tuple[str, str]]:
    """(field, text) of each text of a question or section spec that may hold names."""
    fields = SECTION_TEXTS if hasattr(node, "title") else QUESTION_TEXTS
    for field in fields:
        text = getattr(node, field, None)
        if isinstance(text, str) and "{" in text:
            yield field, text


def context_names(nodes: Iterable[Any]) -> set[str]:
    """The `intake.` and `plan.` names the texts of `nodes` use (what an open reads ahead)."""
    return {
        name
        for node in nodes
        for _field, text in texts_of(node)
        for name in names_in(text)
        if name.startswith(("intake.", "plan."))
    }


def check_names(
    text: str,
    path: DataPath,
    *,
    top_level: Mapping[str, str],
    context: Mapping[str, frozenset[str] | None],
    report: Callable[[DataPath, str], None],
) -> None:
    """Each name in `text` is a top-level question with a value (`top_level`: id → type), or
    `intake.<id>` / `plan.<field>` that `context` allows (core/related.py follow_up_names)."""
    for name in dict.fromkeys(names_in(text)):
        problem = _problem(name, top_level, context)
        if problem:
            report(path, problem)


def _problem(
    name: str, top_level: Mapping[str, str], context: Mapping[str, frozenset[str] | None]
) -> str | None:
    prefix, _dot, rest = name.partition(".")
    if rest and prefix in ("intake", "plan"):
        if prefix not in context:
            return _(
                "{{{name}}}: {prefix}.<…> can be used only in a bundle that follows another "
                "(follows:)"
            ).format(name=name, prefix=prefix)
        known = context[prefix]
        if known is not None and rest not in known:
            return _("{{{name}}}: no {what} {rest!r}").format(
                name=name,
                rest=rest,
                what=_("question") if prefix == "intake" else _("plan field"),
            )
        return None
    if rest:
        return _(
            "{{{name}}} is not a name a text can show: a question id, intake.<id> or plan.<field> "
            "(write {{{{ for a literal brace)"
        ).format(name=name)
    kind = top_level.get(name)
    if kind is None:
        return _(
            "{{{name}}}: no top-level question {name!r} (a text shows a question outside any "
            "repeat; write {{{{ for a literal brace)"
        ).format(name=name)
    if kind in ("note", "group", "repeat", "section"):
        return _("{{{name}}}: a {kind} has no answer to show").format(name=name, kind=kind)
    return None


def translation_warnings(bundle: Any) -> list[Problem]:
    """A translation that drops, adds or renames a `{name}` of its source text: the newcomer
    would read a sentence without the answer, or a `{...}` (`questionnaire validate`)."""
    from intake_tui.core.catalogs import Localizer
    from intake_tui.core.yamlsource import Location

    localizer = Localizer(bundle)
    found: list[Problem] = []
    for lang in bundle.languages:
        catalog = localizer.catalog(lang)
        if catalog is None:
            continue
        for entry in catalog.entries.values():
            if not entry.text or ("{" not in entry.source and "{" not in entry.text):
                continue
            if sorted(names_in(entry.source)) != sorted(names_in(entry.text)):
                found.append(
                    Problem(
                        Location(catalog.name, entry.line, 1),
                        _(
                            "{key}: the translation does not show the same names in braces as "
                            "the source: {source} here {text}"
                        ).format(
                            key=entry.key,
                            source=", ".join(sorted(names_in(entry.source))) or "—",
                            text=", ".join(sorted(names_in(entry.text))) or "—",
                        ),
                        warning=True,
                    )
                )
    return found
