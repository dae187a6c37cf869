"""Issue 13: settings that apply the moment they change, the sync screen's answers and last
results, the interview id on the cases screen, and the Dutch cases footer at 80 columns."""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Label, Select

from intake_tui.config import load_settings
from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import key_set_in_settings, make_app, unlock, wait_for


@pytest.fixture
def root(tmp_path: Path) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root


@pytest.fixture
def english_afterwards() -> Iterator[None]:
    """The UI language is process-wide: the next test starts in English again."""
    from intake_tui.i18n import set_language
    from intake_tui.ui.keys import localize_bindings

    try:
        yield
    finally:
        set_language("en")
        localize_bindings()


class _Marked(gettext.NullTranslations):
    """A language in which every message went through `_()`: «…» around it."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"


@pytest.fixture
def marked(english_afterwards: None) -> None:
    import intake_tui.i18n as i18n
    from intake_tui.ui.keys import localize_bindings

    i18n._active = _Marked()
    localize_bindings()


def footer_text(screen: Any) -> str:
    return " ".join(str(key.render()) for key in screen.query("FooterKey"))


def label(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Label).render())


async def until(pilot: Any, condition: Any, tries: int = 100) -> None:
    """Wait for what a message sets off (a busy machine may take a while)."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if condition():
            return
    raise AssertionError("did not happen in time")


async def open_settings(pilot: Any) -> Any:
    await unlock(pilot)
    await pilot.press("f9")
    await wait_for(pilot, "SettingsScreen")
    await pilot.pause(0.1)  # let the selects finish mounting before changing them
    return pilot.app.screen


# --- 1. Settings apply at once -------------------------------------------------------------


async def test_each_setting_applies_the_moment_it_changes_and_is_kept_without_save(
    root: Path,
) -> None:
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        app = pilot.app
        config = root / "config.toml"

        screen.query_one("#theme", Select).value = "intake-high-contrast"
        await until(pilot, lambda: app.theme == "intake-high-contrast")
        assert load_settings(config).theme == "intake-high-contrast"

        screen.query_one("#newcomer", Select).value = "beside"
        await until(pilot, lambda: app.newcomer_display == "beside")
        assert load_settings(config).newcomer_display == "beside"

        screen.query_one("#rtl", Select).value = "terminal"
        await until(pilot, lambda: app.rtl_rendering == "terminal")
        assert load_settings(config).rtl_rendering == "terminal"

        screen.query_one("#lock-minutes", Input).value = "12"
        await until(pilot, lambda: app.idle_seconds == 12 * 60)
        assert load_settings(config).lock_minutes == 12

        # A number out of range is said at once and neither used nor kept.
        screen.query_one("#lock-minutes", Input).value = "0"
        await until(pilot, lambda: "1 to 120" in label(screen, "#message"))
        assert app.idle_seconds == 12 * 60
        assert load_settings(config).lock_minutes == 12

        # Leaving without ctrl+s loses nothing; every change so far is in the file together.
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
    settings = load_settings(root / "config.toml")
    assert (settings.theme, settings.newcomer_display, settings.rtl_rendering) == (
        "intake-high-contrast",
        "beside",
        "terminal",
    )


async def test_a_config_file_that_cannot_be_kept_is_said_not_a_crash(root: Path) -> None:
    (root / "config.toml").write_text("[colours]\nbackground = 1\n", encoding="utf-8")
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#theme", Select).value = "intake-high-contrast"
        await until(pilot, lambda: pilot.app.theme == "intake-high-contrast")  # in use
        message = label(screen, "#message")
        assert str(root / "config.toml") in message and "unknown setting [colours]" in message
        assert pilot.app.is_running
    assert "[colours]" in (root / "config.toml").read_text(encoding="utf-8")


async def test_a_new_interview_shows_the_newcomer_language_as_just_set(root: Path) -> None:
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#newcomer", Select).value = "off"
        await until(pilot, lambda: pilot.app.newcomer_display == "off")
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        pilot.app.screen.query_one("#search", Input).value = "Farid"
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        assert pilot.app.screen.bilingual is False


