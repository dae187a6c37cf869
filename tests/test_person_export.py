"""A newcomer's own export (`person export`, AVG art. 15; issue 16 item 8): the plan with its
reasons, the answer history and the recipients, as JSON and as a bilingual page, with the real
encrypted store, the real command line and the real reference server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake_tui import cli, commands
from intake_tui.central.app import create_app
from intake_tui.core.values import Answer
from intake_tui.store import interviews
from intake_tui.store.session import Store
from intake_tui.sync import service

from .central_helpers import run_uvicorn
from .store_helpers import reopen
from .sync_fixtures import FAST, Central, Scripted, enrolled
from .sync_helpers import store_with_frozen

EVIL = "<script>alert(1)</script>"


def person_export(
    root: Path, case: str, out: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> int:
    monkeypatch.setattr(commands, "_unlock", lambda _options: reopen(root))
    return cli.main(["person", "export", case, "--out", str(out), *extra, "--data-dir", str(root)])


@pytest.fixture
def frozen(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Rami's finalized intake with a discussed plan (overrides with reasons), store closed."""
    root = tmp_path / "laptop"
    store, (case,) = store_with_frozen(root)
    store.close()
    yield root, case


def test_the_json_holds_the_plan_fields_with_their_reasons(
    frozen: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, case = frozen
    out = tmp_path / "person.json"
    assert person_export(root, case, out, monkeypatch) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    # The keys it always had are still there.
    assert document["schema"] == "intake-person-export/1"
    assert document["plans"] == [{"revision": 1, "status": "discussed", "dagtekening": None}]
    assert document["answers"] and document["language"] == "ar"
    (plan,) = document["plan"]
    assert (plan["revision"], plan["status"]) == (1, "discussed")
    leerroute = plan["fields"]["leerroute"]
    assert leerroute["value"] == "B"
    assert leerroute["override"]["reason"] == "LBT haalbaar, werkervaring"
    assert plan["fields"]["niveau"]["override"]["reason"] == "eerste PIP"
    # Every field with a value carries the text of its rules' reasons.
    with_reasons = [f for f in plan["fields"].values() if f["reasons"]]
    assert with_reasons and all(
        isinstance(r, str) and r for f in with_reasons for r in f["reasons"]
    )
    assert all(f["value"] not in (None, []) for f in plan["fields"].values())


def test_the_json_holds_the_answer_history_with_who_and_when(
    frozen: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, case = frozen
    store = reopen(root)
    try:
        interviews.reopen_interview(store, case, "naam gecorrigeerd")
        interviews.save_answer(store, case, "voornamen", Answer.of("Rami Karim"))
    finally:
        store.close()
    out = tmp_path / "person.json"
    assert person_export(root, case, out, monkeypatch) == 0
    history = json.loads(out.read_text(encoding="utf-8"))["history"]
    assert len(history) > 1  # every answer of the intake, then the correction
    last = history[-1]
    assert last["question"] == "voornamen"
    assert last["new_state"] == "answered" and last["new_value"] == "Rami Karim"
    assert last["old_value"] != "Rami Karim"
    assert last["by"] == "anna" and last["at"].startswith("2026-11-28")
    assert {"question", "label", "old_state", "old_value", "new_state", "new_value"} <= set(last)


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    app = Scripted(create_app(db_url))
    with run_uvicorn(app) as url:
        yield Central(db_url, app, url)


def _recipients(root: Path, case: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    assert person_export(root, case, out, monkeypatch, "--force") == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_after_a_real_sync_the_central_system_is_a_recipient_with_its_receipt_date(
    frozen: tuple[Path, str], tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, case = frozen
    out = tmp_path / "person.json"
    before = _recipients(root, case, out, monkeypatch)
    assert [(r["revision"], r["state"]) for r in before["recipients"]] == [(1, "waiting")]
    assert "DUO" in before["recipients_note"]

    store: Store = reopen(root)
    try:
        enrolled(store, central)
        assert service.run_sync(store, policy=FAST, sleep=lambda _s: None).acked == 1
    finally:
        store.close()
    after = _recipients(root, case, out, monkeypatch)
    (received,) = after["recipients"]
    assert received["recipient"] == "central system of the municipality"
    assert (received["revision"], received["status"], received["state"]) == (
        1,
        "discussed",
        "received",
    )
    assert received["received_at"].startswith("2026-11-28")
    assert isinstance(received["receipt_id"], str) and received["receipt_id"]


def test_the_html_page_is_bilingual_and_escapes_what_the_newcomer_typed(
    frozen: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, case = frozen
    store = reopen(root)
    try:
        interviews.reopen_interview(store, case, "naam gecorrigeerd")
        interviews.save_answer(store, case, "voornamen", Answer.of(EVIL))
    finally:
        store.close()
    out = tmp_path / "person.html"
    assert person_export(root, case, out, monkeypatch, "--format", "html") == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    # Dutch and Arabic (the interview's client language) side by side.
    assert 'lang="nl"' in page and 'lang="ar" dir="rtl"' in page
    assert "Wat de gemeente over u heeft opgeslagen" in page
    assert "العربية" in page  # the Arabic column's heading, in Arabic
    assert any("\u0600" <= ch <= "\u06ff" for ch in page.split("العربية", 1)[1])
    # The plan with its reasons (html_plan), the history and the recipients.
    assert "LBT haalbaar, werkervaring" in page
    assert "Plan, versie 1" in page
    assert "Wijzigingen in uw antwoorden" in page
    assert "Wie uw gegevens ontving" in page and "DUO" in page
