"""The choice list on its own: numbers are what the screen shows, digits wait for Enter in long
lists, an exact match comes first, exclusive options clear the others, read-only takes nothing."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from intake_tui.ui.widgets.choice_list import ChoiceItem, ChoiceList, rank, type_digit

COUNTRIES = [ChoiceItem(f"C{n:03}", f"Land {n:03}") for n in range(1, 231)]
SYRIA = ChoiceItem("SY", "Syrië", "سوريا")
LONG = [*COUNTRIES[:221], SYRIA, *COUNTRIES[221:]]  # Syria is number 222 of the full list


class ListApp(App[None]):
    def __init__(self, items: list[ChoiceItem], *, multi: bool = False, read_only: bool = False):
        super().__init__()
        self.items, self.multi, self.read_only = items, multi, read_only
        self.picked: list[tuple[str, tuple[str, ...]]] = []
        self.status = ""

    def compose(self) -> ComposeResult:
        yield ChoiceList(id="list")

    def on_mount(self) -> None:
        choice = self.query_one(ChoiceList)
        choice.load(self.items, (), multi=self.multi, read_only=self.read_only)
        choice.focus()

    def on_choice_list_picked(self, event: ChoiceList.Picked) -> None:
        self.picked.append((event.code, event.codes))
        event.choice_list.set_chosen(event.codes)

    def on_choice_list_status_changed(self, event: ChoiceList.StatusChanged) -> None:
        self.status = event.text


async def _press(pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def test_a_filtered_list_is_numbered_from_one_and_the_shown_number_picks() -> None:
    app = ListApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await _press(pilot, "s", "y", "r", "i")
        choice = app.query_one(ChoiceList)
        assert [item.code for item in choice.shown] == ["SY"]
        assert "syri" in app.status
        await _press(pilot, "1")
        assert app.picked == [("SY", ("SY",))]


async def test_digits_in_a_long_list_wait_for_enter_and_never_pick_on_their_own() -> None:
    app = ListApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        choice = app.query_one(ChoiceList)
        await _press(pilot, "2", "2")
        assert app.picked == []  # "2" is not option 2 while "22" or "222" may follow
        assert choice.buffer == "22" and "22" in app.status
        assert choice.highlighted == 21  # the highlight shows what Enter will choose
        await _press(pilot, "2", "enter")
        assert app.picked == [("SY", ("SY",))]
        assert choice.buffer == ""


async def test_a_number_beyond_the_list_is_refused_and_backspace_edits_the_buffer() -> None:
    app = ListApp(LONG[:30])
    async with app.run_test(size=(80, 24)) as pilot:
        choice = app.query_one(ChoiceList)
        await _press(pilot, "4", "5")  # 45 > 30: the 5 is refused
        assert choice.buffer == "4"
        await _press(pilot, "backspace", "1", "2", "enter")
        assert app.picked == [(LONG[11].code, (LONG[11].code,))]


async def test_escape_clears_the_number_first_then_the_filter() -> None:
    app = ListApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        choice = app.query_one(ChoiceList)
        await _press(pilot, "l", "a", "n", "d")
        await _press(pilot, "1", "2")
        assert (choice.filter, choice.buffer) == ("land", "12")
        await _press(pilot, "escape")
        assert (choice.filter, choice.buffer) == ("land", "")
        await _press(pilot, "escape")
        assert (choice.filter, choice.buffer) == ("", "")
        assert app.picked == []


async def test_a_short_list_picks_at_the_first_digit() -> None:
    app = ListApp(LONG[:5])
    async with app.run_test(size=(80, 24)) as pilot:
        await _press(pilot, "3")
        assert app.picked == [(LONG[2].code, (LONG[2].code,))]
        await _press(pilot, "9")  # no ninth line: nothing
        assert len(app.picked) == 1


def test_an_exact_match_is_listed_first_then_prefixes_then_the_rest() -> None:
    items = [
        ChoiceItem("arq", "Algerijns Arabisch"),
        ChoiceItem("ar", "Arabisch"),
        ChoiceItem("arz", "Arabisch (Egyptisch)"),
    ]
    assert [i.code for i in rank(items, "arabisch")] == ["ar", "arz", "arq"]
    assert [i.code for i in rank(items, "ARABISCH")] == ["ar", "arz", "arq"]
    assert [i.code for i in rank(items, "")] == ["arq", "ar", "arz"]


async def test_an_exclusive_option_clears_the_other_ticks_and_is_cleared_by_them() -> None:
    items = [ChoiceItem("lezen", "Lezen"), ChoiceItem("horen", "Horen")]
    items.append(ChoiceItem("geen", "Geen van deze", exclusive=True))
    app = ListApp(items, multi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _press(pilot, "1", "2")
        assert app.picked[-1][1] == ("lezen", "horen")
        await _press(pilot, "3")
        assert app.picked[-1][1] == ("geen",)
        await _press(pilot, "1")
        assert app.picked[-1][1] == ("lezen",)
        await _press(pilot, "1")  # unticking the last tick leaves nothing
        assert app.picked[-1][1] == ()


async def test_ticked_and_unticked_options_differ_in_shape() -> None:
    items = [ChoiceItem("a", "Een"), ChoiceItem("b", "Twee")]
    app = ListApp(items, multi=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _press(pilot, "2")
        choice = app.query_one(ChoiceList)
        prompts = [str(choice.get_option_at_index(i).prompt) for i in range(2)]
        assert "[ ]" in prompts[0] and "[x]" in prompts[1]


async def test_a_read_only_list_takes_no_digit_and_no_enter() -> None:
    app = ListApp(LONG[:5], read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _press(pilot, "2", "enter", "space")
        assert app.picked == []


def test_a_digit_picks_at_once_up_to_nine_lines_and_waits_from_ten() -> None:
    assert type_digit("", "3", 9) == ("", 3)
    assert type_digit("", "0", 9) is None  # there is no line 0
    assert type_digit("", "9", 5) is None  # nor a line 9 of 5
    assert type_digit("", "2", 230) == ("2", None)  # "2" may become "22" or "222"
    assert type_digit("22", "2", 230) == ("222", None)
    assert type_digit("22", "2", 221) is None  # 222 > 221: the buffer keeps "22"
