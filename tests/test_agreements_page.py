"""The newcomer's page of agreements until the next conversation (issue 19, item 4): one page
in Dutch and their language, what, who and by when, and the next talk's date."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_tui.core import Answer, load_bundle
from intake_tui.personas import talks as demo_talks
from intake_tui.store import followups, interviews
from intake_tui.store.agreements import agreements_html, write_agreements
from intake_tui.store.session import StoreError

from .conftest import REPO
from .store_helpers import make_store
from .test_followups import final_case

VOORTGANG = REPO / "questionnaires" / "voortgangsgesprek"


def held_talk(store, key: str = "rami") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A persona's case and a follow-up with the demo's answers and one agreement."""
    case_id = final_case(store, key)
    talk = followups.talks(store, case_id)[0]
    followup_id = followups.start(store, talk.id, load_bundle(VOORTGANG))
    for question, value in demo_talks.RAMI_TALK.items():
        interviews.save_answer(store, followup_id, question, Answer.of(value))
    engine = interviews.open_interview(store, followup_id).interview
    entry = engine.add_instance("afspraken_lijst")
    interviews.save_answer(store, followup_id, "afspraken_lijst", engine.answer("afspraken_lijst"))
    interviews.save_answer(store, followup_id, "afspraak_wat", Answer.of("Oefenen <thuis>"), entry)
    interviews.save_answer(store, followup_id, "afspraak_wie", Answer.of("regievoerder"), entry)
    return case_id, followup_id


def test_the_page_holds_the_agreements_in_both_languages(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id, followup_id = held_talk(store)  # Rami reads Arabic
        html = write_agreements(store, followup_id, tmp_path / "afspraken.html").read_text("utf-8")
        with pytest.raises(StoreError, match="not a follow-up"):
            agreements_html(store, case_id)
    finally:
        store.close()
    assert "Onze afspraken tot het volgende gesprek" in html
    assert 'lang="ar" dir="rtl"' in html  # the newcomer's column, right to left
    assert "Oefenen &lt;thuis&gt;" in html  # their words, escaped
    assert "Wie: De regievoerder van de gemeente" in html  # the choice label, not the code
    assert "20-02-2027" in html  # the next conversation (demo data)
    assert "<script" not in html


def test_a_talk_without_agreements_says_so(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "ayse")
        talk = followups.talks(store, case_id)[0]
        followup_id = followups.start(store, talk.id, load_bundle(VOORTGANG))
        html = agreements_html(store, followup_id).decode("utf-8")
    finally:
        store.close()
    assert "Er zijn geen afspraken vastgelegd." in html
