"""Input that would make the app run until the system kills it is refused first, with a message:
an endless or huge passphrase (file or stdin), and key slot costs edited to minutes and gigabytes.
"""

from __future__ import annotations

import inspect
import io
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from intake_tui.demo import open_or_make_demo
from intake_tui.secrets_input import MAX_SECRET_BYTES, SecretError, read_secret
from intake_tui.store import keyring as keyring_module
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import (
    PRODUCTION_KDF,
    TEST_KDF,
    KdfParams,
    Keyring,
    KeyringCorrupt,
    WrongCredentials,
)
from intake_tui.store.keyring_format import check_kdf_bounds
from intake_tui.store.session import initialize

from .conftest import REPO
from .store_helpers import PASSPHRASE, make_store, reopen

FILE_TOO_LONG = "the passphrase file is longer than 1 KiB; a passphrase is one line"
STDIN_TOO_LONG = "the passphrase on stdin is longer than 1 KiB; a passphrase is one line"
ADDRESS_SPACE = 2 << 30  # the child's limit: a regression fails fast instead of eating the RAM


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """The command line as a real subprocess; `timeout` fails a run that does not end."""
    return subprocess.run(
        [sys.executable, "-m", "intake_tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=30,
        preexec_fn=_limit_memory,
        **kwargs,
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """A data folder with Anna's slot at the production cost (the command line wants it)."""
    data_dir = DataDir(tmp_path_factory.mktemp("bounds") / "data")
    initialize(data_dir, "anna", PASSPHRASE, kdf=PRODUCTION_KDF).close()
    return data_dir


def refused_cleanly(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# --- item 6: the passphrase -----------------------------------------------------------------


def test_an_endless_passphrase_file_is_refused_not_read_to_the_end(data: DataDir) -> None:
    result = run(
        "db", "check", "--data-dir", str(data.root), "--user", "anna",
        "--passphrase-file", "/dev/zero", stdin=subprocess.DEVNULL,
    )  # fmt: skip
    refused_cleanly(result, FILE_TOO_LONG)


def test_two_kib_on_stdin_is_refused(data: DataDir) -> None:
    result = run(
        "db", "check", "--data-dir", str(data.root), "--user", "anna",
        "--passphrase-file", "-", input="x" * 2048 + "\n",
    )  # fmt: skip
    refused_cleanly(result, STDIN_TOO_LONG)


def test_an_endless_stdin_is_refused(data: DataDir) -> None:
    with open("/dev/zero", "rb") as zeros:
        result = run(
            "db", "check", "--data-dir", str(data.root), "--user", "anna",
            "--passphrase-file", "-", stdin=zeros,
        )  # fmt: skip
    refused_cleanly(result, STDIN_TOO_LONG)


def test_the_right_passphrase_still_opens_from_a_file_and_from_stdin(
    data: DataDir, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    common = ("db", "check", "--data-dir", str(data.root), "--user", "anna", "--passphrase-file")
    assert run(*common, str(secret)).returncode == 0
    assert run(*common, "-", input=PASSPHRASE + "\n").returncode == 0


def test_1_kib_is_read_and_one_byte_more_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert MAX_SECRET_BYTES == 1024
    path = tmp_path / "secret"
    for text in ("é" * 512, "x" * 1023 + "\n", "x" * 1022 + "\r\n"):
        path.write_bytes(text.encode())
        assert read_secret(str(path), "") == text.rstrip("\r\n")
        after = b"next line\n" if text.endswith("\n") else b""  # only the first line is read
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode() + after)))
        assert read_secret("-", "") == text.rstrip("\r\n")
    for text in ("x" * 1025, "x" * 1024 + "\n", "é" * 512 + "\n"):
        path.write_bytes(text.encode())
        with pytest.raises(SecretError, match=FILE_TOO_LONG):
            read_secret(str(path), "")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        with pytest.raises(SecretError, match=STDIN_TOO_LONG):
            read_secret("-", "")


def test_the_passphrase_file_keeps_its_newline_rules(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    for raw, secret in (
        (b"pass\r", "pass"),
        (b"two\rlines\n", "two\nlines"),
        (b"one\n\n", "one\n"),
    ):
        path.write_bytes(raw)
        assert read_secret(str(path), "") == secret
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(SecretError, match="cannot read the passphrase file"):
        read_secret(str(path), "")


# --- item 7: the key slot's Argon2 cost -----------------------------------------------------


MESSAGES = {
    "time_cost": "the key slot of anna asks for {value} Argon2 passes; 1 to 10 are allowed",
    "memory_cost_kib": (
        "the key slot of anna asks for {value} KiB of Argon2 memory; "
        "8 MiB to 1 GiB (8192 to 1048576 KiB) is allowed"
    ),
    "parallelism": "the key slot of anna asks for {value} Argon2 lanes; 1 to 8 are allowed",
}


def edit_slot(data_dir: DataDir, **costs: int) -> None:
    """What an attacker with the laptop can do: rewrite the JSON. The MAC is keyed from the DEK,
    so nothing can check it before Argon2 has run."""
    document = json.loads(data_dir.keyring_path.read_text("utf-8"))
    document["slots"][0]["kdf"].update(costs)
    data_dir.keyring_path.write_text(json.dumps(document, indent=2), "utf-8")


@pytest.fixture
def store_dir(tmp_path: Path) -> DataDir:
    store = make_store(tmp_path / "data")
    store.close()
    return store.data_dir


def no_argon2(*_args: object) -> bytes:
    raise AssertionError("Argon2 ran with a refused cost")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_cost", 64),
        ("time_cost", 11),
        ("time_cost", 0),
        ("memory_cost_kib", 4 * 1024 * 1024),
        ("memory_cost_kib", 1024 * 1024 + 1),
        ("memory_cost_kib", 8191),
        ("parallelism", 16),
        ("parallelism", 9),
        ("parallelism", 0),
    ],
)
def test_a_cost_outside_the_bounds_is_refused_before_argon2(
    store_dir: DataDir, monkeypatch: pytest.MonkeyPatch, field: str, value: int
) -> None:
    edit_slot(store_dir, **{field: value})
    before = store_dir.keyring_path.read_bytes()
    monkeypatch.setattr(keyring_module, "_derive_kek", no_argon2)
    expected = "the keyring file cannot be read: " + MESSAGES[field].format(value=value)
    with pytest.raises(KeyringCorrupt) as refused:
        reopen(store_dir.root)
    assert str(refused.value) == expected
    with pytest.raises(KeyringCorrupt, match="Argon2"):
        Keyring.load(store_dir.keyring_path, floor=TEST_KDF)
    assert store_dir.keyring_path.read_bytes() == before


