"""A batch is judged item by item exactly as the single endpoint judges the same items one after
the other (docs/sync-protocol.md): central/batch.py reads what the database holds about a
batch's records up front and keeps its own view as items are taken, so these tests send the
same items to two fresh servers, as one batch to the first and one by one to the second, and
compare every answer (status and body; receipt ids by the order they first appear) and every
row the servers then hold. Named scenarios for the cases the view could get wrong (two
revisions of one case, the same key twice, replays among new items, conflicts, talks with
their plan revisions, another device's case, a central edit), then random ones. On PostgreSQL
too when INTAKE_TEST_POSTGRES_URL is set (each server on a schema of its own)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

from intake_tui.central import admin
from intake_tui.central.app import create_app
from intake_tui.central.authz import Caller
from intake_tui.central.models import (
    Case,
    Conflict,
    FollowupConflict,
    FollowupRecord,
    IdempotencyRecord,
    PlanVersion,
    Submission,
)
from intake_tui.central.protocol import Problem

from .central_helpers import (
    followup_submission,
    make_document,
    make_followup_document,
    submission,
)

PG_URL = os.environ.get("INTAKE_TEST_POSTGRES_URL", "")
DATABASES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not PG_URL, reason="INTAKE_TEST_POSTGRES_URL is not set"),
    ),
]
NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
EDITOR = Caller("account", "editor-1", "editor", "unassigned", "editor")


class FixedClock:
    """One moment for both servers, so receipts' times compare equal."""

    def now(self) -> dt.datetime:
        return NOW


