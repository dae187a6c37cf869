"""An export file exists only with its audit entry (issue 16, item 2): `export` and `person export`.

On a full disk the audit entry or the file can fail to be written. Either way the two must
agree: every export file on disk has its committed audit entry, no file appears without one,
and no temporary file stays behind. With `--all` each file is all-or-nothing on its own and the
command says which files were written. The store is the real SQLCipher store; only the moment
the disk fills up is simulated: the audit entry's transaction fails with SQLite's own
"database or disk is full" (which the store turns into its calm disk-full error), or writing
the file fails with ENOSPC.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.store import exports, files, plans
from intake_tui.store.database import DatabaseError
from intake_tui.store.models import AuditRow
from intake_tui.store.session import Store, StoreError

from .conftest import DEFAULT_BUNDLE
from .store_helpers import make_store, reopen
from .test_plans_store import finalized_rami

CALM = (StoreError, DatabaseError)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A data folder with two interviews whose plans are frozen (made once, copied per test)."""
    root = tmp_path_factory.mktemp("export-audit") / "data"
    clock = FrozenClock.on("2026-11-28")
    store = make_store(root, clock)
    bundle = load_bundle(DEFAULT_BUNDLE)
    ids = []
    try:
        for _n in range(2):
            interview_id = finalized_rami(store, bundle, clock)
            plans.set_override(store, interview_id, "leerroute", "B", "LBT haalbaar")
            plans.set_override(store, interview_id, "niveau", "B1", "eerste PIP")
            plans.mark_final(store, interview_id, dt.date(2026, 11, 28))
            ids.append(interview_id)
    finally:
        store.close()
    return root, sorted(ids)


@pytest.fixture
def data(prepared: tuple[Path, list[str]], tmp_path: Path) -> tuple[Path, list[str]]:
    import shutil

    source, ids = prepared
    root = tmp_path / "data"
    shutil.copytree(source, root)
    return root, ids


def disk_full() -> OperationalError:
    """What SQLAlchemy raises when SQLite answers SQLITE_FULL."""
    return OperationalError("COMMIT", {}, sqlite3.OperationalError("database or disk is full"))


def failing_audit(
    monkeypatch: pytest.MonkeyPatch, action: str, *, succeed: int
) -> Callable[[], int]:
    """Let the first `succeed` audit entries of `action` commit; the next ones hit a full disk.

    The real entry is appended first, so the failure is the transaction's, as on a real disk.
    Patched on the class, so a store the command line opens itself is covered too.
    """
    real = Store.audit
    calls = {"n": 0}

    def audit(self: Store, session: Session, kind: str, *args: Any, **kwargs: Any) -> None:
        real(self, session, kind, *args, **kwargs)
        if kind == action:
            calls["n"] += 1
            if calls["n"] > succeed:
                raise disk_full()

    monkeypatch.setattr(Store, "audit", audit)
    return lambda: calls["n"]


def audited(root: Path, action: str) -> list[str]:
    store = reopen(root)
    try:
        with Session(store.engine) as session:
            return [
                row.object_id
                for row in session.exec(select(AuditRow).where(AuditRow.action == action))
            ]
    finally:
        store.close()


def plan_files_agree_with_audit(folder: Path, root: Path) -> tuple[list[str], list[str]]:
    """(names on disk, audited object ids); asserts they agree and nothing temporary is left."""
    names = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    ids = audited(root, "export")
    on_disk = sorted(n.split(".", 1)[0].replace("-r", "/r") for n in names)
    assert on_disk == sorted(ids), (names, ids)
    return names, ids


# --- export --all: the audit entry of the second file fails -----------------------------------


