"""The `intake-tui` command line, run as a real subprocess, as a functional admin would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BUNDLES, DEFAULT_BUNDLE, DEFAULT_VERSION, REPO


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_validate_without_path_checks_the_builtin_bundle(tmp_path: Path) -> None:
    result = run("questionnaire", "validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"brede-intake {DEFAULT_VERSION}: valid")
    assert "193 questions, 10 sections" in result.stdout
    assert result.stderr == ""


def test_validate_a_folder_and_a_questionnaire_yaml() -> None:
    result = run(
        "questionnaire",
        "validate",
        str(DEFAULT_BUNDLE),
        str(BUNDLES / "engine" / "questionnaire.yaml"),
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_warning_is_printed_with_its_place_and_the_bundle_stays_valid() -> None:
    case = BUNDLES / "warnings" / "ja_nee"
    result = run("questionnaire", "validate", str(case))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("warnings 1.0.0: valid")
    where = case / "questionnaire.yaml"
    # The inline list and the named list warn, each at its question's type; three codes do not.
    assert result.stderr.splitlines() == [
        f"{where}:14:15: warning: a choice of only 'ja' and 'nee': use type yes_no, so every "
        "yes/no question reads, orders and exports the same way",
        f"{where}:22:15: warning: a choice of only 'ja' and 'nee': use type yes_no, so every "
        "yes/no question reads, orders and exports the same way",
    ]


def test_invalid_bundle_exits_1_with_every_problem_on_stderr() -> None:
    case = BUNDLES / "broken" / "bounds_and_patterns"
    result = run("questionnaire", "validate", str(case))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        f"{case / 'questionnaire.yaml'}:11:14: min (40) is larger than max (0)"
    )
    assert len(lines) == 4  # three problems and a count
    assert lines[-1].endswith("3 problems")
    assert "Traceback" not in result.stderr


def test_one_bad_bundle_among_good_ones_fails_the_run() -> None:
    result = run(
        "questionnaire", "validate", str(DEFAULT_BUNDLE), str(BUNDLES / "broken" / "unknown_key")
    )
    assert result.returncode == 1
    assert "valid" in result.stdout
    assert "unknown key 'lable'" in result.stderr


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\xff" * 1000, b"a: &a [*a]\n", b"{" * 100_000, b"x: " + b"y" * 5_000_000],
    ids=["empty", "binary", "recursive-alias", "deep", "megabytes"],
)
def test_junk_never_gives_a_traceback(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "questionnaire.yaml").write_bytes(content)
    result = run("questionnaire", "validate", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'questionnaire.yaml'}:"), first


@pytest.mark.parametrize(
    "arguments",
    [
        ["--data-dir", "D", "--lang", "en", "questionnaire", "validate"],
        ["questionnaire", "validate", "--data-dir", "D", "--lang", "en"],
        ["questionnaire", "--user", "anna", "validate"],
        ["--passphrase-file", "-", "questionnaire", "validate", "--user=anna"],
    ],
)
def test_global_options_go_before_or_after_the_subcommand(arguments: list[str]) -> None:
    from intake_tui.cli import build_parser

    options = build_parser().parse_args(arguments)
    assert options.questionnaire_command == "validate"
    given = {a.split("=")[0] for a in arguments if a.startswith("--")}
    for flag in given:
        assert getattr(options, flag[2:].replace("-", "_")) is not None, flag


def test_an_option_before_the_subcommand_is_not_reset_after_it() -> None:
    from intake_tui.cli import build_parser

    options = build_parser().parse_args(["--user", "anna", "questionnaire", "validate"])
    assert options.user == "anna"


def test_dutch_messages_with_lang_nl() -> None:
    case = BUNDLES / "broken" / "unknown_key"
    english = run("questionnaire", "validate", str(case))
    dutch = run("--lang", "nl", "questionnaire", "validate", str(case))
    assert dutch.returncode == english.returncode == 1
    assert ":10:9: " in dutch.stderr
    assert dutch.stderr != english.stderr  # the message itself is translated


def test_unknown_command_is_a_usage_error_not_a_traceback() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def coverage_rows(stdout: str) -> dict[str, list[str]]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["language"])
    return {line.split()[0]: line.split()[1:] for line in lines[start + 1 :] if line.strip()}


def count_with_babel(po: Path, sources: dict[str, str]) -> tuple[int, int, int]:
    """(translated, fuzzy, missing) counted independently of intake_tui.core.catalogs."""
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        entries = {str(m.context): m for m in read_po(handle) if m.id and m.context}
    translated = fuzzy = missing = 0
    for key, source in sources.items():
        entry = entries.get(key)
        if entry is None or not entry.string:
            missing += 1
        elif entry.fuzzy or entry.id != source:
            fuzzy += 1
        else:
            translated += 1
    return translated, fuzzy, missing


def test_translation_coverage_matches_the_files_and_update_turns_changed_text_fuzzy(
    tmp_path: Path,
) -> None:
    import shutil

    from intake_tui.core.questionnaire import load_bundle
    from intake_tui.core.translations import bundle_messages

    bundle_dir = tmp_path / "bundle"
    shutil.copytree(DEFAULT_BUNDLE, bundle_dir)
    result = run("questionnaire", "translations", str(bundle_dir))
    assert result.returncode == 0, result.stderr
    rows = coverage_rows(result.stdout)
    assert set(rows) == {"ar", "en", "fa", "prs", "so", "ti", "tr"}
    sources = {m.key: m.source for m in bundle_messages(load_bundle(bundle_dir))}
    for language, row in rows.items():
        po = bundle_dir / "translations" / f"{language}.po"
        translated, fuzzy, missing = count_with_babel(po, sources)
        assert row[0] == f"{translated}/{len(sources)}"
        assert (int(row[1]), int(row[2])) == (fuzzy, missing)

    # The functional admin rewords one question in Dutch: every translation of it is kept
    # but becomes fuzzy, and the coverage says so.
    source = bundle_dir / "questionnaire.yaml"
    text = source.read_text(encoding="utf-8")
    assert "label: Datum van het gesprek\n" in text
    source.write_text(
        text.replace("label: Datum van het gesprek\n", "label: Op welke datum is het gesprek?\n"),
        encoding="utf-8",
    )
    refused = run("questionnaire", "translations", "--update")
    assert refused.returncode == 1 and "PATH" in refused.stderr
    updated = run("questionnaire", "translations", "--update", str(bundle_dir))
    assert updated.returncode == 0, updated.stderr
    assert "1 now fuzzy" in updated.stdout
    assert updated.stdout.count(": rewritten: ") == len(rows)
    # Run again with nothing changed: no file is written, and the output says so.
    before = {p.name: p.stat().st_mtime_ns for p in (bundle_dir / "translations").glob("*.po")}
    again = run("questionnaire", "translations", "--update", str(bundle_dir))
    assert again.returncode == 0, again.stderr
    assert ": rewritten: " not in again.stdout
    assert again.stdout.count(": unchanged") == len(rows)
    after_mtimes = {
        p.name: p.stat().st_mtime_ns for p in (bundle_dir / "translations").glob("*.po")
    }
    assert after_mtimes == before
    after = coverage_rows(updated.stdout)
    for language, row in after.items():
        assert int(row[1]) == int(rows[language][1]) + 1, language
        po = (bundle_dir / "translations" / f"{language}.po").read_text(encoding="utf-8")
        assert '#| msgid "Datum van het gesprek"' in po
        assert "X-Intake-Reviewed: no" in po


def test_the_tui_switches_the_terminals_own_bidi_off_and_back_on(tmp_path: Path) -> None:
    """In a real pseudo-terminal: ESC[8l before the first frame, ESC[8h after quitting (VTE
    would otherwise reorder the Arabic lines the app has already ordered)."""
    import fcntl
    import select
    import struct
    import termios
    import time

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [sys.executable, "-m", "intake_tui", "--data-dir", str(tmp_path / "d"), "--lang", "en"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=REPO,
    )
    os.close(slave)
    seen = b""
    quit_sent = False
    started = time.monotonic()
    try:
        while time.monotonic() - started < 30:
            ready, _w, _x = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if not quit_sent and b"Welcome" in seen.replace(b"\x1b[", b""):
                os.write(master, b"\x11")  # ctrl+q
                quit_sent = True
            if process.poll() is not None and not ready:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    assert quit_sent, seen[-300:]
    off = seen.find(b"\x1b[8l")
    assert 0 <= off < seen.find(b"Welcome")
    assert seen.rfind(b"\x1b[8h") > seen.find(b"Welcome")
    assert process.returncode == 0


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--data-dir", "D"],
        ["--data-dir=D", "--user", "anna", "--lang", "en"],
        ["--passphrase-file", "-", "--user=anna"],
    ],
)
def test_a_bare_start_reads_the_global_options_as_the_full_parser_does(
    arguments: list[str],
) -> None:
    from intake_tui.cli import bare_start, build_parser

    bare = bare_start(arguments)
    assert bare is not None
    full = build_parser().parse_args(arguments)
    assert full.command is None
    for name in ("data_dir", "user", "passphrase_file", "lang"):
        assert getattr(bare, name) == getattr(full, name), name


@pytest.mark.parametrize(
    "arguments",
    [
        ["questionnaire", "validate"],
        ["--user", "anna", "cases", "list"],
        ["--help"],
        ["-h"],
        ["--version"],
        ["--data", "D"],  # an abbreviation: the full parser decides
        ["--lang"],  # no value: the full parser says so
        ["demo"],
        ["stray"],
    ],
)
def test_anything_but_global_options_goes_to_the_full_parser(arguments: list[str]) -> None:
    from intake_tui.cli import bare_start

    assert bare_start(arguments) is None
