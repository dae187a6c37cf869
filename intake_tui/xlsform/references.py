"""Answers shown inside texts, between a bundle and an XLSForm.

A bundle shows an answer in a question's or section's own texts as `{q}` and writes a literal
brace doubled (docs/bundle-texts.md); an XLSForm writes the same as `${q}` with plain braces.
Import turns the one into the other (convert_items.py, with its report lines for texts that
cannot show an answer); export and the round trip of an exported form use these two.
`{intake.x}` and `{plan.x}` (a follow-up's names) have no XLSForm equivalent and are written as
they are, both ways.
"""

from __future__ import annotations

import re

# The texts of a question or section in which the bundle shows answers.
NAMED_TEXT_FIELDS = ("label", "hint", "constraint_message", "title", "description")
REFERENCE = re.compile(r"\$\{\s*([^}\s]+)\s*\}")  # ${q} in a text: XLSForm's output reference
_LITERAL = re.compile(r"\{(?:intake|plan)\.[a-z][a-z0-9_.]*\}|[{}]")


def shows_answers(key: str) -> bool:
    """Is the catalog key that of a text in which the bundle shows answers?"""
    parts = key.split(".")
    return len(parts) == 3 and parts[0] in ("question", "section") and parts[2] in NAMED_TEXT_FIELDS


def to_cell(text: str) -> str:
    """A bundle text as an XLSForm cell: `{q}` → `${q}`, `{{` → `{`."""
    from intake_tui.core.text_refs import NAME

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        return whole if "." in match.group(1) else "${" + match.group(1) + "}"

    return NAME.sub(one, text)


def from_cell(text: str) -> str:
    """An exported cell back as the bundle's text: `${q}` → `{q}`, `{` → `{{`."""
    parts: list[str] = []
    end = 0
    for match in REFERENCE.finditer(text):
        parts.append(escape(text[end : match.start()]))
        parts.append("{" + match.group(1) + "}")
        end = match.end()
    parts.append(escape(text[end:]))
    return "".join(parts)


def escape(text: str) -> str:
    """Literal braces doubled, so they stay text (a follow-up's `{intake.x}` kept a name)."""
    return _LITERAL.sub(_double, text)


def _double(match: re.Match[str]) -> str:
    found = match.group(0)
    return found * 2 if len(found) == 1 else found
