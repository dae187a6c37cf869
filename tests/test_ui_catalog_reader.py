"""The first frame reads the UI catalogs with intake_tui/i18n/po.py instead of Babel; for every
catalog it must give exactly what Babel's reader gives (translated, non-fuzzy entries, plural
forms, the plural rule)."""

from __future__ import annotations

import gettext
import marshal
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from intake_tui.i18n import po as po_reader
from intake_tui.i18n.po import cached_ui_catalog, read_ui_catalog
from intake_tui.resources import locales_dir

CATALOGS = sorted(locales_dir().glob("*/LC_MESSAGES/intake_tui.po"))


def _by_babel(path: Path) -> tuple[dict[str, object], str | None]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    messages: dict[str, object] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        value = message.string
        if isinstance(value, (tuple, list)):
            messages[key] = tuple(str(v or "") for v in value)
        elif value:
            messages[key] = str(value)
    return messages, catalog.plural_expr


@pytest.mark.parametrize("path", CATALOGS, ids=[p.parts[-3] for p in CATALOGS])
def test_the_reader_gives_what_babel_gives(path: Path) -> None:
    expected, plural = _by_babel(path)
    found = read_ui_catalog(path)
    assert found.messages == expected
    assert found.plural is not None and plural is not None
    rule, babel_rule = gettext.c2py(found.plural), gettext.c2py(plural)
    assert [rule(n) for n in range(200)] == [babel_rule(n) for n in range(200)]


def test_escapes_fuzzy_obsolete_and_plurals(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, python-brace-format\nmsgid "a \\"{x}\\"\\n"\nmsgstr ""\n"b \\"{x}\\""\n"\\n"\n\n'
        '#, fuzzy\nmsgid "old"\nmsgstr "oud"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "een"\nmsgstr[1] "veel"\n\n'
        'msgid "empty"\nmsgstr ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n',
        encoding="utf-8",
    )
    found = read_ui_catalog(po)
    assert found.messages == {'a "{x}"\n': 'b "{x}"\n', "one": ("een", "veel")}
    assert found.plural == "(n != 1)"


def _catalog_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, bytecode: bool) -> Path:
    """A real catalog in a folder of its own, Python writing bytecode or not."""
    monkeypatch.setattr(sys, "dont_write_bytecode", not bytecode)
    po = tmp_path / "intake_tui.po"
    po.write_bytes(CATALOGS[0].read_bytes())
    return po


def test_the_cache_gives_what_the_catalog_gives_and_follows_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _catalog_copy(tmp_path, monkeypatch, bytecode=True)
    first = cached_ui_catalog(po)
    assert first.messages == read_ui_catalog(po).messages
    assert list((tmp_path / "__pycache__").glob("intake_tui.po.*.marshal"))
    # The second start is served from the cache, not the catalog.
    monkeypatch.setattr(po_reader, "read_ui_catalog", lambda path: pytest.fail("not cached"))
    again = cached_ui_catalog(po)
    assert (again.messages, again.plural) == (first.messages, first.plural)
    monkeypatch.undo()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    # An admin edits a translation: the next start shows the new text, not the cached one.
    msgid = next(key for key, value in first.messages.items() if isinstance(value, str))
    text = po.read_text(encoding="utf-8")
    old = f'msgstr "{first.messages[msgid]}"'
    assert old in text
    po.write_text(text.replace(old, 'msgstr "Nieuw"', 1), encoding="utf-8")
    assert cached_ui_catalog(po).messages[msgid] == "Nieuw"


def test_no_cache_is_written_where_python_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _catalog_copy(tmp_path, monkeypatch, bytecode=False)
    assert cached_ui_catalog(po).messages == read_ui_catalog(po).messages
    assert not (tmp_path / "__pycache__").exists()


def test_a_broken_cache_is_read_past(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    po = _catalog_copy(tmp_path, monkeypatch, bytecode=True)
    cached_ui_catalog(po)
    (cache,) = (tmp_path / "__pycache__").glob("*.marshal")
    expected = read_ui_catalog(po).messages
    for broken in (b"\x00garbage", marshal.dumps({"not": "ours"}), marshal.dumps(("short",))):
        cache.write_bytes(broken)
        assert cached_ui_catalog(po).messages == expected


def test_a_cache_that_cannot_be_written_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _catalog_copy(tmp_path, monkeypatch, bytecode=True)

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(po_reader.os, "replace", full_disk)
    assert cached_ui_catalog(po).messages == read_ui_catalog(po).messages
    assert list((tmp_path / "__pycache__").iterdir()) == []
