"""XLSForm language columns (`label::Arabic (ar)`, `label:Arabic`, `العربية`) as BCP 47 tags."""

from __future__ import annotations

import re
from functools import cache

# Names CLDR does not give the tag people mean (or gives none for).
_EXTRA = {"dari": "prs", "farsi": "fa", "persian": "fa", "tigrinya": "ti", "somali": "so"}
_CODE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?)\s*\)\s*\Z")


@cache
def _names() -> dict[str, str]:
    """Every language's English and own name, lower-cased, to its tag."""
    from babel import Locale

    names: dict[str, str] = {}
    for code, name in Locale("en").languages.items():
        if "_" not in code and len(code) <= 3:
            names.setdefault(name.casefold(), code)
    for code in list(names.values()):
        try:
            native = Locale.parse(code).get_display_name(code)
        except Exception:
            continue
        if native:
            names.setdefault(native.casefold(), code)
    names.update(_EXTRA)
    return names


def _canonical(code: str) -> str:
    language, *rest = code.replace("_", "-").split("-")
    parts = [language.lower()]
    for part in rest:
        parts.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(parts)


def language_tag(column_language: str) -> str | None:
    """The BCP 47 tag of an XLSForm language name, or None when it names no known language."""
    from intake_tui.core.catalog_update import is_language_tag

    text = column_language.strip()
    if match := _CODE.search(text):
        tag = _canonical(match.group(1))
        return tag if is_language_tag(tag) else None
    folded = text.casefold()
    if folded in _names():
        return _names()[folded]
    tag = _canonical(text) if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?", text) else ""
    return tag if tag and is_language_tag(tag) else None
