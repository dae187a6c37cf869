"""The plan as one printable, bilingual HTML page for the newcomer.

`render_plan_html` turns an export document into a self-contained page: inline CSS for A4 paper
and large type, no scripts, no external resources, no remote fonts. The plan is shown by section
in Dutch and in the newcomer's language side by side; every column cell carries its own `lang`
and `dir`. Texts of the bundle (field labels, value labels, rule reasons, section titles) come
from `plan.yaml` and are translated by key (the catalog's msgctxt):

    plan.section.<id>    plan.field.<key>.label    plan.field.<key>.value.<code>
    plan.rule.<id>.because

A text without a translation is shown in Dutch with a visible "(NL)" marker, never left out.
When the newcomer's catalog says `X-Intake-Reviewed: no` the page says the translation was
machine-made and not checked. The page carries no name of the newcomer unless one is given.
Every value is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from html import escape
from typing import Any, get_args

from intake_tui.core.bundle_model import Bundle
from intake_tui.core.catalogs import Localized, Localizer
from intake_tui.core.export import ExportDocument, PlanFieldOut, SourceOut
from intake_tui.core.plan.fields import FIELDS, Section
from intake_tui.core.plan.rules import PlanRules
from intake_tui.i18n import load_translations
from intake_tui.i18n.direction import text_direction

Translator = Callable[[str, str, str], "Localized | None"]
"""`translations(key, dutch, lang)`: the text for a msgctxt key in `lang` as the catalogs have it
(with the language it is really in and whether it may be outdated), or None for the Dutch."""

SOURCE_LANGUAGE = "nl"
CONTACT_KEYS = ("contactpersoon.naam", "contactpersoon.email", "contactpersoon.telefoon")


def N_(message: str) -> str:
    """Mark a UI message for extraction; it is translated per column by `_fixed`."""
    return message


WHY = N_("Why:")


# -- the bundle's translations -------------------------------------------------------------------


def bundle_translator(bundle: Bundle) -> Translator:
    """The default `translations` of `render_plan_html`: the bundle's own catalogs, through the
    fallback chain (core/catalogs.py), so outdated and borrowed texts are marked, not hidden."""
    return Localizer(bundle).text


def translation_unreviewed(bundle: Bundle, lang: str) -> bool:
    """True when the bundle's catalog for `lang` says `X-Intake-Reviewed: no` in its header."""
    return Localizer(bundle).is_unreviewed(lang)


# -- fixed UI words per column ---------------------------------------------------------------------

