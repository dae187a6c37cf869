"""Text direction per language, for HTML `dir` attributes and right-to-left layout.

Kept free of Babel so that it costs nothing to import: the languages the intake serves that are
written right to left are listed here (Dari is `prs`, Sorani Kurdish `ckb`).
"""

from __future__ import annotations

from typing import Literal

RTL_LANGUAGES = frozenset({"ar", "fa", "prs", "ur", "he", "ps", "ckb", "yi", "dv", "ug", "sd"})


def text_direction(lang: str) -> Literal["ltr", "rtl"]:
    """`rtl` for a language written right to left (`ar`, `fa-AF`, `prs`, `ur_PK`, …), else `ltr`."""
    base = lang.replace("_", "-").split("-")[0].lower()
    return "rtl" if base in RTL_LANGUAGES else "ltr"
