"""Updating a bundle's translation catalogs to its current Dutch (`intake-tui questionnaire
translations --update`): new texts get an empty entry, changed Dutch turns an entry fuzzy with
the old Dutch as `#| msgid`, texts gone from the bundle are dropped; unchanged entries, the
header and the translators' layout are kept byte for byte (reading: core/catalogs.py)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from intake_tui.i18n import _

if TYPE_CHECKING:
    from intake_tui.core.translations import Message


from intake_tui.core.catalogs import (
    TRANSLATIONS_DIR,
    WIDTH,
    Catalog,
    CatalogError,
    _Layout,
    _parse,
    catalog_files,
)

# -- updating --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateResult:
    """What `update_catalogs` did to one catalog."""

    path: Path
    language: str
    changed: bool  # the file was rewritten
    added: tuple[str, ...] = ()  # keys new in the bundle, now with an empty msgstr
    outdated: tuple[str, ...] = ()  # keys whose Dutch changed: translation kept, marked fuzzy
    obsolete: tuple[str, ...] = ()  # keys no longer in the bundle: dropped


def update_catalogs(bundle_dir: Path) -> list[UpdateResult]:
    """Bring every catalog of the bundle in line with its current Dutch texts.

    Every current text gets an entry, in bundle order; changed Dutch makes the entry fuzzy with
    the old Dutch as `#| msgid`; texts gone from the bundle are dropped. Header, top comments and
    unchanged entries are kept byte for byte. Every catalog is parsed before any is written, and
    each is replaced atomically; a catalog that did not change is not written at all."""
    from intake_tui.core.questionnaire import load_bundle
    from intake_tui.core.translations import bundle_messages

    bundle = load_bundle(bundle_dir)
    messages = bundle_messages(bundle)
    folder = Path(bundle_dir)
    if folder.is_file():
        folder = folder.parent
    folder = folder / TRANSLATIONS_DIR
    parsed = [
        (language, raw, _parse(raw, str(folder / f"{language}.po")))
        for language, raw in catalog_files(bundle.files).items()
    ]
    results: list[UpdateResult] = []
    for language, raw, (catalog, layout) in parsed:
        path = folder / f"{language}.po"
        text, result = _updated(catalog, layout, messages, path, language)
        if result.changed:
            _replace(path, text.encode("utf-8"), expected=raw)
        results.append(result)
    return results


def _updated(
    catalog: Catalog, layout: _Layout, messages: Sequence[Message], path: Path, language: str
) -> tuple[str, UpdateResult]:
    keys = [m.key for m in messages]
    current = set(keys)
    added: list[str] = []
    outdated: list[str] = []
    changed = keys != [k for k in catalog.entries if k in current]
    parts: list[str] = []
    for message in messages:
        entry = catalog.entries.get(message.key)
        if entry is None:
            added.append(message.key)
            parts.append(_format_entry(message.key, message.source, ""))
            continue
        if entry.source == message.source:
            parts.append(layout.blocks[message.key].text)
            continue
        changed = True
        old = layout.messages[message.key]
        flags = set(old.flags)
        previous: str | None = None
        if entry.text:
            outdated.append(message.key)
            flags.add("fuzzy")
            # The translation was made from the previous msgid when one is there already.
            previous = entry.previous if entry.fuzzy and entry.previous else entry.source
        else:
            flags.discard("fuzzy")
        parts.append(
            _format_entry(
                message.key,
                message.source,
                entry.text,
                flags=flags,
                previous=previous,
                comments=[c for c in old.user_comments if not c.startswith("|")],
                auto_comments=old.auto_comments,
                locations=old.locations,
            )
        )
    obsolete = tuple(k for k in catalog.entries if k not in current) + catalog.obsolete
    changed = changed or bool(added or obsolete)
    text = layout.header + "".join("\n" + part for part in parts)
    if not layout.header and parts:
        text = text[1:]
    if layout.trailer:
        text += "\n" + layout.trailer
    result = UpdateResult(path, language, changed, tuple(added), tuple(outdated), obsolete)
    return text, result


def _format_entry(
    key: str,
    source: str,
    text: str,
    *,
    flags: Iterable[str] = (),
    previous: str | None = None,
    comments: Iterable[str] = (),
    auto_comments: Iterable[str] = (),
    locations: Iterable[tuple[str, int | None]] = (),
) -> str:
    """One entry in the layout Babel and gettext write (so the file stays uniform)."""
    from babel.messages.pofile import normalize

    lines = [f"# {c}".rstrip() for c in comments]
    lines += [f"#. {c}".rstrip() for c in auto_comments]
    places = [f"{name}:{line}" if line else name for name, line in locations]
    if places:
        lines.append("#: " + " ".join(places))
    if flags := sorted(set(flags)):
        lines.append("#, " + ", ".join(flags))
    if previous is not None:
        lines.append("#| msgid " + normalize(previous, prefix="#| ", width=WIDTH))
    lines.append("msgctxt " + normalize(key, width=WIDTH))
    lines.append("msgid " + normalize(source, width=WIDTH))
    lines.append("msgstr " + normalize(text, width=WIDTH))
    return "\n".join(lines) + "\n"


def _replace(path: Path, data: bytes, *, expected: bytes) -> None:
    """Write `data` to `path` atomically, unless someone changed the file since it was read."""
    if path.read_bytes() != expected:
        raise CatalogError(str(path), 1, _("the file changed while it was being updated"))
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform; the file itself is synced
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
