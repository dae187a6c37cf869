"""Reading an XLSForm with pyxform (imported here only, lazily), with every failure turned into
one clear message naming the sheet and row where pyxform says so."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_tui.i18n import _


class ImportFailure(Exception):
    """The form cannot be imported; the message says why (and where)."""


@dataclass
class Form:
    """A parsed form: pyxform's JSON tree plus where each name sits in the workbook."""

    tree: dict[str, Any]
    settings: dict[str, str]
    survey_rows: dict[str, int] = field(default_factory=dict)  # name → row on the survey sheet
    choice_rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (list, name) → row
    survey_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
SUFFIXES = (".xlsx", ".xls", ".csv")


def read_form(path: Path) -> Form:
    """Parse the form at `path` (.xlsx, .xls or a survey .csv), or raise ImportFailure."""
    if not path.is_file():
        raise ImportFailure(_("{file}: no such file").format(file=path))
    if path.suffix.lower() not in SUFFIXES:
        raise ImportFailure(_("{file}: not an .xlsx, .xls or .csv file").format(file=path))
    data = path.read_bytes()
    if path.suffix.lower() == ".csv":
        _check_csv_text(path, data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and b"EncryptedPackage" in data[:65536]:
        message = _("{file}: the workbook is password-protected; save it without a password")
        raise ImportFailure(message.format(file=path))
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's style complaints are no concern here
        try:
            book = get_xlsform(xlsform=str(path))
        except PyXFormError as error:
            raise ImportFailure(f"{path}: {_describe(str(error))}") from None
        except Exception as error:
            reason = _("the file cannot be read as a spreadsheet ({kind})").format(
                kind=type(error).__name__
            )
            raise ImportFailure(f"{path}: {reason}") from None
        if not book.survey:
            raise ImportFailure(
                _("{file}: there is no 'survey' sheet (or it is empty)").format(file=path)
            )
        found: list[str] = []
        try:
            tree = workbook_to_json(
                workbook_dict=book,
                form_name="data",
                fallback_form_name=book.fallback_form_name or path.stem,
                warnings=found,
            )
        except PyXFormError as error:
            raise ImportFailure(f"{path}: {_describe(str(error))}") from None
        except Exception as error:
            raise ImportFailure(
                _("{file}: pyxform cannot read the form ({kind}: {reason})").format(
                    file=path, kind=type(error).__name__, reason=str(error)[:200]
                )
            ) from None
    settings = {str(k): str(v) for k, v in (book.settings or [{}])[0].items() if v is not None}
    form = Form(tree=tree, settings=settings, warnings=found)
    form.survey_columns = [str(c) for c in (book.survey_header or [{}])[0]]
    for index, row in enumerate(book.survey, start=2):
        name = str(row.get("name") or "").strip()
        if name:
            form.survey_rows.setdefault(name, index)
    for index, row in enumerate(book.choices or [], start=2):
        list_name = str(row.get("list_name") or row.get("list name") or "").strip()
        name = str(row.get("name") or row.get("value") or "").strip()
        form.choice_rows.setdefault((list_name, name), index)
    return form


def _describe(message: str) -> str:
    """pyxform's message, with its `[row : N]` said as the sheet and row."""
    text = " ".join(message.split())
    match = _ROW.search(text)
    if match is None:
        return text
    sheet = "choices" if "'choices' sheet" in text else "survey"
    rest = _ROW.sub("", text).strip()
    return _("sheet {sheet}, row {row}: {message}").format(
        sheet=sheet, row=match.group(1), message=rest
    )


_SHEET = re.compile(
    r"'(survey|choices|settings|external_choices|entities)' sheet|the (survey|choices) "
)


def warning_lines(warnings: list[str]) -> list[tuple[str, int | None, str]]:
    """pyxform's warnings as (sheet, row, message): one per line of a warning, with the sheet it
    names (else survey) and its `[row : N]` as the row (None where pyxform gives none)."""
    found: list[tuple[str, int | None, str]] = []
    for warning in warnings:
        for line in str(warning).splitlines():
            text = " ".join(line.split())
            if not text:
                continue
            row = _ROW.search(text)
            sheet = _SHEET.search(text)
            found.append(
                (
                    (sheet.group(1) or sheet.group(2)) if sheet else "survey",
                    int(row.group(1)) if row else None,
                    _ROW.sub("", text).strip(),
                )
            )
    return found


def _check_csv_text(path: Path, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        message = _(
            "{file}: row {row} is not UTF-8 text (saved as Windows-1256 or another code page?); "
            "save the CSV as UTF-8"
        )
        raise ImportFailure(message.format(file=path, row=row)) from None