# The Dutch of this page's fixed words, used while the `nl` UI catalog does not have them yet: the
# Dutch column is the official text and must never fall back to English.
_DUTCH = {
    "Personal plan for integration and participation (PIP)": (
        "Persoonlijk plan inburgering en participatie (PIP)"
    ),
    "The translation on this page was made by a computer and has not been checked by a person. "
    "The Dutch text is the official text.": (
        "De vertaling op deze pagina is door een computer gemaakt en niet door een mens "
        "gecontroleerd. De Nederlandse tekst is de officiële tekst."
    ),
    "Final plan": "Definitief plan",
    "Plan advice, agreed in our conversation (not final yet)": (
        "PIP-advies, besproken in ons gesprek (nog niet definitief)"
    ),
    "Status": "Status",
    "Version": "Versie",
    "Name": "Naam",
    "Date of the plan (dagtekening)": "Datum van het plan (dagtekening)",
    "Period to complete your integration": "Termijn om uw inburgering af te ronden",
    "{start} to {end} (as registered by DUO)": (
        "{start} tot en met {end} (zoals DUO die registreert)"
    ),
    "{start} to {end} (computed: 3 years after your first plan)": (
        "{start} tot en met {end} (berekend: 3 jaar na uw eerste plan)"
    ),
    "the municipality": "de gemeente",
    "the address the municipality gives you": "het adres dat de gemeente u geeft",
    "Contact person": "Contactpersoon",
    "not decided yet": "nog niet besloten",
    "yes": "ja",
    "no": "nee",
    "Why:": "Waarom:",
    "What changed since version {n}": "Wat is er veranderd sinds versie {n}",
    "Our agreements until the next conversation": "Onze afspraken tot het volgende gesprek",
    "Date of the conversation": "Datum van het gesprek",
    "Next conversation": "Volgende gesprek",
    "No agreements were recorded.": "Er zijn geen afspraken vastgelegd.",
    "Who: {who}": "Wie: {who}",
    "By: {date}": "Uiterlijk: {date}",
    "was: {before} · now: {after}": "was: {before} · nu: {after}",
    "The rule proposed: {rule}. The caseworker chose: {chosen}, because: {reason}": (
        "Het voorstel was: {rule}. De regievoerder koos: {chosen}, omdat: {reason}"
    ),
    "Texts marked (NL) have not been translated yet and are shown in Dutch.": (
        "Teksten met (NL) zijn nog niet vertaald en staan er in het Nederlands."
    ),
    "Texts marked (?) may be outdated: the Dutch text changed after the translation.": (
        "Teksten met (?) zijn mogelijk verouderd: de Nederlandse tekst is na de vertaling "
        "gewijzigd."
    ),
    # The newcomer's own data (store/person_export.py).
    "What the municipality has stored about you": "Wat de gemeente over u heeft opgeslagen",
    "Date of the intake": "Datum van de intake",
    "Your answers": "Uw antwoorden",
    "you did not know": "u wist het niet",
    "you did not want to answer": "u wilde dit niet beantwoorden",
    "not used: the question did not apply": "niet gebruikt: de vraag was niet van toepassing",
    "Notes of the caseworker": "Notities van de regievoerder",
    "marked for follow-up": "gemarkeerd voor opvolging",
    "Plan, version {revision}": "Plan, versie {revision}",
    "This version was removed from this laptop after the municipality received it; the "
    "central system of the municipality has it.": (
        "Deze versie is van deze laptop verwijderd nadat de gemeente haar ontving; het centrale "
        "systeem van de gemeente heeft haar."
    ),
    "Changes to your answers": "Wijzigingen in uw antwoorden",
    "{when}: {question}: {old} became {new} (by {who})": (
        "{when}: {question}: {old} werd {new} (door {who})"
    ),
    "Who received your data": "Wie uw gegevens ontving",
    "Version {revision} of your plan was received by the central system of the municipality "
    "on {date} (receipt {receipt}).": (
        "Versie {revision} van uw plan is op {date} ontvangen door het centrale systeem van de "
        "gemeente (ontvangstbewijs {receipt})."
    ),
    "Version {revision} of your plan is waiting to be sent to the central system of the "
    "municipality.": (
        "Versie {revision} van uw plan wacht om verstuurd te worden naar het centrale systeem "
        "van de gemeente."
    ),
    "Version {revision} of your plan was sent to the central system of the municipality and "
    "was not accepted ({state}).": (
        "Versie {revision} van uw plan is verstuurd naar het centrale systeem van de gemeente en "
        "niet aangenomen ({state})."
    ),
    "Nothing has been sent to anyone.": "Er is niets naar iemand verstuurd.",
    "DUO and the case system are not connected yet: nothing is sent there.": (
        "DUO en het zaaksysteem zijn nog niet aangesloten: daarheen wordt niets verstuurd."
    ),
}


@lru_cache(maxsize=16)
def _ui_catalog(lang: str) -> gettext.NullTranslations:
    return load_translations(lang)


