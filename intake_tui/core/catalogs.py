"""The translation catalogs of a bundle: reading, coverage, updating and run-time lookup.

A bundle's `translations/<lang>.po` holds one entry per translatable text (DESIGN.md §7,
docs/bundle-format.md): msgctxt is the stable key, msgid the Dutch the translation was made from.
When the Dutch changes, the translation is kept but marked fuzzy, so the app can say "translation
may be outdated" instead of showing wrong text or nothing.

Babel parses the entries, but it drops unknown header fields (`X-Intake-Reviewed`) on write and
reads `#| msgid` lines as plain comments. So the header and every unchanged entry are kept as the
raw text the translator wrote, and only new or outdated entries are written out here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from intake_tui.i18n import _, current_language

if TYPE_CHECKING:
    from babel.messages.catalog import Message as BabelMessage

    from intake_tui.core.bundle_model import Bundle
    from intake_tui.core.translations import Message

SOURCE_LANGUAGE = "nl"
TRANSLATIONS_DIR = "translations"
WIDTH = 76  # Babel's (and gettext's) line width, so written entries look like the rest

FALLBACK: dict[str, tuple[str, ...]] = {
    # Dari and Persian share script and most vocabulary: a Persian text is understood.
    "prs": ("fa",),
}
"""Languages to try, in order, before the Dutch source when a text has no translation."""

REVIEWED_HEADER = "X-Intake-Reviewed"
UNREVIEWED_FLAG = "unreviewed"

Status = Literal["ok", "fuzzy", "fallback", "unreviewed"]

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"\Z')
_HEADER_FIELD = r'^"{name}:[ \t]*([^\\"]*)'


class CatalogError(ValueError):
    """A catalog that does not parse; says where (`file:line`) so a translator can fix it."""

    def __init__(self, name: str, line: int, reason: str) -> None:
        super().__init__(f"{name}:{line}: {reason}")
        self.name = name
        self.line = line
        self.reason = reason


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One translation: what it translates (key, msgid) and in what state it is."""

    key: str
    source: str  # the Dutch the translation was made from (msgid)
    text: str  # msgstr, "" when not translated
    fuzzy: bool
    unreviewed: bool  # the entry flag `#, unreviewed`
    previous: str | None = None  # `#| msgid`: the Dutch before it changed
    line: int = 0  # line of the msgid, for messages to translators


@dataclass(frozen=True)
class Catalog:
    """A parsed `translations/<lang>.po`, entries by key in file order."""

    name: str
    language: str
    reviewed: bool  # False when the header says `X-Intake-Reviewed: no`
    entries: Mapping[str, Entry] = field(default_factory=dict)
    obsolete: tuple[str, ...] = ()  # keys of `#~` entries

    def translation(self, key: str, source: str) -> tuple[str, bool] | None:
        """The text for `key` and whether it is current (not fuzzy, made from `source`)."""
        entry = self.entries.get(key)
        if entry is None or not entry.text:
            return None
        return entry.text, not entry.fuzzy and entry.source == source

    def is_unreviewed(self, key: str) -> bool:
        """True when the text of `key` was not checked by a person (catalog or entry says so)."""
        entry = self.entries.get(key)
        return not self.reviewed or (entry is not None and entry.unreviewed)


@dataclass
class _Block:
    """The raw lines of one entry, as the translator wrote them."""

    lines: list[str] = field(default_factory=list)
    keyword: bool = False  # has msgctxt/msgid/msgstr lines
    active: bool = False  # has lines that are not `#~`
    msgstr: bool = False
    msgctxt: bool = False
    msgid_line: int = 0
    first_msgid: str = ""

    @property
    def text(self) -> str:
        text = "".join(self.lines)
        return text if text.endswith("\n") else text + "\n"


@dataclass
class _Layout:
    """A catalog's raw parts: header, entry blocks by key, trailing comments."""

    header: str
    blocks: dict[str, _Block]
    messages: dict[str, BabelMessage]
    trailer: str


