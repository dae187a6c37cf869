"""Issue 13 items 2-4, 9 and 13: F1 help, the footer, the command palette, focus after screen
changes, and the cases screen (overdue sign, filters, empty search, erase-draft question)."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Label

from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import burst, make_app, open_case, settled, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("help") / "demo", kdf=TEST_KDF).root


class _Marked(gettext.NullTranslations):
    """A language in which every message went through `_()`: «…» around it."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"


@pytest.fixture
def marked() -> Iterator[None]:
    """Every text that went through our catalog is «marked»; English again afterwards."""
    import intake_tui.i18n as i18n
    from intake_tui.ui.keys import localize_bindings

    saved = i18n._active
    i18n._active = _Marked()
    localize_bindings()
    try:
        yield
    finally:
        i18n._active = saved
        i18n.set_language("en")
        localize_bindings()


def _help_lines(pilot: object) -> list[str]:
    screen = pilot.app.screen  # type: ignore[attr-defined]
    return [str(label.render()) for label in screen.query("#help-box Label.key")]


# --- F1 help ------------------------------------------------------------------------------


async def test_help_shows_only_translated_text_and_no_textual_internals(
    demo_dir: Path, marked: None
) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        lines = _help_lines(pilot)
        assert lines
        for line in lines:
            description = line.split(None, 1)[1]
            assert description.startswith("«"), line  # went through the catalog
        text = "\n".join(lines)
        # Textual's words for other widgets never leak in (a table's down is not the palette's
        # "Next command"), and its internals are left out.
        for english in ("Next command", "Copy selected text", "Page Left", "Scroll Left"):
            assert english not in text
        assert "«Cursor down»" in text  # the table with the cursor: its arrows are listed
        assert "«Focus Next»" in text


