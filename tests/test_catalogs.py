"""UI catalogs: they parse, Dutch and English are complete and current with the code, plural
forms are valid, placeholders are kept, and the Arabic catalog says it is machine-made."""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .conftest import REPO

LOCALES = REPO / "locales"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
LANGUAGES = sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALES / language / "LC_MESSAGES" / "intake_tui.po").open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def ids(messages) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def untranslated(language: str) -> list[str]:
    return [
        str(m.id)
        for m in catalog(language)
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]


def test_there_are_dutch_and_english_catalogs() -> None:
    assert {"nl", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_dutch_and_english_ui_catalogs_translate_every_message(language: str) -> None:
    assert untranslated(language) == []


def test_an_empty_msgstr_does_not_count_as_translated() -> None:
    from intake_tui.i18n import _PoTranslations

    translations = _PoTranslations({"Back": ""}, None)
    assert translations.gettext("Back") == "Back"  # the English source, not an empty string


def test_the_template_holds_every_message_of_the_code(tmp_path: Path) -> None:
    # Extract again from the code and compare: a new _() without `pybabel extract` fails here.
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "-o",
            str(fresh),
            "intake_tui",
        ],
        cwd=REPO,
        check=True,
    )
    with fresh.open("rb") as handle:
        from_code = ids(read_po(handle))
    with (LOCALES / "intake_tui.pot").open("rb") as handle:
        template = ids(read_po(handle))
    assert from_code - template == set(), "run pybabel extract and update (see README)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_holds_the_messages_of_the_template(language: str) -> None:
    with (LOCALES / "intake_tui.pot").open("rb") as handle:
        template = ids(read_po(handle))
    assert ids(catalog(language)) == template, "run pybabel update (see README)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_valid(language: str) -> None:
    messages = catalog(language)
    header = dict(messages.mime_headers)
    forms = header["Plural-Forms"]
    match = re.fullmatch(r"\s*nplurals=(\d+);\s*plural=(.+?);?\s*", forms)
    assert match, forms
    count = int(match.group(1))
    plural = gettext.c2py(match.group(2))  # type: ignore[attr-defined]
    assert all(0 <= plural(n) < count for n in range(0, 1001))
    for message in messages:
        if message.id and isinstance(message.id, tuple) and any(message.string):
            assert len(message.string) == count, message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    for message in catalog(language):
        if not message.id or not message.string:
            continue
        ids_ = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(ids_[-1])) | set(PLACEHOLDER.findall(ids_[0]))
        for text in strings:
            if text:
                assert set(PLACEHOLDER.findall(text)) <= wanted, message.id
                # A placeholder the source has must not be lost either (singular forms).
                if isinstance(message.id, str):
                    assert set(PLACEHOLDER.findall(text)) == wanted, message.id


def test_the_machine_made_arabic_catalog_says_so() -> None:
    header = (LOCALES / "ar" / "LC_MESSAGES" / "intake_tui.po").read_text(encoding="utf-8")
    assert '"X-Intake-Reviewed: no\\n"' in header