@pytest.mark.parametrize(
    "costs",
    [
        {"time_cost": 10},
        {"memory_cost_kib": 1024 * 1024},
        {"parallelism": 8},
        {"time_cost": 10, "memory_cost_kib": 1024 * 1024, "parallelism": 8},
    ],
)
def test_a_cost_just_inside_the_bounds_reaches_argon2(
    store_dir: DataDir, monkeypatch: pytest.MonkeyPatch, costs: dict[str, int]
) -> None:
    edit_slot(store_dir, **costs)
    used: list[KdfParams] = []

    def recording(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
        used.append(kdf)  # not run: a 1 GiB Argon2 per test is not worth it
        return os.urandom(32)

    monkeypatch.setattr(keyring_module, "_derive_kek", recording)
    # An edited cost changes the passphrase key: the same answer as a wrong passphrase.
    with pytest.raises(WrongCredentials):
        reopen(store_dir.root)
    expected = {"time_cost": 1, "memory_cost_kib": 8192, "parallelism": 1, **costs}
    assert used == [KdfParams(**expected)]


def test_the_lower_bounds_are_the_test_cost_and_the_real_costs_are_inside(
    store_dir: DataDir,
) -> None:
    assert KdfParams(1, 8192, 1) == TEST_KDF
    reopen(store_dir.root).close()  # a slot at every lower bound opens
    demo_kdf = inspect.signature(open_or_make_demo).parameters["kdf"].default
    setup_kdf = inspect.signature(initialize).parameters["kdf"].default
    assert demo_kdf == setup_kdf == PRODUCTION_KDF
    for kdf in (PRODUCTION_KDF, TEST_KDF):
        check_kdf_bounds(kdf, "anna")


def test_the_command_line_refuses_a_4_gib_slot_with_the_message(
    tmp_path: Path, data: DataDir
) -> None:
    copy = DataDir(tmp_path / "data")
    shutil.copytree(data.root, copy.root)
    edit_slot(copy, memory_cost_kib=4 * 1024 * 1024)
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    result = run(
        "db", "check", "--data-dir", str(copy.root), "--user", "anna",
        "--passphrase-file", str(secret),
    )  # fmt: skip
    refused_cleanly(result, MESSAGES["memory_cost_kib"].format(value=4 * 1024 * 1024))
