"""Bundle catalogs: parsing, coverage, update (fuzzy, idempotent, header kept) and the visible
fallback at run time. Everything that writes works on bundles in tmp_path, never the real one."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from intake_tui.core import catalog_update, catalogs
from intake_tui.core.catalog_update import update_catalogs
from intake_tui.core.catalogs import (
    Catalog,
    CatalogError,
    Coverage,
    Localizer,
    coverage,
    fallback_chain,
    format_coverage,
    language_name,
    marker,
    parse_catalog,
)
from intake_tui.core.questionnaire import Bundle, load_bundle
from intake_tui.core.translations import bundle_messages

from .conftest import DEFAULT_BUNDLE, REPO

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
REAL_CATALOGS = sorted((REPO / "questionnaires").glob("*/translations/*.po"))

QUESTIONNAIRE = """\
id: mini
version: "1.0.0"
title: Mini intake
languages: [en, fa, prs]
sections:
  - id: persoon
    title: Persoon
    questions:
      - id: naam
        type: text
        label: Naam
        hint: Zoals in het paspoort.
        purpose: test
        sensitivity: personal
      - id: kinderen
        type: choice
        label: Heeft u kinderen?
        choices:
          - {value: ja, label: Ja}
          - {value: nee, label: Nee}
        purpose: test
        sensitivity: personal
"""

TOP = "# Mini catalog for the tests.\n# Second comment line, kept as it is.\n"


def header(lang: str, *, reviewed: bool = True) -> str:
    fields = [
        "Project-Id-Version: mini 1",
        f"Language: {lang}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        "Plural-Forms: nplurals=2; plural=(n != 1);",
    ]
    if not reviewed:
        fields.append("X-Intake-Reviewed: no")
    lines = "".join(f'"{f}\\n"\n' for f in fields)
    return f'{TOP}msgid ""\nmsgstr ""\n{lines}'


def entry(key: str, source: str, text: str, *flags: str) -> str:
    flag_line = f"#, {', '.join(flags)}\n" if flags else ""
    return f'{flag_line}msgctxt "{key}"\nmsgid "{source}"\nmsgstr "{text}"\n'


def po(lang: str, entries: Iterable[str], *, reviewed: bool = True) -> str:
    return header(lang, reviewed=reviewed) + "".join("\n" + e for e in entries)


def make_bundle(root: Path, catalogs_text: dict[str, str] | None = None) -> Path:
    folder = root / "mini"
    (folder / "translations").mkdir(parents=True)
    (folder / "questionnaire.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    for lang, text in (catalogs_text or {}).items():
        (folder / "translations" / f"{lang}.po").write_text(text, encoding="utf-8")
    return folder


def full_catalog(folder: Path, lang: str, *, reviewed: bool = True) -> str:
    """Every text of the bundle translated as '<LANG> <Dutch>'."""
    messages = bundle_messages(load_bundle(folder))
    return po(
        lang,
        (entry(m.key, m.source, f"{lang.upper()} {m.source}") for m in messages),
        reviewed=reviewed,
    )


def set_label(folder: Path, old: str, new: str) -> None:
    path = folder / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"label: {old}\n" in text
    path.write_text(text.replace(f"label: {old}\n", f"label: {new}\n", 1), encoding="utf-8")


def po_path(folder: Path, lang: str) -> Path:
    return folder / "translations" / f"{lang}.po"


def read(folder: Path, lang: str) -> Catalog:
    path = po_path(folder, lang)
    return parse_catalog(path.read_bytes(), name=str(path))


def row(bundle: Bundle, lang: str) -> Coverage:
    (found,) = [r for r in coverage(bundle) if r.language == lang]
    return found


def babel_count(raw: bytes, bundle: Bundle) -> dict[str, int]:
    """Coverage counted straight from Babel's reading of the file, without catalogs.py."""
    babel = read_po(io.BytesIO(raw))
    by_key = {m.context: m for m in babel if m.id}
    reviewed = b"X-Intake-Reviewed: no" not in raw.split(b"\n\n", 1)[0]
    counts = dict.fromkeys(("translated", "fuzzy", "missing", "unreviewed"), 0)
    for message in bundle_messages(bundle):
        found = by_key.get(message.key)
        if found is None or not found.string:
            counts["missing"] += 1
            continue
        current = not found.fuzzy and found.id == message.source
        counts["translated" if current else "fuzzy"] += 1
        if not reviewed or "unreviewed" in found.flags:
            counts["unreviewed"] += 1
    return counts


