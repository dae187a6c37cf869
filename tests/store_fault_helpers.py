"""What the store's fault-injection tests share: a writer child process that acknowledges
each committed answer, starting and killing it, and reading back what survived."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from intake_tui.core import Answer, load_bundle
from intake_tui.core.questionnaire import Bundle
from intake_tui.store import audit, database, interviews
from intake_tui.store.history import answer_history
from intake_tui.store.models import AnswerHistoryRow, AuditRow

from .conftest import DEFAULT_BUNDLE, REPO
from .fault_writer import number_in
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