def parse_catalog(raw: bytes, *, name: str) -> Catalog:
    """Parse a bundle catalog; a broken one raises CatalogError naming `name` and the line."""
    return _parse(raw, name)[0]


def _parse(raw: bytes, name: str) -> tuple[Catalog, _Layout]:
    from babel.messages.pofile import PoFileError, read_po

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CatalogError(name, line, _("not UTF-8 text")) from error
    blocks, trailer = _split(text, name)
    try:
        babel = read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as error:  # Babel counts lines from 0
        raise CatalogError(name, error.lineno + 1, str(error).rsplit(" on ", 1)[0]) from error

    header = ""
    if blocks and _is_header(blocks[0]):
        header = blocks.pop(0).text
    by_line = {b.msgid_line: b for b in blocks if b.active}
    entries: dict[str, Entry] = {}
    laid: dict[str, _Block] = {}
    messages: dict[str, BabelMessage] = {}
    for message in babel:
        if not message.id:
            continue
        block = by_line.pop(message.lineno or 0, None)
        key = message.context
        if block is None or not isinstance(message.id, str) or not isinstance(message.string, str):
            raise CatalogError(name, message.lineno or 0, _("unexpected entry"))
        if not key:
            raise CatalogError(name, block.msgid_line, _("entry without msgctxt (its key)"))
        if key in entries:
            raise CatalogError(
                name,
                block.msgid_line,
                _("duplicate msgctxt {key!r} (first on line {line})").format(
                    key=key, line=entries[key].line
                ),
            )
        entries[key] = Entry(
            key=key,
            source=message.id,
            text=message.string,
            fuzzy=message.fuzzy,
            unreviewed=UNREVIEWED_FLAG in message.flags,
            previous=_previous_id(message.user_comments),
            line=block.msgid_line,
        )
        laid[key] = block
        messages[key] = message
    for block in by_line.values():  # Babel took it for a header or merged it into another entry
        reason = _("empty msgid") if block.first_msgid == '""' else _("duplicate entry")
        raise CatalogError(name, block.msgid_line, reason)

    obsolete = tuple(str(m.context or m.id) for m in babel.obsolete.values())
    stem = Path(name).stem
    catalog = Catalog(
        name=name,
        language=_header_field(header, "Language") or stem,
        reviewed=(_header_field(header, REVIEWED_HEADER) or "").strip().lower() != "no",
        entries=entries,
        obsolete=obsolete,
    )
    return catalog, _Layout(header, laid, messages, trailer)


def _split(text: str, name: str) -> tuple[list[_Block], str]:
    """Cut the raw text into entries (comments + keyword lines), checking the quoting that Babel
    does not check (a missing closing quote would silently lose a character)."""
    blocks: list[_Block] = []
    current = _Block()

    def close() -> None:
        nonlocal current
        if current.keyword:
            blocks.append(current)
            current = _Block()

    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if not stripped:
            if current.keyword:
                close()
            elif current.lines:
                current.lines.append(line)
            continue
        obsolete = stripped.startswith("#~")
        if stripped.startswith("#") and not obsolete:
            if current.msgstr:
                close()
            current.lines.append(line)
            continue
        body = stripped[2:].lstrip() if obsolete else stripped
        keyword, _space, argument = body.partition(" ")
        if body.startswith('"'):
            keyword, argument = "", body
        elif keyword in ("msgctxt", "msgid") and current.msgstr:
            close()
        if not obsolete:
            _check_line(name, number, keyword, argument.strip(), current)
            current.active = True
            if keyword == "msgid" and not current.msgid_line:
                current.msgid_line = number
                current.first_msgid = argument.strip()
            current.msgctxt = current.msgctxt or keyword == "msgctxt"
        current.keyword = True
        current.msgstr = current.msgstr or keyword.startswith("msgstr")
        current.lines.append(line)
    trailer = "" if current.keyword else "".join(current.lines)
    close()
    return blocks, trailer


