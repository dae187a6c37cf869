"""Central edits become visible and a case can be handed over (issue 15, items 3 and 5), end to
end: real encrypted laptop stores, the real reference server on loopback (uvicorn), a real
back-office editor account, and the plan screen as the caseworker sees it.

A laptop revision that has not seen a newer central edit is refused (409 central_edit) and
nothing is stored; the laptop fetches the edit, the plan screen shows it beside the laptop's
own plan, and the revision the caseworker then makes names the version it was made with, so the
server takes it. A hand-over moves a case to another laptop, which fetches it on its next sync;
the old laptop gets 404 from then on."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.store import central_plans, plans
from intake_tui.store.session import Store
from intake_tui.sync import service

from .central_helpers import account, run_uvicorn
from .sync_fixtures import FAST, demo_store, enrolled
from .sync_helpers import outbox, store_with_frozen


class Server:
    def __init__(self, db_url: str, url: str, flaky: FlakyPlans) -> None:
        self.db_url, self.url, self.flaky = db_url, url, flaky

    def submissions(self, interview_id: str) -> list[int]:
        engine = sa.create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT revision FROM central_submission WHERE interview_id = :i "
                        "ORDER BY revision"
                    ),
                    {"i": interview_id},
                ).fetchall()
        finally:
            engine.dispose()
        return [int(r[0]) for r in rows]

    def edit(self, interview_id: str, field: str, value: Any) -> int:
        """What an editor in the back office does: read the plan, change one field, PUT it."""
        token = account(self.db_url, "editor")
        with httpx.Client(base_url=self.url, trust_env=False, timeout=10) as client:
            auth = {"Authorization": f"Bearer {token}"}
            got = client.get(f"/v1/plans/{interview_id}", headers=auth)
            assert got.status_code == 200, got.text
            document = copy.deepcopy(got.json())
            document["plan"]["fields"][field]["value"] = value
            put = client.put(
                f"/v1/plans/{interview_id}",
                json={"document": document},
                headers={**auth, "If-Match": got.headers["etag"]},
            )
            assert put.status_code == 200, put.text
            return int(put.json()["version"])

    def latest(self, interview_id: str) -> dict[str, Any]:
        token = account(self.db_url, "privacy")
        with httpx.Client(base_url=self.url, trust_env=False, timeout=10) as client:
            got = client.get(
                f"/v1/plans/{interview_id}", headers={"Authorization": f"Bearer {token}"}
            )
        assert got.status_code == 200, got.text
        result: dict[str, Any] = got.json()
        return result


class FlakyPlans:
    """Fails the next `fail` fetches of one plan (GET /v1/plans/{id}) with a 503."""

    def __init__(self, app: Any) -> None:
        self.app, self.fail = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"].startswith("/v1/plans/")
            and self.fail > 0
        ):
            self.fail -= 1
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    flaky = FlakyPlans(create_app(db_url))
    with run_uvicorn(flaky) as url:
        yield Server(db_url, url, flaky)


def sync(store: Store) -> service.Summary:
    return service.run_sync(store, policy=FAST, sleep=lambda _s: None)


def test_a_central_edit_is_seen_before_it_can_be_replaced(tmp_path: Path, server: Server) -> None:
    store, (case,) = store_with_frozen(tmp_path / "laptop")
    try:
        enrolled(store, server)  # type: ignore[arg-type]
        assert sync(store).acked == 1
        central_version = server.edit(case, "niveau", "A2")  # the laptop said B1
        assert central_version == 2

        # Offline meanwhile, the caseworker changed the plan and marked it discussed again.
        plans.set_override(store, case, "contactpersoon.naam", "J. Bakker", "nieuwe contactpersoon")
        plans.mark_discussed(store, case)
        assert outbox(store)[-1].based_on_version is None  # made without the edit in view

        first = sync(store)
        assert (first.central_edits, first.received, first.exit_code) == (1, 1, 2)
        assert [r.state for r in outbox(store)] == ["acked", "central_edit"]
        assert server.submissions(case) == [1]  # nothing of revision 2 was stored
        assert server.latest(case)["plan"]["fields"]["niveau"]["value"] == "A2"

        # The edit is kept on the laptop and shown beside its own plan until it is answered.
        edit = central_plans.pending_edit(store, case)
        assert edit is not None and edit.version == central_version
        from intake_tui.core.plan.compare import differences, document_values

        mine = plans.latest_frozen(store, case)
        assert mine is not None and mine.revision == 2
        here = document_values(json.loads(mine.document_json))
        assert [
            (d.key, d.here, d.central) for d in differences(here, document_values(edit.document))
        ] == [
            ("niveau", "B1", "A2"),
            ("contactpersoon.naam", "J. Bakker", "anna"),  # the caseworker, by default
        ]

        # The caseworker takes the level over and makes a new version: sent as seen.
        plans.set_override(store, case, "niveau", "A2", "aangepast door de gemeente")
        plans.mark_discussed(store, case)
        assert outbox(store)[-1].based_on_version == central_version
        assert central_plans.pending_edit(store, case) is None

        second = sync(store)
        assert (second.acked, second.central_edits, second.exit_code) == (1, 0, 0)
        assert server.submissions(case) == [1, 3]
        latest = server.latest(case)
        assert latest["record"]["revision"] == 3
        assert latest["plan"]["fields"]["niveau"]["value"] == "A2"
        assert latest["plan"]["fields"]["contactpersoon.naam"]["value"] == "J. Bakker"
        assert [r.state for r in outbox(store)] == ["acked", "central_edit", "acked"]
        assert sync(store).central_edits == 0  # the refused revision is never sent again
    finally:
        store.close()


def test_a_failed_fetch_loses_nothing_and_is_done_next_time(tmp_path: Path, server: Server) -> None:
    store, (case,) = store_with_frozen(tmp_path / "laptop")
    try:
        enrolled(store, server)  # type: ignore[arg-type]
        sync(store)
        server.edit(case, "niveau", "A2")
        server.flaky.fail = 1
        failed = sync(store)
        assert (failed.received, failed.pull_failed) == (0, "503")
        assert central_plans.pending_edit(store, case) is None  # nothing half-kept
        again = sync(store)
        assert (again.received, again.pull_failed) == (1, None)
        assert central_plans.pending_edit(store, case) is not None
        assert sync(store).received == 0  # fetched once
    finally:
        store.close()


def test_a_hand_over_moves_the_case_to_the_other_laptop(tmp_path: Path, server: Server) -> None:
    old, (case,) = store_with_frozen(tmp_path / "old")
    new, _none = store_with_frozen(tmp_path / "new", discussed=0)
    try:
        enrolled(old, server)  # type: ignore[arg-type]
        enrolled(new, server)  # type: ignore[arg-type]
        assert sync(old).acked == 1
        old_device = service.device(old).device_id  # type: ignore[union-attr]
        new_device = service.device(new).device_id  # type: ignore[union-attr]
        assert sync(new).received == 0  # not its case yet

        assert admin.transfer_case(server.db_url, case, new_device) == old_device
        received = sync(new)
        assert received.received == 1
        (handed,) = central_plans.received_cases(new)
        assert handed.interview_id == case
        assert handed.document == server.latest(case)

        # The old laptop's next revision of it is refused as if the case did not exist; it is
        # kept there (rejected, for a person), not lost.
        plans.mark_discussed(old, case)
        refused = sync(old)
        assert (refused.rejected, refused.exit_code) == (1, 2)
        assert outbox(old)[-1].last_error == "404 not_found"
        assert server.submissions(case) == [1]

        log = admin.audit_log(server.db_url, object_id=case)
        transfer = next(e for e in log if e["action"] == "case_transfer")
        assert f"from={old_device}" in transfer["detail"]
        assert f"to={new_device}" in transfer["detail"]
    finally:
        old.close()
        new.close()


async def test_the_plan_screen_shows_the_central_edit_beside_its_own(
    tmp_path: Path, server: Server
) -> None:
    from textual.widgets import OptionList

    from .test_plan_screen import open_plan
    from .tui_helpers import make_app

    with demo_store(tmp_path) as (root, store):
        enrolled(store, server)  # type: ignore[arg-type]
        assert sync(store).acked >= 3
        from intake_tui.store import interviews

        case = outbox(store)[0].interview_id  # a demo case whose plan the laptop sent
        name = interviews.open_interview(store, case).summary.client_display_name
        version = server.edit(case, "contactpersoon.naam", "M. de Wit (school)")
        assert sync(store).received == 1
    app = make_app(root)
    app.start_background_sync = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_plan(pilot, name)
        listing = screen.query_one("#plan", OptionList)
        shown = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert shown[0].startswith(f"── Edited centrally: version {version}")
        assert any("M. de Wit (school)" in line for line in shown[1:3]), shown[:4]
        status = str(screen.query_one("#plan-status").render())
        assert f"edited centrally (version {version})" in status


async def test_a_handed_over_case_is_listed_and_its_plan_can_be_read(
    tmp_path: Path, server: Server
) -> None:
    from textual.widgets import Label, OptionList

    from intake_tui.cli_cases import case_rows
    from intake_tui.store import interviews

    from .tui_helpers import make_app, unlock, wait_for

    old, (case,) = store_with_frozen(tmp_path / "old")
    try:
        enrolled(old, server)  # type: ignore[arg-type]
        sync(old)
        name = interviews.open_interview(old, case).summary.client_display_name
    finally:
        old.close()
    with demo_store(tmp_path) as (root, store):
        enrolled(store, server)  # type: ignore[arg-type]
        device = service.device(store).device_id  # type: ignore[union-attr]
        admin.transfer_case(server.db_url, case, device)
        assert sync(store).received == 1
        rows = {row["id"]: row for row in case_rows(store)}
        assert (rows[case]["status"], rows[case]["plan_status"]) == ("received", "discussed")
        assert rows[case]["name"] == name  # from the answers the bundle prefills from the names
    app = make_app(root)
    app.start_background_sync = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        summary = str(pilot.app.screen.query_one("#summary", Label).render())
        assert "1 handed over to this laptop (h)" in summary
        await pilot.press("h")
        await wait_for(pilot, "ReceivedScreen")
        listing = pilot.app.screen.query_one("#received", OptionList)
        assert listing.option_count == 1
        assert str(listing.get_option_at_index(0).prompt).startswith(name)
        await pilot.press("enter")
        await wait_for(pilot, "ReceivedPlanScreen")
        screen = pilot.app.screen
        assert name in str(screen.query_one("#received-title", Label).render())
        plan = screen.query_one("#received-plan", OptionList)
        shown = [str(plan.get_option_at_index(i).prompt) for i in range(plan.option_count)]
        assert any("B1" in line for line in shown), shown  # the level the old laptop chose
        assert any("eerste PIP" in line for line in shown)  # and the reason it gave
        await pilot.press("escape")
        await wait_for(pilot, "ReceivedScreen")
