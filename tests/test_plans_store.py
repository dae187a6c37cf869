"""The plan's lifecycle in the store: overrides, discussed and final revisions, the termijn."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from intake_tui.core import Answer, FrozenClock, Interview, load_bundle
from intake_tui.personas import PERSONAS, apply
from intake_tui.store import interviews, plans
from intake_tui.store.session import Store, StoreError

from .conftest import DEFAULT_BUNDLE
from .store_helpers import make_store

RAMI = next(p for p in PERSONAS if p.key == "rami")


@pytest.fixture(scope="module")
def bundle():  # type: ignore[no-untyped-def]
    return load_bundle(DEFAULT_BUNDLE)


def finalized_rami(store: Store, bundle, clock: FrozenClock) -> str:  # type: ignore[no-untyped-def]
    """Rami's intake, answered and finalized, with a settlement date so a PIP can be final."""
    summary = interviews.create_interview(
        store,
        bundle,
        client_display_name=RAMI.display_name,
        client_language="ar",
        duo_notice_date=RAMI.duo_notice_date,
    )
    engine = Interview(bundle, today=clock.today)
    apply(RAMI, engine)
    engine.set_answer("datum_vestiging_gemeente", Answer.of(dt.date(2026, 11, 1)))
    for (question, instance), answer in engine.answers().items():
        if engine.is_visible(question, instance) or question == "datum_vestiging_gemeente":
            interviews.save_answer(store, summary.id, question, answer, instance)
    interviews.finalize_interview(store, summary.id)
    return summary.id


@pytest.fixture
def setup(tmp_path: Path, bundle):  # type: ignore[no-untyped-def]
    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path / "data", clock)
    interview_id = finalized_rami(store, bundle, clock)
    # The caseworker's decisions, so these tests do not depend on which rules fire.
    plans.set_override(store, interview_id, "leerroute", "B", "LBT haalbaar, werkervaring")
    plans.set_override(store, interview_id, "niveau", "B1", "eerste PIP")
    yield store, interview_id, clock
    store.close()


