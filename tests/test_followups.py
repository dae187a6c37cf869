"""A case over its termijn (issue 19): the final plan's dates become talks; a talk is
rescheduled or missed with a reason, or held by its own follow-up interview; the cases list is
intakes only; erasing a follow-up plans its talk again."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from intake_tui.core import load_bundle
from intake_tui.store import followups, interviews, plans
from intake_tui.store.session import Store, StoreError

from .conftest import BUNDLES, DEFAULT_BUNDLE
from .store_helpers import entered_persona, make_store, reopen

FOLLOWUP = BUNDLES / "followup"


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = make_store(tmp_path / "data")
    yield made
    made.close()


FOLLOWUP_RULE = (
    "  - id: taalmaatje_na_testgesprek\n"
    "    when: followup.aanwezigheid == 'soms'\n"
    "    add: {begeleiding: [taalmaatje]}\n"
    "    because: U was soms niet in de les. Een taalmaatje helpt u bij te blijven.\n"
    "    source: praktijk\n"
)


def intake_with_followup_rule(root: Path, rule: str = FOLLOWUP_RULE) -> Path:
    """A copy of the default bundle whose plan reads a follow-up (`followup.aanwezigheid`),
    with the test follow-up bundle beside it; the copy's folder."""
    folder = root / "brede-intake"
    shutil.copytree(DEFAULT_BUNDLE, folder)
    shutil.copytree(FOLLOWUP, root / "voortgang-test")
    plan = folder / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("rules:\n", "rules:\n" + rule, 1), encoding="utf-8")
    return folder


def final_case(store: Store, key: str = "rami", bundle_path: Path = DEFAULT_BUNDLE) -> str:
    """A persona's intake finalized with a final plan signed on demo day (its talks planned)."""
    bundle = load_bundle(bundle_path)
    case_id = entered_persona(store, bundle, key)
    interviews.finalize_interview(store, case_id)
    opened = interviews.open_interview(store, case_id)
    for field in plans.draft(store, opened, dt.date(2026, 11, 28)).open_decisions():
        plans.set_override(store, case_id, field.key, field.rule_value, "besproken")
    plans.mark_final(store, case_id, dt.date(2026, 11, 28))
    return case_id


def test_the_final_plan_dates_become_planned_talks_once(store: Store) -> None:
    case_id = final_case(store)
    found = followups.talks(store, case_id)
    revision = plans.latest_frozen(store, case_id)
    assert revision is not None
    import json

    planned = json.loads(revision.document_json)["plan"]["fields"]["voortgangsgesprekken"]["value"]
    assert [t.due.isoformat() for t in found] == planned
    assert planned and all(t.status == "planned" and not t.overdue for t in found)
    # A later final revision adds nothing twice.
    plans.mark_final(store, case_id, dt.date(2026, 11, 28))
    assert len(followups.talks(store, case_id)) == len(found)


def test_reschedule_and_missed_need_a_reason_and_keep_the_first_date(store: Store) -> None:
    case_id = final_case(store)
    first, second, *_rest = followups.talks(store, case_id)
    with pytest.raises(StoreError, match="reason"):
        followups.reschedule(store, first.id, first.due + dt.timedelta(days=7), "  ")
    followups.reschedule(store, first.id, first.due + dt.timedelta(days=7), "tolk ziek")
    followups.reschedule(store, first.id, first.due + dt.timedelta(days=14), "vakantie")
    followups.miss(store, second.id, "niet gekomen")
    moved, missed = followups.talks(store, case_id)[:2]
    assert (moved.due, moved.rescheduled_from, moved.reason) == (
        first.due + dt.timedelta(days=14),
        first.due,
        "vakantie",
    )
    assert (missed.status, missed.reason) == ("missed", "niet gekomen")
    with pytest.raises(StoreError, match="missed"):
        followups.reschedule(store, second.id, second.due, "toch")
    # A later final revision does not bring the rescheduled date back.
    plans.mark_final(store, case_id, dt.date(2026, 11, 28))
    assert first.due not in [t.due for t in followups.talks(store, case_id)]


