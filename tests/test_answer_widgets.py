"""The interview's smaller widgets on their own: text fields, repeat entries, the sidebar and
the answer area that keeps drafts."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from intake_tui.core.engine import SectionProgress
from intake_tui.ui import drafts as draft_timing
from intake_tui.ui.widgets.answer_area import AnswerArea
from intake_tui.ui.widgets.repeat_entries import RepeatEntries
from intake_tui.ui.widgets.section_list import SectionList
from intake_tui.ui.widgets.text_answer import TextAnswer


class One(App[None]):
    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.widget = widget
        self.seen: list[Any] = []
        self.kept: list[tuple[Any, str]] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_repeat_entries_opened(self, event: RepeatEntries.Opened) -> None:
        self.seen.append(event.instance)


async def test_a_text_field_parses_its_type_and_names_the_problem() -> None:
    app = One(TextAnswer(id="t"))
    async with app.run_test() as pilot:
        field = app.query_one(TextAnswer)
        field.load("date", "31-12-1990")
        await pilot.pause()
        answer, problem = field.parse()
        assert problem is None and answer is not None and str(answer.value) == "1990-12-31"
        field.load("date", "31-02-2001")
        assert field.parse() == (None, "this date does not exist")
        field.load("integer", "")
        assert field.parse() == (None, None)  # nothing typed: no answer, no problem
        assert field.input.placeholder == ""


async def test_right_to_left_typing_gets_a_preview_and_latin_typing_none() -> None:
    app = One(TextAnswer(id="t"))
    async with app.run_test() as pilot:
        field = app.query_one(TextAnswer)
        field.load("text", "")
        field.focus_field()
        await pilot.press(*"Amal")
        await pilot.pause()
        assert not field.query_one("#preview").display
        field.input.value = "أمل"
        await pilot.pause()
        preview = field.query_one("#preview")
        assert preview.display and preview.text == "أمل"  # logical; drawn right to left


async def test_repeat_entries_are_numbered_and_enter_opens_the_highlighted_one() -> None:
    app = One(RepeatEntries(id="e"))
    async with app.run_test() as pilot:
        entries = app.query_one(RepeatEntries)
        entries.load([("1", "Bakker"), ("3", "Kok")], highlight=1)
        entries.focus()
        await pilot.pause()
        assert [str(entries.get_option_at_index(i).prompt) for i in range(2)] == [
            "1  Bakker",
            "2  Kok",
        ]
        assert entries.selected == "3"
        await pilot.press("enter")
        await pilot.pause()
        assert app.seen == ["3"]
        entries.load([])
        assert entries.selected is None


async def test_the_sidebar_marks_complete_missing_and_flagged_sections_by_shape() -> None:
    app = One(SectionList(id="s"))
    async with app.run_test():
        sidebar = app.query_one(SectionList)
        progress = {
            "a": SectionProgress("a", True, 3, 3, 0),
            "b": SectionProgress("b", True, 1, 4, 2),
            "c": SectionProgress("c", False, 0, 2, 1),  # not visible: not listed
        }
        sidebar.load(progress, {"b"}, str.upper)
        lines = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert lines == ["✓     3/3  A", "!⚑     1/4  B"]


async def test_typing_becomes_a_draft_and_a_restored_draft_is_marked(monkeypatch: Any) -> None:
    monkeypatch.setattr(draft_timing, "QUIET_S", 0.1)
    kept: list[tuple[Any, str]] = []
    area = AnswerArea(lambda key, text: kept.append((key, text)), rtl=False, mode="app", id="a")
    app = One(area)
    async with app.run_test() as pilot:
        area.show_text(("beroep", None), "text", "Kok", None, read_only=False)
        await pilot.pause()
        assert not area.restored and not area.query_one("#draft", Label).display
        await pilot.press(*"s")  # Koks
        await pilot.pause(0.8)
        assert kept == [(("beroep", None), "Koks")]
        area.show_text(("beroep", None), "text", "Kok", "Kokkin", read_only=False)
        await pilot.pause()
        assert area.query_one(Input).value == "Kokkin" and area.restored
        assert area.query_one("#draft", Label).display
        area.show_text(("beroep", None), "text", "Kok", "Kok ", read_only=False)
        assert not area.restored  # a draft equal to the answer is not offered back


async def test_a_read_only_field_keeps_no_draft() -> None:
    kept: list[tuple[Any, str]] = []
    area = AnswerArea(lambda key, text: kept.append((key, text)), rtl=False, mode="app", id="a")
    app = One(area)
    async with app.run_test() as pilot:
        area.show_text(("beroep", None), "text", "Kok", None, read_only=True)
        await pilot.pause()
        assert area.query_one(Input).disabled
        area.query_one(Input).value = "Anders"
        await pilot.pause()
        area.drafts.flush()
        assert kept == []