def _check_line(name: str, number: int, keyword: str, argument: str, block: _Block) -> None:
    if keyword in ("msgid_plural",) or keyword.startswith("msgstr["):
        raise CatalogError(name, number, _("plural forms are not used in bundle catalogs"))
    if keyword not in ("", "msgctxt", "msgid", "msgstr"):
        raise CatalogError(name, number, _("unknown keyword {keyword!r}").format(keyword=keyword))
    if keyword == "" and not block.keyword:
        raise CatalogError(name, number, _("text line outside an entry"))
    if not _QUOTED.match(argument):
        raise CatalogError(name, number, _("text must be in double quotes"))


def _is_header(block: _Block) -> bool:
    return block.active and not block.msgctxt and block.first_msgid == '""'


def _header_field(header: str, name: str) -> str | None:
    """A header field read from the raw text (Babel drops fields it does not know)."""
    pattern = re.compile(_HEADER_FIELD.format(name=re.escape(name)), re.MULTILINE | re.IGNORECASE)
    match = pattern.search(header)
    return match.group(1).strip() if match else None


def _previous_id(comments: Iterable[str]) -> str | None:
    """The `#| msgid` of an entry; Babel keeps those lines as comments starting with '|'."""
    from babel.messages.pofile import unescape

    parts: list[str] = []
    found = in_msgid = False
    for comment in comments:
        if not comment.startswith("|"):
            continue
        body = comment[1:].strip()
        keyword, _space, argument = body.partition(" ")
        if body.startswith('"'):
            if in_msgid:
                parts.append(unescape(body))
        elif keyword == "msgid":
            found = in_msgid = True
            parts.append(unescape(argument.strip()))
        else:
            in_msgid = False
    return "".join(parts) if found else None


# -- coverage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How much of a bundle one catalog translates."""

    language: str
    total: int
    translated: int
    fuzzy: int
    missing: int
    unreviewed: int
    obsolete: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def catalog_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle's catalogs by language code (the file name), sorted by code."""
    prefix = f"{TRANSLATIONS_DIR}/"
    found = {
        name[len(prefix) : -len(".po")]: raw
        for name, raw in files.items()
        if name.startswith(prefix) and name.endswith(".po") and "/" not in name[len(prefix) :]
    }
    return dict(sorted(found.items()))


def coverage(bundle: Bundle) -> list[Coverage]:
    """One row per catalog of the bundle, sorted by language code."""
    from intake_tui.core.translations import bundle_messages

    messages = bundle_messages(bundle)
    rows: list[Coverage] = []
    for language, raw in catalog_files(bundle.files).items():
        catalog = parse_catalog(raw, name=f"{bundle.path}/{TRANSLATIONS_DIR}/{language}.po")
        rows.append(_coverage(language, catalog, messages))
    return rows


def _coverage(language: str, catalog: Catalog, messages: Sequence[Message]) -> Coverage:
    translated = fuzzy = missing = unreviewed = 0
    for message in messages:
        entry = catalog.entries.get(message.key)
        if entry is None or not entry.text:
            missing += 1
            continue
        if entry.fuzzy or entry.source != message.source:
            fuzzy += 1
        else:
            translated += 1
        unreviewed += catalog.is_unreviewed(message.key)
    keys = {m.key for m in messages}
    obsolete = sum(key not in keys for key in catalog.entries) + len(catalog.obsolete)
    return Coverage(language, len(messages), translated, fuzzy, missing, unreviewed, obsolete)


def format_coverage(rows: Sequence[Coverage]) -> str:
    """A plain-text table of coverage rows, columns aligned, for the terminal."""
    header = [
        _("language"),
        _("translated"),
        _("fuzzy"),
        _("missing"),
        _("unreviewed"),
        "%",
    ]
    table = [header] + [
        [
            r.language,
            f"{r.translated}/{r.total}",
            str(r.fuzzy),
            str(r.missing),
            str(r.unreviewed),
            f"{r.percent:.0f}",
        ]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in table
    ]
    return "\n".join(lines)


# -- run-time lookup -------------------------------------------------------------------------------


