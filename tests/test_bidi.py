"""Right-to-left display: shaping, reordering and wrapping (intake_tui.i18n.bidi, BidiLabel).

Expected strings are derived from the Arabic joining rules and UAX #9, not copied from output:
letters are compared through NFKC (which maps a presentation form back to its letter) and the
joining form is read from the presentation form's Unicode name.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata

import pytest
from bidi import get_display  # type: ignore[import-untyped]
from bidi.mirror import MIRRORED  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.app import App, ComposeResult

from intake_tui.i18n.bidi import (
    MIRRORS,
    VTE_BIDI_OFF,
    VTE_BIDI_ON,
    _levels,
    _visual_order,
    display_lines,
    explicit_bidi,
    is_rtl_text,
    mirror_of,
    shape_line,
)
from intake_tui.ui.bidi_label import BidiLabel

# مَرْحَبًا: meem+fatha, reh+sukun, hah+fatha, beh+fathatan, alef.
MARHABAN = "\u0645\u064e\u0631\u0652\u062d\u064e\u0628\u064b\u0627"
# می‌خواهم: meem, farsi yeh, ZWNJ, khah, waw, alef, heh, meem.
MIKHAHAM = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
ZWNJ = "\u200c"
# "I have lived in the city of Amsterdam for a year": no lam-alef, so shaping keeps the width.
SENTENCE = "أنا أسكن في مدينة أمستردام منذ سنة"


def is_mark(char: str) -> bool:
    return unicodedata.combining(char) != 0


def is_presentation_form(char: str) -> bool:
    return 0xFB50 <= ord(char) <= 0xFDFF or 0xFE70 <= ord(char) <= 0xFEFF


def clusters(text: str) -> list[tuple[str, str]]:
    """(base, marks following it) pairs."""
    out: list[tuple[str, str]] = []
    for char in text:
        if out and is_mark(char):
            base, marks = out[-1]
            out[-1] = (base, marks + char)
        else:
            out.append((char, ""))
    return out


def form(char: str) -> str:
    """The joining form named in a presentation form's Unicode name."""
    name = unicodedata.name(char)
    for kind in ("ISOLATED", "INITIAL", "MEDIAL", "FINAL"):
        if f"{kind} FORM" in name:
            return kind
    raise AssertionError(f"{name} is not a presentation form")


def unshape_visual(line: str) -> str:
    """Back to logical order for text without ligatures or marks: un-reverse, then NFKC."""
    return unicodedata.normalize("NFKC", line[::-1])


def test_harakat_survive_and_follow_their_letter_in_reversed_order() -> None:
    visual = shape_line(MARHABAN)
    marks = [c for c in MARHABAN if is_mark(c)]
    assert sorted(c for c in visual if is_mark(c)) == sorted(marks)
    assert len(marks) == 4
    letters = [c for c in visual if not is_mark(c)]
    assert all(is_presentation_form(c) for c in letters)
    # Visual order is the logical order reversed, and each haraka still comes right after its
    # own letter (a terminal draws a combining mark on the cell before it).
    logical = clusters(MARHABAN)
    seen = [(unicodedata.normalize("NFKC", base), m) for base, m in clusters(visual)]
    assert seen == logical[::-1]
    # Joining: meem→reh joined; reh never joins forward, so hah starts again; beh medial; alef
    # ends the word.
    assert [form(c) for c in letters[::-1]] == ["INITIAL", "FINAL", "INITIAL", "MEDIAL", "FINAL"]
    assert cell_len(visual) == 5 == cell_len(MARHABAN)