@pytest.mark.parametrize(
    ("fmt", "seal"),
    [("json", False), ("html", False), ("json", True)],
    ids=["json", "html", "seal"],
)
def test_export_all_audit_failing_after_the_first_file_leaves_only_audited_files(
    data: tuple[Path, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    seal: bool,
) -> None:
    root, ids = data
    folder = tmp_path / "exports"
    seal_to = None
    if seal:
        from intake_tui.store.keyring import generate_organisation_keypair

        _private, seal_to = generate_organisation_keypair()
    store = reopen(root)
    failing_audit(monkeypatch, "export", succeed=1)
    try:
        with pytest.raises(CALM) as stopped:
            exports.export_plans(store, None, folder, fmt=fmt, seal_to=seal_to)
    finally:
        store.close()
    monkeypatch.undo()
    names, audited_ids = plan_files_agree_with_audit(folder, root)
    assert audited_ids == [f"{ids[0]}/r1"]
    suffix = f".{fmt}" + (".age" if seal else "")
    assert names == [f"{ids[0]}-r1{suffix}"]
    # The error says which files were written.
    assert getattr(stopped.value, "written", None) == [folder / names[0]]
    assert "disk is full" in stopped.value.message


def test_export_all_on_the_command_line_names_the_written_files(
    data: tuple[Path, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from intake_tui import cli, commands

    root, ids = data
    folder = tmp_path / "exports"
    monkeypatch.setattr(commands, "_unlock", lambda _options: reopen(root))
    failing_audit(monkeypatch, "export", succeed=1)
    status = cli.main(["export", "--all", "--out", str(folder), "--data-dir", str(root)])
    out, err = capsys.readouterr()
    monkeypatch.undo()
    assert status == 1
    names, _ids = plan_files_agree_with_audit(folder, root)
    assert names == [f"{ids[0]}-r1.json"]
    assert out.splitlines() == [str(folder / names[0])]
    assert "disk is full" in err and "1 of 2" in err
    assert "the last change was not saved" not in err


def test_a_single_export_whose_audit_fails_leaves_no_file(
    data: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = data
    out = tmp_path / "plan.json"
    store = reopen(root)
    failing_audit(monkeypatch, "export", succeed=0)
    try:
        with pytest.raises(CALM):
            exports.export_plans(store, ids[0], out)
    finally:
        store.close()
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == [root]
    assert audited(root, "export") == []


def test_a_forced_export_whose_audit_fails_keeps_the_old_file(
    data: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = data
    out = tmp_path / "plan.json"
    out.write_text("the earlier export")
    store = reopen(root)
    failing_audit(monkeypatch, "export", succeed=0)
    try:
        with pytest.raises(CALM):
            exports.export_plans(store, ids[0], out, force=True)
    finally:
        store.close()
    monkeypatch.undo()
    assert out.read_text() == "the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "plan.json"]
    assert audited(root, "export") == []


# --- person export ------------------------------------------------------------------------------


def test_person_export_whose_audit_fails_leaves_no_file(
    data: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = data
    folder = tmp_path / "out"
    folder.mkdir()
    store = reopen(root)
    try:
        exports.export_person(store, ids[0], folder / "first.json")
        failing_audit(monkeypatch, "person_export", succeed=0)
        with pytest.raises(CALM) as refused:
            exports.export_person(store, ids[1], folder / "second.json")
    finally:
        store.close()
    monkeypatch.undo()
    assert "disk is full" in refused.value.message
    assert sorted(p.name for p in folder.iterdir()) == ["first.json"]
    assert audited(root, "person_export") == [ids[0]]


def test_person_export_on_the_command_line_says_the_file_was_not_written(
    data: tuple[Path, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from intake_tui import cli, commands

    root, ids = data
    out = tmp_path / "person.json"
    monkeypatch.setattr(commands, "_unlock", lambda _options: reopen(root))
    failing_audit(monkeypatch, "person_export", succeed=0)
    status = cli.main(["person", "export", ids[0], "--out", str(out), "--data-dir", str(root)])
    _out, err = capsys.readouterr()
    monkeypatch.undo()
    assert status == 1
    assert "disk is full" in err and str(out) in err
    assert list(tmp_path.iterdir()) == [root]
    assert audited(root, "person_export") == []


# --- the file cannot be written: nothing is audited ---------------------------------------------


def no_space(monkeypatch: pytest.MonkeyPatch, *, after: int) -> None:
    """Writing export files fails with ENOSPC after `after` files (os.fdopen'd temp files)."""
    real = os.fdopen
    calls = {"n": 0}

    class Full:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, _data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        stream = real(fd, *args, **kwargs)
        calls["n"] += 1
        return stream if calls["n"] <= after else Full(stream)

    monkeypatch.setattr(files.os, "fdopen", fdopen)


def test_export_all_whose_second_file_cannot_be_written(
    data: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = data
    folder = tmp_path / "exports"
    store = reopen(root)
    no_space(monkeypatch, after=1)
    try:
        with pytest.raises(CALM) as stopped:
            exports.export_plans(store, None, folder)
    finally:
        store.close()
    monkeypatch.undo()
    names, audited_ids = plan_files_agree_with_audit(folder, root)
    assert names == [f"{ids[0]}-r1.json"] and audited_ids == [f"{ids[0]}/r1"]
    assert getattr(stopped.value, "written", None) == [folder / names[0]]
    assert str(folder / f"{ids[1]}-r1.json") in stopped.value.message


def test_file_write_failing_audits_nothing_for_either_export(
    data: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = data
    store = reopen(root)
    no_space(monkeypatch, after=0)
    try:
        with pytest.raises(CALM) as plan_refused:
            exports.export_plans(store, ids[0], tmp_path / "plan.json")
        with pytest.raises(CALM) as person_refused:
            exports.export_person(store, ids[0], tmp_path / "person.json")
    finally:
        store.close()
    monkeypatch.undo()
    for refused, name in ((plan_refused, "plan.json"), (person_refused, "person.json")):
        assert str(tmp_path / name) in refused.value.message
        assert os.strerror(errno.ENOSPC) in refused.value.message
    assert list(tmp_path.iterdir()) == [root]
    assert audited(root, "export") == [] and audited(root, "person_export") == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_a_read_only_folder_audits_nothing(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, ids = data
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    store = reopen(root)
    try:
        with pytest.raises(CALM):
            exports.export_plans(store, None, folder)
        with pytest.raises(CALM):
            exports.export_person(store, ids[0], folder / "person.json")
    finally:
        store.close()
        folder.chmod(0o700)
    assert list(folder.iterdir()) == []
    assert audited(root, "export") == [] and audited(root, "person_export") == []


def test_a_file_that_cannot_take_its_name_after_the_audit_is_recorded_as_failed(
    data: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rare order the other way round: audited, then no room for the name. The trail must
    not claim an export that is not there, and the staged file goes."""
    root, ids = data
    folder = tmp_path / "out"
    store = reopen(root)

    def no_room(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "link", no_room)
    try:
        with pytest.raises(CALM) as refused:
            exports.export_person(store, ids[0], folder / "person.json")
    finally:
        store.close()
    monkeypatch.undo()
    assert str(folder / "person.json") in refused.value.message
    assert list(folder.iterdir()) == []
    reopened = reopen(root)
    try:
        with Session(reopened.engine) as session:
            results = [
                row.result
                for row in session.exec(select(AuditRow).where(AuditRow.action == "person_export"))
            ]
    finally:
        reopened.close()
    assert results == ["ok", "failed"]
