"""Run the command line with `python -m intake_tui`."""

from intake_tui.cli import main

raise SystemExit(main())
