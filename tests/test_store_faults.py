"""Fault injection against the encrypted store (security-and-sync.md §6, rows 1, 15-17, 19, 28).

Real processes, real SQLCipher files, real faults: SIGKILL of a writer between and during
commits, truncated / empty / foreign database files, missing / corrupt / swapped keyrings, a
full disk (RLIMIT_FSIZE), two app instances writing at once, and a crash inside the schema
migration. The writer is tests/fault_writer.py; it prints `ACK n` only after answer n was
committed, so "every acknowledged answer survives" can be checked exactly. Randomness uses fixed
seeds, so a failure reproduces. Nothing here asserts on elapsed time.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from intake_tui.core import Answer, load_bundle
from intake_tui.core.questionnaire import Bundle
from intake_tui.store import audit, database, interviews, migrate
from intake_tui.store.history import answer_history
from intake_tui.store.keyring import KeyringCorrupt, KeyringMissing
from intake_tui.store.models import AnswerHistoryRow, AuditRow
from intake_tui.store.session import StoreError

from .conftest import DEFAULT_BUNDLE, REPO
from .fault_writer import DEFAULT_QUESTIONS, ERROR_STATUS, number_in, question_for, value_for
from .store_helpers import NAME, make_store, reopen

WRITER = Path(__file__).resolve().parent / "fault_writer.py"
POSIX_ONLY = pytest.mark.skipif(
    sys.platform == "win32", reason="needs SIGKILL / resource.setrlimit (POSIX only)"
)
KILL_ROUNDS = 24
KILL_SEED = 20261128
WATCHDOG_S = 120  # a hung child is killed so the test fails instead of hanging (not a timing check)


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_bundle(DEFAULT_BUNDLE)


def set_up(root: Path, bundle: Bundle) -> str:
    """A data folder with one interview, closed again (the WAL is checkpointed away)."""
    store = make_store(root)
    try:
        return interviews.create_interview(
            store, bundle, client_display_name=NAME, client_language="ar"
        ).id
    finally:
        store.close()


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Child:
    """A child process whose stdout is read line by line; stderr goes to a file."""

    process: subprocess.Popen[str]
    stderr_path: Path
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._watchdog = threading.Timer(WATCHDOG_S, self._kill_if_running)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _kill_if_running(self) -> None:
        if self.process.poll() is None:
            self.process.kill()

    def readline(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line:
            self.lines.append(line.rstrip("\n"))
        return line.rstrip("\n") if line else ""

    def finish(self) -> int:
        """Wait for the end, collect the rest of stdout, return the exit status."""
        assert self.process.stdout is not None
        rest = self.process.stdout.read()
        self.lines.extend(rest.splitlines())
        status = self.process.wait()
        self.process.stdout.close()
        self._watchdog.cancel()
        return status

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    @property
    def acked(self) -> list[int]:
        return [int(line.split()[1]) for line in self.lines if line.startswith("ACK ")]


def spawn(args: list[str], stderr_path: Path, stdin: int | None = None) -> Child:
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=child_env(),
        )
    return Child(process, stderr_path)


def start_writer(
    root: Path, interview_id: str, stderr_path: Path, *options: str, stdin: int | None = None
) -> Child:
    return spawn([str(WRITER), str(root), interview_id, *options], stderr_path, stdin)


@dataclass
class Found:
    """What a reopened store holds for the writer's questions."""

    problems: list[str]
    history: dict[str, list[int]]  # question -> the n of every saved value, in commit order
    current: dict[str, int | None]  # question -> n of the current answer
    answer_saves_audited: int
    history_rows: int


def read_back(root: Path, interview_id: str, prefix: str, questions: tuple[str, ...]) -> Found:
    """Reopen (unlock runs require_integrity too) and read back everything the writers wrote."""
    store = reopen(root)
    try:
        problems = database.integrity_check(store.engine)
        opened = interviews.open_interview(store, interview_id)
        current = {q: number_in(prefix, _value(opened.interview.answer(q))) for q in questions}
        history: dict[str, list[int]] = {q: [] for q in questions}
        for question, _instance, _old, new, _who, _when in answer_history(store, interview_id):
            n = number_in(prefix, _value(new))
            if question in history and n is not None:
                history[question].append(n)
        with Session(store.engine) as session:
            chain = audit.verify_chain(session)
            audited = len(
                session.exec(
                    select(AuditRow).where(
                        AuditRow.action == "answer_save",
                        col(AuditRow.object_id).startswith(f"{interview_id}/"),
                    )
                ).all()
            )
            rows = len(
                session.exec(
                    select(AnswerHistoryRow).where(AnswerHistoryRow.interview_id == interview_id)
                ).all()
            )
    finally:
        store.close()
    problems += [f"audit chain: {p.message}" for p in chain]
    return Found(problems, history, current, audited, rows)