async def test_switching_to_english_rebuilds_every_open_screen_without_save(
    root: Path, dutch: None
) -> None:
    from intake_tui.i18n import load_translations

    nl = load_translations("nl")
    assert nl.gettext("Settings for this laptop") != "Settings for this laptop"
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        assert label(screen, ".title") == nl.gettext("Settings for this laptop")
        screen.query_one("#language", Select).value = "en"
        await until(pilot, lambda: label(pilot.app.screen, ".title") == "Settings for this laptop")
        await pilot.pause(0.1)
        # The footer is composed again after the rebuild: wait for it, as a busy machine needs.
        await until(pilot, lambda: "Back" in footer_text(pilot.app.screen).split())
        screen = pilot.app.screen
        assert label(screen, ".title") == "Settings for this laptop"
        assert load_settings(root / "config.toml").language == "en"
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        await until(pilot, lambda: "New intake" in footer_text(pilot.app.screen))
        cases = pilot.app.screen
        assert "New intake" in footer_text(cases) and "Help" in footer_text(cases)
        table = cases.query_one("#cases", DataTable)
        assert [str(c.label) for c in table.ordered_columns][:2] == ["Name", "Status"]
        assert "all cases" in label(cases, "#summary")
        # The next screen opens in English too.
        await pilot.press("f8")
        await wait_for(pilot, "SyncScreen")
        assert label(pilot.app.screen, ".title") == "Sync with the municipality"
        await until(pilot, lambda: "Send now" in footer_text(pilot.app.screen))


async def test_a_changed_key_works_and_is_kept_without_save(root: Path) -> None:
    async with make_app(root).run_test(size=(120, 40)) as pilot:
        await open_settings(pilot)
        await key_set_in_settings(pilot, "cases.sync", "f12")
        assert dict(load_settings(root / "config.toml").keys) == {"cases.sync": "f12"}
        await pilot.press("escape")
        await wait_for(pilot, "CasesScreen")
        await pilot.press("f12")
        await wait_for(pilot, "SyncScreen")


# --- 2 and 3. The sync screen ----------------------------------------------------------------


async def open_sync(pilot: Any) -> Any:
    await pilot.press("f8")
    await wait_for(pilot, "SyncScreen")
    await pilot.pause(0.05)
    return pilot.app.screen


async def test_send_on_a_laptop_not_enrolled_says_how_to_enrol(root: Path, marked: None) -> None:
    async with make_app(root).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        screen = await open_sync(pilot)
        await pilot.press("s")
        await until(pilot, lambda: label(screen, "#sync-result") != "")
        text = label(screen, "#sync-result")
        assert text.startswith("«") and text.endswith("»")  # went through the catalog
        assert "not enrolled" in text
        assert "intake-tui device enrol --server URL --code CODE" in text
        assert not screen.query_one("#sync-progress").display  # nothing was started


async def test_send_on_a_revoked_laptop_says_to_enrol_again(root: Path) -> None:
    from intake_tui.store.models import SyncDeviceRow

    async with make_app(root).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        store = pilot.app.store
        with store.session() as session:
            session.add(
                SyncDeviceRow(
                    id=1,
                    server_url="http://127.0.0.1:9",
                    device_id="laptop-7",
                    token="t",
                    enrolled_at=store.now(),
                    revoked_at=store.now(),
                )
            )
        screen = await open_sync(pilot)
        await pilot.press("s")
        await until(pilot, lambda: label(screen, "#sync-result") != "")
        text = label(screen, "#sync-result")
        assert "revoked" in text and "enrol it again" in text


RECEIVED = dt.datetime(2026, 11, 27, 14, 5, tzinfo=dt.UTC)
SHOWN = RECEIVED.astimezone().strftime("%d-%m-%Y %H:%M")  # the laptop's local time


def _set_outbox(store: Any) -> dict[str, tuple[str, int]]:
    """Give the demo's outbox one record in each kind of last result; name → (id, revision)."""
    from sqlmodel import col, select

    from intake_tui.store.models import OutboxRow

    changes = [
        {"state": "acked", "attempts": 1, "acked_at": RECEIVED, "receipt_json": "{}"},
        {"state": "rejected", "attempts": 1, "last_error": "422 invalid_record"},
        {"state": "pending", "attempts": 3, "last_error": "503 unavailable"},
        {"state": "conflict", "attempts": 1, "last_error": "409 record_conflict"},
        {"state": "pending", "attempts": 0},
    ]
    kinds = ["acked", "rejected", "retry", "conflict", "waiting"]
    found: dict[str, tuple[str, int]] = {}
    with store.session() as session:
        rows = session.exec(select(OutboxRow).order_by(col(OutboxRow.id).desc())).all()
        # The newest five; the demo's older records stay as they were (waiting).
        assert len(rows) >= len(changes)
        for row, change, kind in zip(rows[: len(changes)], changes, kinds, strict=True):
            for name, value in change.items():
                setattr(row, name, value)
            session.add(row)
            found[kind] = (row.interview_id, row.revision)
    return found


