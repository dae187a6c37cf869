"""Right-to-left text for the terminal: wrap, shape and reorder lines ourselves.

Neither Rich nor Textual does bidi or Arabic shaping; they emit text in logical order. So in
mode "app" we wrap the logical text first (measuring the *shaped* width, because ligatures
such as lam-alef make a line shorter), then reshape and reorder each line on its own: reordering
a whole paragraph and then wrapping would put the lines in reverse order. Terminals that reorder
by themselves (Konsole, mlterm, macOS Terminal) get mode "terminal": logical lines only.

Paired characters such as ( ) [ ] « » are mirrored where they end up right to left (UAX #9
rule L4): python-bidi's `get_display` (the Rust unicode-bidi crate) reorders but leaves L4 to
the renderer, and a terminal draws the code point it gets. See `_mirror`.

Only display strings come out of here; never store them. arabic_reshaper and python-bidi are
imported inside the functions so that importing this module costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any, Literal, Protocol

RtlMode = Literal["app", "terminal"]

VTE_BIDI_OFF = "\x1b[8l"
"""Tells VTE (GNOME Terminal) to stop its own bidi, so our visual lines are shown as they are."""
VTE_BIDI_ON = "\x1b[8h"
"""Gives VTE its implicit bidi back when the app leaves."""

_RTL_CLASSES = frozenset({"R", "AL"})
_POOL_CAP = 4096

_MIRROR_PAIRS = (
    "()", "<>", "[]", "{}", "«»", "‹›", "⁅⁆", "⁽⁾", "₍₎", "≤≥", "⟨⟩", "〈〉", "〈〉", "《》",
    "「」", "『』", "【】", "〔〕", "（）", "＜＞", "［］", "｛｝",
)  # fmt: skip
MIRRORS: dict[str, str] = {
    **{pair[0]: pair[1] for pair in _MIRROR_PAIRS},
    **{pair[1]: pair[0] for pair in _MIRROR_PAIRS},
}
"""Bidi_Mirroring_Glyph (BidiMirroring.txt) of the brackets and quotes a questionnaire may hold."""

_SPACE_LIKE = frozenset({"WS", "FSI", "LRI", "RLI", "PDI"})
_REMOVED_BY_X9 = frozenset({"BN", "LRE", "RLE", "LRO", "RLO", "PDF"})
_LEVELS_FIELD = re.compile(r"\n\s*levels: \[([^\]]*)\]")
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


class _Stream(Protocol):
    def write(self, s: str, /) -> object: ...

    def flush(self) -> object: ...


def is_rtl_text(text: str) -> bool:
    """True when the first strong character is right-to-left (UAX #9 rules P2/P3, no isolates)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return False


@cache
def _reshaper() -> Any:
    """One reshaper that keeps the harakat: dropping vowel marks changes what a newcomer reads."""
    from arabic_reshaper import ArabicReshaper  # type: ignore[import-untyped]

    return ArabicReshaper(configuration={"delete_harakat": False})


def _reshape(text: str) -> str:
    if not text:
        return text
    shaped: str = _reshaper().reshape(text)
    return shaped


@cache
def _placeholder_pools() -> dict[str, tuple[str, ...]]:
    """Spare characters per bidi class, to stand in for a letter with its combining marks."""
    pools: dict[str, list[str]] = {}
    for code in range(0x21, 0x10000):
        char = chr(code)
        category = unicodedata.category(char)
        if category[0] in "MC" and category != "Co":
            continue
        if category[0] == "Z" and category != "Zs":
            continue
        if unicodedata.mirrored(char):
            continue
        pool = pools.setdefault(unicodedata.bidirectional(char), [])
        if len(pool) < _POOL_CAP:
            pool.append(char)
    return {kind: tuple(chars) for kind, chars in pools.items()}


def _clusters(text: str) -> list[str]:
    """Split into a base character plus the non-spacing marks that follow it."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.bidirectional(char) == "NSM":
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _reorder(line: str) -> str:
    """Reorder one line with base direction RTL, keeping each mark *after* its letter.

    python-bidi reverses marks together with letters, so a haraka would land before its letter
    and a terminal would draw it on the wrong one. Each letter-with-marks is therefore replaced
    by a spare character of the same bidi class while reordering, and put back afterwards.
    Brackets and quotes that end up right to left are mirrored (`_mirror`); the spares are
    never mirrored characters, so they neither take part in that nor change bracket pairing.
    """
    from bidi import get_display  # type: ignore[import-untyped]

    clusters = _clusters(line)
    if len(clusters) == len(line):
        return _mirror(line, get_display(line, base_dir="R"))
    used = set(line)
    pools = _placeholder_pools()
    stand_ins: dict[str, str] = {}
    parts: list[str] = []
    for cluster in clusters:
        base = cluster[0]
        kind = unicodedata.bidirectional(base)
        if len(cluster) == 1 or kind == "NSM" or unicodedata.mirrored(base):
            parts.append(cluster)
            continue
        spare = next((c for c in pools.get(kind, ()) if c not in used), None)
        if spare is None:
            parts.append(cluster)
            continue
        used.add(spare)
        stand_ins[spare] = cluster
        parts.append(spare)
    logical = "".join(parts)
    visual = _mirror(logical, get_display(logical, base_dir="R"))
    return "".join(stand_ins.get(char, char) for char in visual)


def mirror_of(char: str) -> str:
    """The glyph to draw for `char` in a right-to-left run: ")" for "(", "»" for "«"."""
    if unicodedata.mirrored(char):
        return MIRRORS.get(char, char)
    return char


def _levels(line: str) -> list[int] | None:
    """The resolved embedding level of each character, as python-bidi itself resolved them.

    `get_display(..., debug=True)` returns the crate's `BidiInfo` printed with `{:#?}`, whose
    `levels` hold one level per UTF-8 byte. None when that text is not as expected.
    """
    from bidi import get_display

    info: str = get_display(line, base_dir="R", debug=True)
    found = _LEVELS_FIELD.search(info)
    if found is None:
        return None
    per_byte = [int(level) for level in _LEVEL.findall(found[1])]
    levels: list[int] = []
    offset = 0
    for char in line:
        if offset >= len(per_byte):
            return None
        levels.append(per_byte[offset])
        offset += len(char.encode())
    return levels if offset == len(per_byte) else None


def _line_levels(line: str, levels: list[int]) -> list[int]:
    """UAX #9 rule L1 as the unicode-bidi crate applies it, with paragraph level 1.

    Separators, and whitespace or isolate controls before a separator or at the end of the line,
    go back to the paragraph level; characters removed by rule X9 take the level before them.
    """
    out = list(levels)
    reset_from: int | None = 0
    reset_to: int | None = None
    previous = 1
    for index, char in enumerate(line):
        kind = unicodedata.bidirectional(char)
        if kind in ("B", "S"):
            reset_to = index + 1
            reset_from = index if reset_from is None else reset_from
        elif kind in _SPACE_LIKE:
            reset_from = index if reset_from is None else reset_from
        elif kind in _REMOVED_BY_X9:
            reset_from = index if reset_from is None else reset_from
            out[index] = previous
        else:
            reset_from = None
        if reset_from is not None and reset_to is not None:
            out[reset_from:reset_to] = [1] * (reset_to - reset_from)
            reset_from = reset_to = None
        previous = out[index]
    if reset_from is not None:
        out[reset_from:] = [1] * (len(out) - reset_from)
    return out


def _visual_order(line: str, levels: list[int]) -> list[int]:
    """Rules L1 and L2 on one line with base level 1: the logical index shown in each cell.

    Like the crate, a line with no odd resolved level stays in logical order.
    """
    if not any(level % 2 for level in levels):
        return list(range(len(line)))
    cells = list(zip(_line_levels(line, levels), range(len(line)), strict=True))
    highest = max(level for level, _index in cells)
    lowest_odd = min(level for level, _index in cells) | 1
    for level in range(highest, lowest_odd - 1, -1):
        start = 0
        while start < len(cells):
            if cells[start][0] < level:
                start += 1
                continue
            end = start
            while end < len(cells) and cells[end][0] >= level:
                end += 1
            cells[start:end] = cells[start:end][::-1]
            start = end
    return [index for _level, index in cells]


def _mirror(logical: str, visual: str) -> str:
    """Apply UAX #9 rule L4 to python-bidi's visual line: mirror what sits at an odd level.

    python-bidi only returns the reordered string, so the levels are read from its debug output
    and the visual order is worked out again from them; only when that order is exactly the
    one python-bidi produced are the odd-level characters swapped. Otherwise the line is left
    as python-bidi made it (unmirrored brackets beat a garbled line).
    """
    if not any(mirror_of(char) != char for char in logical):
        return visual
    levels = _levels(logical)
    if levels is None:
        return visual
    order = _visual_order(logical, levels)
    if "".join(logical[index] for index in order) != visual:
        return visual
    return "".join(
        mirror_of(logical[index]) if levels[index] % 2 else logical[index] for index in order
    )


@lru_cache(maxsize=2048)
def shape_line(text: str) -> str:
    """Reshape and reorder one short RTL line (a choice option, a label) for display."""
    return _reorder(_reshape(text))


def _cell_len(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _shaped_len(text: str) -> int:
    return _cell_len(_reshape(text))


def _break_word(word: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """Cut a word longer than the line into pieces by cells, never splitting off a mark."""
    pieces: list[str] = []
    current = ""
    for cluster in _clusters(word):
        candidate = current + cluster
        if current and measure(candidate) > width:
            pieces.append(current)
            current = cluster
        else:
            current = candidate
    pieces.append(current)
    return pieces


def _wrap(paragraph: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """Greedy wrap at spaces; a line's width is whatever `measure` says (the shaped width)."""
    words = [word for word in paragraph.replace("\t", " ").split(" ") if word]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if measure(word) <= width:
            current = word
        else:
            *full, current = _break_word(word, width, measure)
            lines.extend(full)
    lines.append(current)
    return lines


@lru_cache(maxsize=1024)
def _display_lines(text: str, width: int, rtl: bool, mode: RtlMode) -> tuple[str, ...]:
    shaping = rtl and mode == "app"
    measure = _shaped_len if shaping else _cell_len
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        lines.extend(_wrap(paragraph, width, measure))
    if shaping:
        return tuple(shape_line(line) for line in lines)
    return tuple(lines)


def display_lines(text: str, width: int, *, rtl: bool, mode: RtlMode = "app") -> tuple[str, ...]:
    """Wrap `text` to `width` cells; for RTL in mode "app", shape and reorder every line.

    The first line returned holds the first words. Lines are not padded: the caller aligns them
    (right for RTL). In mode "terminal" and for LTR text the logical lines come back unchanged.
    """
    return _display_lines(text, max(1, width), rtl, mode)


@contextmanager
def explicit_bidi(stream: _Stream) -> Iterator[None]:
    """Switch VTE's own reordering off while we draw visual-order lines; restore it on exit."""
    stream.write(VTE_BIDI_OFF)
    stream.flush()
    try:
        yield
    finally:
        stream.write(VTE_BIDI_ON)
        stream.flush()