def _value(answer: Answer | None) -> object:
    return None if answer is None else answer.value


def lost_answers(found: Found, acked: set[int]) -> list[int]:
    """Acknowledged answers that are not in the history of their question."""
    saved = {n for ns in found.history.values() for n in ns}
    return sorted(n for n in acked if n not in saved)


# --- 1. kill -9 mid-write ---------------------------------------------------------------------


@POSIX_ONLY
def test_sigkill_at_random_moments_loses_no_acknowledged_answer(
    tmp_path: Path, bundle: Bundle
) -> None:
    root = tmp_path / "data"
    interview_id = set_up(root, bundle)
    questions = DEFAULT_QUESTIONS
    rng = random.Random(KILL_SEED)
    acked: set[int] = set()
    latest: dict[str, int] = {}  # question -> its newest value known to be committed
    in_flights: set[int] = set()  # saves a kill interrupted: each may or may not be committed
    start, kills, max_acked_round, committed_unacked = 1, 0, 0, 0
    for round_no in range(KILL_ROUNDS):
        target = rng.randint(1, 40)
        child = start_writer(
            root, interview_id, tmp_path / f"writer-{round_no}.err", "--start", str(start)
        )
        assert child.readline() == "READY", child.stderr
        while len([line for line in child.lines if line.startswith("ACK ")]) < target:
            line = child.readline()
            assert line.startswith("ACK "), (line, child.stderr)
        # A random pause of 0-4 ms moves the kill around inside the next save (one save takes a
        # few ms): before its commit, during it, or just after it but before its ACK.
        time.sleep(rng.random() * 0.004)
        os.kill(child.process.pid, signal.SIGKILL)
        status = child.finish()
        assert status == -signal.SIGKILL, (status, child.stderr)
        kills += 1
        round_acked = child.acked  # includes ACKs printed after the target but before the kill
        assert round_acked == list(range(start, start + len(round_acked)))
        max_acked_round = max(max_acked_round, len(round_acked))
        acked.update(round_acked)
        for n in round_acked:
            latest[question_for(questions, n)] = n
        in_flight = start + len(round_acked)  # the save the kill interrupted (maybe committed)

        found = read_back(root, interview_id, "v", questions)
        context = f"round {round_no}, target {target}, acked {round_acked[-1]}, seed {KILL_SEED}"
        assert found.problems == [], context
        lost = lost_answers(found, acked)
        assert lost == [], f"lost acknowledged answers {lost} ({context})"
        assert found.answer_saves_audited == found.history_rows, f"partial save ({context})"
        for question, n in latest.items():
            current = found.current[question]
            # The current answer is the newest committed one, or the in-flight one if its
            # commit finished just before the kill; never older, never anything else.
            assert current in (n, in_flight), (question, current, n, context)
            assert found.history[question][-1] == current, (question, context)
        saved = {n for ns in found.history.values() for n in ns}
        in_flights.add(in_flight)
        assert saved <= acked | in_flights, f"values nobody saved: {saved - acked - in_flights}"
        if in_flight in saved:
            committed_unacked += 1
            latest[question_for(questions, in_flight)] = in_flight
        start = in_flight + 1  # values stay distinct even when the in-flight one committed
    print(
        f"FIGURE kill -9: kills={kills} acked={len(acked)} max_acked_per_run={max_acked_round} "
        f"lost_acked=0 partial=0 committed_but_unacked={committed_unacked} integrity=ok"
    )
    assert kills >= 20


# --- 2. truncated, empty, foreign or missing database file -----------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, bundle: Bundle) -> Path:
    """One set-up data folder (closed); tests work on copies of it."""
    root: Path = tmp_path_factory.mktemp("pristine") / "data"
    set_up(root, bundle)
    assert not (root / "intake.db-wal").exists()  # closed cleanly: everything is in intake.db
    return root


def copy_of(pristine: Path, tmp_path: Path, name: str = "data") -> Path:
    target = tmp_path / name
    shutil.copytree(pristine, target)
    return target


def _truncate(size: int) -> Callable[[Path], None]:
    def damage(db: Path) -> None:
        with db.open("r+b") as handle:
            handle.truncate(size)

    return damage


