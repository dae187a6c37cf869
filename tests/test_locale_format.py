"""Locale formatting in one place: digits, names and dates as each language writes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from intake_tui.i18n import locale_format as lf

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


def test_persian_and_dari_numbers_use_persian_digits() -> None:
    for lang in ("fa", "prs"):
        text = lf.format_number(1234, lang)
        assert {c for c in text if c.isdigit()} <= PERSIAN_DIGITS, text
        assert [int(c) for c in text if c.isdigit()] == [1, 2, 3, 4]


def test_other_languages_keep_latin_digits() -> None:
    assert lf.format_number(Decimal("1234.5"), "nl") == "1.234,5"
    assert lf.format_number(Decimal("1234.5"), "en") == "1,234.5"


def test_dari_is_named_dari_and_formats_as_afghan_persian() -> None:
    assert lf.language_name("prs", "nl") == "Dari"
    assert lf.language_name("prs", "prs") == "دری"
    assert lf.babel_locale("prs") == "fa_AF"


def test_language_and_country_names_follow_the_requested_language() -> None:
    assert lf.language_name("ar", "nl") == "Arabisch"
    assert lf.language_name("ar", "en") == "Arabic"
    assert lf.country_name("ER", "nl") == "Eritrea"
    assert lf.country_name("ER", "en") == "Eritrea"
    assert lf.country_name("SY", "nl") != lf.country_name("SY", "ar")


def test_dates_are_written_the_way_each_language_does() -> None:
    day = dt.date(2024, 3, 21)
    assert lf.format_date(day, "nl") == "21-03-2024"  # the caseworker's fixed form
    tigrinya = lf.format_date(day, "ti")
    assert "21" in tigrinya and "2024" in tigrinya
    assert any("\u1200" <= c <= "\u137f" for c in tigrinya)  # a month name in Ge'ez


def test_direction_per_language() -> None:
    assert [lf.direction(x) for x in ("ar", "fa", "prs", "ti", "so", "tr")] == [
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
        "ltr",
    ]


def test_yes_no_in_every_language_the_bundle_offers_and_dutch_for_the_rest() -> None:
    from intake_tui.core.questionnaire import load_bundle

    from .conftest import DEFAULT_BUNDLE

    for lang in load_bundle(DEFAULT_BUNDLE).languages:
        assert lang in lf.YES_NO
        assert lf.yes_no(True, lang) != lf.yes_no(False, lang)
    assert lf.yes_no(True, "xx") == "ja"
    assert lf.yes_no(False, "fa-AF") == lf.YES_NO["fa"][1]
