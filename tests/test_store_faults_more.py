"""Fault injection against the encrypted store, continued (security-and-sync.md §6): a full
disk, two app instances writing at once, and a crash inside the schema migration. Real
processes and files; nothing here asserts on elapsed time."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import shutil
import signal
import subprocess
import textwrap
from pathlib import Path

from intake_tui.core import Answer
from intake_tui.core.questionnaire import Bundle
from intake_tui.store import database, interviews, migrate
from intake_tui.store.history import answer_history

from .fault_writer import ERROR_STATUS, question_for, value_for
from .store_fault_helpers import (  # noqa: F401 - bundle is a fixture
    KILL_ROUNDS,
    KILL_SEED,
    POSIX_ONLY,
    WATCHDOG_S,
    WRITER,
    Child,
    Found,
    bundle,
    child_env,
    lost_answers,
    read_back,
    set_up,
    snapshot,
    spawn,
    start_writer,
)
from .store_helpers import reopen

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