def _fixed(message: str, lang: str) -> tuple[str, str]:
    """A UI message in `lang` (via the gettext catalogs of intake_tui.i18n), and the language it
    really is in: `lang` when its catalog has it, else Dutch (the page's official language)."""
    if lang == "en":
        return message, "en"
    text = _ui_catalog(lang).gettext(message)
    if text != message:
        return text, lang
    if lang != SOURCE_LANGUAGE:
        dutch = _ui_catalog(SOURCE_LANGUAGE).gettext(message)
        if dutch != message:
            return dutch, SOURCE_LANGUAGE
    return _DUTCH.get(message, message), SOURCE_LANGUAGE if message in _DUTCH else "en"


def facts_block(c: Any, lines: list[tuple[str, str]]) -> str:
    """The facts at the top of a page: each UI label in the column's language, then its value
    (already escaped by the caller)."""
    return (
        '<div class="facts">'
        + "".join(
            f'<div><span class="fact">{c.ui(label)}</span> {value}</div>' for label, value in lines
        )
        + "</div>"
    )


def dutch_text(message: str) -> str:
    """A fixed message of these pages in Dutch (plain text, not escaped)."""
    return _fixed(message, SOURCE_LANGUAGE)[0]


# -- rendering ------------------------------------------------------------------------------------


class _Column:
    """Everything one column (one language) needs to say its texts."""

    def __init__(self, lang: str, rules: PlanRules, translations: Translator) -> None:
        self.lang = lang
        self.dir = text_direction(lang)
        self.rules = rules
        self.translations = translations

    def attrs(self) -> str:
        return f'lang="{escape(self.lang)}" dir="{self.dir}"'

    def foreign(self, text_html: str, lang: str) -> str:
        """HTML in another language than the column's: its own lang/dir and a visible marker."""
        if lang == self.lang:
            return text_html
        marker = f"({escape(lang.upper())})"
        return (
            f'<span class="fallback" lang="{escape(lang)}" dir="{text_direction(lang)}">'
            f'{text_html} <span class="marker">{marker}</span></span>'
        )

    def ui(self, message: str) -> str:
        text, lang = _fixed(message, self.lang)
        return self.foreign(escape(text), lang)

    def ui_format(self, message: str, **parts: str) -> str:
        """A UI sentence with HTML parts (already escaped) put in its placeholders."""
        text, lang = _fixed(message, self.lang)
        try:
            filled = escape(text).format(**parts)
        except (KeyError, IndexError, ValueError):
            lang = "en"
            filled = escape(message).format(**parts)
        return self.foreign(filled, lang)

    def bundle_text(self, key: str, dutch: str) -> str:
        """A text of plan.yaml: translated by its key, else the Dutch with a marker."""
        if self.lang == SOURCE_LANGUAGE:
            return escape(dutch)
        found = self.translations(key, dutch, self.lang)
        if found is None or found.lang == SOURCE_LANGUAGE:
            return self.foreign(escape(dutch), SOURCE_LANGUAGE)
        if found.status == "fuzzy":
            # The Dutch changed after this was translated: shown, and marked as maybe outdated.
            return f'{escape(found.text)} <span class="marker">(?)</span>'
        return self.foreign(escape(found.text), found.lang)

    def dutch(self, text: str) -> str:
        """Free text the caseworker wrote in Dutch (never translated)."""
        return self.foreign(escape(text), SOURCE_LANGUAGE)

    def section_title(self, section: str) -> str:
        dutch = self.rules.sections.get(section) or section.capitalize()
        return self.bundle_text(f"plan.section.{section}", dutch)

    def label(self, key: str) -> str:
        return self.bundle_text(f"plan.field.{key}.label", self.rules.label(key))

    def value(self, key: str, value: Any) -> str:
        if value is None or value == []:
            return self.ui(N_("not decided yet"))
        if isinstance(value, list):
            if value and all(isinstance(item, dict) for item in value):
                return "<br>".join(self.goal(item) for item in value)
            return ", ".join(self.value(key, item) for item in value)
        if isinstance(value, bool):
            return self.ui(N_("yes") if value else N_("no"))
        if isinstance(value, str):
            spec = FIELDS.get(key)
            if spec is not None and spec.type is dt.date:
                return _ltr(_date(value))
            text = self.rules.fields.get(key)
            if text is not None and value in text.values:
                return self.bundle_text(f"plan.field.{key}.value.{value}", text.values[value])
        return escape(str(value))

    def goal(self, goal: dict[str, Any]) -> str:
        """An ontwikkelwens or aandachtspunt: its description, sub-goals and dates."""
        text = escape(str(goal.get("omschrijving") or ""))
        if goal.get("subdoelen"):
            text += " — " + escape(str(goal["subdoelen"]))
        start, end = goal.get("start"), goal.get("eind")
        if start or end:
            text += " (" + escape(_date(start) if start else "…") + " – "
            text += escape(_date(end) if end else "…") + ")"
        return text

    def reason(self, source: SourceOut) -> str:
        return self.bundle_text(f"plan.rule.{source.rule}.because", source.because)

    def date(self, day: dt.date | None) -> str:
        # dd-mm-jjjj stays left-to-right inside Arabic text (the bidi algorithm would otherwise
        # reorder the digit groups around the hyphens).
        return _ltr(day.strftime("%d-%m-%Y")) if day is not None else "—"