def fallback_chain(lang: str) -> tuple[str, ...]:
    """The languages to try for `lang`, in order, always ending in the Dutch source."""
    chain: list[str] = []

    def visit(code: str) -> None:
        if code in chain or code == SOURCE_LANGUAGE:
            return
        chain.append(code)
        base = code.split("-")[0].split("_")[0]
        if base != code:
            visit(base)
        for next_code in FALLBACK.get(code, ()):
            visit(next_code)

    visit(lang)
    return (*chain, SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Localized:
    """A text as it is shown, the language it is really in, and why (for the visible marker)."""

    text: str
    lang: str
    status: Status


class Localizer:
    """Bundle texts in a language, through the fallback chain; each catalog parsed once.

    A broken catalog does not stop an interview: it counts as empty (every text then shows its
    fallback marker) and its error is kept in `errors`."""

    def __init__(self, bundle: Bundle) -> None:
        self._files = catalog_files(bundle.files)
        self._path = bundle.path
        self._catalogs: dict[str, Catalog | None] = {}
        self.errors: dict[str, CatalogError] = {}

    def catalog(self, lang: str) -> Catalog | None:
        """The parsed catalog for `lang`, or None when the bundle has none (or it is broken)."""
        if lang not in self._catalogs:
            raw = self._files.get(lang)
            found: Catalog | None = None
            if raw is not None:
                name = f"{self._path}/{TRANSLATIONS_DIR}/{lang}.po"
                try:
                    found = parse_catalog(raw, name=name)
                except CatalogError as error:
                    self.errors[lang] = error
            self._catalogs[lang] = found
        return self._catalogs[lang]

    def text(self, key: str, source: str, lang: str) -> Localized:
        """The text of `key` in `lang`; outdated, untranslated or unchecked text says so."""
        for position, code in enumerate(fallback_chain(lang)):
            if code == SOURCE_LANGUAGE:
                return Localized(source, code, "ok" if position == 0 else "fallback")
            catalog = self.catalog(code)
            found = catalog.translation(key, source) if catalog else None
            if catalog is None or found is None:
                continue
            text, current = found
            if position > 0:
                if current:  # a fallback language only helps with a current translation
                    return Localized(text, code, "fallback")
                continue
            if not current:
                return Localized(text, code, "fuzzy")
            return Localized(text, code, "unreviewed" if catalog.is_unreviewed(key) else "ok")
        raise AssertionError("the fallback chain ends in the source language")  # pragma: no cover

    def is_unreviewed(self, lang: str) -> bool:
        """True when the catalog of `lang` says it was machine-made and not checked."""
        catalog = self.catalog(lang)
        return catalog is not None and not catalog.reviewed


def marker(status: Status, lang: str = SOURCE_LANGUAGE, ui_lang: str | None = None) -> str:
    """The short visible note for a shown text ("" when none is needed); `lang` is the language
    the text is really in, named in `ui_lang` (default: the UI language)."""
    if status == "fuzzy":
        return _("translation may be outdated")
    if status == "fallback":
        return _("not translated; shown in {language}").format(
            language=language_name(lang, ui_lang)
        )
    if status == "unreviewed":
        return _("unreviewed translation")
    return ""


def language_name(code: str, ui_lang: str | None = None) -> str:
    """The name of a language in the UI language (i18n/locale_format.py: Dari is `prs`)."""
    from intake_tui.i18n.locale_format import language_name as named

    return named(code, ui_lang or current_language())


def unreviewed_languages(bundle: Bundle) -> list[str]:
    """The languages whose catalog says `X-Intake-Reviewed: no` (a broken catalog is left out:
    it counts as empty at run time)."""
    found: list[str] = []
    for language, raw in catalog_files(bundle.files).items():
        try:
            catalog = parse_catalog(raw, name=f"{bundle.path}/{TRANSLATIONS_DIR}/{language}.po")
        except CatalogError:
            continue
        if not catalog.reviewed:
            found.append(language)
    return found
