"""Sync throughput: frozen revisions from a real encrypted store to the reference server.

What is measured: the wall-clock time of one `intake_tui.sync.service.run_sync` call (default
Policy: batches of 50, up to 6 attempts a record) that delivers `count` frozen revisions from
a real encrypted store (tests/sync_helpers: one real freeze, then cheap copies with their own
outbox rows) to the real reference server (`create_app` on uvicorn, loopback, SQLite file),
reported as records per second. Enrolment and the store set-up are not timed. Each run starts
from a new, empty server database and the same outbox reset to `pending`.

Twice: without faults, and with 10 % injected faults. "10 % faults" here means: every
*record attempt* that reaches the server fails with probability 0.1 (seeded, so a run is
repeatable), whether it travels alone (POST /v1/submissions) or inside a batch. A fault on a
whole batch request would fail 50 records at once, so with 20 batches "10 % of requests" is
two coin flips and says little; per record, the rate is what the laptop sees record by
record. Half of the faults strike before the server commits (the item is answered 503
`unavailable`, with Retry-After when alone), half after it (the server commits, the answer
is replaced by 500 `internal_error`: a lost acknowledgement, so the retry must be a replay,
not a duplicate). Batches stay "never all-or-nothing": the other items' real results pass.

Backoff waits are not slept: `sleep` records them (reported as `planned_backoff_s`), so the
figure measures the work of sending, committing, retrying and bookkeeping, not the policy's
waiting (full jitter up to 30 s would swamp it and vary from run to run).

Correctness is asserted inside every run: all `count` records acked, none deferred, rejected
or in conflict; the server holds exactly `count` submissions, no duplicates, and exactly the
outbox's record ids; every outbox row is `acked`.

Figures: `sync.throughput` (budget: median at least 200 records/s; higher is better, so
`within_budget` is median >= budget and p90/p99 are the faster runs) and
`sync.throughput_faults` (no budget); both carry the attempts, HTTP requests, faults injected,
replays and the planned backoff of the median run.

The server runs in its own process (`python benchmarks/sync.py --serve ...`: create_app behind
the fault wrapper, uvicorn), as in real life, where the laptop and the server do not share an
interpreter lock; the fault counters come back from it over GET /_bench/faults. Its listening
socket is made with IPPROTO_TCP, as uvicorn makes it when it binds itself (`intake-central
serve`), so asyncio sets TCP_NODELAY on accepted connections. A plain `socket.socket()` (proto
0, as tests/central_helpers.run_uvicorn makes it) does not get it, and every keep-alive answer
then waits ~40 ms for the client's delayed ACK (Nagle): that would measure the harness.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.asgi_faults import STATS_PATH, RecordFaults, loopback_socket  # noqa: E402

BUDGET_RECORDS_PER_S = 200.0
FAULT_RATE = 0.10


@contextlib.contextmanager
def serve(db_url: str, rate: float, seed: int) -> Iterator[str]:
    """The reference server (behind RecordFaults) in its own process, as in real life (the
    laptop and the server do not share an interpreter lock); yields the base URL."""
    import subprocess

    import httpx

    sock = loopback_socket()
    sock.set_inheritable(True)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(sock.fileno())]
    command += [db_url, str(rate), str(seed)]
    process = subprocess.Popen(command, cwd=ROOT, pass_fds=[sock.fileno()])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the central server did not start")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        sock.close()


def _serve_child(fd: int, db_url: str, rate: float, seed: int) -> None:
    """In the server process: create_app behind RecordFaults on the inherited socket (rate
    below 0: the bare floor endpoint instead, see `bare_app`)."""
    import uvicorn

    from intake_tui.central.app import create_app

    sock = socket.socket(fileno=fd)  # family, type and proto (TCP: so TCP_NODELAY) from the fd
    app = bare_app(db_url) if rate < 0 else RecordFaults(create_app(db_url), rate=rate, seed=seed)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def _server_records(db_url: str) -> list[tuple[str, int]]:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT interview_id, revision FROM central_submission")
            ).fetchall()
    finally:
        engine.dispose()
    return [(str(a), int(b)) for a, b in rows]


def _reset_outbox(store: Any) -> None:
    """Every outbox row back to `pending`, as if never sent (between runs)."""
    from sqlmodel import select

    from intake_tui.store.models import OutboxRow

    with store.session() as session:
        for row in session.exec(select(OutboxRow)).all():
            row.state = "pending"
            row.attempts = 0
            row.last_error = None
            row.receipt_json = None
            row.acked_at = None
            session.add(row)


@contextlib.contextmanager
def fresh_database(folder: Path, name: str, postgres: str | None) -> Iterator[str]:
    """An empty database for one run: a SQLite file, or a new schema of the PostgreSQL
    database at `postgres` (dropped after the run), so runs never replay each other's rows."""
    if postgres is None:
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    import sqlalchemy as sa

    schema = "bench_" + name.replace("-", "_").replace(".", "_")
    admin_engine = sa.create_engine(postgres)
    with admin_engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in postgres else "?"
    try:
        yield f"{postgres}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin_engine.dispose()


def _one_run(
    store: Any, folder: Path, run: int, rate: float, postgres: str | None = None
) -> dict[str, Any]:
    """One timed run_sync against a new, empty server; asserts nothing lost or duplicated."""
    import httpx

    from intake_tui.central import admin
    from intake_tui.sync import service
    from tests.sync_helpers import outbox

    delays: list[float] = []
    with (
        fresh_database(folder, f"central-{rate:.2f}-{run}", postgres) as db_url,
        serve(db_url, rate, seed=1000 + run) as url,
    ):
        _reset_outbox(store)
        service.enrol(store, url, admin.new_enrolment_code(db_url))
        started = time.perf_counter()
        result = service.run_sync(store, sleep=delays.append)
        elapsed = time.perf_counter() - started
        faults = httpx.get(f"{url}{STATS_PATH}", timeout=10, trust_env=False).json()
        records = _server_records(db_url)  # before a PostgreSQL schema is dropped
    rows = outbox(store)
    count = len(rows)
    assert result.acked == count, (result, count)
    assert result.deferred == result.conflicts == result.rejected == 0, result
    assert result.stopped is None, result
    assert len(records) == count, (len(records), count)  # none lost
    assert len(set(records)) == len(records)  # none twice
    assert set(records) == {(r.interview_id, r.revision) for r in rows}
    assert all(r.state == "acked" for r in rows)
    if faults["after"]:
        assert result.replayed >= 1  # a lost acknowledgement came back as a replay
    return {
        "records_per_s": count / elapsed,
        "seconds": elapsed,
        "attempts": result.attempts,
        "requests": faults["requests"],
        "faults": faults["before"] + faults["after"],
        "faults_after_commit": faults["after"],
        "replayed": result.replayed,
        "planned_backoff_s": sum(delays),
        "server_records": len(records),
    }


BARE_PATH = "/bare:batch"
SYNC_RATIO = 2.0  # issue 21: sync within 2x the bare endpoint