def _plain_sqlite(db: Path) -> None:
    db.unlink()
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE interview (id TEXT, name TEXT)")
    connection.execute("INSERT INTO interview VALUES ('1', 'someone else''s data')")
    connection.commit()
    connection.close()


def _random_bytes(db: Path) -> None:
    db.write_bytes(random.Random(7).randbytes(8192))


DATABASE_FAULTS = {
    "truncated-to-100-bytes": (_truncate(100), database.DatabaseRefused, "truncated"),
    "truncated-mid-page": (_truncate(3 * 4096 + 1234), database.DatabaseRefused, "truncated"),
    "zero-length": (_truncate(0), database.DatabaseRefused, "empty"),
    "plain-sqlite-file": (_plain_sqlite, database.DatabaseRefused, "unencrypted"),
    "random-8192-bytes": (_random_bytes, database.WrongDatabaseKey, "does not open"),
    "missing": (Path.unlink, database.DatabaseRefused, "no database"),
}


@pytest.mark.parametrize("case", sorted(DATABASE_FAULTS))
def test_a_damaged_or_foreign_database_file_is_refused_and_left_as_it_is(
    case: str, pristine: Path, tmp_path: Path
) -> None:
    root = copy_of(pristine, tmp_path)
    damage, expected, words = DATABASE_FAULTS[case]
    damage(root / "intake.db")
    before = snapshot(root)
    with pytest.raises(expected) as refused:
        reopen(root)
    message = refused.value.message
    assert words in message, message
    assert "Traceback" not in message and "sqlcipher" not in message.casefold()
    # Byte for byte as it was, and no new files (no fresh empty database, no -wal / -shm).
    assert snapshot(root) == before


def test_a_database_cut_at_a_page_boundary_is_refused_as_damaged(
    pristine: Path, tmp_path: Path
) -> None:
    """Whole pages missing from the end pass the size check; opening must still refuse it."""
    root = copy_of(pristine, tmp_path)
    db = root / "intake.db"
    assert db.stat().st_size > 8 * 4096
    _truncate(db.stat().st_size // 4096 // 2 * 4096)(db)
    before = snapshot(root)
    with pytest.raises(database.IntegrityFailed) as refused:
        reopen(root)
    assert "damaged" in refused.value.message and "malformed" not in refused.value.message
    assert snapshot(root) == before


# --- 3. missing, corrupt or swapped keyring ---------------------------------------------------


def test_keyring_missing_corrupt_or_from_another_folder_is_refused_distinctly(
    pristine: Path, tmp_path: Path, bundle: Bundle
) -> None:
    other = tmp_path / "other"
    set_up(other, bundle)  # same caseworker and passphrase, another database and key
    messages: dict[str, str] = {}
    cases: dict[str, tuple[Callable[[Path], object], tuple[type[Exception], ...]]] = {
        "missing": (lambda k: k.unlink(), (KeyringMissing,)),
        "junk": (lambda k: k.write_bytes(b'{"slots": [ junk'), (KeyringCorrupt,)),
        "not-a-keyring": (lambda k: k.write_text('{"hello": "world"}'), (KeyringCorrupt,)),
        "swapped": (
            lambda k: shutil.copyfile(other / "keyring.json", k),
            (database.WrongDatabaseKey, StoreError),
        ),
    }
    for case, (damage, expected) in cases.items():
        root = copy_of(pristine, tmp_path, f"data-{case}")
        damage(root / "keyring.json")
        before = snapshot(root)
        with pytest.raises(expected) as refused:
            reopen(root)
        messages[case] = str(refused.value)
        if isinstance(refused.value, StoreError):
            assert "do not belong together" in messages[case]
        assert snapshot(root) == before, case
        assert before["intake.db"] == snapshot(pristine)["intake.db"], case
    assert len(set(messages.values())) == len(messages), messages
    print("FIGURE keyring refusals:", json.dumps(messages))


# --- 4. disk full -----------------------------------------------------------------------------

DISK_FULL_CHILD = textwrap.dedent(
    """
    import resource, signal, sys
    limit = int(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    from tests.fault_writer import main
    sys.exit(main(sys.argv[2:]))
    """
)


@POSIX_ONLY
def test_disk_full_is_reported_as_disk_full_and_loses_no_acknowledged_answer(
    tmp_path: Path, bundle: Bundle
) -> None:
    root = tmp_path / "data"
    interview_id = set_up(root, bundle)
    questions = ("competenties", "lbt_overslaan_toelichting")
    used = sum(
        (root / name).stat().st_size
        for name in ("intake.db", "intake.db-wal")
        if (root / name).exists()
    )
    limit = used + 200 * 1024
    child = spawn(
        [
            "-c",
            DISK_FULL_CHILD,
            str(limit),
            str(root),
            interview_id,
            "--prefix",
            "d",
            "--size",
            "4096",
            "--questions",
            ",".join(questions),
            "--count",
            "10000",
        ],
        tmp_path / "disk-full.err",
    )
    status = child.finish()
    stderr = child.stderr
    errors = [line for line in child.lines if line.startswith("ERROR ")]
    acked = set(child.acked)
    assert "Traceback" not in stderr, stderr
    assert errors and errors[0].startswith("ERROR DiskFull "), (child.lines[-3:], stderr)
    assert status == ERROR_STATUS
    assert acked, "the limit left no room for a single answer; the test measured nothing"
    assert "DONE" not in child.lines  # the limit was reached before the count ran out

    found = read_back(root, interview_id, "d", questions)
    assert found.problems == []
    assert lost_answers(found, acked) == []
    assert found.answer_saves_audited == found.history_rows
    # The store keeps working once there is space again.
    store = reopen(root)
    try:
        interviews.save_answer(store, interview_id, questions[0], Answer.of(value_for("d", 0)))
    finally:
        store.close()
    print(f"FIGURE disk full: limit={limit} acked={len(acked)} lost=0 error={errors[0]!r}")


# --- 5. two app instances at once -------------------------------------------------------------


@POSIX_ONLY
def test_two_instances_writing_the_same_interview_both_succeed(
    tmp_path: Path, bundle: Bundle
) -> None:
    root = tmp_path / "data"
    interview_id = set_up(root, bundle)
    count = 300
    plans = {"a": ("voornamen", "competenties"), "b": ("achternaam", "lbt_overslaan_toelichting")}
    children = {
        prefix: start_writer(
            root,
            interview_id,
            tmp_path / f"writer-{prefix}.err",
            "--prefix",
            prefix,
            "--questions",
            ",".join(questions),
            "--count",
            str(count),
            "--wait",
            stdin=subprocess.PIPE,
        )
        for prefix, questions in plans.items()
    }
    for child in children.values():  # both unlocked and waiting: start them together
        assert child.readline() == "READY", child.stderr
    for child in children.values():
        assert child.process.stdin is not None
        child.process.stdin.write("GO\n")
        child.process.stdin.close()
    statuses = {prefix: child.finish() for prefix, child in children.items()}
    for prefix, child in children.items():
        assert statuses[prefix] == 0, (prefix, child.lines[-3:], child.stderr)
        assert child.lines[-1] == "DONE"
        assert child.acked == list(range(1, count + 1))
        assert "locked" not in child.stderr

    order: list[str] = []
    for prefix, questions in plans.items():
        found = read_back(root, interview_id, prefix, questions)
        assert found.problems == []
        assert lost_answers(found, set(children[prefix].acked)) == []
        for question in questions:
            last = max(n for n in range(1, count + 1) if question_for(questions, n) == question)
            assert found.current[question] == last
    store = reopen(root)
    try:
        for _question, _i, _old, new, _who, _when in answer_history(store, interview_id):
            if new is not None and isinstance(new.value, str):
                order.append(new.value[0])
    finally:
        store.close()
    assert found.answer_saves_audited == found.history_rows == 2 * count
    switches = sum(1 for x, y in itertools.pairwise(order) if x != y)
    assert switches > 0, "the two writers did not overlap; the test measured nothing"
    print(f"FIGURE two instances: acked={2 * count} rows={found.history_rows} switches={switches}")


# --- 6. crash inside the schema migration -----------------------------------------------------

MIGRATION_CHILD = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path
    from sqlalchemy import event
    from intake_tui.store import database, migrate

    # mode: "none" | "after_each:<i>:<exit|kill>" | "stmt:<k>:<exit|kill>"
    path, dek, mode = Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3]
    kind, point, how = (mode.split(":") + ["0", "exit"])[:3]
    point = int(point)

    def die():
        sys.stdout.write("DYING\\n")
        sys.stdout.flush()
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(1)

    if not path.exists():
        database.create_database_file(path, dek)
    engine = database.make_engine(path, dek)
    statements = 0
    revisions = []

    @event.listens_for(engine, "after_cursor_execute")
    def _count(*_args):
        global statements
        statements += 1
        if kind == "stmt" and statements == point:
            die()

    def after_each(revision):
        revisions.append(revision)
        if kind == "after_each" and len(revisions) == point + 1:
            die()

    applied = migrate.upgrade(engine, after_each=after_each)
    print("UPGRADED", statements, json.dumps(applied))
    """
)


def run_migration_child(path: Path, dek: bytes, mode: str, err: Path) -> tuple[Child, int]:
    child = spawn(["-c", MIGRATION_CHILD, str(path), dek.hex(), mode], err)
    return child, child.finish()


def tables(path: Path, dek: bytes) -> set[str]:
    """The schema as a set of tables, "table.column" and "index:name" names (a revision may add
    only columns, or only an index)."""
    connection = database.connect(path, dek)
    try:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        found = set(names)
        found.update(
            f"index:{row[0]}"
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        )
        for name in names:
            found.update(
                f"{name}.{row[1]}" for row in connection.execute(f"PRAGMA table_info('{name}')")
            )
    finally:
        connection.close()
    return found


def upgrade_to(path: Path, dek: bytes, target: str) -> None:
    """A database at an older revision, made the way `migrate.upgrade` works (test setup only)."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    database.create_database_file(path, dek)
    engine = database.make_engine(path, dek)
    try:
        with engine.connect() as connection:
            environment = EnvironmentContext(
                config, script, fn=lambda rev, _context: script._upgrade_revs(target, rev)
            )
            environment.configure(connection=connection, transactional_ddl=True)
            with environment.begin_transaction():
                environment.run_migrations()
        assert migrate.current_revision(engine) == target
    finally:
        engine.dispose()


@POSIX_ONLY
def test_a_crash_inside_the_migration_leaves_the_old_schema_or_the_new_never_a_mix(
    tmp_path: Path,
) -> None:
    dek = hashlib.sha256(b"migration test key").digest()
    head = migrate.head_revision()
    # A full run first: the head schema, the revisions, and how many statements they execute.
    reference = tmp_path / "reference.db"
    child, status = run_migration_child(reference, dek, "none", tmp_path / "reference.err")
    assert status == 0, child.stderr
    _word, statements, applied = child.lines[-1].split(" ", 2)
    revisions, total = json.loads(applied), int(statements)
    head_tables = tables(reference, dek)
    assert revisions[-1] == head and {"alembic_version", "answer", "audit"} <= head_tables
    assert "interview.search_key" in head_tables

    # Starting points: a new, empty database, and a database at every older revision.
    starts: dict[str | None, set[str]] = {None: set()}
    for revision in revisions[:-1]:
        older = tmp_path / f"at-{revision}.db"
        upgrade_to(older, dek, revision)
        starts[revision] = tables(older, dek)
        assert set() < starts[revision] < head_tables

    rng = random.Random(KILL_SEED)
    outcomes: dict[str, str] = {}
    runs = 0
    for start, start_tables in starts.items():
        pending = revisions[revisions.index(start) + 1 :] if start else revisions
        how = ["exit", "kill"]
        modes = [f"after_each:{i}:{how[i % 2]}" for i in range(len(pending))]
        modes += [f"stmt:{k}:{how[k % 2]}" for k in sorted(rng.sample(range(1, total), k=4))]
        for mode in modes:
            runs += 1
            path = tmp_path / f"crash-{runs}.db"
            if start is not None:
                shutil.copyfile(tmp_path / f"at-{start}.db", path)
            child, status = run_migration_child(path, dek, mode, tmp_path / f"crash-{runs}.err")
            context = f"from {start or 'empty'}, {mode}"
            if child.lines[-1:] != ["DYING"]:  # a statement number past the end of this run
                assert status == 0 and mode.startswith("stmt"), (context, child.stderr)
                continue
            assert status in (1, -signal.SIGKILL), (context, status, child.stderr)
            found = tables(path, dek)
            assert found in (start_tables, head_tables), f"{context}: mixed schema {sorted(found)}"
            engine = database.make_engine(path, dek)
            try:
                revision = migrate.current_revision(engine)
                assert revision == (start if found == start_tables else head), context
                if mode.startswith("after_each"):
                    # after_each runs inside the one migration transaction: a crash there is "old".
                    assert found == start_tables, f"{context}: committed before the last revision"
                outcomes[context] = "old" if found == start_tables else "new"
                assert migrate.upgrade(engine) == ([] if revision == head else pending)
                assert migrate.current_revision(engine) == head
                assert database.integrity_check(engine) == []
            finally:
                engine.dispose()
            assert tables(path, dek) == head_tables, context
    assert any(context.startswith("from empty, after_each") for context in outcomes)
    print(f"FIGURE migration crash: revisions={revisions} statements={total} outcomes={outcomes}")