def test_a_talk_is_held_by_its_follow_up_and_the_cases_list_shows_intakes_only(
    store: Store,
) -> None:
    case_id = final_case(store)
    talk = followups.talks(store, case_id)[0]
    bundle = load_bundle(FOLLOWUP)
    with pytest.raises(StoreError, match="not a follow-up"):
        followups.start(store, talk.id, load_bundle(BUNDLES / "engine"))
    followup_id = followups.start(store, talk.id, bundle)
    assert followups.start(store, talk.id, bundle) == followup_id  # started once
    assert followups.case_of(store, followup_id) == case_id
    assert followups.talks(store, case_id)[0].status == "in_progress"
    page = interviews.list_interviews(store, "")
    assert [s.id for s in page.items] == [case_id] and page.total == 1
    # The follow-up in progress is not a case in progress either (counted by subtraction).
    counts = interviews.case_counts(store, dt.date(2026, 11, 28))
    assert (counts.in_progress, counts.finalized) == (0, 1)
    for item in bundle.value_questions():
        if item.required is True:
            from intake_tui.core import Answer

            interviews.save_answer(store, followup_id, item.id, Answer("unknown", None))
    interviews.finalize_interview(store, followup_id)
    held = followups.talks(store, case_id)[0]
    assert held.status == "held"
    # Held on the store's today (28-11-2026), months before it was due: the timeline says so.
    assert held.held_on == store.clock.today() != held.due
    from intake_tui.ui.widgets.timeline_list import talk_text

    assert talk_text(held) == "held on 28-11-2026"
    assert followups.next_due(store, [case_id])[case_id] == followups.talks(store, case_id)[1].due
    with pytest.raises(StoreError, match="held"):
        followups.miss(store, talk.id, "toch niet")


def test_erasing_a_follow_up_draft_plans_its_talk_again(store: Store) -> None:
    case_id = final_case(store)
    talk = followups.talks(store, case_id)[0]
    followup_id = followups.start(store, talk.id, load_bundle(FOLLOWUP))
    interviews.delete_draft(store, followup_id)
    again = followups.talks(store, case_id)[0]
    assert (again.status, again.followup_id) == ("planned", None)


def test_overdue_talks_are_marked(tmp_path: Path) -> None:
    from intake_tui.core import FrozenClock

    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store)
    finally:
        store.close()
    later = reopen(tmp_path / "data")
    try:
        first_due = followups.talks(later, case_id)[0].due
        # The day after it was due:
        later.clock = FrozenClock.on((first_due + dt.timedelta(days=1)).isoformat())
        first = followups.talks(later, case_id)[0]
        assert first.overdue and first.status == "planned"
    finally:
        later.close()


