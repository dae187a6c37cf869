"""The printable, bilingual plan page: escaped, self-contained, right-to-left where it should be,
honest about missing and machine-made translations, and without the newcomer's name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from intake_tui.core import FrozenClock, Interview
from intake_tui.core.catalogs import Localized
from intake_tui.core.export import ExportDocument, ExportMeta, build_export, export_json
from intake_tui.core.html_plan import (
    bundle_translator,
    render_plan_html,
    translation_unreviewed,
)
from intake_tui.core.plan import Override, draft_plan
from intake_tui.core.questionnaire import Bundle
from intake_tui.i18n.direction import text_direction
from intake_tui.personas import DEMO_TODAY, apply, persona

UTC = dt.UTC
EVIL_NAME = "<script>alert(1)</script>"
EVIL_REASON = "Wil eerst werken <b>&\"'"
VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "wbr", "source"}


def document(bundle: Bundle, *, status: str = "final", key: str = "rami") -> ExportDocument:
    interview = Interview(bundle, today=FrozenClock.on(DEMO_TODAY.isoformat()).today)
    apply(persona(key), interview)
    at = dt.datetime(2026, 11, 27, 9, tzinfo=UTC)
    plan = draft_plan(
        interview,
        bundle.plan,
        {
            "leerroute": Override("B", EVIL_REASON, "jdevries", at),
            "niveau": Override("B1", "Besproken", "jdevries", at),
        },
    )
    day = dt.date(2026, 12, 1) if status == "final" else None
    meta = ExportMeta(
        interview_id="0b6f3c1e-2d4a-4f7e-9a51-3c2b1d0e9f88",
        revision=1,
        previous_revision=None,
        status=status,  # type: ignore[arg-type]
        frozen_at=dt.datetime(2026, 11, 28, 10, tzinfo=UTC),
        created_at=dt.datetime(2026, 11, 2, tzinfo=UTC),
        finalized_at=dt.datetime(2026, 11, 20, tzinfo=UTC),
        caseworker="jdevries",
        device_id="device-1",
        client_language="ar",
        interpreter_used=True,
        interpreter_how="telefonisch",
        interpreter_language="ar",
        dagtekening=day,
        termijn_start=day + dt.timedelta(days=1) if day else None,
    )
    return build_export(interview, plan, meta)


def no_translations(key: str, dutch: str, lang: str) -> Localized | None:
    return None


class Checker(HTMLParser):
    """Collects every element with its attributes; records nesting errors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.titles = 0
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "title":
            self.titles += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()


