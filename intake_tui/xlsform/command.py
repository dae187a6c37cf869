"""`intake-tui questionnaire import-xlsform`: the command's messages and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

from intake_tui.cli_base import EXIT_ERROR, EXIT_OK
from intake_tui.i18n import _, ngettext


def run_export(bundle_dir: Path, out: Path) -> int:
    """Write the bundle as an XLSForm; 0 done, 1 when it does not load or out is not .xlsx."""
    from intake_tui.core.questionnaire import BundleError
    from intake_tui.xlsform.export import export_xlsform

    if out.suffix.lower() != ".xlsx":
        print(_("export refused: {out} must end in .xlsx").format(out=out), file=sys.stderr)
        return EXIT_ERROR
    try:
        export_xlsform(bundle_dir, out)
    except BundleError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(_("export refused: the bundle does not load"), file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(_("export refused: {reason}").format(reason=reason), file=sys.stderr)
        return EXIT_ERROR
    print(_("{out} written").format(out=out))
    return EXIT_OK


def run_import(form: Path, out: Path, *, strict: bool = False, source: str | None = None) -> int:
    """Import `form` into `out`; 0 done, 1 refused (or a report line under --strict)."""
    from intake_tui.xlsform.reader import ImportFailure
    from intake_tui.xlsform.writer import REPORT_FILE, import_xlsform

    try:
        result = import_xlsform(form, out, source_language=source)
    except ImportFailure as error:
        print(_("import refused: {reason}").format(reason=error), file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        reason = error.strerror or type(error).__name__
        print(_("import refused: {reason}").format(reason=reason), file=sys.stderr)
        return EXIT_ERROR
    print(
        ngettext(
            "{id}: {n} question written to {out}; languages: {langs}",
            "{id}: {n} questions written to {out}; languages: {langs}",
            result.questions,
        ).format(
            id=result.bundle_id,
            n=result.questions,
            out=result.out,
            langs=", ".join(result.languages) or "-",
        )
        + "; "
        + ngettext(
            "{n} report line in {report}", "{n} report lines in {report}", result.report_lines
        ).format(n=result.report_lines, report=REPORT_FILE)
    )
    if strict and result.report_lines:
        print(_("--strict: the report is not empty"), file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK
