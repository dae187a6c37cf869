"""What `cli.py` and `commands.py` share: the exit codes and starting the TUI.

Both import this module and neither imports the other back, so there is no import circle.
It imports nothing heavy at module level: `intake-tui questionnaire validate` stays light.
"""

from __future__ import annotations

import sys
from pathlib import Path

from intake_tui.i18n import set_language

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_HUMAN = 2


def run_tui(data_dir: Path | None, *, user: str | None = None, lang: str | None = None) -> int:
    """Start the TUI in the caseworker's language (Dutch unless --lang says otherwise).

    The language is set before the UI is made, so the first frame is already translated.
    The terminal's own bidi is switched off while the app runs (VTE honours ESC[8l; others
    ignore it), so Arabic script is not reordered twice; a caseworker whose terminal orders
    it by itself sets `rtl_rendering = "terminal"`, applied at unlock. ESC[8h on exit gives
    the terminal back as it was.
    """
    if lang is None:
        # The caseworker's choice in the settings screen ([ui] language in config.toml).
        from intake_tui.config import ConfigError, load_settings
        from intake_tui.store.datadir import DataDir

        try:
            lang = load_settings(DataDir.resolve(data_dir).config_path).language
        except ConfigError:
            lang = None
    set_language(lang or "nl")
    from intake_tui.i18n.bidi import explicit_bidi
    from intake_tui.ui.app import IntakeApp

    app = IntakeApp(data_dir, user=user)
    with explicit_bidi(sys.stdout):
        app.run()
    return app.return_code or 0
