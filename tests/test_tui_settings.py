"""The TUI's settings on the screen: the UI language in the footer at once, keys remapped by
their binding id, NO_COLOR, and sorting the cases. Clock frozen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label

from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import key_set_in_settings, make_app, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("tui") / "demo", kdf=TEST_KDF).root


def footer_text(screen) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(key.render()) for key in screen.query("FooterKey"))


async def test_switching_the_ui_language_changes_the_footer_at_once(tmp_path: Path) -> None:
    from textual.widgets import Select

    from intake_tui.config import load_settings
    from intake_tui.demo import open_or_make_demo
    from intake_tui.i18n import load_translations

    dutch = load_translations("nl")
    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    app = make_app(root)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            await pilot.press("f9")
            await wait_for(pilot, "SettingsScreen")
            await pilot.pause(0.1)
            assert "Back" in footer_text(pilot.app.screen)
            pilot.app.screen.query_one("#language", Select).value = "nl"
            await pilot.press("ctrl+s")
            await pilot.pause(0.2)
            footer = footer_text(pilot.app.screen)
            assert dutch.gettext("Back") in footer and dutch.gettext("Back") != "Back"
            assert "Back" not in footer.split()
            assert load_settings(root / "config.toml").language == "nl"
            await pilot.press("escape")
            await wait_for(pilot, "CasesScreen")
            await pilot.pause(0.1)
            # The screen underneath follows too: its keys and its column names.
            assert dutch.gettext("New intake") in footer_text(pilot.app.screen)
            table = pilot.app.screen.query_one("#cases", DataTable)
            assert str(table.ordered_columns[0].label) == dutch.gettext("Name")
    finally:
        app.set_ui_language("en")  # the language is process-wide; the next test wants English


async def test_a_key_can_be_remapped_by_its_binding_id(tmp_path: Path) -> None:
    from intake_tui.config import load_settings
    from intake_tui.demo import open_or_make_demo

    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        await pilot.press("f9")
        await wait_for(pilot, "SettingsScreen")
        await pilot.pause(0.1)
        # A key another binding of the interview already uses is refused, with the reason.
        await key_set_in_settings(pilot, "interview.unknown", "f3")
        message = str(pilot.app.screen.query_one("#message", Label).render())
        assert "f3" in message and "interview.declined" in message
        await pilot.press("enter")
        await wait_for(pilot, "AskScreen")
        pilot.app.screen.query_one("#ask-0", Input).value = "f10"
        await pilot.press("enter")
        await wait_for(pilot, "SettingsScreen")
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert dict(load_settings(root / "config.toml").keys) == {"interview.unknown": "f10"}
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        pilot.app.screen.query_one("#search", Input).value = "Farid"  # in progress
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        screen = pilot.app.screen
        from intake_tui.core.values import UNKNOWN

        step = next(
            s
            for s in screen.engine.steps()
            if screen.bundle.items[s.id].type == "text"
            and not screen.engine.validate(s.id, UNKNOWN, s.instance)
        )
        screen.jump_to(step)
        await pilot.press("f10")
        await pilot.pause(0.05)
        assert screen.engine.answer(step.id, step.instance).state == "unknown"


async def test_no_color_starts_in_the_monochrome_theme(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        assert pilot.app.theme == "intake-monochrome"
        theme = pilot.app.available_themes["intake-monochrome"]
        colours = {theme.primary, theme.warning, theme.error, theme.success, theme.accent}
        assert colours <= {"#ffffff", "#bbbbbb"}  # nothing that only colour could tell apart
    monkeypatch.delenv("NO_COLOR")
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        assert pilot.app.theme != "intake-monochrome"


async def test_s_sorts_the_cases_and_the_summary_says_how(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        screen = pilot.app.screen
        table = screen.query_one("#cases", DataTable)
        table.focus()
        await pilot.press("s")  # last change -> name
        await pilot.pause(0.05)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert names == sorted(names, key=str.casefold)
        assert "by name" in str(screen.query_one("#summary", Label).render())
        await pilot.press("s")  # -> PIP due date, soonest first
        await pilot.pause(0.05)
        due = [str(table.get_row_at(i)[4]) for i in range(table.row_count)]
        known = [d for d in due if d != "—"]
        import datetime as dt

        days = [dt.datetime.strptime(d.lstrip("! "), "%d-%m-%Y").date() for d in known]
        assert days == sorted(days) and due[: len(known)] == known