async def test_help_descriptions_wrap_and_scroll_at_80x24(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await open_case(pilot, "Farid")
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        await pilot.pause(0.1)
        help_screen = pilot.app.screen
        box = help_screen.query_one("#help-box", VerticalScroll)
        labels = list(help_screen.query("#help-box Label.key"))
        longest = max(labels, key=lambda label: len(str(label.render())))
        text = str(longest.render())
        assert len(text) > 70
        # The whole text is there, wrapped over more lines, not cut at the box's edge.
        assert longest.region.height >= 2
        assert longest.region.right <= 80
        assert box.region.bottom <= 24
        # F6 and F7 are not in the footer, but F1 lists them.
        joined = "\n".join(str(label.render()) for label in labels)
        assert "[interview.remove]" in joined and "[interview.newcomer_view]" in joined
        # The lower keys are reached: the box scrolls from the keyboard, at once.
        last = labels[-1]
        assert not box.region.contains_region(last.region)
        assert pilot.app.focused is box
        await pilot.press("end")
        await pilot.pause(0.1)
        assert box.scroll_y > 0
        assert box.region.contains_region(last.region)
        await pilot.press("escape")
        await wait_for(pilot, "InterviewScreen")


async def test_interview_footer_fits_120_columns_in_dutch(demo_dir: Path, dutch: None) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        await pilot.pause(0.1)
        keys = list(screen.query("FooterKey"))
        assert keys
        for key in keys:
            assert key.region.right <= 120, str(key.render())
            assert key.region.width >= len(str(key.render()).strip())
            # The palette's key is docked on the right, over the others: none may be under it.
            for other in keys:
                if other is not key:
                    assert not key.region.overlaps(other.region), str(key.render())
        shown = {key.key for key in keys}  # type: ignore[attr-defined]
        assert {"pagedown", "f5", "f1"} <= shown  # the rest in F1 (80 columns: test_footers.py)


# --- The command palette ------------------------------------------------------------------


async def _palette_titles(pilot: object, query: str) -> list[str]:
    from textual.command import CommandList

    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await wait_for(pilot, "IntakeCommandPalette")
    palette = app.screen
    palette.query_one("CommandInput", Input).value = query
    await pilot.pause(0.6)  # type: ignore[attr-defined]
    commands = palette.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def test_palette_reaches_every_key_of_the_cases_screen(demo_dir: Path) -> None:
    from intake_tui.ui.palette import screen_commands

    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        names = [name for name, _help, _run in screen_commands(pilot.app.screen)]
        for wanted in ("New intake", "Sync", "Settings", "Filter", "Sort", "Search"):
            assert wanted in names
        titles = await _palette_titles(pilot, "sync")
        assert any("Sync" in title for title in titles)
        await pilot.press("enter")
        await wait_for(pilot, "SyncScreen")


async def test_palette_opens_a_case_by_name_or_id(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        cases = pilot.app.screen
        hodan = next(
            i
            for i, r in enumerate(cases.row_ids)
            if "Hodan" in str(cases.query_one("#cases", DataTable).get_row_at(i)[0])
        )
        hodan_id = cases.row_ids[hodan]
        titles = await _palette_titles(pilot, "hodan")
        assert any("Hodan" in title for title in titles)
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        assert pilot.app.screen.interview_id == hodan_id
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        titles = await _palette_titles(pilot, hodan_id[:10])
        assert any("Hodan" in title for title in titles)


async def test_palette_reaches_review_plan_and_export(demo_dir: Path) -> None:
    from intake_tui.ui.palette import screen_commands

    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "rami")
        names = [name for name, _help, _run in screen_commands(screen)]
        assert "Review" in names and "Newcomer view" in names  # F7 is not in the footer
        titles = await _palette_titles(pilot, "review")
        assert any("Review" in title for title in titles)
        await pilot.press("enter")
        await wait_for(pilot, "ReviewScreen")
        names = [name for name, _help, _run in screen_commands(pilot.app.screen)]
        assert "Plan" in names
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        actions = [run for _name, h, run in screen_commands(pilot.app.screen) if h.startswith("e ")]
        assert len(actions) == 1  # e: write the plan as JSON and HTML (the export)


# --- Focus --------------------------------------------------------------------------------


async def test_tab_then_enter_opens_the_case_at_the_first_enter(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("tab", "enter")
        await wait_for(pilot, "InterviewScreen", tries=20)


async def test_after_sync_and_back_slash_searches(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        cases = pilot.app.screen
        await pilot.press("/", "escape")  # a look at the search box, then on
        await pilot.press("f8")
        await wait_for(pilot, "SyncScreen")
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        await pilot.pause(0.1)
        assert pilot.app.focused is cases.query_one("#cases", DataTable)
        await pilot.press("/", "h")
        assert cases.query_one("#search", Input).value == "h"  # no literal "/"


# --- The cases screen ---------------------------------------------------------------------


async def test_overdue_rows_have_a_sign_and_due_soon_agrees_with_its_count(
    demo_dir: Path,
) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        screen = pilot.app.screen
        table = screen.query_one("#cases", DataTable)
        dues = [str(table.get_row_at(i)[4]) for i in range(table.row_count)]
        assert [d for d in dues if d.startswith("! ")] == ["! 12-11-2026"]  # Abdullah's
        summary = str(screen.query_one("#summary", Label).render())
        assert "1 overdue, 1 due within 14 days" in summary and "! = PIP overdue" in summary
        await pilot.press("f", "f", "f")  # due within 14 days
        assert screen.filter == "due_soon"
        assert table.row_count == 1  # as the summary says: the overdue case is not listed
        assert not str(table.get_row_at(0)[4]).startswith("!")
        await pilot.press("f")  # overdue
        assert table.row_count == 1 and str(table.get_row_at(0)[4]).startswith("! ")


async def test_a_search_without_results_says_so(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        screen = pilot.app.screen
        screen.query_one("#search", Input).value = "nobody-is-called-this"
        await pilot.pause(0.1)
        summary = str(screen.query_one("#summary", Label).render())
        assert "No case matches “nobody-is-called-this”" in summary


async def test_the_erase_question_names_the_case(tmp_path: Path) -> None:
    from intake_tui.demo import open_or_make_demo
    from intake_tui.store import interviews

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        screen = pilot.app.screen
        interviews.create_interview(
            pilot.app.store,
            interviews.open_interview(pilot.app.store, screen.row_ids[0]).bundle,
            client_display_name="Weg Ermee",
            client_language="en",
        )
        screen.query_one("#search", Input).value = "weg ermee"
        await pilot.pause(0.1)
        screen.query_one("#cases", DataTable).focus()
        await pilot.press("delete")
        await wait_for(pilot, "ConfirmScreen")
        question = str(pilot.app.screen.query_one("#question", Label).render())
        assert "Weg Ermee" in question


async def test_the_select_menu_key_is_translated_in_the_footer(
    demo_dir: Path, marked: None
) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("f9")
        await wait_for(pilot, "SettingsScreen")
        await pilot.press("enter")  # the language menu opens
        await pilot.pause(0.2)
        footer = " ".join(str(key.render()) for key in pilot.app.screen.query("FooterKey"))
        assert "Dismiss menu" not in footer.replace("«Dismiss menu»", "")
        assert "«Dismiss menu»" in footer
    # Textual's texts that reach a footer are marked for the catalog (pybabel extracts them).
    from textual.command import CommandPalette
    from textual.widgets._select import SelectOverlay

    from intake_tui.ui.keys import TEXTUAL_TEXTS, source_texts

    for cls in (SelectOverlay, CommandPalette):
        for _key, binding in cls._merged_bindings or ():
            if binding.show and binding.description:
                assert source_texts(binding)[0] in TEXTUAL_TEXTS, binding


async def test_enter_and_the_next_keys_in_one_burst_reach_the_cases_screen(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passphrase's Enter and "/hod" as the terminal sends them, all at once: the letters
    come before the unlock has even started, and still search the cases (they went into the
    passphrase box of the screen that was leaving)."""
    import time

    from intake_tui.store import session

    real_unlock = session.unlock

    def slow_unlock(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)
        return real_unlock(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session, "unlock", slow_unlock)
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        pilot.app.screen.query_one("#passphrase", Input).value = "demo-passphrase"
        burst(pilot.app, ["enter", "/", "h", "o", "d"])
        await wait_for(pilot, "CasesScreen")
        app = pilot.app

        def through() -> bool:
            return (
                not app._typed_while_unlocking
                and app.screen.query_one("#search", Input).value == "hod"
            )

        await settled(pilot, through)
        assert type(app.screen).__name__ == "CasesScreen"
        assert app.screen.query_one("#search", Input).value == "hod"


async def test_keys_typed_while_unlocking_reach_the_cases_screen(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real key derivation takes a second; the caseworker types on meanwhile."""
    import time

    from intake_tui.store import session

    real_unlock = session.unlock

    def slow_unlock(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)
        return real_unlock(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session, "unlock", slow_unlock)
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        pilot.app.screen.query_one("#passphrase", Input).value = "demo-passphrase"
        await pilot.press("enter", "s", "enter")  # sort by name; a second Enter is not kept
        await wait_for(pilot, "CasesScreen")
        app = pilot.app
        for _ in range(200):  # until the kept keys are through (slow on a contended CPU)
            await pilot.pause(0.05)
            settled = not (app._typed_while_unlocking or app._held_keys or app._key_in_flight)
            if settled and getattr(app.screen, "order", None) == "name":
                break
        await pilot.pause(0.1)
        cases = pilot.app.screen
        assert cases.order == "name"
        assert type(pilot.app.screen).__name__ == "CasesScreen"


def test_two_english_texts_with_one_translation_come_back_each_as_it_was() -> None:
    # "Page up" (a table) and "Page Up" (a scroll view) are both "Pagina omhoog" in Dutch;
    # switching to Dutch and back must give each binding its own English text again.
    from textual.binding import Binding, BindingsMap

    from intake_tui.i18n import current_language, set_language
    from intake_tui.ui.keys import _translate_map

    table = BindingsMap([Binding("pageup", "page_up", "Page up", show=False)])
    scroll = BindingsMap([Binding("pageup", "page_up", "Page Up", show=False)])
    before = current_language()
    try:
        for language in ("nl", "en"):
            set_language(language)
            _translate_map(table)
            _translate_map(scroll)
            if language == "nl":
                assert table.key_to_bindings["pageup"][0].description == "Pagina omhoog"
    finally:
        set_language(before)
    assert table.key_to_bindings["pageup"][0].description == "Page up"
    assert scroll.key_to_bindings["pageup"][0].description == "Page Up"


async def test_a_tab_in_a_burst_of_keys_moves_the_letters_after_it(demo_dir: Path) -> None:
    """Keys as a terminal delivers a fast typist's burst: all queued before any is handled.
    The letters after the Tab belong in the next field, not in the one the Tab left."""
    from textual import events

    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.press("n")
        await wait_for(pilot, "NewIntakeScreen")
        await pilot.pause(0.1)
        screen = pilot.app.screen
        assert pilot.app.focused is screen.query_one("#given", Input)
        for key in ["Z", "a", "m", "tab", "T", "e", "s", "shift+tab"]:
            character = key if len(key) == 1 else None
            pilot.app.post_message(events.Key(key, character))
        await pilot.pause(0.2)
        assert screen.query_one("#given", Input).value == "Zam"
        assert screen.query_one("#family", Input).value == "Tes"
        assert pilot.app.focused is screen.query_one("#given", Input)


async def test_keys_typed_right_after_a_screen_change_reach_the_new_screen(
    demo_dir: Path,
) -> None:
    """A hurried caseworker: "n", the name, Tab, the family name, all at once from the cases
    table; and "/" then letters. Nothing lands on the screen that is leaving."""

    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.pause(0.2)
        burst(pilot.app, ["n", "A", "m", "a", "l", "tab", "T", "e", "s"])
        await wait_for(pilot, "NewIntakeScreen")
        await settled(pilot, lambda: pilot.app.screen.query_one("#family", Input).value == "Tes")
        screen = pilot.app.screen
        assert screen.query_one("#given", Input).value == "Amal"
        assert screen.query_one("#family", Input).value == "Tes"
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        await pilot.pause(0.2)
        burst(pilot.app, ["/", "n", "a"])
        await settled(pilot, lambda: pilot.app.screen.query_one("#search", Input).value == "na")
        assert type(pilot.app.screen).__name__ == "CasesScreen"  # "n" typed, not a new intake
        assert pilot.app.screen.query_one("#search", Input).value == "na"