def test_an_override_needs_a_reason_and_a_valid_value(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _clock = setup
    with pytest.raises(StoreError):
        plans.set_override(store, interview_id, "niveau", "A2", "  ")
    with pytest.raises(StoreError):
        plans.set_override(store, interview_id, "niveau", "C1", "typo")
    with pytest.raises(StoreError):
        plans.set_override(store, interview_id, "leerrout", "B", "unknown field")


def test_an_override_survives_regeneration_after_an_answer_changes(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _clock = setup
    opened = interviews.open_interview(store, interview_id)
    before = plans.draft(store, opened)
    assert before.fields["leerroute"].value == "B"
    assert before.fields["leerroute"].override is not None
    assert before.fields["leerroute"].override.reason == "LBT haalbaar, werkervaring"
    interviews.reopen_interview(store, interview_id, "hoofddoel changed")
    interviews.save_answer(store, interview_id, "hoofddoel", Answer.of("onderwijs"))
    after = plans.draft(store, interviews.open_interview(store, interview_id))
    assert after.fields["leerroute"].value == "B"  # the caseworker's choice stays
    assert after.fields["hoofddoel"].rule_value != before.fields["hoofddoel"].rule_value or (
        after.fields["hoofddoel"].sources != before.fields["hoofddoel"].sources
    )


def test_discussed_needs_a_finalized_interview(setup, bundle) -> None:  # type: ignore[no-untyped-def]
    store, _interview_id, _clock = setup
    draft_only = interviews.create_interview(
        store, bundle, client_display_name="Nog Bezig", client_language="so"
    ).id
    with pytest.raises(StoreError):
        plans.mark_discussed(store, draft_only)


def test_final_is_refused_while_a_duo_check_fails(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _clock = setup
    plans.set_override(store, interview_id, "niveau", "A2", "afschalen?")  # first PIP: refused
    with pytest.raises(plans.PlanNotReady) as refused:
        plans.mark_final(store, interview_id, dt.date(2026, 11, 28))
    assert [c.id for c in refused.value.checks] == ["eerste_pip_b1_niet_a2"]
    assert plans.revisions(store, interview_id) == []


def test_final_before_settlement_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _clock = setup
    with pytest.raises(plans.PlanNotReady) as refused:
        plans.mark_final(store, interview_id, dt.date(2026, 10, 1))
    assert "dagtekening_na_vestiging" in [c.id for c in refused.value.checks]


def test_discussed_then_final_then_changed(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, clock = setup
    first = plans.mark_discussed(store, interview_id)
    assert (first.revision, first.previous_revision, first.status) == (1, None, "discussed")
    discussed = json.loads(first.document_json)
    assert discussed["duo"] is None
    assert discussed["record"] == {
        **discussed["record"],
        "interview_id": interview_id,
        "revision": 1,
        "previous_revision": None,
    }
    final = plans.mark_final(store, interview_id, dt.date(2026, 11, 28))
    assert (final.revision, final.previous_revision, final.status) == (2, 1, "final")
    document = json.loads(final.document_json)
    assert document["duo"]["dagtekeningPip"] == "2026-11-28"
    assert document["duo"]["leerroute"] == "B"
    assert document["plan"]["termijn"] == {"start": "2026-11-29", "end": "2029-11-28"}
    # A change a month later: a new revision naming the previous one; the termijn stays.
    clock.advance(dt.timedelta(days=30))
    interviews.reopen_interview(store, interview_id, "werk gevonden")
    interviews.finalize_interview(store, interview_id)
    changed = plans.mark_final(store, interview_id, dt.date(2026, 12, 28))
    assert (changed.revision, changed.previous_revision) == (3, 2)
    assert json.loads(changed.document_json)["plan"]["termijn"]["start"] == "2026-11-29"
    # and a changed PIP may not be dated before the earlier one
    interviews.reopen_interview(store, interview_id, "typo")
    interviews.finalize_interview(store, interview_id)
    with pytest.raises(plans.PlanNotReady) as refused:
        plans.mark_final(store, interview_id, dt.date(2026, 12, 1))
    assert [c.id for c in refused.value.checks] == ["dagtekening_niet_voor_vorige"]


def test_frozen_documents_do_not_follow_later_answers(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _clock = setup
    frozen = plans.mark_discussed(store, interview_id)
    interviews.reopen_interview(store, interview_id, "correctie")
    interviews.save_answer(store, interview_id, "hoofddoel", Answer.of("participatie"))
    assert plans.revisions(store, interview_id)[0].document_json == frozen.document_json


def test_the_termijn_of_a_leap_day_plan_ends_on_28_february() -> None:
    from intake_tui.core.plan.legal import termijn_end

    assert termijn_end(dt.date(2028, 2, 29)) == dt.date(2031, 2, 28)


def test_after_a_move_the_termijn_runs_from_the_first_pip_elsewhere(setup) -> None:  # type: ignore[no-untyped-def]
    """An earlier PIP dated 2025-05-01 in another gemeente: the termijn is 2025-05-02 to
    2028-05-01 (Wet art. 11), not three years from this laptop's first final PIP."""
    store, interview_id, _clock = setup
    interviews.reopen_interview(store, interview_id, "verhuisd")
    for question, value in (
        ("eerder_pip", True),
        ("eerder_pip_gemeente", "Zwolle"),
        ("eerder_pip_dagtekening", dt.date(2025, 5, 1)),
        ("eerder_pip_leerroute", "b1"),
        ("eerder_pip_niveau", "b1"),
    ):
        interviews.save_answer(store, interview_id, question, Answer.of(value))
    interviews.finalize_interview(store, interview_id)
    # Already known when the plan is only discussed: the earlier PIP fixed it.
    discussed = json.loads(plans.mark_discussed(store, interview_id).document_json)
    assert discussed["plan"]["termijn"] == {"start": "2025-05-02", "end": "2028-05-01"}
    final = json.loads(plans.mark_final(store, interview_id, dt.date(2026, 12, 1)).document_json)
    assert final["plan"]["termijn"] == {"start": "2025-05-02", "end": "2028-05-01"}
    assert final["plan"]["fields"]["termijn_bron"]["value"] == "berekend"


def test_a_plan_near_aow_age_asks_a_decision_with_the_date(setup) -> None:  # type: ignore[no-untyped-def]
    store, interview_id, _clock = setup
    interviews.reopen_interview(store, interview_id, "geboortedatum gecorrigeerd")
    interviews.save_answer(store, interview_id, "geboortedatum", Answer.of(dt.date(1960, 3, 10)))
    interviews.finalize_interview(store, interview_id)
    opened = interviews.open_interview(store, interview_id)
    plan, checks = plans.readiness(store, opened, dt.date(2026, 12, 1))
    assert plan.value("aow_datum") == dt.date(2027, 3, 10)
    assert plan.value("aow_binnen_termijn") is True
    assert [f.key for f in plan.open_decisions()] == ["aow_beslissing"]
    assert "aow_beslissing" in {c.id for c in checks if not c.ok}
    with pytest.raises(plans.PlanNotReady):
        plans.mark_final(store, interview_id, dt.date(2026, 12, 1))
    plans.set_override(
        store, interview_id, "aow_beslissing", "traject_tot_aow", "KNM en PVT tot maart 2027"
    )
    final = json.loads(plans.mark_final(store, interview_id, dt.date(2026, 12, 1)).document_json)
    fields = final["plan"]["fields"]
    assert fields["aow_datum"]["value"] == "2027-03-10"
    assert fields["aow_beslissing"]["override"]["value"] == "traject_tot_aow"
    # Not health data: a plain export (special answers left out) keeps the decision and why.
    from intake_tui.core.export import ExportDocument, plain_copy

    frozen = plans.revisions(store, interview_id)[-1].document_json
    plain = plain_copy(ExportDocument.model_validate_json(frozen), opened.bundle)
    decision = plain.plan.fields["aow_beslissing"]
    assert decision.needs_decision[0].rule == "wet.aow_binnen_termijn"
    assert plain.plan.fields["aow_datum"].value == "2027-03-10"


def test_a_final_plan_carries_the_bezwaar_clause_and_dated_progress_talks(setup) -> None:  # type: ignore[no-untyped-def]
    """The PIP is a beschikking: the clause names the gemeente and where to object (config.toml
    [gemeente]), in both languages of the printed plan; progress talks get dates when final."""
    store, interview_id, _clock = setup
    store.data_dir.config_path.write_text(
        "[gemeente]\n"
        'naam = "Gemeente Voorbeeld"\n'
        'bezwaar_adres = "Postbus 1, 1000 AA Voorbeeld"\n'
        'bezwaar_email = "bezwaar@gemeente.example"\n',
        encoding="utf-8",
    )
    discussed = json.loads(plans.mark_discussed(store, interview_id).document_json)
    assert discussed["plan"]["fields"]["voortgangsgesprekken"]["value"] is None
    assert discussed["plan"]["fields"]["voortgangsgesprekken.schema"]["value"] == "3, 6, 12"
    final = plans.mark_final(store, interview_id, dt.date(2026, 11, 28))
    fields = json.loads(final.document_json)["plan"]["fields"]
    clause = fields["bezwaar.clausule"]["value"]
    assert "bezwaar maken bij Gemeente Voorbeeld" in clause
    assert "binnen 6\nweken" not in clause and "binnen 6 weken" in clause
    assert "Postbus 1, 1000 AA Voorbeeld · bezwaar@gemeente.example" in clause
    assert fields["voortgangsgesprekken"]["value"] == ["2027-02-28", "2027-05-28", "2027-11-28"]

    from intake_tui.core.export import ExportDocument
    from intake_tui.core.html_plan import render_plan_html

    document = ExportDocument.model_validate_json(final.document_json)
    bundle = interviews.open_interview(store, interview_id).bundle
    page = render_plan_html(document, bundle, newcomer_language="ar")
    assert "Gemeente Voorbeeld" in page and page.count("bezwaar@gemeente.example") == 2
    assert "Bent u het niet eens met dit plan?" in page  # the Dutch column
    arabic = bundle_translation(bundle, "ar", "plan.bezwaar.tekst")
    assert arabic and arabic.split("{")[0].strip() in page  # the newcomer's column


def bundle_translation(bundle, language: str, key: str) -> str | None:  # type: ignore[no-untyped-def]
    from intake_tui.core.catalogs import Localizer

    found = Localizer(bundle).text(key, "", language)
    return found.text if found.lang == language else None
