"""Choice options over several lines (widgets/option_prompt.py): nothing cut, RTL in order.

The option texts are the live ones of the brede intake (questionnaires/brede-intake: the
question ict_vaardigheid, "how well can the newcomer use a computer or phone", and two others
with brackets), copied here so that a translator's edit does not move the expectations.
Expected lines are built from the texts by hand or from `display_lines`/`shape_line` (tested on
their own in test_bidi.py), never copied from this widget's output.
"""

from __future__ import annotations

import unicodedata
from typing import cast

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.color import Color
from textual.css.styles import RulesMap
from textual.style import Style
from textual.visual import RenderOptions
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from intake_tui.i18n.bidi import RtlMode, display_lines, shape_line
from intake_tui.ui.widgets.option_prompt import OptionPrompt

# (number, Dutch, Arabic) of question.ict_vaardigheid.choice.* in nl and ar.po.
DIGITAL = [
    ("1", "Geen ervaring", "لا خبرة"),
    ("2", "Basis: bellen, berichten, foto's", "أساسي: اتصالات، رسائل، صور"),
    (
        "3",
        "Redelijk: apps, internet, formulieren met hulp",
        "مقبول: تطبيقات، إنترنت، استمارات بمساعدة",
    ),
    (
        "4",
        "Goed: zelfstandig e-mailen, zoeken en formulieren invullen",
        "جيد: يرسل بريدًا إلكترونيًا ويبحث ويملأ الاستمارات وحده",  # with tanween (harakat)
    ),
]
# question.woonsituatie.choice.azc: Latin inside Arabic brackets.
AZC = (
    "5",
    "In een AZC of andere COA-locatie",
    "في مركز استقبال طالبي اللجوء (AZC) أو مكان آخر تابع لـ COA",
)
# question.geletterdheid.choice.anders_gealfabetiseerd.hint: 90 cells of Dutch, as a long label.
LONG = (
    "6",
    "Kan lezen en schrijven, maar niet in het Latijnse schrift, bijvoorbeeld Arabisch of Ge'ez.",
    "يستطيع القراءة والكتابة، ولكن ليس بالحروف اللاتينية، مثلًا بالعربية أو الجعزية (Ge'ez).",
)
# question.ict_vaardigheid.choice.redelijk in ti.po: Ge'ez, left to right.
TIGRINYA = "ማእከላይ፦ ኣፕታት፣ ኢንተርነት፣ ቅጥዒታት ብሓገዝ"
ALL = [*DIGITAL, AZC, LONG]
SHOWN = (LONG, *DIGITAL, AZC)
INDENT = 5  # "  3" and two spaces
RULES = cast(RulesMap, {})  # OptionPrompt reads no style rules


def prompt(option: tuple[str, str, str], mode: RtlMode = "app") -> OptionPrompt:
    number, mine, theirs = option
    return OptionPrompt(number, mine, theirs, rtl=True, mode=mode)


def non_space(text: str) -> list[str]:
    """The characters of `text` as letters (presentation forms undone), spaces left out."""
    return sorted(c for c in unicodedata.normalize("NFKC", text) if not c.isspace())


def split(lines: tuple[str, ...], theirs_count: int) -> tuple[list[str], list[str]]:
    return list(lines[: len(lines) - theirs_count]), list(lines[len(lines) - theirs_count :])


def test_layout_at_40_cells_by_hand() -> None:
    lines = prompt(DIGITAL[2]).lines(40)
    # 35 cells beside the number: "Redelijk: apps, internet," is 25, "+ formulieren" would be
    # 37. The Arabic words are 6, 8, 7, 8 and 7 cells (no lam-alef): 32 fit, then 7.
    assert lines == (
        "  3  Redelijk: apps, internet,".ljust(40),
        "     formulieren met hulp".ljust(40),
        " " * 8 + shape_line("مقبول: تطبيقات، إنترنت، استمارات"),
        " " * 33 + shape_line("بمساعدة"),
    )


