"""`intake-tui user …`, `db check` and `demo`, run as real subprocesses with real key slots."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

from intake_tui.store.keyring import generate_organisation_keypair

from .conftest import REPO

ANNA = "anna's long passphrase"
BRAM = "bram's even longer passphrase"


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def secret_file(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text + "\n", encoding="utf-8")  # one trailing newline is stripped
    return str(path)


def add_bram(tmp_path: Path, data: str) -> subprocess.CompletedProcess[str]:
    """Anna, unlocked, adds Bram as a second caseworker (each passphrase from its own file)."""
    return run(
        "user", "add", "bram", "--data-dir", data, "--user", "anna",
        "--passphrase-file", secret_file(tmp_path, "a", ANNA),
        "--new-passphrase-file", secret_file(tmp_path, "b", BRAM),
    )  # fmt: skip


def test_first_user_needs_no_unlock_later_ones_do(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first = run(
        "user", "add", "anna", "--data-dir", data, "--new-passphrase-file", "-", stdin=ANNA + "\n"
    )
    assert first.returncode == 0, first.stderr
    # A second caseworker without anyone unlocking: refused, calmly.
    refused = run(
        "user", "add", "bram", "--data-dir", data, "--new-passphrase-file", "-", stdin=BRAM
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == "say who you are with --user NAME"
    wrong = run(
        "--data-dir",
        data,
        "--user",
        "anna",
        "--passphrase-file",
        secret_file(tmp_path, "w", "nope nope nope"),
        "user",
        "add",
        "bram",
        "--new-passphrase-file",
        secret_file(tmp_path, "b", BRAM),
    )
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "unknown caseworker or wrong passphrase"
    added = add_bram(tmp_path, data)
    assert added.returncode == 0, added.stderr
    listed = run("user", "list", "--data-dir", data)
    assert listed.stdout.split() == ["anna", "bram"]
    check = run(
        "db", "check", "--data-dir", data, "--user", "bram", "--passphrase-file", "-", stdin=BRAM
    )
    assert check.returncode == 0, check.stderr
    assert "database: sound" in check.stdout and "chain intact" in check.stdout


def test_remove_rekeys_so_the_removed_passphrase_opens_nothing(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    run("user", "add", "anna", "--data-dir", data, "--new-passphrase-file", "-", stdin=ANNA)
    add_bram(tmp_path, data)
    old_keyring = (tmp_path / "data" / "keyring.json").read_bytes()
    removed = run(
        "user",
        "remove",
        "bram",
        "--data-dir",
        data,
        "--user",
        "anna",
        "--passphrase-file",
        "-",
        stdin=ANNA,
    )
    assert removed.returncode == 0, removed.stderr
    assert run("user", "list", "--data-dir", data).stdout.split() == ["anna"]
    # Bram kept a copy of the old keyring: with it, his passphrase yields only the OLD key,
    # which no longer opens the database.
    (tmp_path / "data" / "keyring.json").write_bytes(old_keyring)
    stale = run(
        "db", "check", "--data-dir", data, "--user", "bram", "--passphrase-file", "-", stdin=BRAM
    )
    assert stale.returncode == 1
    # db check reports it (stdout is its report), and no backup opens with the old key either:
    # the re-key re-encrypted them.
    assert "does not open this database" in stale.stdout
    assert ": sound" not in stale.stdout


def test_recover_sets_a_new_passphrase_with_the_organisation_key(tmp_path: Path) -> None:
    private, public = generate_organisation_keypair()
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text(
        f'[recovery]\npublic_key = "{base64.b64encode(public).decode()}"\n'
    )
    run("user", "add", "anna", "--data-dir", str(data), "--new-passphrase-file", "-", stdin=ANNA)
    key_file = tmp_path / "org.key"
    key_file.write_text(base64.b64encode(private).decode())
    new = "a brand new passphrase"
    recovered = run(
        "user",
        "recover",
        "anna",
        "--data-dir",
        str(data),
        "--recovery-key-file",
        str(key_file),
        "--new-passphrase-file",
        "-",
        stdin=new,
    )
    assert recovered.returncode == 0, recovered.stderr
    old = run(
        "db",
        "check",
        "--data-dir",
        str(data),
        "--user",
        "anna",
        "--passphrase-file",
        "-",
        stdin=ANNA,
    )
    assert old.returncode == 1
    fresh = run(
        "db",
        "check",
        "--data-dir",
        str(data),
        "--user",
        "anna",
        "--passphrase-file",
        "-",
        stdin=new,
    )
    assert fresh.returncode == 0, fresh.stderr


def test_passphrases_are_never_arguments_and_short_ones_are_refused(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    short = run(
        "user", "add", "anna", "--data-dir", data, "--new-passphrase-file", "-", stdin="kort"
    )
    assert short.returncode == 1
    assert "at least 10 characters" in short.stderr
    no_tty = run("user", "add", "anna", "--data-dir", data, stdin="")
    assert no_tty.returncode == 1
    assert not (tmp_path / "data" / "keyring.json").exists()


def test_demo_makes_reuses_and_refuses(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    made = run("demo", "--no-tui", "--data-dir", str(demo))
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        f"data-dir: {demo}",
        "user: demo",
        "passphrase: demo-passphrase",
    ]
    before = (demo / "intake.db").stat().st_size
    again = run("demo", "--no-tui", "--data-dir", str(demo))
    assert again.returncode == 0 and (demo / "intake.db").stat().st_size == before
    real = tmp_path / "real"
    run("user", "add", "anna", "--data-dir", str(real), "--new-passphrase-file", "-", stdin=ANNA)
    refused = run("demo", "--no-tui", "--data-dir", str(real))
    assert refused.returncode == 1
    assert "not a demo" in refused.stderr


def test_demo_folder_holds_the_personas_at_their_stages(tmp_path: Path) -> None:
    from intake_tui.core import FrozenClock
    from intake_tui.demo import DEMO_PASSPHRASE, open_or_make_demo
    from intake_tui.store import interviews
    from intake_tui.store.keyring import TEST_KDF
    from intake_tui.store.session import unlock

    data_dir = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF)
    store = unlock(
        data_dir, "demo", DEMO_PASSPHRASE, clock=FrozenClock.on("2026-11-28"), floor=TEST_KDF
    )
    page = interviews.list_interviews(store)
    statuses = {s.client_display_name.split()[0]: s.status for s in page.items}
    assert statuses == {
        "Rami": "finalized",
        "Semhar": "finalized",
        "Farid": "in_progress",
        "Ayşe": "finalized",
        "Abdullah": "in_progress",
        "Hodan": "in_progress",
        "Nasrin": "finalized",
        "Kwame": "finalized",
    }
    rami = next(s for s in page.items if s.client_display_name.startswith("Rami"))
    opened = interviews.open_interview(store, rami.id).interview
    assert opened.value("lbt_resultaat") == "haalbaar"
    assert opened.issues() == []
    store.close()


def test_a_fresh_demo_exports_real_plans(tmp_path: Path) -> None:
    import json

    import jsonschema

    demo = tmp_path / "demo"
    assert run("demo", "--no-tui", "--data-dir", str(demo)).returncode == 0
    out = tmp_path / "exports"
    exported = run(
        "export",
        "--all",
        "--out",
        str(out),
        "--data-dir",
        str(demo),
        "--user",
        "demo",
        "--passphrase-file",
        "-",
        stdin="demo-passphrase",
    )
    assert exported.returncode == 0, exported.stderr
    documents = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    schema = json.loads((REPO / "schemas" / "intake-export-2.schema.json").read_text())
    for document in documents:
        jsonschema.validate(document, schema)
    statuses = sorted((d["record"]["status"], d["interview"]["client_language"]) for d in documents)
    assert statuses == [
        ("discussed", "ti"),
        ("final", "ar"),
        ("final", "en"),
        ("final", "fa"),
        ("final", "tr"),
    ]
    html = run(
        "export",
        "--all",
        "--format",
        "html",
        "--out",
        str(tmp_path / "html"),
        "--data-dir",
        str(demo),
        "--user",
        "demo",
        "--passphrase-file",
        "-",
        stdin="demo-passphrase",
    )
    assert html.returncode == 0, html.stderr
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "html").glob("*.html")]
    assert len(pages) == len(documents)
    rtl = re.compile(r'<[a-z]+[^>]* lang="(ar|fa)"[^>]* dir="rtl"')
    assert sum(bool(rtl.search(page)) for page in pages) == 2  # Rami Arabic, Nasrin Persian


def test_an_interrupted_demo_is_rebuilt_not_reused(tmp_path: Path) -> None:
    from intake_tui.demo import FILLED_MARKER, open_or_make_demo
    from intake_tui.store.keyring import TEST_KDF

    demo = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF)
    (demo.root / FILLED_MARKER).unlink()  # as if the filling had been interrupted
    again = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF)
    assert (again.root / FILLED_MARKER).is_file()
