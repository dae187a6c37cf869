"""A small reader of the UI's own `.po` catalogs, for the first frame.

The app starts in Dutch: reading `locales/nl/.../intake_tui.po` with Babel cost the first frame
about 28 ms (importing Babel and its full parser). The UI catalogs are written by Babel itself
(`pybabel update`), so their shape is known: `msgctxt`, `msgid`, `msgid_plural`, `msgstr` and
`msgstr[n]` with C-escaped strings over one or more lines, `#,` flags, and `#~` obsolete
entries. This reads exactly that; a test checks it gives what Babel gives for every catalog.
Bundle catalogs (written by people) keep going through core/catalogs.py with line numbers.

`cached_ui_catalog` keeps what was read in a `__pycache__` folder beside the catalog, as Python
keeps bytecode: reading that takes 0.3 ms where reading the catalog takes 3.5 ms (measured at
the first frame). It is used only while the catalog's size and time are the ones it was made
from, and written only where Python would write bytecode.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys
from pathlib import Path

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}  # fmt: skip
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_PLURAL = re.compile(r"plural\s*=\s*([^;]+);?")


def _unquote(text: str) -> str:
    inner = text.strip()[1:-1]
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(1)), inner)


class PoEntries:
    """id → translation (str, or a tuple per plural form) and the plural expression."""

    def __init__(self) -> None:
        self.messages: dict[str, str | tuple[str, ...]] = {}
        self.plural: str | None = None


def read_ui_catalog(path: Path) -> PoEntries:
    """The translated, non-fuzzy entries of a catalog (obsolete `#~` ones left out)."""
    found = PoEntries()
    entry: dict[str, str] = {}
    plurals: dict[int, str] = {}
    fuzzy = False
    current: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, plurals, fuzzy, current
        msgid = entry.get("msgid")
        if msgid == "" and "msgstr" in entry:
            header = entry["msgstr"]
            for line in header.split("\n"):
                if line.lower().startswith("plural-forms:"):
                    match = _PLURAL.search(line)
                    found.plural = match.group(1).strip() if match else None
        elif msgid and not fuzzy:
            if "msgid_plural" in entry:
                forms = tuple(plurals[i] for i in sorted(plurals))
                found.messages[msgid] = forms
            elif entry.get("msgstr"):
                found.messages[msgid] = entry["msgstr"]
        entry, plurals, fuzzy, current = {}, {}, False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                fuzzy = True
            continue
        if line.startswith('"'):
            if current is not None:
                key, position = current
                if position is None:
                    entry[key] += _unquote(line)
                else:
                    plurals[position] += _unquote(line)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            continue
        keyword, form, text = match.group(1), match.group(2), match.group(3)
        if keyword == "msgid" and "msgid" in entry:
            finish()  # a new entry without a blank line between
        if form is not None:
            plurals[int(form)] = _unquote(text)
            current = ("msgstr", int(form))
        else:
            entry[keyword] = _unquote(text)
            current = (keyword, None)
    finish()
    return found


# Bumped when PoEntries or this reader changes what it gives.
_CACHE_FORMAT = 1


def _cache_path(path: Path) -> Path:
    return path.parent / "__pycache__" / f"{path.name}.{sys.implementation.cache_tag}.marshal"


def cached_ui_catalog(path: Path) -> PoEntries:
    """What `read_ui_catalog(path)` gives, from the cache beside it when that is current."""
    stat = path.stat()
    stamp = (_CACHE_FORMAT, stat.st_mtime_ns, stat.st_size)
    cache = _cache_path(path)
    try:
        kept = marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        kept = None  # none yet, or unreadable: read the catalog
    if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == stamp:
        found = PoEntries()
        found.messages, found.plural = kept[1], kept[2]
        return found
    found = read_ui_catalog(path)
    if not sys.dont_write_bytecode:
        partial = cache.with_name(f"{cache.name}.{os.getpid()}")
        try:
            cache.parent.mkdir(exist_ok=True)
            partial.write_bytes(marshal.dumps((stamp, found.messages, found.plural)))
            os.replace(partial, cache)  # whole or not at all, if two starts write at once
        except OSError:  # a read-only install or a full disk: read the catalog each time
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
    return found
