"""`intake-tui export` and `person export`: plain, sealed, HTML; never overwriting; audited."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
from sqlmodel import Session, select

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.store import audit, exports, plans
from intake_tui.store.keyring import generate_organisation_keypair
from intake_tui.store.seal import open_sealed
from intake_tui.store.session import StoreError

from .conftest import DEFAULT_BUNDLE
from .store_helpers import make_store
from .test_plans_store import finalized_rami


@pytest.fixture
def frozen(tmp_path: Path):  # type: ignore[no-untyped-def]
    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path / "data", clock)
    bundle = load_bundle(DEFAULT_BUNDLE)
    interview_id = finalized_rami(store, bundle, clock)
    plans.set_override(store, interview_id, "leerroute", "B", "LBT haalbaar")
    plans.set_override(store, interview_id, "niveau", "B1", "eerste PIP")
    plans.mark_final(store, interview_id, dt.date(2026, 11, 28))
    yield store, interview_id, bundle
    store.close()


def special_keys(bundle) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        i.question.export
        for i in bundle.value_questions()
        if i.question.sensitivity == "special" and i.question.export
    }


def test_plain_export_withholds_health_answers(frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, bundle = frozen
    out = tmp_path / "plan.json"
    assert exports.export_plans(store, interview_id, out) == [out]
    document = json.loads(out.read_text())
    present_special = special_keys(bundle) & set(document["answers"])
    assert present_special == set()
    assert document["withheld"] and set(document["withheld"]) <= special_keys(bundle)
    assert document["sealed"] is False
    assert document["duo"]["leerroute"] == "B"
    # ... and the plan's provenance does not show them either.
    special_ids = {i.id for i in bundle.value_questions() if i.question.sensitivity == "special"}
    for field in document["plan"]["fields"].values():
        for source in field["sources"] + field["needs_decision"]:
            for read in source["inputs"]:
                if read["question"] in special_ids:
                    assert read["shown"] is None, read
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_sealed_export_carries_them_and_opens_with_the_organisation_key(
    frozen, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, bundle = frozen
    private, public = generate_organisation_keypair()
    out = tmp_path / "plan.json.age"
    exports.export_plans(store, interview_id, out, seal_to=public)
    sealed = out.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1\n")
    assert b"belastbaarheid" not in sealed
    document = json.loads(open_sealed(sealed, private))
    assert document["sealed"] is True
    assert document["withheld"] == []
    assert special_keys(bundle) & set(document["answers"])  # Rami's health answers are there


def test_an_existing_file_is_never_overwritten_without_force(frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _bundle = frozen
    out = tmp_path / "plan.json"
    out.write_text("keep me")
    with pytest.raises(StoreError) as refused:
        exports.export_plans(store, interview_id, out)
    assert "use --force" in refused.value.message
    assert out.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan")] == []
    exports.export_plans(store, interview_id, out, force=True)
    assert json.loads(out.read_text())["record"]["interview_id"] == interview_id


def test_export_all_names_files_by_id_and_revision_and_audits(frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _bundle = frozen
    folder = tmp_path / "exports"
    written = exports.export_plans(store, None, folder)
    assert [p.name for p in written] == [f"{interview_id}-r1.json"]
    with Session(store.engine) as session:
        actions = [r.action for r in session.exec(select(audit.AuditRow))]
    assert actions.count("export") == 1


def test_html_export_for_an_arabic_reader(frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _bundle = frozen
    out = tmp_path / "plan.html"
    exports.export_plans(store, interview_id, out, fmt="html")
    page = out.read_text(encoding="utf-8")
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "<script" not in page
    assert "Rami" not in page  # no name unless asked for


def test_person_export_holds_everything_about_them(frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _bundle = frozen
    out = tmp_path / "person.json"
    exports.export_person(store, interview_id, out)
    document = json.loads(out.read_text())
    assert document["interview_id"] == interview_id
    questions = {a["question"] for a in document["answers"]}
    assert {"bsn", "geboortedatum", "lbt_resultaat"} <= questions
    special = {i.id for i in _bundle.value_questions() if i.question.sensitivity == "special"}
    assert questions & special  # their own health answers are part of what they may see
    assert document["plans"] == [{"revision": 1, "status": "final", "dagtekening": "2026-11-28"}]


def test_export_cli_needs_an_id_or_all(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "intake_tui", "export", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "give one interview ID, or --all" in result.stderr


def test_seal_needs_the_organisation_key_in_config(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "intake_tui",
            "export",
            "abc",
            "--seal",
            "--out",
            str(tmp_path / "x"),
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "[recovery] public_key" in result.stderr


def test_plain_export_hides_health_in_the_plan_too(tmp_path: Path) -> None:
    """Semhar's plan refers her to the GP: a plain export must not say so anywhere."""
    from intake_tui.core import Interview
    from intake_tui.personas import PERSONAS, apply
    from intake_tui.store import interviews

    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path / "data", clock)
    bundle = load_bundle(DEFAULT_BUNDLE)
    semhar = next(p for p in PERSONAS if p.key == "semhar")
    summary = interviews.create_interview(
        store, bundle, client_display_name=semhar.display_name, client_language="ti"
    )
    engine = Interview(bundle, today=clock.today)
    apply(semhar, engine)
    for (question, instance), answer in engine.answers().items():
        interviews.save_answer(store, summary.id, question, answer, instance)
    interviews.finalize_interview(store, summary.id)
    frozen = plans.mark_discussed(store, summary.id)
    assert "huisarts" in frozen.document_json  # the whole document keeps it (for sync)
    out = tmp_path / "semhar.json"
    exports.export_plans(store, summary.id, out)
    text = out.read_text()
    assert "huisarts" not in text and "praktijkondersteuner" not in text
    document = json.loads(text)
    assert "plan.gezondheid.verwijzing" in document["withheld"]
    assert document["plan"]["fields"]["gezondheid.verwijzing"]["value"] is None
    store.close()


def test_export_all_checks_every_file_before_writing_any(frozen, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _bundle = frozen
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / f"{interview_id}-r1.json").write_text("keep me")
    with pytest.raises(StoreError):
        exports.export_plans(store, None, folder)
    assert [p.name for p in folder.iterdir()] == [f"{interview_id}-r1.json"]
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    with pytest.raises(StoreError) as refused:
        exports.export_plans(store, None, a_file)
    assert "is a file" in refused.value.message
