"""`intake-tui cases list`, honest export messages, `user list` and sync exit codes (issue 13,
items 10 and 11), run as real subprocesses on synthetic data only."""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DEFAULT_VERSION, REPO

DEMO_PASSPHRASE = "demo-passphrase"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A demo folder made by the command line, and the options that unlock it."""
    root = tmp_path_factory.mktemp("cli-cases")
    made = run("demo", "--no-tui", "--data-dir", str(root / "demo"))
    assert made.returncode == 0, made.stderr
    secret = root / "pass"
    secret.write_text(DEMO_PASSPHRASE + "\n", encoding="utf-8")
    unlock = ["--data-dir", str(root / "demo"), "--user", "demo", "--passphrase-file", str(secret)]
    return root, unlock


def expected_cases() -> dict[str, dict[str, object]]:
    """What the demo holds, from the personas and the demo's plan stages."""
    from intake_tui.core import load_bundle
    from intake_tui.core.plan.legal import add_months
    from intake_tui.demo import DEMO_PLANS
    from intake_tui.personas import PERSONAS
    from intake_tui.personas import talks as demo_talks

    from .conftest import DEFAULT_BUNDLE

    months = load_bundle(DEFAULT_BUNDLE).plan.progress.maanden  # after signing
    expected: dict[str, dict[str, object]] = {}
    for persona in PERSONAS:
        stage = DEMO_PLANS.get(persona.key) if persona.stage == "finalized" else None
        signed = dt.date.fromisoformat(stage) if stage not in (None, "discussed") else None
        # A final plan's first voortgangsgesprek is the case's next talk (issue 19); Rami
        # held his first and signed a changed plan then, Kwame's was brought forward.
        talk = add_months(signed, months[0]) if signed else None
        if persona.key == "rami":
            talk = add_months(demo_talks.RAMI_TALK_DAY, months[1])
        elif persona.key == "kwame":
            talk = demo_talks.KWAME_RESCHEDULED_TO
        expected[persona.display_name] = {
            "status": "finalized" if persona.stage == "finalized" else "in_progress",
            "plan_status": None
            if stage is None
            else "discussed"
            if stage == "discussed"
            else "final",
            "pip_due": (persona.duo_notice_date + dt.timedelta(weeks=10)).isoformat(),
            "next_talk_due": talk.isoformat() if talk else None,
        }
    return expected


def test_cases_list_json_gives_every_demo_case_with_its_fields(
    demo: tuple[Path, list[str]],
) -> None:
    _root, unlock = demo
    listed = run("cases", "list", "--json", *unlock)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert all(
        set(row)
        == {"id", "name", "status", "plan_status", "pip_due", "next_talk_due", "updated_at"}
        for row in rows
    )
    fields = ("status", "plan_status", "pip_due", "next_talk_due")
    got = {row["name"]: {k: row[k] for k in fields} for row in rows}
    assert got == expected_cases()
    assert len({row["id"] for row in rows}) == len(expected_cases())
    for row in rows:
        assert dt.datetime.fromisoformat(row["updated_at"]).tzinfo is not None
    # The ids are the ones `export ID` takes.
    final = next(row for row in rows if row["plan_status"] == "final")
    out = _root / "one.json"
    exported = run("export", final["id"], "--out", str(out), *unlock)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text())["record"]["interview_id"] == final["id"]


def test_cases_list_prints_a_table_and_needs_an_unlock(demo: tuple[Path, list[str]]) -> None:
    root, unlock = demo
    table = run("cases", "list", *unlock)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "Name", "Status", "Plan", "PIP", "due", "Last", "change"]
    assert len(lines) == 1 + len(expected_cases())
    rami = next(line for line in lines if "Rami Haddad" in line)
    assert "finalized" in rami and "final" in rami and "2026-12-03" in rami
    dutch = run("cases", "list", "--lang", "nl", *unlock)
    assert "Naam" in dutch.stdout.splitlines()[0]
    locked = run("cases", "list", "--data-dir", str(root / "demo"))
    assert locked.returncode == 1
    assert locked.stderr.strip() == "say who you are with --user NAME"
    bare = run("cases", *unlock)
    assert bare.returncode == 1 and "cases list" in bare.stderr