async def test_the_sync_screen_shows_the_last_result_of_each_record(root: Path) -> None:
    app = make_app(root)
    app.start_background_sync = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        kinds = _set_outbox(pilot.app.store)
        screen = await open_sync(pilot)
        table = screen.query_one("#outbox", DataTable)
        assert str(table.ordered_columns[5].label) == "Last result"
        results = [str(table.get_row_at(i)[5]) for i in range(table.row_count)]
        assert results[:5] == [
            f"received {SHOWN}",
            "refused (the server refused it (422 invalid_record)): kept here",
            "not through yet: the server was busy or down (503); tried again at the next sync",
            "conflict (the server refused it (409 record_conflict)): a person decides",
            "waiting: not sent yet",
        ]
        assert set(results[5:]) <= {"waiting: not sent yet"}
        # The state column stays as it was.
        assert str(table.get_row_at(0)[3]) == "received"
        # The highlighted record in full, with the id the command line takes.
        interview_id, revision = kinds["acked"]
        detail = label(screen, "#outbox-detail")
        assert interview_id in detail and f"version {revision}" in detail
        assert f"received {SHOWN}" in detail
        table.focus()
        await pilot.press("down")
        await until(pilot, lambda: "422 invalid_record" in label(screen, "#outbox-detail"))
        assert kinds["rejected"][0] in label(screen, "#outbox-detail")


def test_the_last_result_of_a_purged_record_says_its_content_went() -> None:
    from intake_tui.ui.widgets.sync_outbox import OutboxRecord, last_result

    record = OutboxRecord(
        interview_id="x",
        name="n",
        revision=1,
        plan_status="final",
        state="acked",
        attempts=1,
        last_error=None,
        acked_at=dt.datetime(2026, 10, 1, 9, 0),
        purged_at=dt.datetime(2026, 11, 1, 9, 0),
    )
    assert last_result(record) == "received 01-10-2026 09:00; content removed 01-11-2026 09:00"


# --- 4. The interview id on the cases screen ------------------------------------------------


async def test_the_selected_case_shows_its_interview_id_as_the_cli_takes_it(root: Path) -> None:
    from intake_tui.cli_cases import case_rows

    async with make_app(root).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.pause(0.1)
        screen = pilot.app.screen
        table = screen.query_one("#cases", DataTable)
        store = pilot.app.store
        every = {row["name"]: row["id"] for row in case_rows(store)}  # `cases list --json`
        for row in range(2):
            await until(pilot, lambda row=row: table.cursor_row == row)
            name = str(table.get_row_at(row)[0])
            await until(pilot, lambda name=name: name in label(screen, "#case-detail"))
            assert every[name] in label(screen, "#case-detail")  # the whole id: `cases list`
            assert screen.query_one("#case-detail").region.right <= 80
            await pilot.press("down")
        # A search that finds nothing leaves no id of another case behind.
        screen.query_one("#search", Input).value = "nobody by this name"
        await until(pilot, lambda: label(screen, "#case-detail") == "")


# --- 5. The Dutch cases footer at 80 columns ------------------------------------------------


async def test_the_dutch_cases_footer_fits_80_columns(root: Path, dutch: None) -> None:
    async with make_app(root).run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await pilot.pause(0.1)
        keys = list(pilot.app.screen.query("FooterKey"))
        assert keys
        for key in keys:
            assert key.region.right <= 80, str(key.render())
            assert key.region.width >= len(str(key.render()).strip())
            for other in keys:  # the palette's key is docked on the right, over the others
                if other is not key:
                    assert not key.region.overlaps(other.region), str(key.render())
        shown = {key.key for key in keys}  # type: ignore[attr-defined]
        assert {"slash", "n", "f8", "f1"} <= shown
        # F1 still lists the keys the footer leaves out.
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        lines = "\n".join(
            str(line.render()) for line in pilot.app.screen.query("#help-box Label.key")
        )
        for binding_id in ("cases.filter", "cases.sort", "cases.sync", "cases.settings"):
            assert f"[{binding_id}]" in lines