def parsed(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    return checker


@pytest.fixture(scope="module")
def final_doc(default_bundle: Bundle) -> ExportDocument:
    return document(default_bundle)


@pytest.fixture(scope="module")
def arabic_page(default_bundle: Bundle, final_doc: ExportDocument) -> str:
    return render_plan_html(
        final_doc, default_bundle, newcomer_language="ar", display_name=EVIL_NAME
    )


def test_name_and_reason_are_escaped(arabic_page: str) -> None:
    assert "<script" not in arabic_page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in arabic_page
    assert "Wil eerst werken &lt;b&gt;&amp;&quot;&#x27;" in arabic_page
    assert "<b>" not in arabic_page


def test_arabic_column_is_rtl_and_dutch_column_is_nl(arabic_page: str) -> None:
    page = parsed(arabic_page)
    html = next(attrs for tag, attrs in page.elements if tag == "html")
    assert html["lang"] == "nl"
    cells = [attrs for tag, attrs in page.elements if tag == "td"]
    dutch = [c for c in cells if c.get("lang") == "nl"]
    arabic = [c for c in cells if c.get("lang") == "ar"]
    assert dutch and len(dutch) == len(arabic) == len(cells) // 2
    assert all(c["dir"] == "ltr" for c in dutch)
    assert all(c["dir"] == "rtl" for c in arabic)
    assert all(c.get("lang") for c in cells), "every column cell names its language"


def test_self_contained_no_scripts_no_remote_resources(arabic_page: str) -> None:
    lowered = arabic_page.lower()
    for forbidden in (
        "<script",
        "http://",
        "https://",
        "src=",
        "href=",
        "@import",
        "url(",
        "<link",
    ):
        assert forbidden not in lowered, forbidden
    assert "<style>" in lowered
    assert "@page" in lowered and "a4" in lowered


def test_page_is_well_formed_with_one_title(arabic_page: str) -> None:
    page = parsed(arabic_page)
    assert page.doctype
    assert page.errors == []
    assert page.stack == []
    assert page.titles == 1
    assert arabic_page.count("<title>") == 1


def test_no_newcomer_name_unless_given(default_bundle: Bundle, final_doc: ExportDocument) -> None:
    page = render_plan_html(final_doc, default_bundle, newcomer_language="ar")
    rami = persona("rami")
    assert rami.display_name not in page
    for part in rami.display_name.split():
        assert part not in page
    named = render_plan_html(
        final_doc, default_bundle, newcomer_language="ar", display_name=rami.display_name
    )
    assert rami.display_name in named


def test_missing_translation_shows_dutch_with_marker(
    default_bundle: Bundle, final_doc: ExportDocument
) -> None:
    dutch_label = default_bundle.plan.label("leerroute")
    page = render_plan_html(
        final_doc, default_bundle, newcomer_language="ar", translations=no_translations
    )
    arabic_cells = _cells(page, "ar")
    assert any(
        re.search(re.escape(_esc(dutch_label)) + r"\s*<span class=\"marker\">\(NL\)</span>", cell)
        for cell in arabic_cells
    )
    assert all("(NL)" not in cell for cell in _cells(page, "nl")), (
        "the Dutch column needs no marker"
    )


def test_given_translation_is_used_without_marker(
    default_bundle: Bundle, final_doc: ExportDocument
) -> None:
    asked: list[tuple[str, str]] = []

    def translations(key: str, dutch: str, lang: str) -> Localized | None:
        asked.append((key, lang))
        if key == "plan.field.leerroute.label":
            return Localized("المسار التعليمي", "ar", "unreviewed")
        return None

    page = render_plan_html(
        final_doc, default_bundle, newcomer_language="ar", translations=translations
    )
    assert ("plan.field.leerroute.label", "ar") in asked
    assert any(key.startswith("plan.rule.") and key.endswith(".because") for key, _ in asked) or (
        not any(f.sources for f in final_doc.plan.fields.values())
    )
    assert '<div class="label">المسار التعليمي</div>' in page
    assert all(lang == "ar" for _, lang in asked)


def _po(entries: str, reviewed: str = "no") -> bytes:
    header = (
        'msgid ""\nmsgstr ""\n'
        '"Language: ar\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"X-Intake-Reviewed: {reviewed}\\n"\n\n'
    )
    return (header + entries).encode("utf-8")


def with_po(bundle: Bundle, po: bytes, lang: str = "ar") -> Bundle:
    return dataclasses.replace(bundle, files={**bundle.files, f"translations/{lang}.po": po})


def test_bundle_translator_reads_po_and_skips_fuzzy(default_bundle: Bundle) -> None:
    niveau = default_bundle.plan.label("niveau")
    po = _po(
        'msgctxt "plan.field.leerroute.label"\n'
        f'msgid "{default_bundle.plan.label("leerroute")}"\n'
        'msgstr "المسار التعليمي"\n\n'
        "#, fuzzy\n"
        'msgctxt "plan.field.niveau.label"\n'
        f'msgid "{niveau}"\n'
        'msgstr "مستوى قديم"\n'
    )
    bundle = with_po(default_bundle, po)
    translate = bundle_translator(bundle)
    leerroute = default_bundle.plan.label("leerroute")
    assert translate("plan.field.leerroute.label", leerroute, "ar").text == "المسار التعليمي"
    # A fuzzy entry is shown, marked as maybe outdated (never silently as current).
    fuzzy = translate("plan.field.niveau.label", niveau, "ar")
    assert (fuzzy.text, fuzzy.status) == ("مستوى قديم", "fuzzy")
    page = render_plan_html(document(bundle), bundle, newcomer_language="ar")
    assert "المسار التعليمي" in page
    assert 'مستوى قديم <span class="marker">(?)</span>' in page
    # A text the catalog lacks falls back to Dutch, with the (NL) marker.
    other = next(k for k in document(bundle).plan.fields if k not in ("leerroute", "niveau"))
    assert f'{_esc(default_bundle.plan.label(other))} <span class="marker">(NL)</span>' in page


def test_outdated_translation_is_marked_in_the_plan(default_bundle: Bundle) -> None:
    # The catalog was made from other Dutch than the bundle has now: marked "(?)".
    po = _po(
        'msgctxt "plan.field.leerroute.label"\n'
        'msgid "Een oudere Nederlandse tekst"\n'
        'msgstr "نص قديم"\n'
    )
    bundle = with_po(default_bundle, po)
    page = render_plan_html(document(bundle), bundle, newcomer_language="ar")
    assert 'نص قديم <span class="marker">(?)</span>' in page


def test_dari_borrows_persian_with_a_marker(default_bundle: Bundle) -> None:
    leerroute = default_bundle.plan.label("leerroute")
    fa = _po(f'msgctxt "plan.field.leerroute.label"\nmsgid "{leerroute}"\nmsgstr "مسیر"\n')
    bundle = with_po(with_po(default_bundle, _po(""), lang="prs"), fa, lang="fa")
    page = render_plan_html(document(bundle), bundle, newcomer_language="prs")
    assert 'lang="fa" dir="rtl">مسیر <span class="marker">(FA)</span>' in page


def test_machine_translation_is_announced(default_bundle: Bundle) -> None:
    unreviewed = with_po(default_bundle, _po("", reviewed="no"))
    reviewed = with_po(default_bundle, _po("", reviewed="yes"))
    assert translation_unreviewed(unreviewed, "ar")
    assert not translation_unreviewed(reviewed, "ar")
    no_ti = dataclasses.replace(
        default_bundle,
        files={k: v for k, v in default_bundle.files.items() if k != "translations/ti.po"},
    )
    assert not translation_unreviewed(no_ti, "ti")  # no catalog at all
    doc = document(default_bundle)
    marked = render_plan_html(doc, unreviewed, newcomer_language="ar")
    plain = render_plan_html(doc, reviewed, newcomer_language="ar")
    assert 'class="notice"' in marked
    assert "computer" in marked
    assert 'class="notice"' not in plain


def test_english_catalog_of_default_bundle_is_marked_unreviewed(default_bundle: Bundle) -> None:
    if "translations/en.po" not in default_bundle.files:
        pytest.skip("the default bundle has no English catalog")
    raw = default_bundle.files["translations/en.po"].decode()
    expected = "X-Intake-Reviewed: no" in raw.split("msgctxt", 1)[0]
    assert translation_unreviewed(default_bundle, "en") is expected


def test_dagtekening_termijn_and_override_text(final_doc: ExportDocument, arabic_page: str) -> None:
    assert "01-12-2026" in arabic_page  # dagtekening
    assert "02-12-2026" in arabic_page and "01-12-2029" in arabic_page  # termijn
    # A computed end says so (DUO's registration would say that instead).
    assert "(berekend: 3 jaar na uw eerste plan)" in arabic_page
    override = final_doc.plan.fields["leerroute"].override
    assert override is not None
    assert 'class="override"' in arabic_page


def test_discussed_plan_has_no_dagtekening(default_bundle: Bundle) -> None:
    doc = document(default_bundle, status="discussed")
    page = render_plan_html(doc, default_bundle, newcomer_language="ti")
    assert parsed(page).errors == []
    assert "01-12-2026" not in page
    assert 'lang="ti" dir="ltr"' in page


def test_dutch_newcomer_gets_one_column(default_bundle: Bundle, final_doc: ExportDocument) -> None:
    page = render_plan_html(final_doc, default_bundle, newcomer_language="nl")
    cells = [attrs for tag, attrs in parsed(page).elements if tag == "td"]
    assert cells and all(c["lang"] == "nl" for c in cells)
    assert "(NL)" not in page.split("<body>", 1)[1]


def test_renders_a_document_read_back_from_json(
    default_bundle: Bundle, final_doc: ExportDocument
) -> None:
    again = ExportDocument.model_validate(json.loads(export_json(final_doc)))
    assert render_plan_html(again, default_bundle, newcomer_language="fa") == render_plan_html(
        final_doc, default_bundle, newcomer_language="fa"
    )


@pytest.mark.parametrize(
    ("lang", "direction"),
    [
        ("ar", "rtl"),
        ("fa", "rtl"),
        ("prs", "rtl"),
        ("ur", "rtl"),
        ("he", "rtl"),
        ("ps", "rtl"),
        ("ckb", "rtl"),
        ("fa-AF", "rtl"),
        ("ar_SY", "rtl"),
        ("nl", "ltr"),
        ("ti", "ltr"),
        ("tr", "ltr"),
        ("so", "ltr"),
        ("en", "ltr"),
    ],
)
def test_text_direction(lang: str, direction: str) -> None:
    assert text_direction(lang) == direction


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def _cells(page: str, lang: str) -> list[str]:
    return re.findall(rf'<td lang="{lang}" dir="(?:ltr|rtl)">(.*?)</td>', page, flags=re.S)
