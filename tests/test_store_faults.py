"""Fault injection against the encrypted store (security-and-sync.md §6, rows 1, 15-17, 19, 28).

Real processes, real SQLCipher files, real faults: SIGKILL of a writer between and during
commits, truncated / empty / foreign database files, missing / corrupt / swapped keyrings, a
full disk (RLIMIT_FSIZE), two app instances writing at once, and a crash inside the schema
migration. The writer is tests/fault_writer.py; it prints `ACK n` only after answer n was
committed, so "every acknowledged answer survives" can be checked exactly. Randomness uses fixed
seeds, so a failure reproduces. Nothing here asserts on elapsed time.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from intake_tui.core.questionnaire import Bundle
from intake_tui.store import database
from intake_tui.store.keyring import KeyringCorrupt, KeyringMissing
from intake_tui.store.session import StoreError

from .fault_writer import DEFAULT_QUESTIONS, question_for
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