def entries(catalog: Catalog) -> dict[str, tuple[str, str, bool, bool, str | None]]:
    """A catalog's content without line numbers, to compare before and after an update."""
    return {
        k: (e.source, e.text, e.fuzzy, e.unreviewed, e.previous) for k, e in catalog.entries.items()
    }


# -- the real catalogs (read only: translators are editing them) --------------------------------


@pytest.mark.parametrize("path", REAL_CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_real_catalog_parses_and_keeps_its_placeholders(path: Path) -> None:
    raw = path.read_bytes()
    catalog = parse_catalog(raw, name=str(path))
    babel = [m for m in read_po(io.BytesIO(raw)) if m.id]
    assert len(catalog.entries) == len(babel)
    assert catalog.language == path.stem
    for found in catalog.entries.values():
        if found.text and not found.fuzzy:
            assert set(PLACEHOLDER.findall(found.text)) == set(PLACEHOLDER.findall(found.source)), (
                f"{path.name}:{found.line}"
            )


def test_real_coverage_matches_an_independent_count() -> None:
    bundle = load_bundle(DEFAULT_BUNDLE)  # its files are read once, so the counts agree
    rows = coverage(bundle)
    assert [r.language for r in rows] == sorted(r.language for r in rows)
    assert {r.language for r in rows} == {
        p.stem for p in REAL_CATALOGS if p.parent.parent.name == "brede-intake"
    }
    total = len(bundle_messages(bundle))
    localizer = Localizer(bundle)
    for found in rows:
        raw = bundle.files[f"translations/{found.language}.po"]
        counted = babel_count(raw, bundle)
        assert found.total == total
        assert (found.translated, found.fuzzy, found.missing, found.unreviewed) == (
            counted["translated"],
            counted["fuzzy"],
            counted["missing"],
            counted["unreviewed"],
        ), found.language
        assert found.translated + found.fuzzy + found.missing == total
        # An empty msgstr is never shown as a translation in its language.
        by_key = {m.context: m for m in read_po(io.BytesIO(raw)) if m.id}
        for message in bundle_messages(bundle):
            if message.key in by_key and not by_key[message.key].string:
                shown = localizer.text(message.key, message.source, found.language)
                assert shown.lang != found.language and shown.status == "fallback"


# -- coverage --------------------------------------------------------------------------------------


def test_coverage_counts_every_state_of_an_entry(tmp_path: Path) -> None:
    entries_text = [
        entry("bundle.title", "Mini intake", "Mini intake EN"),  # translated
        entry("section.persoon.title", "Persoon", "Person", "unreviewed"),  # translated, unreviewed
        entry("question.naam.label", "Naam", "Name", "fuzzy"),  # fuzzy by flag
        entry("question.naam.hint", "Zoals in de paspoort.", "As in the passport."),  # outdated
        entry("question.naam.purpose", "test", ""),  # empty: missing
        entry("question.gone.label", "Weg", "Gone"),  # not in the bundle: obsolete
        '#~ msgctxt "question.older.label"\n#~ msgid "Ouder"\n#~ msgstr "Older"\n',
    ]
    folder = make_bundle(
        tmp_path, {"en": po("en", entries_text), "fa": po("fa", entries_text, reviewed=False)}
    )
    bundle = load_bundle(folder)
    total = len(bundle_messages(bundle))
    en, fa = coverage(bundle)
    assert (en.language, fa.language) == ("en", "fa")
    assert (en.total, en.translated, en.fuzzy, en.missing) == (total, 2, 2, total - 4)
    assert (en.unreviewed, en.obsolete) == (1, 2)
    assert fa.unreviewed == 4  # the header says the whole catalog is unchecked
    for found in (en, fa):
        counted = babel_count(bundle.files[f"translations/{found.language}.po"], bundle)
        assert counted == {
            "translated": found.translated,
            "fuzzy": found.fuzzy,
            "missing": found.missing,
            "unreviewed": found.unreviewed,
        }
    assert en.percent == pytest.approx(100 * 2 / total)


def test_format_coverage_is_an_aligned_table(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    for lang in ("en", "prs"):
        po_path(folder, lang).write_text(full_catalog(folder, lang), encoding="utf-8")
    text = format_coverage(coverage(load_bundle(folder)))
    lines = text.splitlines()
    assert lines[0].split() == ["language", "translated", "fuzzy", "missing", "unreviewed", "%"]
    assert [line.split()[0] for line in lines[1:]] == ["en", "prs"]
    assert len({len(line) for line in lines}) == 1  # numbers right-aligned under their header
    assert lines[1].split()[-1] == "100"


# -- update ----------------------------------------------------------------------------------------


def test_a_changed_dutch_label_turns_its_entry_fuzzy(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    po_path(folder, "en").write_text(full_catalog(folder, "en"), encoding="utf-8")
    before = row(load_bundle(folder), "en")
    set_label(folder, "Naam", "Volledige naam")
    key = "question.naam.label"

    # Even before the update the Localizer sees the msgid no longer matches the Dutch.
    shown = Localizer(load_bundle(folder)).text(key, "Volledige naam", "en")
    assert (shown.text, shown.lang, shown.status) == ("EN Naam", "en", "fuzzy")

    (result,) = update_catalogs(folder)
    assert result.changed and result.outdated == (key,) and result.added == ()
    updated = read(folder, "en").entries[key]
    assert (updated.source, updated.text, updated.fuzzy, updated.previous) == (
        "Volledige naam",
        "EN Naam",
        True,
        "Naam",
    )
    assert '#| msgid "Naam"\nmsgctxt "question.naam.label"\n' in po_path(folder, "en").read_text(
        encoding="utf-8"
    )
    bundle = load_bundle(folder)
    after = row(bundle, "en")
    assert (after.fuzzy, after.translated) == (before.fuzzy + 1, before.translated - 1)
    shown = Localizer(bundle).text(key, "Volledige naam", "en")
    assert (shown.text, shown.lang, shown.status) == ("EN Naam", "en", "fuzzy")
    assert marker(shown.status) == "translation may be outdated"

    # A second change keeps the Dutch the translation was really made from.
    set_label(folder, "Volledige naam", "Naam en achternaam")
    update_catalogs(folder)
    again = read(folder, "en").entries[key]
    assert (again.source, again.previous, again.fuzzy) == ("Naam en achternaam", "Naam", True)


def test_update_adds_new_texts_drops_old_ones_and_keeps_bundle_order(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    messages = bundle_messages(load_bundle(folder))
    kept = list(reversed(messages[1:]))  # wrong order, and the title is missing
    text = po(
        "fa",
        [entry(m.key, m.source, f"FA {m.source}", "unreviewed") for m in kept]
        + [
            entry("question.gone.label", "Weg", "FA Weg"),
            '#~ msgctxt "question.older.label"\n#~ msgid "Ouder"\n#~ msgstr "FA Ouder"\n',
        ],
    )
    po_path(folder, "fa").write_text(text, encoding="utf-8")
    before = entries(read(folder, "fa"))

    (result,) = update_catalogs(folder)
    assert result.changed and result.language == "fa"
    assert result.added == ("bundle.title",)
    assert set(result.obsolete) == {"question.gone.label", "question.older.label"}
    after = read(folder, "fa")
    assert list(after.entries) == [m.key for m in messages]
    assert after.entries["bundle.title"].text == ""
    assert after.obsolete == ()
    for m in kept:  # translations, flags and all survive the move
        assert entries(after)[m.key] == before[m.key]


def test_the_header_and_top_comments_survive_an_update(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    text = po("prs", [entry("bundle.title", "Mini intake", "PRS Mini")], reviewed=False)
    po_path(folder, "prs").write_text(text, encoding="utf-8")
    head = header("prs", reviewed=False)

    (result,) = update_catalogs(folder)
    assert result.changed
    written = po_path(folder, "prs").read_text(encoding="utf-8")
    assert written.startswith(head + "\n")
    assert '"X-Intake-Reviewed: no\\n"' in written
    catalog = read(folder, "prs")
    assert catalog.reviewed is False and catalog.language == "prs"
    localizer = Localizer(load_bundle(folder))
    assert localizer.is_unreviewed("prs")
    shown = localizer.text("bundle.title", "Mini intake", "prs")
    assert (shown.text, shown.status) == ("PRS Mini", "unreviewed")
    assert marker(shown.status) == "unreviewed translation"


def test_update_is_idempotent_byte_for_byte(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    po_path(folder, "en").write_text(full_catalog(folder, "en"), encoding="utf-8")
    po_path(folder, "fa").write_text(
        po("fa", [entry("question.naam.label", "Naam", "FA Naam")], reviewed=False),
        encoding="utf-8",
    )
    set_label(folder, "Naam", "Volledige naam")
    set_label(folder, "Heeft u kinderen?", "Heeft u kinderen? Ook als ze niet bij u wonen " * 3)
    first = update_catalogs(folder)
    assert all(r.changed for r in first)
    snapshot = {p.name: p.read_bytes() for p in (folder / "translations").iterdir()}

    second = update_catalogs(folder)
    assert [r.changed for r in second] == [False, False]
    assert [(r.added, r.outdated, r.obsolete) for r in second] == [((), (), ())] * 2
    assert {p.name: p.read_bytes() for p in (folder / "translations").iterdir()} == snapshot


def test_an_unchanged_catalog_is_left_exactly_as_it_was(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    messages = bundle_messages(load_bundle(folder))
    blocks = [entry(m.key, m.source, f"EN {m.source}") for m in messages]
    blocks[1] = "# A translator's note.\n" + blocks[1]
    # A layout Babel would not write: two blank lines and a msgstr split over lines.
    text = po("en", blocks).replace('msgstr "EN Naam"\n', 'msgstr ""\n"EN "\n"Naam"\n\n')
    po_path(folder, "en").write_text(text, encoding="utf-8")
    before = read(folder, "en")

    (result,) = update_catalogs(folder)
    assert not result.changed
    assert po_path(folder, "en").read_text(encoding="utf-8") == text
    assert entries(read(folder, "en")) == entries(before)
    assert before.entries["question.naam.label"].text == "EN Naam"


def test_update_keeps_the_content_of_a_copy_of_the_real_bundle(tmp_path: Path) -> None:
    folder = copy_real_bundle(tmp_path)
    bundle = load_bundle(folder)
    messages = bundle_messages(bundle)
    sources = {m.key: m.source for m in messages}
    before = {p.stem: read(folder, p.stem) for p in (folder / "translations").glob("*.po")}
    heads = {
        lang: po_path(folder, lang).read_text(encoding="utf-8").split("\n\n", 1)[0]
        for lang in before
    }

    results = update_catalogs(folder)
    assert [r.language for r in results] == sorted(before)
    for lang, old in before.items():
        new = read(folder, lang)
        assert list(new.entries) == [m.key for m in messages], lang
        assert po_path(folder, lang).read_text(encoding="utf-8").split("\n\n", 1)[0] == heads[lang]
        assert new.reviewed == old.reviewed
        for key, was in entries(old).items():
            if sources.get(key) == was[0]:  # current entries are untouched
                assert entries(new)[key] == was, (lang, key)
    assert not any(r.changed for r in update_catalogs(folder))


def copy_real_bundle(tmp_path: Path) -> Path:
    """Copy the real bundle; retry while a translator is midway through writing a catalog."""
    for _attempt in range(5):
        target = tmp_path / f"brede-intake-{_attempt}"
        shutil.copytree(DEFAULT_BUNDLE, target)
        try:
            for path in (target / "translations").glob("*.po"):
                parse_catalog(path.read_bytes(), name=str(path))
        except CatalogError:
            time.sleep(0.5)
            continue
        return target
    raise AssertionError("the real catalogs did not parse in five tries")


def test_update_writes_atomically_and_keeps_the_file_mode(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path, {"en": po("en", [])})
    os.chmod(po_path(folder, "en"), 0o640)
    (result,) = update_catalogs(folder)
    assert result.changed
    assert sorted(p.name for p in (folder / "translations").iterdir()) == ["en.po"]
    assert stat.S_IMODE(po_path(folder, "en").stat().st_mode) == 0o640


# -- run-time lookup -------------------------------------------------------------------------------


def test_fallback_chains_end_in_dutch() -> None:
    assert fallback_chain("prs") == ("prs", "fa", "nl")
    assert fallback_chain("ar") == ("ar", "nl")
    assert fallback_chain("nl") == ("nl",)
    assert fallback_chain("fa-AF") == ("fa-AF", "fa", "nl")


def test_a_missing_dari_text_falls_back_to_persian_then_dutch(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    fa = full_catalog(folder, "fa")
    prs = full_catalog(folder, "prs").replace('msgstr "PRS Naam"', 'msgstr ""')
    po_path(folder, "fa").write_text(fa, encoding="utf-8")
    po_path(folder, "prs").write_text(prs, encoding="utf-8")
    key = "question.naam.label"

    localizer = Localizer(load_bundle(folder))
    shown = localizer.text(key, "Naam", "prs")
    assert (shown.text, shown.lang, shown.status) == ("FA Naam", "fa", "fallback")
    other = localizer.text("question.naam.hint", "Zoals in het paspoort.", "prs")
    assert (other.lang, other.status) == ("prs", "ok")
    assert marker(shown.status, shown.lang, "nl") == "not translated; shown in Perzisch"

    po_path(folder, "fa").write_text(fa.replace('msgstr "FA Naam"', 'msgstr ""'), encoding="utf-8")
    shown = Localizer(load_bundle(folder)).text(key, "Naam", "prs")
    assert (shown.text, shown.lang, shown.status) == ("Naam", "nl", "fallback")
    assert marker(shown.status, shown.lang, "en") == "not translated; shown in Dutch"


def test_a_fuzzy_persian_text_is_no_fallback_for_dari(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path)
    fa = full_catalog(folder, "fa").replace('msgid "Naam"', 'msgid "Oude naam"')
    po_path(folder, "fa").write_text(fa, encoding="utf-8")
    po_path(folder, "prs").write_text(po("prs", []), encoding="utf-8")
    shown = Localizer(load_bundle(folder)).text("question.naam.label", "Naam", "prs")
    assert (shown.text, shown.lang, shown.status) == ("Naam", "nl", "fallback")


def test_dutch_is_the_source_and_always_ok(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path, {"en": po("en", [])})
    shown = Localizer(load_bundle(folder)).text("question.naam.label", "Naam", "nl")
    assert (shown.text, shown.lang, shown.status) == ("Naam", "nl", "ok")
    assert marker("ok") == ""


def test_the_localizer_parses_each_catalog_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_bundle(tmp_path)
    for lang in ("fa", "prs"):
        po_path(folder, lang).write_text(po(lang, []), encoding="utf-8")
    parsed: list[str] = []
    real = catalogs.parse_catalog

    def counting(raw: bytes, *, name: str) -> Catalog:
        parsed.append(Path(name).stem)
        return real(raw, name=name)

    monkeypatch.setattr(catalogs, "parse_catalog", counting)
    localizer = Localizer(load_bundle(folder))
    assert parsed == []  # lazily
    for _round in range(3):
        localizer.text("question.naam.label", "Naam", "prs")
        localizer.is_unreviewed("prs")
    assert sorted(parsed) == ["fa", "prs"]


def test_a_broken_catalog_shows_the_fallback_and_keeps_the_error(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path, {"en": po("en", ["this is not po\n"])})
    localizer = Localizer(load_bundle(folder))
    shown = localizer.text("question.naam.label", "Naam", "en")
    assert (shown.lang, shown.status) == ("nl", "fallback")
    assert "en.po:" in str(localizer.errors["en"])


def test_language_names_for_the_markers() -> None:
    assert language_name("prs", "nl") == "Dari"
    assert language_name("prs", "en") == "Dari"
    assert language_name("ar", "nl") == "Arabisch"
    assert language_name("fa", "en") == "Persian"
    assert language_name("xx-unknown", "en") == "xx-unknown"


# -- broken catalogs -------------------------------------------------------------------------------

GOOD = po("en", [entry("bundle.title", "Mini intake", "Mini")])
HEADER_LINES = GOOD.count("\n", 0, GOOD.index('msgctxt "bundle.title"'))  # lines before the entry


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (GOOD.replace('msgstr "Mini"', 'msgstr "Mini'), HEADER_LINES + 3),  # no closing quote
        (GOOD.replace('msgstr "Mini"', 'mgsstr "Mini"'), HEADER_LINES + 3),  # unknown keyword
        (GOOD.replace('msgstr "Mini"\n', ""), HEADER_LINES + 2),  # no msgstr
        (GOOD + "\n" + entry("bundle.title", "Mini", "Other"), HEADER_LINES + 6),  # duplicate key
        (GOOD + "\n" + entry("bundle.title", "Mini intake", "Mini"), HEADER_LINES + 6),  # twice
        (GOOD + '\nmsgid "Zonder sleutel"\nmsgstr "No key"\n', HEADER_LINES + 5),  # no msgctxt
        (GOOD + '\nmsgctxt "x"\nmsgid "a"\nmsgid_plural "b"\nmsgstr[0] ""\n', HEADER_LINES + 7),
    ],
    ids=["quote", "keyword", "msgstr", "duplicate", "twice", "msgctxt", "plural"],
)
def test_a_broken_catalog_names_file_and_line(text: str, line: int) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text.encode("utf-8"), name="translations/en.po")
    assert str(caught.value).startswith(f"translations/en.po:{line}: ")
    assert caught.value.line == line


def test_a_catalog_that_is_not_utf8_names_its_line() -> None:
    raw = GOOD.encode("utf-8").replace(b'"Mini"\n', b'"Mini \xff"\n')
    with pytest.raises(CatalogError, match=rf"^x\.po:{HEADER_LINES + 3}: "):
        parse_catalog(raw, name="x.po")


def test_update_stops_before_writing_anything_when_a_catalog_is_broken(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path, {"en": po("en", []), "fa": po("fa", ['msgstr "x"\n"y\n'])})
    before = po_path(folder, "en").read_bytes()
    with pytest.raises(CatalogError, match=r"translations/fa\.po:\d+: "):
        update_catalogs(folder)
    assert po_path(folder, "en").read_bytes() == before
    with pytest.raises(CatalogError, match=r"fa\.po:\d+: "):
        coverage(load_bundle(folder))


def test_update_does_not_overwrite_a_catalog_changed_meanwhile(tmp_path: Path) -> None:
    folder = make_bundle(tmp_path, {"en": po("en", [])})
    path = po_path(folder, "en")
    edited = path.read_bytes() + b"\n# a translator's edit\n"
    path.write_bytes(edited)
    with pytest.raises(CatalogError, match="changed while"):
        catalog_update._replace(path, b"new", expected=b"what was read before")
    assert path.read_bytes() == edited
