"""The XLSForm import against pyxform's own `xls2json` of the same file (issue 20's figure).

    python -m benchmarks.xlsform [FORM ...]   (default: the largest shared form pyxform reads)

Prints each form's seconds for pyxform's parse alone and for the whole `import-xlsform` (parse,
translate, write, load and check the bundle until it loads, write the catalogs), and the ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FORMS = ROOT.parent / "shared" / "reference" / "xlsforms"
LARGEST = "unhcr-americas_surveyDesigner__household_survey_americas.xlsx"


def _pyxform(form: Path) -> None:
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    book = get_xlsform(str(form))
    workbook_to_json(book, form_name="data", fallback_form_name=form.stem, warnings=[])


def _import(form: Path) -> None:
    from intake_tui.xlsform.writer import import_xlsform

    with tempfile.TemporaryDirectory() as folder:
        import_xlsform(form, Path(folder) / "bundle")


def _seconds(run: object, form: Path, repeat: int = 3) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        run(form)  # type: ignore[operator]
    return (time.perf_counter() - start) / repeat


def main(argv: list[str] | None = None) -> int:
    warnings.simplefilter("ignore")
    forms = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or [FORMS / LARGEST]
    for form in forms:
        if not form.is_file():
            print(f"{form}: not found (the shared forms lie in ../shared/reference/xlsforms)")
            return 1
        _pyxform(form)  # warm: imports and caches
        parse, whole = _seconds(_pyxform, form), _seconds(_import, form)
        print(
            f"{form.name}: xls2json {parse:.3f} s, "
            f"import-xlsform {whole:.3f} s, ×{whole / parse:.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
