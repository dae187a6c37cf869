"""The termijn over a case's life (issue 19): whatever sequence of plan revisions, changes and
verlengingen follows, its start and the first dagtekening never move, and its end moves only
with a verlenging recorded with its ground and DUO's decision date. Property-tested on a real
(SQLCipher) store: each example starts from a copy of one case with a final plan."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_tui.core.plan.legal import termijn_end
from intake_tui.store import followups, interviews, plans
from intake_tui.store.plans import PlanNotReady
from intake_tui.store.session import StoreError

from .store_helpers import make_store, reopen
from .test_followups import final_case

SIGNED = dt.date(2026, 11, 28)  # the first final plan's dagtekening (final_case)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("termijn") / "data"
    store = make_store(root)
    try:
        case_id = final_case(store)
    finally:
        store.close()
    return root, case_id


Step = st.one_of(
    st.tuples(st.just("final"), st.integers(min_value=-40, max_value=0)),
    st.tuples(st.just("discussed"), st.just(0)),
    st.tuples(st.just("change"), st.integers(min_value=1, max_value=40)),
    st.tuples(st.just("extend"), st.integers(min_value=-60, max_value=400)),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(Step, min_size=1, max_size=6))
def test_start_and_first_dagtekening_never_move_and_only_a_verlenging_moves_the_end(
    template: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:  # type: ignore[type-arg]
    source, case_id = template
    root = tmp_path_factory.mktemp("example") / "data"
    shutil.copytree(source, root)
    store = reopen(root)
    try:
        start = termijn_end(SIGNED + dt.timedelta(days=1))  # the computed end, before any
        recorded: list[dt.date] = []
        for action, number in steps:
            if action == "final":
                with contextlib.suppress(PlanNotReady, StoreError):
                    plans.mark_final(store, case_id, SIGNED + dt.timedelta(days=number))
            elif action == "discussed":
                plans.mark_discussed(store, case_id)
            elif action == "change":  # a change of plan with a reason: hours per week
                plans.set_override(
                    store, case_id, "participatie.uren_per_week", number, "na voortgangsgesprek"
                )
            else:
                end_so_far = max([start, *recorded])
                new_end = end_so_far + dt.timedelta(days=number)
                try:
                    plans.extend_termijn(store, case_id, "ziekte", SIGNED, new_end)
                    recorded.append(new_end)
                except StoreError:
                    assert new_end <= end_so_far  # refused only when it would not move it on
            opened = interviews.open_interview(store, case_id)
            period = plans.plan_termijn(store, opened)
            assert period is not None and not period.estimated
            assert period.start == SIGNED + dt.timedelta(days=1)
            finals = [r for r in plans.revisions(store, case_id) if r.status == "final"]
            assert finals[0].dagtekening == SIGNED
            assert period.end == max([start, *recorded])
            assert period.extended_to == (max(recorded) if recorded else None)
    finally:
        store.close()


def test_a_verlenging_needs_a_known_ground_a_past_decision_and_a_later_end(
    template: tuple[Path, str], tmp_path: Path
) -> None:
    source, case_id = template
    root = tmp_path / "data"
    shutil.copytree(source, root)
    store = reopen(root)
    try:
        later = termijn_end(SIGNED + dt.timedelta(days=1)) + dt.timedelta(days=90)
        with pytest.raises(StoreError, match="unknown ground"):
            plans.extend_termijn(store, case_id, "vakantie", SIGNED, later)
        with pytest.raises(StoreError, match="future"):
            plans.extend_termijn(store, case_id, "ziekte", SIGNED.replace(year=2027), later)
        plans.extend_termijn(store, case_id, "zwangerschap", SIGNED, later)
        assert followups.extensions(store, case_id) == [
            followups.Extension("zwangerschap", SIGNED, later)
        ]
        opened = interviews.open_interview(store, case_id)
        plan = plans.draft(store, opened)
        assert plan.fields["termijn_bron"].value == "duo"  # DUO's decision
        assert not plan.fields["termijn_bron"].needs_decision  # and nothing to decide
    finally:
        store.close()


def test_after_a_move_a_verlenging_counts_from_the_first_pip_anywhere(tmp_path: Path) -> None:
    """Nasrin's termijn runs from her first PIP in another gemeente (end 2028-05-01, docs/
    personas.md), not from the plan signed here: a verlenging to a day before the end counted
    from here (2029) is still a verlenging, and one before 2028-05-01 is refused."""
    store = make_store(tmp_path / "data")
    try:
        case_id = final_case(store, "nasrin")
        end = plans.plan_termijn(store, interviews.open_interview(store, case_id)).end
        assert end == dt.date(2028, 5, 1)
        with pytest.raises(StoreError, match="after the end so far"):
            plans.extend_termijn(store, case_id, "ziekte", SIGNED, dt.date(2028, 4, 1))
        plans.extend_termijn(store, case_id, "ziekte", SIGNED, dt.date(2028, 9, 1))
        period = plans.plan_termijn(store, interviews.open_interview(store, case_id))
        assert (period.start, period.end) == (dt.date(2025, 5, 2), dt.date(2028, 9, 1))
    finally:
        store.close()