@pytest.mark.parametrize("width", [20, 40, 78])
@pytest.mark.parametrize("option", ALL, ids=[o[0] for o in ALL])
def test_nothing_is_cut_and_rtl_lines_follow_display_lines(
    option: tuple[str, str, str], width: int
) -> None:
    number, mine, theirs = option
    lines = prompt(option).lines(width)
    assert all(cell_len(line) == width for line in lines)
    assert "…" not in "".join(lines)
    expected = display_lines(theirs, width - INDENT, rtl=True, mode="app")
    ours, newcomer = split(lines, len(expected))
    # The caseworker's words, in order, hanging under the text and not under the number.
    assert ours[0].startswith(f"{number:>3}  {mine.split()[0]}")
    assert all(line.startswith(" " * INDENT) and line[INDENT] != " " for line in ours[1:])
    assert " ".join(" ".join(ours).split()) == f"{number} {mine}"
    # The newcomer's lines: display_lines at the width left, right-aligned, in its order.
    for line, visual in zip(newcomer, expected, strict=True):
        assert line == " " * (width - cell_len(visual)) + visual
    assert non_space("".join(newcomer)) == non_space(theirs)
    words = theirs.split()
    assert shape_line(words[0].rstrip(":،")) in newcomer[0]
    assert shape_line(words[-2]) in "".join(newcomer[-2:])


def test_lines_at_20_cells_wrap_the_arabic_first_words_first() -> None:
    # 15 cells beside the number, measured shaped: "جيد: يرسل بريدًا" is 4+1+4+1+5 = 15 (the
    # tanween takes no cell); "إلكترونيًا ويبحث" 9+1+5; "ويملأ الاستمارات" is 17 code points
    # but two lam-alef ligatures make it 4+1+9 = 14; then "وحده".
    lines = prompt(DIGITAL[3]).lines(20)
    logical = ["جيد: يرسل بريدًا", "إلكترونيًا ويبحث", "ويملأ الاستمارات", "وحده"]
    assert lines == (
        "  4  Goed:          ",
        "     zelfstandig    ",
        "     e-mailen,      ",
        "     zoeken en      ",
        "     formulieren    ",
        "     invullen       ",
        *(" " * (20 - cell_len(shape_line(part))) + shape_line(part) for part in logical),
    )
    assert cell_len(shape_line(logical[2])) == 14


def test_mirrored_brackets_show_through() -> None:
    lines = prompt(AZC).lines(78)
    assert lines[1].endswith(shape_line(AZC[2]))
    assert "(AZC)" in lines[1] and ")AZC(" not in lines[1]
    translated = OptionPrompt("7", "Vertaling", "(ترجمة)", rtl=True).lines(30)
    assert translated[1].rstrip() == " " * (30 - 7) + "(" + shape_line("ترجمة") + ")"
    # The Dutch text keeps its brackets as typed.
    assert "(AZC)" in OptionPrompt("1", "Wonen (AZC)").lines(30)[0]


def test_terminal_mode_and_ltr_newcomer_text() -> None:
    option = DIGITAL[2]
    lines = prompt(option, mode="terminal").lines(40)
    # The terminal reorders itself: logical lines, still right-aligned.
    assert lines[-2:] == (
        " " * 8 + "مقبول: تطبيقات، إنترنت، استمارات",
        " " * 33 + "بمساعدة",
    )
    ti = OptionPrompt("3", option[1], TIGRINYA).lines(30)
    # 25 cells, one per syllable: 6+1+5+1+7 = 20 fit, the next word (5) would make 26.
    assert ti[-2:] == (
        "     ማእከላይ፦ ኣፕታት፣ ኢንተርነት፣".ljust(30),
        "     ቅጥዒታት ብሓገዝ".ljust(30),
    )


