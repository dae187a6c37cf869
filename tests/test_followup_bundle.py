"""The default follow-up bundle voortgangsgesprek: it follows the brede intake, asks what a
progress talk needs with a reason for each answer, and speaks every client language (machine-made,
marked unreviewed)."""

from __future__ import annotations

import re

import pytest

from intake_tui.core.bundle_model import Bundle
from intake_tui.core.catalogs import Localizer, coverage, unreviewed_languages
from intake_tui.core.questionnaire import check_bundle, load_bundle
from intake_tui.core.translations import bundle_messages

from .conftest import DEFAULT_BUNDLE, REPO

FOLLOWUP_BUNDLE = REPO / "questionnaires" / "voortgangsgesprek"
CLIENT_LANGUAGES = ["ar", "en", "fa", "prs", "so", "ti", "tr"]
HEALTH = ("belemmeringen_soort", "belemmering_gezondheid", "gezondheid_hulp")
COMPONENTS = ("voortgang_taal", "voortgang_knm", "voortgang_map", "voortgang_pvt")


@pytest.fixture(scope="module")
def followup() -> Bundle:
    return load_bundle(FOLLOWUP_BUNDLE)


def test_the_bundle_loads_without_problems_or_warnings() -> None:
    bundle, problems = check_bundle(FOLLOWUP_BUNDLE)
    assert problems == []
    assert bundle is not None
    assert [str(w) for w in bundle.warnings] == []
    assert bundle.id == "voortgangsgesprek"
    assert bundle.version == "1.0.0"
    assert not (FOLLOWUP_BUNDLE / "plan.yaml").exists()


def test_it_follows_the_brede_intake_which_is_an_intake_bundle(followup: Bundle) -> None:
    assert followup.spec.follows == "brede-intake"
    intake = load_bundle(DEFAULT_BUNDLE)
    assert intake.id == followup.spec.follows
    assert intake.spec.follows is None


def test_it_is_offered_in_the_intakes_languages(followup: Bundle) -> None:
    intake = load_bundle(DEFAULT_BUNDLE)
    assert followup.spec.source_language == "nl"
    assert followup.spec.languages == intake.spec.languages


def test_every_catalog_is_complete_current_and_marked_unreviewed(followup: Bundle) -> None:
    rows = {row.language: row for row in coverage(followup)}
    assert sorted(rows) == CLIENT_LANGUAGES
    total = len(bundle_messages(followup))
    for language, row in rows.items():
        assert (row.total, row.translated, row.fuzzy, row.missing, row.obsolete) == (
            total,
            total,
            0,
            0,
            0,
        ), language
        assert row.unreviewed == total, language  # nobody has checked them yet
    assert unreviewed_languages(followup) == CLIENT_LANGUAGES
    for language in CLIENT_LANGUAGES:
        head = (FOLLOWUP_BUNDLE / "translations" / f"{language}.po").read_text("utf-8")
        comment = head.split("msgid", 1)[0]
        assert "Machine-made translation; not reviewed" in comment, language
        assert '"X-Intake-Reviewed: no\\n"' in head, language


@pytest.mark.parametrize("language", ["nl", *CLIENT_LANGUAGES])
def test_no_text_is_empty_or_falls_back_in_any_language(followup: Bundle, language: str) -> None:
    localizer = Localizer(followup)
    for message in bundle_messages(followup):
        shown = localizer.text(message.key, message.source, language)
        assert shown.text.strip(), (language, message.key)
        assert shown.lang == language, (language, message.key)
        if language != "nl":
            assert shown.status == "unreviewed", (language, message.key)
            # a translation keeps the article numbers and the Dutch abbreviations it explains
            for token in re.findall(r"\b(?:PIP|KNM|MAP|PVT|DUO|A2|B1)\b", message.source):
                assert token in shown.text, (language, message.key, token)


def test_health_answers_are_special_category(followup: Bundle) -> None:
    for question in HEALTH:
        assert followup.items[question].question.sensitivity == "special", question
    health_codes = {"gezondheid"}
    assert health_codes <= followup.items["belemmeringen_soort"].choice_codes()
    for item in followup.value_questions():
        if "gezondheid" in item.id:
            assert item.question.sensitivity == "special", item.id


def test_the_summary_must_be_discussed_before_finalizing(followup: Bundle) -> None:
    item = followup.items["samenvatting_besproken"]
    assert item.type == "yes_no"
    assert item.required is True
    assert item.relevant is None
    assert item.for_caseworker


def test_it_asks_about_the_route_per_component_and_the_schools_report(followup: Bundle) -> None:
    items = followup.items
    codes = {"op_schema", "achter", "voor", "niet_van_toepassing"}
    for question in COMPONENTS:
        assert items[question].type == "choice", question
        assert codes <= items[question].choice_codes(), question
        assert items[question].required is True, question
    assert items["aanwezigheid"].type == "choice"
    assert items["uren_taal_knm"].type == "integer"
    assert items["uren_participatie"].type == "integer"
    assert items["rapportage_school_ontvangen"].type == "yes_no"
    report = items["rapportage_school_inhoud"]
    assert report.for_caseworker
    assert report.relevant is not None
    assert "rapportage_school_ontvangen" in report.question.relevant


def test_obstacles_wishes_and_agreements(followup: Bundle) -> None:
    items = followup.items
    obstacles = items["belemmeringen_soort"]
    assert obstacles.type == "multi_choice"
    assert {"gezondheid", "zorg", "werk", "wonen", "geld", "niets"} <= obstacles.choice_codes()
    assert [c.value for c in obstacles.choices if c.exclusive] == ["niets"]
    wishes = items["wijziging_gewenst"]
    assert {"route", "uren", "module", "anders", "geen"} <= wishes.choice_codes()
    assert [c.value for c in wishes.choices if c.exclusive] == ["geen"]
    agreements = items["afspraken_lijst"]
    assert agreements.type == "repeat"
    assert set(agreements.children) == {"afspraak_wat", "afspraak_wie", "afspraak_wanneer"}


def test_size_and_purposes(followup: Bundle) -> None:
    values = followup.value_questions()
    assert 25 <= len(values) <= 40
    for item in values:
        purpose = item.question.purpose or ""
        # an article is always named with its law; where none was found the purpose says so
        if "art." in purpose:
            assert "inburgering 2021" in purpose or "AVG" in purpose, item.id
    exports = [i.question.export for i in values if i.question.export]
    assert len(exports) == len(set(exports))


def test_no_cross_case_references_or_roles_yet(followup: Bundle) -> None:
    # intake.*, plan.* and roles in a follow-up bundle come with issue 19 item 2
    lines = (FOLLOWUP_BUNDLE / "questionnaire.yaml").read_text("utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert not re.search(r"\b(?:intake|plan)\.[a-z_]+", text)
    assert all(item.question.role is None for item in followup.questions)


def test_the_newcomer_is_addressed_as_u(followup: Bundle) -> None:
    informal = re.compile(r"\b(?:je|jij|jou|jouw)\b", re.IGNORECASE)
    for item in followup.questions:
        if item.for_caseworker:
            continue
        for text in (item.question.label, item.question.hint):
            assert not informal.search(text or ""), item.id