def _ltr(text: str) -> str:
    return f'<span dir="ltr">{escape(text)}</span>'


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).strftime("%d-%m-%Y")
    except ValueError:
        return text


def _language_name(lang: str) -> str:
    """A language's name in itself, as the page's column heading (Dari: دری)."""
    from intake_tui.i18n.locale_format import language_name

    return language_name(lang, lang)


OBJECTION = "bezwaar.clausule"


def _objection_html(column: _Column, *, fields: dict[str, PlanFieldOut], bundle: Bundle) -> str:
    """The rechtsmiddelenclausule in the column's language, with the gemeente's name and
    address as the plan recorded them (fields of their own)."""
    spec = bundle.plan.objection
    gemeente = (
        escape(str(fields["bezwaar.gemeente"].value or "")) if "bezwaar.gemeente" in fields else ""
    )
    adres = escape(str(fields["bezwaar.adres"].value or "")) if "bezwaar.adres" in fields else ""
    gemeente = gemeente or column.ui(N_("the municipality"))
    adres = adres or column.ui(N_("the address the municipality gives you"))
    text = column.bundle_text("plan.bezwaar.tekst", spec.tekst)
    try:
        text = text.format(gemeente=gemeente, adres=adres)
    except (KeyError, IndexError, ValueError):  # a translation that lost a placeholder
        text = column.foreign(escape(spec.tekst).format(gemeente=gemeente, adres=adres), "nl")
    after = column.bundle_text("plan.bezwaar.niet_nakomen", spec.niet_nakomen)
    return (
        f'<div class="label">{column.label(OBJECTION)}</div>'
        f'<div class="value">{text}</div><div class="value">{after}</div>'
    )


def _shown(field: PlanFieldOut) -> bool:
    has_value = field.value is not None and field.value != []
    return has_value or bool(field.needs_decision and field.override is None)


def _section_html(column: _Column, *, section: str) -> str:
    return f"<h2>{column.section_title(section)}</h2>"


def _field_html(column: _Column, *, key: str, field: PlanFieldOut) -> str:
    parts = [
        f'<div class="label">{column.label(key)}</div>',
        f'<div class="value">{column.value(key, field.value)}</div>',
    ]
    reasons = field.sources if field.value is not None else field.needs_decision or field.sources
    for source in reasons:
        parts.append(
            f'<div class="reason"><span class="why">{column.ui(WHY)}</span> '
            f"{column.reason(source)}</div>"
        )
    override = field.override
    if override is not None:
        parts.append(
            '<div class="override">'
            + column.ui_format(
                N_("The rule proposed: {rule}. The caseworker chose: {chosen}, because: {reason}"),
                rule=column.value(key, field.rule_value),
                chosen=column.value(key, override.value),
                reason=column.dutch(override.reason),
            )
            + "</div>"
        )
    return "".join(parts)