@contextlib.contextmanager
def database(kind: str, folder: Path, name: str) -> Iterator[str]:
    """An empty database: a SQLite file, or a new PostgreSQL schema (dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    schema = f"batch_{name}_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin_engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin_engine.dispose()


@dataclass
class Server:
    """A central server's storage (no HTTP: the routes only hand over to it) with two devices:
    "me", who sends, and "other", who owns a case of its own."""

    db_url: str
    app: Any = None
    me: str = ""
    other: str = ""
    receipts: dict[str, str] = field(default_factory=dict)  # receipt id -> its label

    def __post_init__(self) -> None:
        self.app = create_app(self.db_url, clock=FixedClock())
        self.me = self._enrol("me")
        self.other = self._enrol("other")

    def _enrol(self, name: str) -> str:
        code = admin.new_enrolment_code(self.db_url)
        device_id: str = self.central.enrol({"code": code, "name": name})["device_id"]
        return device_id

    @property
    def central(self) -> Any:
        return self.app.state.central

    def close(self) -> None:
        self.app.state.engine.dispose()

    def label(self, receipt_id: str) -> str:
        return self.receipts.setdefault(receipt_id, f"receipt-{len(self.receipts)}")

    def answer(self, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """An answer with its receipt id as a label (the order receipts first appear)."""
        body = dict(body)
        if "receipt_id" in body:
            body["receipt_id"] = self.label(body["receipt_id"])
        return status, body

    def single(self, item: dict[str, Any], device: str | None = None) -> tuple[int, dict[str, Any]]:
        try:
            status, body = self.central.submit(
                device or self.me, item["idempotency_key"], item["submission"]
            )
        except Problem as problem:
            status, body = problem.status, problem.body()
        return self.answer(status, body)

    def batch(self, items: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
        results = self.central.submit_batch(self.me, {"items": items})["results"]
        return [self.answer(r["status"], r["body"]) for r in results]

    def edit(self, interview_id: str, if_match: str, document: dict[str, Any]) -> None:
        self.central.put_plan(EDITOR, interview_id, if_match, {"document": document})

    def rows(self, prefix: str) -> dict[str, list[Any]]:
        """Every row about the records named `prefix...`, devices and receipts as labels."""
        who = {self.me: "me", self.other: "other", EDITOR.id: "editor"}

        def digest(row: Any) -> str:
            """The stored document's hash, and the receipt's label when the row has one."""
            sha = hashlib.sha256(row.document.encode("utf-8")).hexdigest()[:12]
            receipt_id = getattr(row, "receipt_id", None)
            return sha if receipt_id is None else f"{sha} {self.receipts.get(receipt_id, '?')}"

        def answer(row: IdempotencyRecord) -> str:
            return json.dumps(self.answer(row.status, json.loads(row.body)), sort_keys=True)

        with Session(self.app.state.engine) as session:

            def rows(table: Any, column: Any) -> list[Any]:
                return list(session.exec(select(table).where(col(column).startswith(prefix))))

            return {
                "submissions": sorted(
                    (r.interview_id, r.revision, r.payload_sha256, who[r.device_id], digest(r))
                    for r in rows(Submission, Submission.interview_id)
                ),
                "plan_versions": sorted(
                    (r.interview_id, r.version, r.source, r.etag, who[r.author_id], digest(r))
                    for r in rows(PlanVersion, PlanVersion.interview_id)
                ),
                "cases": sorted(
                    (r.interview_id, who[r.device_id]) for r in rows(Case, Case.interview_id)
                ),
                "conflicts": sorted(
                    (r.interview_id, r.revision, r.payload_sha256, who[r.device_id], digest(r))
                    for r in rows(Conflict, Conflict.interview_id)
                ),
                "talks": sorted(
                    (r.interview_id, r.followup_id, r.status, who[r.device_id], digest(r))
                    for r in rows(FollowupRecord, FollowupRecord.interview_id)
                ),
                "talk_conflicts": sorted(
                    (r.interview_id, r.followup_id, r.payload_sha256, who[r.device_id], digest(r))
                    for r in rows(FollowupConflict, FollowupConflict.interview_id)
                ),
                "keys": sorted(
                    (who[r.device_id], r.key, r.request_sha256, r.status, answer(r))
                    for r in rows(IdempotencyRecord, IdempotencyRecord.key)
                ),
            }


@contextlib.contextmanager
def two_servers(kind: str, folder: Path) -> Iterator[tuple[Server, Server]]:
    """Two fresh servers: the first takes batches, the second the same items one by one."""
    with database(kind, folder, "batch") as batch_url, database(kind, folder, "single") as url:
        batched, single = Server(batch_url), Server(url)
        try:
            yield batched, single
        finally:
            batched.close()
            single.close()


# -- items ------------------------------------------------------------------------------------


class Items:
    """The records of one scenario, named under a prefix of their own (keys too), so scenarios
    can share a server."""

    def __init__(self) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:10]}-"
        self._documents: dict[tuple[Any, ...], dict[str, Any]] = {}

    def case(self, n: int) -> str:
        return f"{self.prefix}case{n}"

    def key(self, n: int) -> str:
        return f"{self.prefix}key{n}"

    def plan(
        self, case: int, revision: int, key: int, variant: str = "nl", based_on: int | None = None
    ) -> dict[str, Any]:
        """A plan revision of case `case` (a document of its own per variant)."""
        memo = ("plan", case, revision, variant)
        if memo not in self._documents:
            self._documents[memo] = make_document(
                self.case(case), revision, previous=revision - 1 or None, variant=variant
            )
        body = submission(self._documents[memo])
        if based_on is not None:
            body["based_on_version"] = based_on
        return {"idempotency_key": self.key(key), "submission": body}

    def talk(self, case: int, talk: int, key: int, variant: str = "soms") -> dict[str, Any]:
        """A completed talk `talk` of case `case`."""
        memo = ("talk", case, talk, variant)
        if memo not in self._documents:
            self._documents[memo] = make_followup_document(
                self.case(case), f"{self.prefix}talk{talk}", variant=variant
            )
        body = followup_submission(self._documents[memo])
        return {"idempotency_key": self.key(key), "submission": body}


def compare(
    batched: Server,
    single: Server,
    items: Items,
    batch: list[dict[str, Any]],
    before: list[dict[str, Any]] | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """`before` one by one to both servers, then `batch` as one batch to the first and one by
    one to the second, twice (the second time every item replays or is judged again): the
    same answers, the same rows. Returns the batch's first answers."""
    for item in before or []:
        assert batched.single(item) == single.single(item)
    answers = batched.batch(batch)
    assert answers == [single.single(item) for item in batch]
    assert batched.rows(items.prefix) == single.rows(items.prefix)
    again = batched.batch(batch)
    assert again == [single.single(item) for item in batch]
    assert batched.rows(items.prefix) == single.rows(items.prefix)
    return answers


@pytest.fixture(params=DATABASES)
def servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    with two_servers(request.param, tmp_path) as pair:
        yield pair


# -- named scenarios --------------------------------------------------------------------------


def test_two_revisions_of_one_case_in_one_batch(servers: tuple[Server, Server]) -> None:
    """Revision 1 makes the case the sender's and plan version 1; revision 2 sees both and
    makes version 2; revision 3 before 2 would too, but an older one after it makes none."""
    items = Items()
    batch = [items.plan(0, 1, key=0), items.plan(0, 3, key=1), items.plan(0, 2, key=2)]
    answers = compare(*servers, items, batch)
    assert [status for status, _body in answers] == [201, 201, 201]
    rows = servers[0].rows(items.prefix)
    assert [(v[1], v[2]) for v in rows["plan_versions"]] == [(1, "submission"), (2, "submission")]
    assert rows["cases"] == [(items.case(0), "me")]


def test_the_same_key_twice_in_one_batch(servers: tuple[Server, Server]) -> None:
    """The second use of a key replays the first answer (the same body) or is 422 (another)."""
    items = Items()
    batch = [
        items.plan(0, 1, key=0),
        items.plan(0, 1, key=0),
        items.plan(1, 1, key=0),
        items.talk(0, 0, key=1),
        items.talk(0, 0, key=1),
    ]
    answers = compare(*servers, items, batch)
    assert [status for status, _body in answers] == [201, 201, 422, 201, 201]
    assert [body.get("replayed") for _status, body in answers] == [False, True, None, False, True]
    assert answers[1][1]["receipt_id"] == answers[0][1]["receipt_id"]
    assert answers[2][1]["code"] == "idempotency_key_reused"


def test_replays_mixed_with_new_items(servers: tuple[Server, Server]) -> None:
    """Items whose key was answered before replay; a stored record under a new key is 200;
    the new ones around them are taken."""
    items = Items()
    before = [items.plan(0, 1, key=0), items.talk(0, 0, key=1)]
    batch = [
        items.plan(0, 2, key=2),
        items.plan(0, 1, key=0),  # a replay
        items.plan(0, 1, key=3),  # the same record, another key
        items.talk(0, 0, key=1),  # a replay
        items.talk(0, 0, key=4),  # the same talk, another key
        items.plan(1, 1, key=5),
    ]
    answers = compare(*servers, items, batch, before)
    assert [status for status, _body in answers] == [201, 201, 200, 201, 200, 201]
    assert [body["replayed"] for _status, body in answers] == [False, True, True, True, True, False]


def test_conflicts_inside_a_batch_are_kept_once(servers: tuple[Server, Server]) -> None:
    """Another version of a record taken earlier in the batch, or stored before, is 409 and
    kept for a human once per content; the items after it are judged as usual."""
    items = Items()
    before = [items.plan(1, 1, key=0), items.talk(1, 0, key=1)]
    batch = [
        items.plan(0, 1, key=2),
        items.plan(0, 1, key=3, variant="ar"),  # conflicts with the item before it
        items.plan(0, 1, key=4, variant="ar"),  # the same conflict again: kept once
        items.plan(1, 1, key=5, variant="ar"),  # conflicts with the stored one
        items.talk(1, 0, key=6, variant="vaak"),  # a talk's conflict
        items.talk(1, 0, key=7, variant="vaak"),
        items.plan(0, 2, key=8),
    ]
    answers = compare(*servers, items, batch, before)
    assert [status for status, _body in answers] == [201, 409, 409, 409, 409, 409, 201]
    assert {body.get("code") for status, body in answers if status == 409} == {"record_conflict"}
    rows = servers[0].rows(items.prefix)
    assert len(rows["conflicts"]) == 2
    assert len(rows["talk_conflicts"]) == 1
    assert not any(key[1] in (items.key(3), items.key(6)) for key in rows["keys"])


