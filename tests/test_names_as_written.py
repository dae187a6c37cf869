"""A newcomer's name is shown as it is written, never read as markup: "[" starts no style.
A name with "[/]" stopped the app on the cases screen (a closing tag with nothing open), and
"[bold]" lost its letters to a style."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from intake_tui.core import load_bundle
from intake_tui.store import interviews

from .conftest import DEFAULT_BUNDLE
from .store_helpers import PASSPHRASE, make_store
from .tui_helpers import make_app, unlock

NAMES = ["Li [/] Wen", "Ali [bold]Test[/bold] Persoon", "Sara [red] Voorbeeld"]


async def test_names_with_brackets_are_shown_as_written_on_the_cases_screen(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    try:
        bundle = load_bundle(DEFAULT_BUNDLE)
        for name in NAMES:
            interviews.create_interview(
                store, bundle, client_display_name=name, client_language="nl"
            )
    finally:
        store.close()
    async with make_app(root, user="anna").run_test(size=(120, 40)) as pilot:
        await unlock(pilot, PASSPHRASE)
        await pilot.pause(0.2)
        assert type(pilot.app.screen).__name__ == "CasesScreen"
        table = pilot.app.screen.query_one("#cases", DataTable)
        shown = {table.get_cell_at((row, 0)).plain for row in range(table.row_count)}
        assert shown == set(NAMES)
        await pilot.pause(0.1)  # drawn, and the app still running
        assert pilot.app.is_running
