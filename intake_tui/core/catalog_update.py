"""Updating a bundle's translation catalogs to its current Dutch (`intake-tui questionnaire
translations --update`): new texts get an empty entry, changed Dutch turns an entry fuzzy with
the old Dutch as `#| msgid`, texts gone from the bundle are dropped; unchanged entries, the
header and the translators' layout are kept byte for byte (reading: core/catalogs.py)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from intake_tui.i18n import _

if TYPE_CHECKING:
    from intake_tui.core.bundle_model import Bundle
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


# -- a new language (questionnaire translations --init) ----------------------------------------


class CatalogInitError(ValueError):
    """A new catalog that was not written; the message says why, for the admin."""


def is_language_tag(tag: str) -> bool:
    """True for a BCP 47 tag the bundle format takes (`nl`, `pt-BR`, `sr-Latn`) naming a language
    CLDR knows; `prs` (Dari) counts, although CLDR has no locale of its own for it."""
    from babel import Locale, UnknownLocaleError

    from intake_tui.core.bundle_model import LANGUAGE_TAG
    from intake_tui.i18n.locale_format import babel_locale

    if not LANGUAGE_TAG.match(tag):
        return False
    language, *subtags = tag.split("-")
    try:
        Locale.parse(babel_locale(tag))
        return True
    except (UnknownLocaleError, ValueError):
        pass
    try:  # a region or script CLDR has no locale for, e.g. `fa-NL`: each part must exist
        english = Locale.parse(babel_locale(language) if language == "prs" else language)
    except (UnknownLocaleError, ValueError):
        return False
    return all(part in english.territories or part in english.scripts for part in subtags)


def init_catalog(
    bundle: Bundle, folder: Path, lang: str, *, now: dt.datetime | None = None
) -> Path:
    """Write `folder/translations/<lang>.po` for a new language: every message of the bundle with
    an empty msgstr, under a header that says `X-Intake-Reviewed: no`. Refuses (CatalogInitError,
    nothing written) a bad tag, the source language, or a catalog that is already there."""
    from intake_tui.core.catalogs import TRANSLATIONS_DIR
    from intake_tui.i18n import _

    if not is_language_tag(lang):
        raise CatalogInitError(
            _("{tag!r} is not a valid language tag (BCP 47, e.g. 'nl', 'ar', 'prs')").format(
                tag=lang
            )
        )
    if lang == bundle.spec.source_language:
        raise CatalogInitError(
            _("{tag!r} is the source language of the bundle: it needs no catalog").format(tag=lang)
        )
    path = folder / TRANSLATIONS_DIR / f"{lang}.po"
    exists = _("{file} already exists; it was left as it is (--update brings it up to date)")
    if path.exists():
        raise CatalogInitError(exists.format(file=path))
    data = new_catalog_text(bundle, lang, now=now).encode("utf-8")
    path.parent.mkdir(exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)  # never overwrites
    except FileExistsError:  # made by someone else between the check and here
        raise CatalogInitError(exists.format(file=path)) from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)  # no half-written catalog is left behind
        raise
    return path


def new_catalog_text(
    bundle: Bundle,
    lang: str,
    *,
    now: dt.datetime | None = None,
    translated: Mapping[str, str] | None = None,
) -> str:
    """The text of a new catalog for `lang`, laid out as `--update` writes entries: empty, or
    with the texts of `translated` (key → text; the XLSForm importer's other language columns)."""
    from babel import UnknownLocaleError
    from babel.messages.plurals import get_plural

    from intake_tui.core.catalogs import REVIEWED_HEADER
    from intake_tui.i18n.locale_format import babel_locale, language_name

    try:
        plural = get_plural(babel_locale(lang))
    except (UnknownLocaleError, ValueError):  # a region CLDR has no locale for: the language's
        plural = get_plural(babel_locale(lang.split("-")[0]))
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M%z")
    name = language_name(lang, "en")
    spec = bundle.spec
    fields = [
        f"Project-Id-Version: {spec.id} {spec.version}",
        f"POT-Creation-Date: {stamp}",
        f"PO-Revision-Date: {stamp}",
        "Last-Translator: ",
        f"Language-Team: {name}",
        f"Language: {lang}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        f"Plural-Forms: {plural}",
        f"{REVIEWED_HEADER}: no",
    ]
    header = [
        f"# {name} translation of the {spec.id} questionnaire bundle.",
        f"# Not reviewed by a native speaker yet ({REVIEWED_HEADER}: no).",
        "# msgctxt is the stable key from docs/bundle-format.md; msgid is the Dutch source text.",
        'msgid ""',
        'msgstr ""',
        *(f'"{field}\\n"' for field in fields),
    ]
    from intake_tui.core.translations import bundle_messages

    texts = translated or {}
    entries = [
        _format_entry(m.key, m.source, texts.get(m.key, "")) for m in bundle_messages(bundle)
    ]
    return "\n".join(["\n".join(header) + "\n", *entries])