def test_talks_in_a_batch_with_their_plan_revisions(servers: tuple[Server, Server]) -> None:
    """A talk of a case taken earlier in the batch, a talk that makes a new case the sender's
    (its plan revision then follows), and a talk of another device's case (404)."""
    items = Items()
    batched, single = servers
    for server in servers:
        assert server.single(items.plan(9, 1, key=90), device=server.other)[0] == 201
    batch = [
        items.plan(0, 1, key=0),
        items.talk(0, 0, key=1),
        items.talk(1, 0, key=2),
        items.plan(1, 1, key=3),
        items.talk(0, 1, key=4),
        items.talk(9, 0, key=5),
        items.plan(0, 2, key=6),
    ]
    answers = compare(batched, single, items, batch)
    assert [status for status, _body in answers] == [201, 201, 201, 201, 201, 404, 201]
    assert answers[1][1]["kind"] == "followup"
    rows = batched.rows(items.prefix)
    assert rows["cases"] == [
        (items.case(0), "me"),
        (items.case(1), "me"),
        (items.case(9), "other"),
    ]
    assert len(rows["talks"]) == 3


def test_another_devices_case_and_a_central_edit_in_a_batch(
    servers: tuple[Server, Server],
) -> None:
    """Another device's case looks unknown (404); a revision that has not seen a central edit
    is 409 central_edit and stores nothing, one that has is taken as the next version."""
    items = Items()
    for server in servers:
        assert server.single(items.plan(9, 1, key=90), device=server.other)[0] == 201
        assert server.single(items.plan(0, 1, key=0))[0] == 201
        document = items.plan(0, 1, key=0)["submission"]["document"]
        server.edit(items.case(0), '"1"', document)
    batch = [
        items.plan(9, 2, key=1),
        items.plan(0, 2, key=2),  # has not seen the central edit (version 2)
        items.plan(0, 2, key=3, based_on=2),
        items.plan(0, 3, key=4),  # has not seen it either
        items.plan(0, 3, key=5, based_on=2),
        items.plan(0, 1, key=6),  # stored before: 200, the edit does not matter
    ]
    answers = compare(*servers, items, batch)
    assert [status for status, _body in answers] == [404, 409, 201, 409, 201, 200]
    assert answers[1][1]["code"] == "central_edit"
    rows = servers[0].rows(items.prefix)
    assert [(v[1], v[2]) for v in rows["plan_versions"] if v[0] == items.case(0)] == [
        (1, "submission"),
        (2, "central"),
        (3, "submission"),
        (4, "submission"),
    ]


# -- random scenarios -------------------------------------------------------------------------

PLAN = st.tuples(
    st.just("plan"),
    st.integers(0, 2),  # case (2: another device's)
    st.integers(1, 3),  # revision
    st.integers(0, 6),  # key
    st.sampled_from(["nl", "ar"]),
    st.sampled_from([None, 2]),  # based on (case 1 has a central edit, version 2)
)
TALK = st.tuples(
    st.just("talk"),
    st.integers(0, 2),
    st.integers(0, 1),  # talk
    st.integers(0, 6),
    st.sampled_from(["soms", "vaak"]),
)


def build(items: Items, action: tuple[Any, ...]) -> dict[str, Any]:
    if action[0] == "plan":
        _kind, case, revision, key, variant, based_on = action
        return items.plan(case, revision, key, variant, based_on)
    _kind, case, talk, key, variant = action
    return items.talk(case, talk, key, variant)


def random_scenarios(batched: Server, single: Server, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        before=st.lists(st.one_of(PLAN, TALK), max_size=4),
        batch=st.lists(st.one_of(PLAN, TALK), min_size=1, max_size=12),
    )
    def scenario(before: list[tuple[Any, ...]], batch: list[tuple[Any, ...]]) -> None:
        items = Items()
        for server in (batched, single):
            assert server.single(items.plan(2, 1, key=90), device=server.other)[0] == 201
            assert server.single(items.plan(1, 1, key=91))[0] == 201
            document = items.plan(1, 1, key=91)["submission"]["document"]
            server.edit(items.case(1), '"1"', document)
        compare(
            batched,
            single,
            items,
            [build(items, a) for a in batch],
            [build(items, a) for a in before],
        )

    scenario()


@pytest.mark.parametrize("kind", DATABASES)
def test_random_batches_are_judged_as_one_by_one(kind: str, tmp_path: Path) -> None:
    with two_servers(kind, tmp_path) as (batched, single):
        random_scenarios(batched, single, examples=30)


# -- the request's hash -----------------------------------------------------------------------

TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),  # any character that can be stored (no lone surrogate)
        st.sampled_from(['"', "\\", "\x7f", "\x00", "\n", "é", "ش", "😀", "\u2028"]),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(value=TEXT, name=TEXT, kind=st.sampled_from([None, "plan", "followup"]), based=st.booleans())
def test_the_request_hash_from_the_checked_text_is_the_plain_one(
    value: str, name: str, kind: str | None, based: bool
) -> None:
    """request_sha256 made from the canonical text the check kept (ASCII escapes put in by a
    codec handler) is the hash of json.dumps(data, ensure_ascii=True), for any characters."""
    from intake_tui.central.batch import request_sha256
    from intake_tui.central.protocol import ascii_document, check_any

    if kind == "followup":
        document = make_followup_document("case-1", "talk-1")
        document["followup"]["answers"]["voortgang.aanwezigheid"]["value"] = value
        document["followup"]["caseworker"] = name
        data = followup_submission(document)
    else:
        document = make_document("case-1", 1)
        document["answers"]["taal.spreektaal"]["value"] = value
        document["interview"]["caseworker"] = name
        data = submission(document)
        if kind == "plan":
            data["kind"] = "plan"
        if based:
            data["based_on_version"] = 3
    sub = check_any(data)
    plain = json.dumps(data, sort_keys=True, separators=(",", ":"))
    assert request_sha256(data, sub) == hashlib.sha256(plain.encode("ascii")).hexdigest()
    assert request_sha256(data) == request_sha256(data, sub)
    if "\x7f" not in value + name:
        assert ascii_document(sub) is not None  # the cheap way was taken


def test_many_characters_beyond_ascii_take_the_plain_dump() -> None:
    from intake_tui.central.batch import request_sha256
    from intake_tui.central.protocol import ascii_document, check_any

    document = make_document("case-1", 1)
    document["answers"]["taal.spreektaal"]["value"] = "مرحبا " * 100
    data = submission(document)
    sub = check_any(data)
    assert ascii_document(sub) is None
    plain = json.dumps(data, sort_keys=True, separators=(",", ":"))
    assert request_sha256(data, sub) == hashlib.sha256(plain.encode("ascii")).hexdigest()


@pytest.mark.parametrize(
    ("raw", "refused"),
    [
        (b'{"a": "\\udcff"}', True),
        (b'{"a": "\\uD800"}', True),
        (b'{"a": ["x", "\\uDbFf"]}', True),
        (b'{"a": "\\ud83d\\ude00"}', False),  # a pair: one character beyond U+FFFF
        (b'{"a": "\\\\udcff"}', False),  # an escaped backslash, then text
        (b'{"a": "\\u00e9"}', False),
        ('{"a": "é😀"}'.encode(), False),
    ],
)
def test_only_a_lone_surrogate_escape_is_refused(raw: bytes, refused: bool) -> None:
    """parse_json dumps the body again only when it has a surrogate's escape: the one way a
    body that is valid UTF-8 yields text that cannot be stored."""
    from intake_tui.central.protocol import parse_json

    if refused:
        with pytest.raises(Problem) as caught:
            parse_json(raw)
        assert (caught.value.status, caught.value.code) == (400, "bad_request")
    else:
        assert isinstance(parse_json(raw), dict)


# -- the listing the laptop pulls from ----------------------------------------------------------


def test_the_listing_has_each_own_case_at_its_newest_version(
    servers: tuple[Server, Server],
) -> None:
    """GET /v1/plans (read after every sync): the device's cases only, each at its newest
    version, a central edit included, without reading the documents."""
    server = servers[0]
    items = Items()
    server.batch([items.plan(0, 1, key=0), items.plan(0, 2, key=1), items.plan(1, 1, key=2)])
    server.edit(items.case(1), '"1"', items.plan(1, 1, key=2)["submission"]["document"])
    assert server.single(items.plan(2, 1, key=3), device=server.other)[0] == 201
    listing = server.central.list_plans(Caller("device", server.me, "me", "unassigned", "device"))
    mine = [p for p in listing if p["interview_id"].startswith(items.prefix)]
    assert [(p["interview_id"], p["version"], p["etag"], p["source"]) for p in mine] == [
        (items.case(0), 2, '"2"', "submission"),
        (items.case(1), 2, '"2"', "central"),
    ]
    assert {p["created_at"] for p in mine} == {"2026-12-05T10:00:00Z"}
