"""The search key of a case: its display name folded so that typing finds it.

Case, accents and marks do not matter ("ayse" finds "Ayşe", "SEMHAR" finds "Semhar"), and the
folding is done once when the name is written, so a search is a plain LIKE over a column
(SQLite's own LIKE folds ASCII only, and lower() per row cost 75 ms for 10,000 cases).
"""

from __future__ import annotations

import unicodedata

# Letters that do not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})


def fold(text: str) -> str:
    """Lower-case, without accents or marks, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())