def bare_app(db_url: str) -> Any:
    """The floor of sync: the same server stack (uvicorn, FastAPI, the central engine with its
    pragmas) with one endpoint that only validates each submission of a batch as the real one
    does (`check_submission`: model, hash, export document) and commits them in one transaction.
    No devices, idempotency keys, cases, conflicts, audit or receipts: the protocol's own cost
    is the difference."""
    import sqlalchemy as sa
    from fastapi import Body, FastAPI

    from intake_tui.central.models import make_engine
    from intake_tui.central.protocol import canonical, check_submission

    engine = make_engine(db_url)
    metadata = sa.MetaData()
    table = sa.Table(
        "bare_submission",
        metadata,
        sa.Column("interview_id", sa.String, primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    metadata.create_all(engine)
    app = FastAPI()

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(BARE_PATH)
    def batch(payload: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        rows = []
        for item in payload["items"]:
            sub = check_submission(item["submission"])
            rows.append(
                {
                    "interview_id": sub.interview_id,
                    "revision": sub.revision,
                    "document": canonical(sub.document).decode("utf-8"),
                }
            )
        with engine.begin() as connection:
            connection.execute(table.insert(), rows)
        return {"results": [{"status": 201, "body": {}} for _ in rows]}

    return app


@contextlib.contextmanager
def serve_bare(db_url: str) -> Iterator[str]:
    with serve(db_url, -1.0, 0) as url:
        yield url


def _floor_run(
    store: Any, folder: Path, run: int, batch_size: int, postgres: str | None = None
) -> float:
    """Records per second: the laptop's own batch bodies, built beforehand, posted to the bare
    endpoint over one keep-alive connection (httpx, as the laptop sends them)."""
    import httpx

    from intake_tui.sync import service
    from intake_tui.sync.client import encode_submission
    from tests.sync_helpers import outbox

    rows = outbox(store)
    submissions = service._submissions(store, rows)
    bodies = []
    for start in range(0, len(rows), batch_size):
        chunk = zip(
            submissions[start : start + batch_size],
            [r.idempotency_key for r in rows[start : start + batch_size]],
            strict=True,
        )
        items = ",".join(
            '{"idempotency_key":' + json.dumps(key) + ',"submission":' + encode_submission(sub)
            + "}"
            for sub, key in chunk
        )  # fmt: skip
        bodies.append(('{"items":[' + items + "]}").encode("utf-8"))
    with (
        fresh_database(folder, f"bare-{run}", postgres) as db_url,
        serve_bare(db_url) as url,
        httpx.Client(base_url=url, trust_env=False) as client,
    ):
        started = time.perf_counter()
        for body in bodies:
            response = client.post(
                BARE_PATH, content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 200, response.text[:200]
        elapsed = time.perf_counter() - started
    return len(rows) / elapsed


def bench_sync(
    count: int, runs: int = 3, postgres: str | None = None
) -> dict[str, dict[str, object]]:
    """`count` frozen revisions synced, without and with 10 % faults; median of `runs`. With
    `postgres` (a PostgreSQL URL) the server and the floor run on it, a new schema each run,
    and the figures are named `..._postgres`."""
    suffix = "_postgres" if postgres else ""
    from benchmarks.figures import against, summary
    from tests.sync_helpers import clone_revisions, store_with_frozen

    figures: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store, _made = store_with_frozen(folder / "data")
        try:
            if count > 1:
                clone_revisions(store, count - 1)
            for rate, name in ((0.0, "sync.throughput"), (FAULT_RATE, "sync.throughput_faults")):
                figure = name + suffix
                results = [_one_run(store, folder, run, rate, postgres) for run in range(runs)]
                rates = [r["records_per_s"] for r in results]
                budget = BUDGET_RECORDS_PER_S if rate == 0.0 else None
                result = summary(rates, "records/s", budget)
                if budget is not None:  # higher is better here
                    result["within_budget"] = float(result["median"]) >= budget  # type: ignore[arg-type]
                if rate == 0.0:
                    floor = summary(
                        [_floor_run(store, folder, run, 50, postgres) for run in range(runs)],
                        "records/s",
                        None,
                    )
                    figures["sync.bare_endpoint_floor" + suffix] = floor
                    result = against(result, floor, SYNC_RATIO, higher_is_better=True)
                middle = sorted(results, key=lambda r: r["records_per_s"])[len(results) // 2]
                result.update(
                    records=count,
                    fault_rate=rate,
                    server_records=middle["server_records"],
                    attempts=middle["attempts"],
                    requests=middle["requests"],
                    faults=middle["faults"],
                    faults_after_commit=middle["faults_after_commit"],
                    replayed=middle["replayed"],
                    planned_backoff_s=round(float(middle["planned_backoff_s"]), 2),
                    seconds=round(float(middle["seconds"]), 3),
                )
                figures[figure] = result
        finally:
            store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", nargs=4, metavar=("FD", "DB_URL", "RATE", "SEED"))
    parser.add_argument("--postgres", metavar="URL", help="the server on this PostgreSQL too")
    options = parser.parse_args(argv)
    if options.serve:  # the server process of serve()
        fd, db_url, rate, seed = options.serve
        _serve_child(int(fd), db_url, float(rate), int(seed))
        return 0
    figures = bench_sync(options.count, options.runs)
    if options.postgres:
        figures.update(bench_sync(options.count, options.runs, options.postgres))
    for name, figure in figures.items():
        extras = {k: v for k, v in figure.items() if k not in ("p90", "p99", "unit")}
        print(f"{name}: " + " ".join(f"{k}={v}" for k, v in extras.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
