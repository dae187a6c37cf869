"""The UI's translation functions: `_()` and `ngettext()` over the gettext domain `intake_tui`.

Message ids are English. The active language is process-wide and starts as English (the source),
so importing this module costs nothing; `set_language()` loads a catalog from `locales/` when a
caseworker or `--lang` asks for one. Catalogs are read from their `.po` source (i18n/po.py, a
reader of the shape Babel writes, faster to start than Babel's), so a fresh install needs no
compile step.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

DOMAIN = "intake_tui"

_active: _gettext.NullTranslations = _gettext.NullTranslations()
_active_language = "en"


class _PoTranslations(_gettext.NullTranslations):
    """A gettext translations object filled from a `.po` catalog."""

    def __init__(self, messages: dict[str, str | tuple[str, ...]], plural_expr: object) -> None:
        super().__init__()
        self._messages = messages
        self._plural = plural_expr

    def gettext(self, message: str) -> str:
        found = self._messages.get(message)
        if isinstance(found, str) and found:
            return found
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = self._messages.get(msgid1)
        if isinstance(found, tuple) and all(found):
            index = int(self._plural(n))  # type: ignore[operator]
            if 0 <= index < len(found):
                return found[index]
        return msgid1 if n == 1 else msgid2


def _catalog_path(language: str, locales: Path) -> Path | None:
    for candidate in (language, language.split("_")[0].split("-")[0]):
        path = locales / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


def load_translations(language: str, locales: Path | None = None) -> _gettext.NullTranslations:
    """The catalog for `language` (BCP 47 tag or POSIX locale name); English if there is none."""
    if language in ("", "en"):
        return _gettext.NullTranslations()
    if locales is None:
        from intake_tui.resources import locales_dir

        locales = locales_dir()
    path = _catalog_path(language, locales)
    if path is None:
        return _gettext.NullTranslations()
    # The reader is imported here, not at module level: English needs no catalog.
    from intake_tui.i18n.po import cached_ui_catalog

    found = cached_ui_catalog(path)
    return _PoTranslations(found.messages, found.plural and _plural_function(found.plural))


def _plural_function(expression: str) -> object:
    # The catalog header's Plural-Forms is a C expression; gettext's own c2py compiles it safely.
    return _gettext.c2py(expression)


def set_language(language: str) -> None:
    """Make `language` the language of every `_()` from now on."""
    global _active, _active_language
    _active = load_translations(language)
    _active_language = language or "en"


def current_language() -> str:
    """The language `_()` translates into."""
    return _active_language


def _(message: str) -> str:
    """Translate a UI message (English msgid) into the active language."""
    return _active.gettext(message)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now (translated where it is shown).

    Key descriptions use it: they are translated by `intake_tui.ui.keys.localize_bindings`,
    so a change of UI language reaches the footer without a restart."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count, with the language's own plural forms."""
    return _active.ngettext(singular, plural, n)