def test_persian_zwnj_is_kept_and_stops_joining() -> None:
    visual = shape_line(MIKHAHAM)
    assert visual.count(ZWNJ) == 1
    logical = list(visual[::-1])
    at = logical.index(ZWNJ)
    # Farsi yeh before the ZWNJ ends its word (final, not medial); khah after it starts afresh.
    assert unicodedata.normalize("NFKC", logical[at - 1]) == "\u06cc"
    assert form(logical[at - 1]) == "FINAL"
    assert unicodedata.normalize("NFKC", logical[at + 1]) == "\u062e"
    assert form(logical[at + 1]) == "INITIAL"
    assert unshape_visual(visual) == MIKHAHAM
    assert cell_len(visual) == 7  # eight code points, the ZWNJ takes no cell
    (line,) = display_lines(MIKHAHAM, 7, rtl=True)
    assert ZWNJ in line


def test_latin_and_digits_stay_left_to_right_inside_an_rtl_line() -> None:
    text = "سجل في DUO عام 2026"
    visual = shape_line(text)
    assert "DUO" in visual
    assert "2026" in visual
    # Read right to left: سجل, في, DUO, عام, 2026, so the number (last) is leftmost and the first
    # Arabic word is rightmost.
    assert visual.startswith("2026 ")
    assert visual.index("2026") < visual.index("DUO")
    assert unicodedata.normalize("NFKC", visual[-1]) == "س"
    assert unicodedata.normalize("NFKC", visual[-3:][::-1]) == "سجل"


def test_lam_alef_makes_the_line_shorter_and_wrapping_uses_the_shaped_width() -> None:
    text = "لا إله"
    assert cell_len(text) == 6
    shaped = shape_line(text)
    assert "\ufefb" in shaped  # ARABIC LIGATURE LAM WITH ALEF ISOLATED FORM
    assert cell_len(shaped) == 5
    # Fits in 5 cells only once shaped.
    assert display_lines(text, 5, rtl=True) == (shaped,)
    assert display_lines(text, 5, rtl=True, mode="terminal") == ("لا", "إله")
    assert display_lines(text, 5, rtl=False) == ("لا", "إله")


def test_wrapped_rtl_lines_start_with_the_first_words() -> None:
    lines = display_lines(SENTENCE, 12, rtl=True)
    # Greedy by hand: 3+1+4+1+2 = 11 fits, +mdina would be 17; 5 alone; 8+1+3 = 12; 3.
    expected = ["أنا أسكن في", "مدينة", "أمستردام منذ", "سنة"]
    assert [unshape_visual(line) for line in lines] == expected
    assert all(cell_len(line) <= 12 for line in lines)
    assert lines[0] == shape_line(expected[0])


def test_a_word_longer_than_the_line_is_cut_by_cells() -> None:
    assert display_lines("abcdefgh", 3, rtl=False) == ("abc", "def", "gh")
    pieces = display_lines("أمستردام", 3, rtl=True)
    assert [cell_len(p) for p in pieces] == [3, 3, 2]
    assert "".join(unshape_visual(p) for p in pieces) == "أمستردام"
    assert display_lines("abc", 0, rtl=False) == ("a", "b", "c")


def test_paragraphs_and_empty_text() -> None:
    assert display_lines("een\n\ntwee", 10, rtl=False) == ("een", "", "twee")
    assert display_lines("", 10, rtl=True) == ("",)


def test_tigrinya_is_neither_reordered_nor_shaped() -> None:
    text = "ሰላም ትግርኛ"
    assert not is_rtl_text(text)
    assert cell_len(text) == 8  # one cell per syllable
    assert display_lines(text, 20, rtl=False) == (text,)
    assert display_lines(text, 4, rtl=False) == ("ሰላም", "ትግርኛ")
    with_mark = "ሰላም\u135f"
    assert cell_len(with_mark) == 3  # U+135D–135F combine, width 0
    assert shape_line(with_mark) == with_mark
    assert shape_line(text) == text


def test_terminal_mode_returns_logical_text() -> None:
    assert display_lines(MARHABAN, 40, rtl=True, mode="terminal") == (MARHABAN,)
    lines = display_lines(SENTENCE, 12, rtl=True, mode="terminal")
    assert lines == ("أنا أسكن في", "مدينة", "أمستردام منذ", "سنة")