Column = _Column
"""One language's column of a page (the public name, for the newcomer's own data page)."""


def _row(columns: Sequence[_Column], cells: Callable[[_Column], str], css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    tds = "".join(f"<td {c.attrs()}>{cells(c)}</td>" for c in columns)
    return f"<tr{klass}>{tds}</tr>"


table_row = _row
"""A row of the page: `cells(column)` is each column's HTML (already escaped)."""


_CSS = """
@page { size: A4; margin: 15mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans", "Segoe UI", "DejaVu Sans", Tahoma, Arial, sans-serif;
       font-size: 13pt; line-height: 1.5; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 190mm; padding: 6mm 0; }
table.plan { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.plan td, table.plan th { vertical-align: top; padding: 5pt 7pt;
       border-bottom: 0.75pt solid #888; text-align: start; }
table.plan td + td { border-inline-start: 0.75pt solid #888; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.section td { border-bottom: 2pt solid #000; padding-top: 14pt; }
h1 { font-size: 20pt; line-height: 1.25; margin: 0; }
h2 { font-size: 16pt; margin: 0; break-after: avoid; page-break-after: avoid; }
.lang { font-size: 11pt; text-transform: uppercase; letter-spacing: 0.05em; }
.label { font-weight: bold; }
.value { font-size: 14pt; }
.reason, .override, .facts { font-size: 12pt; }
.override { border-inline-start: 3pt solid #000; padding-inline-start: 5pt; margin-top: 3pt; }
.why, .fact { font-weight: bold; }
.marker { font-size: 10pt; font-weight: bold; border: 0.75pt solid #000; padding: 0 2pt;
          white-space: nowrap; }
.notice td { border: 2pt solid #000; font-weight: bold; }
footer { margin-top: 8mm; font-size: 10pt; }
[dir="rtl"] { text-align: right; }
span[dir="ltr"] { white-space: nowrap; unicode-bidi: isolate; }
@media screen { body { padding: 10mm; } }
"""


def plan_columns(
    bundle: Bundle, newcomer_language: str, translations: Translator | None = None
) -> list[Column]:
    """The page's columns: Dutch, and the newcomer's language when that is not Dutch."""
    rules = bundle.plan if isinstance(bundle.plan, PlanRules) else PlanRules(())
    translate = translations if translations is not None else bundle_translator(bundle)
    columns = [_Column(SOURCE_LANGUAGE, rules, translate)]
    if newcomer_language != SOURCE_LANGUAGE:
        columns.append(_Column(newcomer_language, rules, translate))
    return columns


def title_row(columns: Sequence[Column], title: str) -> str:
    """The heading row: each column's language name and `title` (an N_ message) in it."""
    return _row(
        columns,
        lambda c: f'<div class="lang">{escape(_language_name(c.lang))}</div><h1>{c.ui(title)}</h1>',
        "title",
    )


def plan_rows(
    doc: ExportDocument,
    bundle: Bundle,
    columns: Sequence[Column],
    *,
    display_name: str | None = None,
) -> list[str]:
    """The plan's rows: its facts (status, version, dates, contact), its fields by section with
    their reasons and the caseworker's choices, and the rechtsmiddelenclausule."""
    plan = doc.plan
    record = doc.record
    rows: list[str] = []

    def facts(c: _Column) -> str:
        status = (
            N_("Final plan")
            if record.status == "final"
            else N_("Plan advice, agreed in our conversation (not final yet)")
        )
        lines = [
            (N_("Status"), c.ui(status)),
            (N_("Version"), escape(str(record.revision))),
        ]
        if display_name:
            lines.insert(0, (N_("Name"), escape(display_name)))
        if plan.dagtekening is not None:
            lines.append((N_("Date of the plan (dagtekening)"), c.date(plan.dagtekening)))
        if plan.termijn is not None:
            # Which end: DUO's registration, or computed (3 years after the first PIP).
            source = plan.fields.get("termijn_bron")
            by_duo = source is not None and source.value == "duo"
            lines.append(
                (
                    N_("Period to complete your integration"),
                    c.ui_format(
                        N_("{start} to {end} (as registered by DUO)")
                        if by_duo
                        else N_("{start} to {end} (computed: 3 years after your first plan)"),
                        start=c.date(plan.termijn.start),
                        end=c.date(plan.termijn.end),
                    ),
                )
            )
        for key in CONTACT_KEYS:
            contact = plan.fields.get(key)
            if contact is not None and contact.value not in (None, []):
                lines.append((N_("Contact person"), c.value(key, contact.value)))
        return facts_block(c, lines)

    rows.append(_row(columns, facts, "facts"))

    for section in get_args(Section):
        keys = [
            key
            for key, spec in FIELDS.items()
            if spec.section == section
            and key in plan.fields
            and not key.startswith("bezwaar.")
            and _shown(plan.fields[key])
        ]
        if not keys:
            continue
        rows.append(_row(columns, partial(_section_html, section=section), "section"))
        for key in keys:
            rows.append(
                _row(columns, partial(_field_html, key=key, field=plan.fields[key]), "field")
            )

    objection = plan.fields.get(OBJECTION)
    has_clause = bundle.plan is not None and bundle.plan.objection is not None
    if has_clause and objection is not None and objection.value is not None:
        rows.append(
            _row(columns, partial(_objection_html, fields=plan.fields, bundle=bundle), "field")
        )

    return rows


def page_html(columns: Sequence[Column], rows: Sequence[str], title: str) -> str:
    """The self-contained page around `rows`: inline CSS, the legend of the markers, no
    scripts or external resources. `title` is plain text (escaped here)."""
    legend_texts = (
        N_("Texts marked (NL) have not been translated yet and are shown in Dutch."),
        N_("Texts marked (?) may be outdated: the Dutch text changed after the translation."),
    )
    legend = "".join(
        f"<p {c.attrs()}>{c.ui(text)}</p>" for c in columns[1:] for text in legend_texts
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<table class="plan">\n{chr(10).join(rows)}\n</table>\n'
        f"<footer>{legend}</footer>\n</body>\n</html>\n"
    )


def unreviewed_row(columns: Sequence[Column], bundle: Bundle) -> str | None:
    """The notice that the newcomer's column was machine-translated, when its catalog says so."""
    if len(columns) < 2 or not translation_unreviewed(bundle, columns[1].lang):
        return None
    return _row(
        columns,
        lambda c: c.ui(
            N_(
                "The translation on this page was made by a computer and has not been "
                "checked by a person. The Dutch text is the official text."
            )
        ),
        "notice",
    )


def render_plan_html(
    doc: ExportDocument,
    bundle: Bundle,
    *,
    newcomer_language: str,
    translations: Translator | None = None,
    display_name: str | None = None,
    after_facts: Callable[[Sequence[Column]], list[str]] | None = None,
) -> str:
    """One self-contained printable page: the plan in Dutch and in the newcomer's language;
    `after_facts` gives rows to put after its facts (what changed: core/html_changes.py)."""
    columns = plan_columns(bundle, newcomer_language, translations)
    title = N_("Personal plan for integration and participation (PIP)")
    rows = [title_row(columns, title)]
    notice = unreviewed_row(columns, bundle)
    if notice is not None:
        rows.append(notice)
    rows += plan_rows(doc, bundle, columns, display_name=display_name)
    if after_facts is not None:
        at = 2 if notice is None else 3  # after the title, the notice and the facts
        rows[at:at] = after_facts(columns)
    heading = _fixed(title, SOURCE_LANGUAGE)[0] + f" \u2014 {doc.record.revision}"
    return page_html(columns, rows, heading)
