"""UI catalogs: Dutch complete, placeholders kept, the Arabic catalog marked unreviewed."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from .conftest import REPO

LOCALES = REPO / "locales"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALES / language / "LC_MESSAGES" / "intake_tui.po").open("rb") as handle:
        return read_po(handle)


def test_the_dutch_ui_catalog_translates_every_message() -> None:
    missing = [
        m.id
        for m in catalog("nl")
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]
    assert missing == []


def test_the_template_and_the_dutch_catalog_hold_the_same_messages() -> None:
    with (LOCALES / "intake_tui.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    dutch = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog("nl") if m.id}
    assert template == dutch, "run pybabel extract and update (see babel.cfg)"


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_placeholders_survive_translation(language: str) -> None:
    for message in catalog(language):
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if text:
                assert set(PLACEHOLDER.findall(text)) <= wanted | set(
                    PLACEHOLDER.findall(ids[0])
                ), message.id


def test_the_machine_made_arabic_catalog_says_so() -> None:
    header = (LOCALES / "ar" / "LC_MESSAGES" / "intake_tui.po").read_text(encoding="utf-8")
    assert '"X-Intake-Reviewed: no\\n"' in header