def test_new_intakes_are_not_offered_a_follow_up_bundle(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = make_store(root)
    store.close()
    shutil.copytree(FOLLOWUP, root / "bundles" / "voortgang-test" / "1.0.0")
    found = followups.followup_bundles(
        "brede-intake", [DEFAULT_BUNDLE, root / "bundles" / "voortgang-test" / "1.0.0"]
    )
    assert [b.id for b in found] == ["voortgang-test"]


def test_a_persons_export_covers_the_whole_case(store: Store, tmp_path: Path) -> None:
    import json

    from intake_tui.core import Answer
    from intake_tui.core.plan.legal import termijn_end
    from intake_tui.store import exports

    case_id = final_case(store)
    first, second, *_rest = followups.talks(store, case_id)
    followups.miss(store, second.id, "niet gekomen")
    followup_id = followups.start(store, first.id, load_bundle(FOLLOWUP))
    interviews.save_answer(store, followup_id, "aanwezigheid", Answer.of("soms"))
    interviews.save_answer(store, followup_id, "afspraken", Answer.of("Elke week oefenen <b>"))
    new_end = termijn_end(dt.date(2026, 11, 29)) + dt.timedelta(days=120)
    plans.extend_termijn(store, case_id, "ziekte", dt.date(2026, 11, 28), new_end)
    document = json.loads(
        exports.export_person(store, case_id, tmp_path / "person.json").read_text("utf-8")
    )
    (followup,) = document["followups"]
    assert followup["interview_id"] == followup_id
    answers = {a["question"]: a["value"] for a in followup["answers"]}
    assert answers == {"aanwezigheid": "soms", "afspraken": "Elke week oefenen <b>"}
    assert [t["status"] for t in document["talks"]][:2] == ["in_progress", "missed"]
    assert document["talks"][1]["reason"] == "niet gekomen"
    assert document["termijn_extensions"] == [
        {"ground": "ziekte", "decided_on": "2026-11-28", "new_end": new_end.isoformat()}
    ]
    page = exports.export_person(store, case_id, tmp_path / "person.html", fmt="html")
    html = page.read_text("utf-8")
    assert "Elke week oefenen &lt;b&gt;" in html  # the follow-up's answers, escaped


def test_a_later_final_plan_re_dates_the_talks_nobody_touched(store: Store) -> None:
    from intake_tui.core.plan.legal import add_months

    case_id = final_case(store)
    first, second, third = followups.talks(store, case_id)
    followups.reschedule(store, second.id, second.due + dt.timedelta(days=3), "tolk ziek")
    later = dt.date(2026, 12, 5)
    plans.mark_final(store, case_id, later)  # a changed PIP, signed a week later
    months = load_bundle(DEFAULT_BUNDLE).plan.progress.maanden
    after = followups.talks(store, case_id)
    assert len(after) == len(months)
    by_id = {t.id: t.due for t in after}
    assert by_id[first.id] == add_months(later, months[0])  # untouched: the new plan's date
    assert by_id[second.id] == second.due + dt.timedelta(days=3)  # rescheduled: kept
    assert by_id[third.id] == add_months(later, months[2])


def test_cases_with_a_talk_overdue_are_paged_searched_and_counted_in_sql(tmp_path: Path) -> None:
    from intake_tui.core import Answer

    store = make_store(tmp_path / "data")
    try:
        rami, ayse, kwame = (final_case(store, key) for key in ("rami", "ayse", "kwame"))
        first_due = followups.talks(store, rami)[0].due
        day_after = first_due + dt.timedelta(days=1)
        # Nothing is overdue on the day a talk is due.
        assert followups.overdue_count(store, first_due) == 0
        assert followups.overdue_cases(store, first_due).total == 0
        # Kwame's first talk was missed, Ayşe's held: only Rami's is overdue the day after.
        followups.miss(store, followups.talks(store, kwame)[0].id, "niet gekomen")
        ayse_first = followups.talks(store, ayse)[0]
        followup = followups.start(store, ayse_first.id, load_bundle(FOLLOWUP))
        interviews.save_answer(store, followup, "aanwezigheid", Answer.of("altijd"))
        assert {s.id for s in followups.overdue_cases(store, day_after).items} == {rami, ayse}
        interviews.finalize_interview(store, followup)
        page = followups.overdue_cases(store, day_after)
        assert ([s.id for s in page.items], page.total) == ([rami], 1)
        assert followups.overdue_count(store, day_after) == 1
        # Searched like the cases list, and a rescheduled talk is no longer overdue.
        assert followups.overdue_cases(store, day_after, "ayse").total == 0
        assert followups.overdue_cases(store, day_after, "rami").total == 1
        assert followups.overdue_cases(store, day_after, statuses=["in_progress"]).total == 0
        followups.reschedule(store, followups.talks(store, rami)[0].id, day_after, "ziek")
        assert followups.overdue_count(store, day_after) == 0
        # Paged: a year on, each case's later talks are overdue; one per page, each once.
        later = day_after + dt.timedelta(days=400)
        pages = [followups.overdue_cases(store, later, page=n, page_size=1) for n in range(3)]
        assert [p.total for p in pages] == [3, 3, 3]
        assert {p.items[0].id for p in pages} == {rami, ayse, kwame}
        assert followups.intake(store, rami).status == "finalized"
    finally:
        store.close()


def test_retention_keeps_the_plan_a_running_case_reads(store: Store) -> None:
    """A received final revision is the case's current plan: its follow-ups read it
    (`plan.<field>`) and its next revision is compared with it, so retention keeps it until a
    later final revision replaces it; a follow-up still opens after the retention."""
    from sqlmodel import select

    from intake_tui.store.models import OutboxRow
    from intake_tui.sync import service

    case_id = final_case(store)
    followup_id = followups.start(
        store, followups.talks(store, case_id)[0].id, load_bundle(FOLLOWUP)
    )

    def received() -> None:
        with store.session() as session:
            for row in session.exec(select(OutboxRow)).all():
                if row.state == "pending":
                    row.state, row.receipt_json, row.acked_at = "acked", "{}", store.now()
                    session.add(row)

    received()
    store.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
    assert service.purge_synced(store, 30) == 0
    assert plans.revisions(store, case_id)[0].document_json
    assert interviews.open_interview(store, followup_id).summary.status == "in_progress"
    plans.mark_final(store, case_id, dt.date(2026, 12, 29))
    received()
    store.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
    assert service.purge_synced(store, 30) == 1
    first, second = plans.revisions(store, case_id)
    assert first.document_json == "" and second.document_json
    assert interviews.open_interview(store, followup_id).summary.status == "in_progress"