def test_export_messages_name_the_real_problem(demo: tuple[Path, list[str]]) -> None:
    root, unlock = demo
    rows = json.loads(run("cases", "list", "--json", *unlock).stdout)
    with_plan = next(row["id"] for row in rows if row["plan_status"])

    into_a_file = run("export", with_plan, "--out", "/dev/null/x.json", "--force", *unlock)
    assert into_a_file.returncode == 1
    assert into_a_file.stderr.startswith("cannot write /dev/null/x.json")
    assert "exists" not in into_a_file.stderr

    folder = root / "a-folder"
    folder.mkdir()
    onto_a_folder = run("export", with_plan, "--out", str(folder), "--force", *unlock)
    assert onto_a_folder.returncode == 1
    assert onto_a_folder.stderr.strip() == f"cannot write {folder}: it is a folder"
    assert list(folder.iterdir()) == []

    unknown = run("export", "no-such-interview", "--out", str(root / "u.json"), *unlock)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "no interview with id no-such-interview"

    for name in ("all.json", "all.HTML"):
        all_in_a_file = run("export", "--all", "--out", str(root / name), *unlock)
        assert all_in_a_file.returncode == 1
        assert str(root / name) in all_in_a_file.stderr and "folder" in all_in_a_file.stderr
        assert not (root / name).exists()
    assert "Traceback" not in into_a_file.stderr + onto_a_folder.stderr + unknown.stderr


def test_user_list_says_which_folder_it_read(demo: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _unlock = demo
    listed = run("user", "list", "--data-dir", str(root / "demo"))
    assert listed.returncode == 0
    assert listed.stdout.split() == ["demo"]  # stdout stays one name a line
    assert listed.stderr.strip() == f"caseworkers in {root / 'demo'}:"
    empty = run("user", "list", "--data-dir", str(tmp_path / "nothing"))
    assert empty.returncode == 1 and empty.stdout == ""
    assert empty.stderr.strip() == (
        f"{tmp_path / 'nothing'} is not set up yet: add the first caseworker with "
        "intake-tui user add NAME"
    )


def test_cli_and_commands_do_not_import_each_other() -> None:
    def imported(module: str) -> set[str]:
        tree = ast.parse((REPO / "intake_tui" / f"{module}.py").read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        return names

    # One direction only: the command line dispatches to commands, never the other way.
    assert "intake_tui.commands" in imported("cli")
    assert not {"intake_tui.cli"} & imported("commands")
    assert not {"intake_tui.commands"} & imported("cli_base")
    assert not {"intake_tui.cli"} & imported("cli_base")


def test_sync_exits_2_with_the_reason_after_a_refused_bundle_or_a_403(tmp_path: Path) -> None:
    """Nothing left to send, but the server refused us (403) or served a bundle that failed
    its check: before, both ended in exit 0; a person must look, so exit 2 with the reason."""
    import base64
    import shutil

    import sqlalchemy as sa

    from intake_tui.central import admin

    from .central_helpers import serve_central
    from .conftest import DEFAULT_BUNDLE
    from .store_helpers import PASSPHRASE
    from .sync_helpers import store_with_frozen

    store, _made = store_with_frozen(tmp_path / "data", production_kdf=True)
    store.close()
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    unlock = ["--data-dir", str(tmp_path / "data"), "--user", "anna"]
    unlock += ["--passphrase-file", str(secret)]
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with serve_central(db_url) as (url, _app):
        code = admin.new_enrolment_code(db_url)
        enrolled = run("device", "enrol", "--server", url, "--code", code, *unlock)
        assert enrolled.returncode == 0, enrolled.stderr
        first = run("sync", *unlock)
        assert first.returncode == 0, first.stderr
        # A newer bundle whose files were changed after publishing: refused on the laptop.
        folder = tmp_path / "bundle"
        shutil.copytree(DEFAULT_BUNDLE, folder)
        source = folder / "questionnaire.yaml"
        text = source.read_text(encoding="utf-8")
        source.write_text(
            text.replace(f'version: "{DEFAULT_VERSION}"', 'version: "1.9.0"', 1), encoding="utf-8"
        )
        admin.publish_bundle(db_url, folder)
        engine = sa.create_engine(db_url)
        with engine.begin() as connection:
            files = json.loads(
                connection.execute(
                    sa.text("SELECT files FROM central_bundle WHERE version = '1.9.0'")
                ).scalar_one()
            )
            plan = base64.b64decode(files["plan.yaml"]) + b"\n# changed on the way\n"
            files["plan.yaml"] = base64.b64encode(plan).decode()
            connection.execute(
                sa.text("UPDATE central_bundle SET files = :f WHERE version = '1.9.0'"),
                {"f": json.dumps(files)},
            )
        engine.dispose()
        refused = run("sync", *unlock)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "nothing to send" in refused.stdout
        assert "1.9.0 refused: sha256 does not match" in refused.stderr
        # Revoked with nothing to send: asking for central plans answers 403 device_revoked,
        # so the laptop learns it is revoked even on a run that sends nothing.
        admin.revoke_device(db_url, enrolled.stdout.split()[3])
        forbidden = run("sync", *unlock)
        assert forbidden.returncode == 2, forbidden.stdout + forbidden.stderr
        assert "this laptop was revoked" in forbidden.stderr
        assert "Traceback" not in refused.stderr + forbidden.stderr
