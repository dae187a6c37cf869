"""Bundle authoring from the command line, as a functional admin does it (issue 17, item 5):
`validate --strict`, `publish-bundle` refusing warnings, and `translations --init LANG`.
Every test runs the real command lines as subprocesses on copies of bundles in tmp folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intake_tui.central import admin
from intake_tui.core.catalogs import parse_catalog
from intake_tui.core.questionnaire import load_bundle
from intake_tui.core.translations import bundle_messages

from .conftest import BUNDLES, DEFAULT_BUNDLE, DEFAULT_VERSION, REPO

JA_NEE = "a choice of only 'ja' and 'nee': use type yes_no"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "INTAKE_TUI_LANG": "en"},
        timeout=120,
    )


def run_central(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intake_tui.central.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "INTAKE_TUI_LANG": "en"},
        timeout=120,
    )


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    """A valid bundle with warnings: choice questions whose codes are exactly ja/nee."""
    folder = tmp_path / "warned"
    shutil.copytree(BUNDLES / "warnings" / "ja_nee", folder)
    return folder


@pytest.fixture
def default_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "brede-intake"
    shutil.copytree(DEFAULT_BUNDLE, folder)
    return folder


# -- validate --strict ---------------------------------------------------------------------------


def test_strict_fails_on_warnings_with_the_same_output_and_a_last_line(warned: Path) -> None:
    plain = run("questionnaire", "validate", str(warned))
    strict = run("questionnaire", "validate", "--strict", str(warned))
    assert plain.returncode == 0, plain.stderr
    assert strict.returncode == 1
    assert strict.stdout == plain.stdout
    assert strict.stdout.startswith("warnings 1.0.0: valid")
    where = warned / "questionnaire.yaml"
    lines = strict.stderr.splitlines()
    assert lines[:-1] == plain.stderr.splitlines()
    assert [line.split(": warning: ")[0] for line in lines[:-1]] == [
        f"{where}:14:15",
        f"{where}:22:15",
    ]
    assert all(JA_NEE in line for line in lines[:-1])
    assert lines[-1] == f"{warned}: fails because of 2 warnings under --strict"


def test_strict_passes_a_bundle_without_warnings_and_unreviewed_is_never_fatal(
    default_copy: Path,
) -> None:
    result = run("questionnaire", "validate", "--strict", str(default_copy))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # Every catalog of the default bundle says X-Intake-Reviewed: no: information, not a warning.
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"brede-intake {DEFAULT_VERSION}: valid")
    assert line.endswith("; unreviewed translations: ar, en, fa, prs, so, ti, tr")


def test_strict_fails_the_run_when_one_of_several_bundles_warns(
    warned: Path, default_copy: Path
) -> None:
    result = run("questionnaire", "validate", "--strict", str(default_copy), str(warned))
    assert result.returncode == 1
    assert result.stdout.count(": valid") == 2
    assert result.stderr.splitlines()[-1].startswith(f"{warned}: fails because of 2 warnings")


# -- publish-bundle --------------------------------------------------------------------------------


def test_publish_bundle_refuses_a_bundle_with_warnings(warned: Path, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    with pytest.raises(admin.BundleRejected) as rejected:
        admin.publish_bundle(db_url, warned)
    assert len(rejected.value.problems) == 2
    assert all(problem.warning for problem in rejected.value.problems)

    result = run_central("publish-bundle", str(warned), "--db", db_url)
    assert result.returncode == 1
    assert result.stdout == ""
    where = warned / "questionnaire.yaml"
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{where}:14:15: warning: {JA_NEE}")
    assert lines[1].startswith(f"{where}:22:15: warning: {JA_NEE}")
    assert "validate --strict" in lines[2]
    assert lines[-1] == "The bundle was not published."
    assert "Traceback" not in result.stderr


def test_publish_bundle_publishes_the_default_bundle(default_copy: Path, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    published = run_central("publish-bundle", str(default_copy), "--db", db_url)
    assert published.returncode == 0, published.stderr
    bundle_id, version, digest = published.stdout.split()
    assert (bundle_id, version, len(digest)) == ("brede-intake", DEFAULT_VERSION, 64)
    assert admin.publish_bundle(db_url, default_copy) == (bundle_id, version, digest)


# -- translations --init ---------------------------------------------------------------------------


def test_init_writes_every_message_with_an_empty_translation_and_the_header(
    default_copy: Path,
) -> None:
    result = run("questionnaire", "translations", "--init", "pt-BR", str(default_copy))
    assert result.returncode == 0, result.stderr
    path = default_copy / "translations" / "pt-BR.po"
    bundle = load_bundle(default_copy)
    messages = bundle_messages(bundle)
    assert f"{path}: written, {len(messages)} texts to translate" in result.stdout
    assert "Add pt-BR to languages:" in result.stdout  # not offered until it is listed

    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert '"Language: pt-BR\\n"' in text
    assert '"X-Intake-Reviewed: no\\n"' in text
    assert f'"Project-Id-Version: brede-intake {DEFAULT_VERSION}\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    catalog = parse_catalog(raw, name=str(path))
    assert not catalog.reviewed
    # The same keys and Dutch as --update uses, in the same order, none translated.
    assert [(e.key, e.source) for e in catalog.entries.values()] == [
        (m.key, m.source) for m in messages
    ]
    assert all(entry.text == "" and not entry.fuzzy for entry in catalog.entries.values())

    # The new language shows at 0%; --update has nothing to change; the bundle still validates.
    coverage = run("questionnaire", "translations", str(default_copy))
    assert coverage.returncode == 0, coverage.stderr
    (row,) = [line for line in coverage.stdout.splitlines() if line.startswith("pt-BR ")]
    assert row.split() == ["pt-BR", f"0/{len(messages)}", "0", str(len(messages)), "0", "0"]
    update = run("questionnaire", "translations", "--update", str(default_copy))
    assert update.returncode == 0, update.stderr
    assert f"{path}: unchanged" in update.stdout
    assert path.read_bytes() == raw
    for flags in ([], ["--strict"]):
        validate = run("questionnaire", "validate", *flags, str(default_copy))
        assert validate.returncode == 0, validate.stderr
        assert "pt-BR" in validate.stdout.split("unreviewed translations:")[1]


def test_init_takes_dari_although_babel_has_no_prs_locale(warned: Path) -> None:
    result = run(
        "questionnaire", "translations", "--init", "prs", str(warned / "questionnaire.yaml")
    )
    assert result.returncode == 0, result.stderr
    text = (warned / "translations" / "prs.po").read_text(encoding="utf-8")
    assert '"Language: prs\\n"' in text
    assert '"Language-Team: Dari\\n"' in text
    assert run("questionnaire", "validate", str(warned)).returncode == 0


def test_init_refuses_an_existing_catalog_and_leaves_it_alone(default_copy: Path) -> None:
    path = default_copy / "translations" / "ar.po"
    before = path.read_bytes()
    result = run("questionnaire", "translations", "--init", "ar", str(default_copy))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path} already exists; it was left as it is")
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("xx", "is not a valid language tag"),
        ("english", "is not a valid language tag"),
        ("EN", "is not a valid language tag"),
        ("en_GB", "is not a valid language tag"),
        ("../evil", "is not a valid language tag"),
        ("ar-XX", "is not a valid language tag"),
        ("nl", "is the source language of the bundle"),
    ],
)
def test_init_refuses_a_bad_tag_and_writes_nothing(
    default_copy: Path, lang: str, reason: str
) -> None:
    before = sorted(p.name for p in (default_copy / "translations").iterdir())
    result = run("questionnaire", "translations", "--init", lang, str(default_copy))
    assert result.returncode == 1
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (default_copy / "translations").iterdir()) == before
    assert not (default_copy.parent / "evil.po").exists()


def test_init_needs_a_path_and_is_not_combined_with_update(default_copy: Path) -> None:
    missing = run("questionnaire", "translations", "--init", "de")
    assert missing.returncode == 1
    assert "--init needs the PATH of a bundle folder" in missing.stderr
    both = run("questionnaire", "translations", "--init", "de", "--update", str(default_copy))
    assert both.returncode == 2
    assert not (default_copy / "translations" / "de.po").exists()
