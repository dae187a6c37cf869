"""Dates, numbers, language and country names, and text direction: Babel in one place.

Dari is `prs` in the bundle (shown as "Dari"); CLDR has no such locale, so it is mapped to
`fa_AF` for dates and numbers only (docs/decisions.md). Babel is imported inside the
functions: none of this is needed for the first frame.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from intake_tui.i18n.direction import text_direction

BABEL_LOCALE = {"prs": "fa_AF"}  # bundle language → CLDR locale, for formatting only
OWN_NAMES = {"prs": "دری"}  # a language's name in itself, where CLDR has none

# "Yes" and "no" as the newcomer reads them: yes/no questions have no catalog entry of their
# own in a bundle. Machine-made like the catalogs, and marked unreviewed with them.
YES_NO: dict[str, tuple[str, str]] = {
    "nl": ("ja", "nee"),
    "en": ("yes", "no"),
    "ar": ("نعم", "لا"),
    "fa": ("بله", "خیر"),
    "prs": ("بلی", "نخیر"),
    "ti": ("እወ", "ኣይፋል"),
    "tr": ("evet", "hayır"),
    "so": ("haa", "maya"),
}


# The unreviewed mark as the newcomer reads it, for the newcomer's own view (the UI catalogs
# exist only for nl and en). Machine-made like the catalogs it warns about.
UNREVIEWED_NOTICE: dict[str, str] = {
    "nl": "machinevertaling, niet nagekeken",
    "en": "machine translation, not checked",
    "ar": "ترجمة آلية لم يراجعها أحد",
    "fa": "ترجمهٔ ماشینی، بازبینی‌نشده",
    "prs": "ترجمهٔ ماشینی، بازبینی‌نشده",
    "ti": "ብማሽን ዝተተርጎመ፡ ገና ኣይተመርመረን",
    "tr": "makine çevirisi, kontrol edilmedi",
    "so": "tarjumad mashiin, lama hubin",
}


def unreviewed_notice(lang: str) -> str:
    """The unreviewed mark in `lang` (English when the language is not listed)."""
    return UNREVIEWED_NOTICE.get(lang) or UNREVIEWED_NOTICE["en"]


def babel_locale(lang: str) -> str:
    """The CLDR locale used to format for `lang` (`prs` → `fa_AF`; `pt-BR` → `pt_BR`)."""
    return BABEL_LOCALE.get(lang, lang.replace("-", "_"))


def direction(lang: str) -> Literal["ltr", "rtl"]:
    """`rtl` for languages written right to left."""
    return text_direction(lang)


@lru_cache(maxsize=512)
def language_name(code: str, in_language: str) -> str:
    """The name of language `code` in `in_language` ("Dari" for `prs` in nl/en)."""
    if code == "prs":
        return OWN_NAMES["prs"] if in_language == "prs" else "Dari"
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(babel_locale(in_language))
    except (UnknownLocaleError, ValueError):
        return code
    return name or code


@lru_cache(maxsize=2048)
def country_name(code: str, in_language: str) -> str:
    """The name of ISO 3166 territory `code` in `in_language`."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(babel_locale(in_language))
    except (UnknownLocaleError, ValueError):
        return code
    return str(locale.territories.get(code, code))


def format_date(day: dt.date, lang: str) -> str:
    """A date as people of `lang` read it (medium length: 21 mrt 2024, መጋቢት 21, 2024)."""
    from babel.dates import format_date as babel_format_date

    if lang == "nl":
        return day.strftime("%d-%m-%Y")  # the caseworker's fixed form
    return babel_format_date(day, format="medium", locale=babel_locale(lang))


def format_number(value: int | float | Decimal, lang: str) -> str:
    """A number with the digits `lang` uses (Persian digits for fa and Dari)."""
    from babel.numbers import format_decimal

    locale = babel_locale(lang)
    if lang in ("fa", "prs"):
        # Babel 2.19 gives the Persian separators (٬ ٫) for the default numbering system but
        # keeps Latin digits; CLDR's `arabext` digits are put in here.
        text = format_decimal(value, locale=locale, numbering_system="default")
        return text.translate(_PERSIAN_DIGITS)
    return format_decimal(value, locale=locale)


_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def yes_no(value: bool, lang: str) -> str:
    """ "Yes" or "no" in `lang` (Dutch when the language is not listed)."""
    words = YES_NO.get(lang) or YES_NO.get(lang.split("_")[0].split("-")[0]) or YES_NO["nl"]
    return words[0] if value else words[1]