def test_is_rtl_text_uses_the_first_strong_character() -> None:
    assert is_rtl_text("  2026 مرحبا")
    assert is_rtl_text("שלום")
    assert not is_rtl_text("DUO مرحبا")
    assert not is_rtl_text("2026 !")
    assert not is_rtl_text("")


def test_explicit_bidi_switches_vte_off_and_back_on_even_after_an_error() -> None:
    stream = io.StringIO()
    with pytest.raises(ValueError), explicit_bidi(stream):
        assert stream.getvalue() == VTE_BIDI_OFF
        raise ValueError("boom")
    assert stream.getvalue() == "\x1b[8l\x1b[8h"
    assert VTE_BIDI_ON == "\x1b[8h"


def test_importing_the_module_loads_neither_reshaper_nor_bidi() -> None:
    code = (
        "import sys, intake_tui.i18n.bidi; "
        "print(','.join(m for m in ('arabic_reshaper', 'bidi', 'rich') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


# Mirroring (UAX #9 rule L4). The oracle for the mirror glyphs is python-bidi's own copy of
# BidiMirroring.txt (bidi.mirror, used by its old pure-Python algorithm), not our table.
# "Translation" in brackets; none of these words holds a lam-alef, so NFKC gives the letters back.
TARJAMA = "(ترجمة)"
# The live option "In an AZC or other COA location" (question.woonsituatie.choice.azc, ar.po).
AZC = "في مركز استقبال طالبي اللجوء (AZC) أو مكان آخر تابع لـ COA"


def rtl_visual(logical: str) -> str:
    """The visual order of an RTL line whose only LTR parts are single Latin words, by hand:
    everything reversed, every bracket and quote mirrored (they all resolve to R here), and each
    Latin word turned back to read left to right."""
    mirrored = "".join(MIRRORED.get(char, char) for char in reversed(logical))
    return re.sub(r"[A-Za-z]+", lambda word: word[0][::-1], mirrored)


def letters(visual: str) -> str:
    return unicodedata.normalize("NFKC", visual)


def test_brackets_around_arabic_are_mirrored() -> None:
    visual = shape_line(TARJAMA)
    # Read right to left the phrase opens with "(" on the right, so the leftmost cell holds the
    # logical ")" drawn as "(": without mirroring the line would show ")ﺔﻤﺟﺮﺗ(".
    assert visual[0] == "(" and visual[-1] == ")"
    assert letters(visual) == rtl_visual(TARJAMA) == "(ةمجرت)"
    assert display_lines(TARJAMA, 20, rtl=True) == (visual,)
    # BidiLabel draws what display_lines gives, so it mirrors too; in terminal mode it does not.
    assert BidiLabel(TARJAMA, rtl=True).lines(10) == (" " * 3 + visual,)
    assert BidiLabel(TARJAMA, rtl=True, mode="terminal").lines(10) == (" " * 3 + TARJAMA,)


def test_guillemets_around_arabic_point_outwards() -> None:
    quoted = "«مرحبا بكم»"
    visual = shape_line(quoted)
    assert visual.startswith("«") and visual.endswith("»")
    assert letters(visual) == rtl_visual(quoted)
    single = shape_line("‹نعم›")
    assert single[0] == "‹" and single[-1] == "›"


def test_nested_brackets_and_brackets_around_harakat() -> None:
    nested = "(نص [مثال] هنا)"
    visual = shape_line(nested)
    assert letters(visual) == rtl_visual(nested) == "(انه [لاثم] صن)"
    # A letter with marks goes through a stand-in while reordering; the brackets still mirror
    # and each haraka still follows its own letter.
    with_marks = shape_line(f"({MARHABAN})")
    assert with_marks[0] == "(" and with_marks[-1] == ")"
    inner = [(unicodedata.normalize("NFKC", base), m) for base, m in clusters(with_marks[1:-1])]
    assert inner == clusters(MARHABAN)[::-1]


def test_brackets_in_a_dutch_part_of_an_arabic_line_are_not_mirrored() -> None:
    # "Registration (important) at DUO (Dienst Uitvoering)": the second pair holds Latin and
    # follows Latin, so it resolves to L (rule N0) and keeps its glyphs; the first pair is R.
    line = "التسجيل (مهم) في DUO (Dienst Uitvoering)"
    visual = shape_line(line)
    assert visual.startswith("DUO (Dienst Uitvoering) ")
    assert letters(visual) == "DUO (Dienst Uitvoering) " + rtl_visual("التسجيل (مهم) في")
    assert "(ﻢﻬﻣ)" in visual
    # Latin inside Arabic brackets: the brackets are R and mirror, the word reads left to right.
    azc = shape_line(AZC)
    assert "(AZC)" in azc and ")AZC(" not in azc
    assert letters(azc) == rtl_visual(AZC)
    assert azc.startswith("COA ")


def test_terminal_mode_and_ltr_text_keep_their_brackets() -> None:
    text = "(ترجمة) «نص» [x]"
    assert display_lines(text, 40, rtl=True, mode="terminal") == (text,)
    assert display_lines("Wonen (AZC) «tijdelijk»", 40, rtl=False) == ("Wonen (AZC) «tijdelijk»",)


def test_the_mirror_table_is_bidi_mirroring() -> None:
    assert len(MIRRORS) >= 12
    for char, glyph in MIRRORS.items():
        assert unicodedata.mirrored(char), char
        assert MIRRORED[char] == glyph, char
        assert MIRRORS[glyph] == char
    for char in "()[]{}<>«»‹›":
        assert mirror_of(char) == MIRRORED[char] != char
    # Mirrored but without a mirror glyph (∑), and not mirrored at all (quotes, ornate parens).
    assert unicodedata.mirrored("∑") and mirror_of("∑") == "∑"
    for char in "“”\"'\ufd3e\ufd3f":
        assert mirror_of(char) == char


@given(st.text(alphabet="ab DUO2 جد٣ ()[]«»<>.،!\t\u200c\u200f\u2066\u2069\u064e", max_size=30))
def test_our_visual_order_is_python_bidis(line: str) -> None:
    # Mirroring works out python-bidi's order again from its levels and gives up (leaves the
    # brackets as they are) when the two differ; they must not differ.
    levels = _levels(line)
    assert levels is not None and len(levels) == len(line)
    order = _visual_order(line, levels)
    assert "".join(line[i] for i in order) == get_display(line, base_dir="R")


class LabelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield BidiLabel(SENTENCE, rtl=True, id="rtl")
        yield BidiLabel("Hallo wereld", id="ltr")


async def test_bidi_label_right_aligns_visual_lines_and_rewraps_on_resize() -> None:
    app = LabelApp()
    async with app.run_test(size=(40, 6)) as pilot:
        label = app.query_one("#rtl", BidiLabel)
        assert cell_len(SENTENCE) == 34
        assert label.size == (40, 1)
        assert label.render_line(0).text == " " * 6 + shape_line(SENTENCE)
        ltr = app.query_one("#ltr", BidiLabel)
        assert ltr.render_line(0).text == "Hallo wereld" + " " * 28

        await pilot.resize_terminal(20, 6)
        await pilot.pause()
        # 3+1+4+1+2+1+5 = 17 cells fit in 20; the rest is 8+1+3+1+3 = 16.
        assert label.size == (20, 2)
        assert label.render_line(0).text == " " * 3 + shape_line("أنا أسكن في مدينة")
        assert label.render_line(1).text == " " * 4 + shape_line("أمستردام منذ سنة")

        label.update("نعم")
        await pilot.pause()
        assert label.size == (20, 1)
        assert label.render_line(0).text == " " * 17 + shape_line("نعم")