def test_without_the_newcomer_text_and_when_very_narrow() -> None:
    assert OptionPrompt("12", "Geen ervaring").lines(20) == (" 12  Geen ervaring".ljust(20),)
    assert OptionPrompt("100", "Ja").lines(11) == ("100  Ja".ljust(11),)
    # Ten cells leave five beside the number: too few, so the number gets its own line.
    assert OptionPrompt("100", "Ja").lines(10) == ("100".ljust(10), "Ja".ljust(10))
    narrow = prompt(DIGITAL[0]).lines(10)
    assert narrow == (
        "1".ljust(10),
        "Geen".ljust(10),
        "ervaring".ljust(10),
        " " * 4 + shape_line("لا خبرة"),  # the lam-alef ligature makes it 6 cells
    )


def test_visual_protocol_sizes_plain_text_and_style() -> None:
    option = prompt(DIGITAL[3])
    assert str(option) == "4  Goed: zelfstandig e-mailen, zoeken en formulieren invullen"
    for width in (20, 40, 78):
        assert option.get_height(RULES, width) == len(option.lines(width))
    longest = max(cell_len(DIGITAL[3][1]), cell_len(shape_line(DIGITAL[3][2])))
    assert option.get_optimal_width(RULES, 200) == INDENT + longest
    # At its optimal width each text takes one line.
    assert option.get_height(RULES, INDENT + longest) == 2

    style = Style(background=Color(10, 20, 30), foreground=Color(200, 200, 0), bold=True)
    options = RenderOptions(get_style=lambda _name: Style(), rules=RULES)
    strips = option.render_strips(40, None, style, options)
    assert [strip.text for strip in strips] == list(option.lines(40))
    assert {seg.style for strip in strips for seg in strip} == {style.rich_style}
    assert all(strip.cell_length == 40 for strip in strips)
    assert len(option.render_strips(40, 2, style, options)) == 2
    assert option.render_strips(0, None, style, options) == []


class OptionsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OptionList(*[Option(prompt(option), id=option[0]) for option in SHOWN])


async def test_option_list_shows_every_line_in_order_at_80_by_24() -> None:
    app = OptionsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.query_one(OptionList)
        screen = [strip.text for strip in app.screen._compositor.render_strips()]
        assert len(screen) == 24
        assert not any("…" in row for row in screen)
        text_width = options.scrollable_content_region.width - INDENT
        # The long Dutch label wraps; its last word is on screen, under the text.
        assert cell_len(LONG[1]) > text_width
        rows = [i for i, row in enumerate(screen) if "Ge'ez." in row and "Arabisch" in row]
        assert len(rows) == 1
        first = screen[rows[0] - 1]
        assert first[first.index("6  ") + 3 :].rstrip(" ▎") == LONG[1].rsplit(" Arabisch")[0]
        # The Arabic lines come right after, in display_lines order, on consecutive rows.
        expected = display_lines(LONG[2], text_width, rtl=True, mode="app")
        assert len(expected) == 2
        below = screen[rows[0] + 1 : rows[0] + 1 + len(expected)]
        for row, visual in zip(below, expected, strict=True):
            assert visual in row
        right = below[0].index(expected[0]) + cell_len(expected[0])
        assert below[1].index(expected[1]) + cell_len(expected[1]) == right  # right-aligned
        assert shape_line("يستطيع") in below[0] and shape_line("الجعزية") in below[1]
        # Mirroring reaches the screen.
        azc_row = next(row for row in screen if shape_line(AZC[2]) in row)
        assert "(AZC)" in azc_row and ")AZC(" not in azc_row
        # Every option is there with all its lines: the list is as tall as the prompts say.
        heights = [prompt(option).get_height(RULES, text_width + INDENT) for option in SHOWN]
        assert options.virtual_size.height == sum(heights) == 4 + 2 * 5
        # The highlight covers all four lines of the first option, edge to edge, and only those.
        assert options.highlighted == 0
        backgrounds = [
            {seg.style.bgcolor if seg.style else None for seg in options.render_line(y)}
            for y in range(5)
        ]
        assert len(backgrounds[0] | backgrounds[1] | backgrounds[2] | backgrounds[3]) == 1
        assert backgrounds[4] != backgrounds[0]
