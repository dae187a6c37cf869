"""`intake_tui.core` stays pure: no UI, SQL or HTTP library comes with it (DESIGN.md §2)."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import intake_tui.core
import intake_tui.core.engine, intake_tui.core.expressions, intake_tui.core.questionnaire
import intake_tui.core.translations, intake_tui.core.values, intake_tui.core.clock
heavy = sorted(m for m in ("textual", "sqlalchemy", "sqlmodel", "httpx", "fastapi", "rich")
               if m in sys.modules)
print(",".join(heavy))
"""


def test_core_imports_without_textual_sqlalchemy_or_httpx() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, intake_tui.cli; "
        "print(','.join(m for m in ('pydantic', 'yaml', 'babel', 'textual') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_the_path_to_the_first_screen_loads_no_data_libraries() -> None:
    # The TUI's first frame must not wait for pydantic, SQLAlchemy or the crypto libraries.
    code = (
        "import sys, intake_tui.ui.app, intake_tui.ui.screens.unlock; "
        "print(','.join(m for m in ('pydantic', 'sqlalchemy', 'sqlmodel', 'cryptography', "
        "'argon2', 'yaml', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
