"""Answers inside texts (issue 19, item 2): `{intake.<id>}`, `{plan.<field>}` and `{<id>}` in a
bundle's labels and hints, checked at load and filled when shown, in the language shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from intake_tui.core import load_bundle
from intake_tui.core.questionnaire import check_bundle
from intake_tui.core.text_refs import fill, names_in
from intake_tui.store import followups, interviews, plans
from intake_tui.ui.texts import BundleTexts

from .conftest import BUNDLES, DEFAULT_BUNDLE
from .store_helpers import make_store
from .test_followups import final_case

FOLLOWUP = DEFAULT_BUNDLE.parent / "voortgangsgesprek"


def test_names_are_filled_and_anything_else_between_braces_stays() -> None:
    text = "Route {plan.leerroute}; {{literal}} {Capital} { spaced } {} {unknown}"
    assert names_in(text) == ["plan.leerroute", "unknown"]
    filled = fill(text, {"plan.leerroute": "B1-route"}.get)
    assert filled == "Route B1-route; {literal} {Capital} { spaced } {} {unknown}"
    assert fill("geen namen", lambda name: pytest.fail("not asked")) == "geen namen"


def _with_label(tmp_path: Path, label: str, *, follows: bool = True) -> Path:
    folder = tmp_path / "refs"
    shutil.copytree(BUNDLES / "followup_refs", folder)
    path = folder / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("label: Hoe vaak was u in de les?", f'label: "{label}"')
    if not follows:
        text = text.replace("follows: brede-intake\n", "")
        text = text.replace("calculate: plan.leerroute", "calculate: \"'B'\"")
        text = text.replace("relevant: intake.doelgroep == 'asielstatushouder'", "")
    path.write_text(text, encoding="utf-8")
    return folder


def test_known_names_load(tmp_path: Path) -> None:
    folder = _with_label(tmp_path, "{intake.doelgroep} {plan.leerroute} {route_in_plan}")
    bundle, problems = check_bundle(folder)
    assert problems == [] and bundle is not None


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("{plan.geen_veld}", "no plan field 'geen_veld'"),
        ("{intake.geen_vraag}", "no question 'geen_vraag'"),
        ("{geen_vraag}", "no top-level question 'geen_vraag'"),
        ("{voortgang}", "a section has no answer"),
        ("{iets.anders}", "is not a name a text can show"),
    ],
)
def test_an_unknown_name_is_an_error_at_its_label(tmp_path: Path, label: str, message: str) -> None:
    folder = _with_label(tmp_path, label)
    bundle, problems = check_bundle(folder)
    assert bundle is None and len(problems) == 1
    lines = (folder / "questionnaire.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if label in text)
    assert problems[0].location.line == line
    assert message in problems[0].message


def test_intake_names_need_a_bundle_that_follows_one(tmp_path: Path) -> None:
    folder = _with_label(tmp_path, "{intake.doelgroep}", follows=False)
    bundle, problems = check_bundle(folder)
    assert bundle is None
    assert "only in a bundle that follows another" in problems[0].message


def test_a_translation_that_drops_a_name_is_a_warning_and_fails_under_strict(
    tmp_path: Path,
) -> None:
    from intake_tui.cli import main

    folder = tmp_path / "voortgangsgesprek"
    shutil.copytree(FOLLOWUP, folder)
    po = folder / "translations" / "tr.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    entry = next(m for m in catalog if m.context == "question.opening_pip.label")
    assert "{intake.hoogst_afgeronde_opleiding}" in entry.string
    entry.string = entry.string.replace("{intake.hoogst_afgeronde_opleiding}", "...")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)
    assert main(["questionnaire", "validate", str(folder)]) == 0
    assert main(["questionnaire", "validate", "--strict", str(folder)]) == 1


def _label_in(po: Path, key: str) -> str:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    return next(m.string for m in catalog if m.context == key)


def test_a_follow_up_shows_the_plan_and_the_intake_in_each_language(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "rami")
        talk = followups.talks(store, case_id)[0]
        followup_id = followups.start(store, talk.id, load_bundle(FOLLOWUP))
        opened = interviews.open_interview(store, followup_id)
        revision = plans.latest_frozen(store, case_id)
        assert revision is not None
        fields = json.loads(revision.document_json)["plan"]["fields"]
        route = fields["leerroute"]["value"]
        intake = load_bundle(DEFAULT_BUNDLE)
        dutch_route = intake.plan.fields["leerroute"].values[route]
        arabic_route = _label_in(
            DEFAULT_BUNDLE / "translations" / "ar.po", f"plan.field.leerroute.value.{route}"
        )
        texts = BundleTexts(opened.bundle, "nl", "ar", "app")
        texts.attach(lambda: opened.interview, opened.shown)
        mine = texts.caseworker("opening_pip")
        theirs = texts.newcomer("opening_pip").text
        assert f"leerroute {dutch_route}," in mine and "{" not in mine
        assert arabic_route in theirs and "{" not in theirs
        # The intake's answer by its label (a choice), in Dutch for the caseworker.
        intake_engine = interviews.open_interview(store, case_id).interview
        item = intake.items["hoogst_afgeronde_opleiding"]
        code = intake_engine.value("hoogst_afgeronde_opleiding")
        label = next(c.label for c in item.choices or () if c.value == code)
        assert mine.endswith(f"opleiding: {label}.")
        # Before the talk has a plan to read, a name shows "—", never its braces.
        bare = BundleTexts(opened.bundle, "nl", "ar", "app")
        assert "{plan.leerroute}" in bare.caseworker("opening_pip")  # nothing attached
    finally:
        store.close()


def test_an_answer_of_the_same_interview_in_a_label(tmp_path: Path) -> None:
    folder = _with_label(tmp_path, "Eerder: {route_in_plan}")
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "rami")
        talk = followups.talks(store, case_id)[0]
        followup_id = followups.start(store, talk.id, load_bundle(folder))
        opened = interviews.open_interview(store, followup_id)
        texts = BundleTexts(opened.bundle, "nl", "en", "app")
        texts.attach(lambda: opened.interview, opened.shown)
        assert (
            texts.caseworker("aanwezigheid") == f"Eerder: {opened.interview.value('route_in_plan')}"
        )
    finally:
        store.close()
