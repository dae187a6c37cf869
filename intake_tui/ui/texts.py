"""A bundle's texts in two languages: the caseworker's and the newcomer's.

The interview and the review both show a question, its choices and an answer in the
caseworker's language with the newcomer's beside it; this is the one place that knows where
each text comes from (the bundle's catalogs through core/catalogs.Localizer, CLDR names for
countries and languages, i18n/locale_format for yes/no) and how a right-to-left line is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from intake_tui.core.catalogs import Localized, Localizer
from intake_tui.core.display import show_value_in
from intake_tui.core.text_refs import fill
from intake_tui.core.values import Answer
from intake_tui.i18n import _
from intake_tui.i18n.direction import text_direction


class BundleTexts:
    """Texts of one bundle for a caseworker (`ui_language`) and a newcomer (`language`)."""

    def __init__(self, bundle: Any, ui_language: str, language: str, rtl_mode: str) -> None:
        self.bundle = bundle
        self.ui_language = ui_language
        self.language = language
        self.rtl = text_direction(language) == "rtl"
        self.rtl_mode = rtl_mode
        self.localizer = Localizer(bundle)
        # Answers inside texts ({name}, core/text_refs.py): set by `attach`.
        self._engine: Callable[[], Any] | None = None
        self._shown: Mapping[str, Mapping[str, str]] = {}

    def attach(
        self, engine: Callable[[], Any], shown: Mapping[str, Mapping[str, str]]
    ) -> BundleTexts:
        """Fill `{name}` in texts from the open interview (`engine()`, its answers now) and
        from `shown` (the intake's answers and the plan's values, per language)."""
        self._engine = engine
        self._shown = shown
        return self

    def fill(self, text: str, lang: str) -> str:
        """`text` with its names filled in `lang` (core/text_refs.py)."""
        return fill(text, lambda name: self._value(name, lang))

    def _value(self, name: str, lang: str) -> str | None:
        if "." in name:
            found = self._shown.get(name)
            return None if found is None else found.get(lang) or found.get("nl")
        item = self.bundle.items.get(name)
        if self._engine is None or item is None:
            return None
        value = self._engine().value(name)
        if value is None:
            return "—"
        return show_value_in(
            item,
            value,
            lang,
            lambda choice, lang: self.localizer.text(choice.key, choice.label, lang).text,
        )

    def key(self, item_id: str, field: str = "label") -> tuple[str, str]:
        """(catalog key, Dutch source) of a field of a section or question."""
        item = self.bundle.items[item_id]
        if item.type == "section":
            section: Any = item.spec
            if field == "label":
                return f"section.{item_id}.title", section.title
            return f"section.{item_id}.description", section.description or ""
        if field == "label":
            return f"question.{item_id}.label", item.label
        return f"question.{item_id}.{field}", getattr(item.question, field, None) or ""

    def caseworker(self, item_id: str, field: str = "label") -> str:
        """A text in the caseworker's language (the Dutch source for nl)."""
        key, source = self.key(item_id, field)
        if not source:
            return ""
        return self.fill(self.localizer.text(key, source, self.ui_language).text, self.ui_language)

    def newcomer(self, item_id: str, field: str = "label") -> Localized:
        """A text in the newcomer's language, with the language shown and why."""
        key, source = self.key(item_id, field)
        return self.text(key, source, self.language)

    def text(self, key: str, source: str, lang: str) -> Localized:
        """A bundle text by its catalog key in `lang`, names filled in the language shown."""
        found = self.localizer.text(key, source, lang)
        return replace(found, text=self.fill(found.text, found.lang))

    def choices(self, item: Any, offered: Any = None) -> list[tuple[str, str, str]]:
        """(code, caseworker label, newcomer label) for each option of a choice question:
        of `offered` when given (what `Interview.choices` offers now), else of all of them."""
        from intake_tui.i18n import locale_format

        if item.type == "yes_no":
            # Yes/no have no catalog entry in a bundle: the UI catalog has the caseworker's
            # word, i18n/locale_format.py the newcomer's.
            return [
                ("true", _("yes"), locale_format.yes_no(True, self.language)),
                ("false", _("no"), locale_format.yes_no(False, self.language)),
            ]
        if item.choice_source is not None:
            # Countries and languages are named by CLDR (Babel) in each language.
            name = (
                locale_format.country_name
                if item.choice_source == "countries"
                else locale_format.language_name
            )
            found = []
            for c in (item.choices or ()) if offered is None else offered:
                # CLDR names some languages only in a few locales: then the Dutch name.
                mine = name(c.value, self.ui_language)
                theirs = name(c.value, self.language)
                found.append(
                    (
                        c.value,
                        c.label if mine == c.value else mine,
                        c.label if theirs == c.value else theirs,
                    )
                )
            return found
        return [
            (
                choice.value,
                self.localizer.text(choice.key, choice.label, self.ui_language).text,
                self.localizer.text(choice.key, choice.label, self.language).text,
            )
            for choice in ((item.choices or ()) if offered is None else offered)
        ]

    def answer_in_newcomer_language(self, item: Any, answer: Answer | None) -> str | None:
        """A chosen answer in the newcomer's words; None for free text (never translated)."""
        if answer is None or not answer.known:
            return None
        if item.type not in ("choice", "yes_no", "multi_choice"):
            return None
        theirs = {code: label for code, _mine, label in self.choices(item)}
        value = answer.value
        codes = value if isinstance(value, tuple) else (value,)
        named = [
            theirs.get("true" if c is True else "false" if c is False else str(c), str(c))
            for c in codes
        ]
        return "، ".join(named) if self.rtl else ", ".join(named)

    def shape(self, text: str) -> str:
        """One line of the newcomer's text as the terminal should draw it."""
        if not self.rtl or self.rtl_mode != "app":
            return text
        from intake_tui.i18n.bidi import shape_line

        return shape_line(text)

    def lines(self, text: str, width: int) -> list[str]:
        """The newcomer's text wrapped to `width` and drawn (right-aligned when RTL)."""
        from intake_tui.i18n.bidi import display_lines

        found = display_lines(text, max(10, width), rtl=self.rtl, mode=self.rtl_mode)  # type: ignore[arg-type]
        if not self.rtl:
            return list(found)
        from rich.cells import cell_len

        return [" " * max(0, width - cell_len(line)) + line for line in found]


def answer_text(texts: BundleTexts, item: Any, answer: Answer | None) -> str:
    """An answer as the caseworker reads it: a chosen option by its label in the UI language
    (the review and the interview's "Answered:" line say the same)."""
    from intake_tui.core.bundle_model import CHOICE_TYPES
    from intake_tui.core.display import show_answer

    if answer is None or not answer.known or item.type not in CHOICE_TYPES:
        return show_answer(item, answer)
    mine = {code: label for code, label, _theirs in texts.choices(item)}
    codes = answer.value if isinstance(answer.value, tuple) else (answer.value,)
    keys = ["true" if c is True else "false" if c is False else str(c) for c in codes]
    return ", ".join(mine.get(key, key) for key in keys)
