"""The keyring: slots, unlock, re-key, recovery, tampering, back-off and the file on disk."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from intake_tui.store import keyring as keyring_module
from intake_tui.store.keyring import (
    TEST_KDF,
    KdfParams,
    KdfTooWeak,
    Keyring,
    KeyringCorrupt,
    KeyringError,
    KeyringMissing,
    KeyringModified,
    KeyringTampered,
    SlotRelabelled,
    TooManyAttempts,
    WrongCredentials,
    generate_organisation_keypair,
)

ANNA = ("anna", "correct horse battery staple")
BRAM = ("bram", "zeven zoute zeeen")
CEES = ("cees", "een heel ander wachtwoord")


class Clock:
    """An injected clock: tests move time instead of sleeping."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def new_keyring(
    path: Path, *, recovery: bytes | None = None, clock: Clock | None = None
) -> tuple[Keyring, bytes]:
    keyring, dek = Keyring.create(
        path,
        kdf=TEST_KDF,
        floor=TEST_KDF,
        recovery_public_key=recovery,
        clock=clock or Clock(),
    )
    keyring.add_user(*ANNA, dek)
    return keyring, dek


def load(path: Path, clock: Clock | None = None) -> Keyring:
    return Keyring.load(path, floor=TEST_KDF, clock=clock or Clock())


def read(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2), "utf-8")


def slot_of(document: dict[str, Any], user: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in document["slots"] if s["user"] == user)
    return found


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "keyring.json"


# --- basics ---------------------------------------------------------------------------------


def test_first_user_unlocks_the_dek_of_create(path: Path) -> None:
    keyring, dek = Keyring.create(path, kdf=TEST_KDF, floor=TEST_KDF)
    assert len(dek) == 32
    assert not path.exists()  # nothing written before the first caseworker
    keyring.add_user(*ANNA, dek)
    assert path.exists()
    assert load(path).unlock(*ANNA) == dek
    assert load(path).users() == ["anna"]
    assert len(load(path).db_id) == 32


def test_names_are_checked_and_found_regardless_of_case(path: Path) -> None:
    keyring, dek = new_keyring(path)
    for bad in ("", "a" * 65, "an na", "anna/..", "anna|x"):
        with pytest.raises(KeyringError, match="1 to 64"):
            keyring.add_user(bad, "secret", dek)
    with pytest.raises(KeyringError, match="already has a key slot"):
        keyring.add_user("ANNA", "secret", dek)
    assert load(path).unlock("Anna", ANNA[1]) == dek


def test_create_refuses_to_overwrite_an_existing_keyring(path: Path) -> None:
    new_keyring(path)
    before = path.read_bytes()
    with pytest.raises(KeyringError, match="already exists"):
        Keyring.create(path, kdf=TEST_KDF, floor=TEST_KDF)
    assert path.read_bytes() == before


def test_unknown_user_and_wrong_passphrase_look_the_same(path: Path) -> None:
    new_keyring(path)
    keyring = load(path)
    with pytest.raises(WrongCredentials) as wrong_passphrase:
        keyring.unlock("anna", "not the passphrase")
    with pytest.raises(WrongCredentials) as unknown_user:
        keyring.unlock("zoe", ANNA[1])
    assert str(wrong_passphrase.value) == str(unknown_user.value)
    assert str(unknown_user.value) == "unknown caseworker or wrong passphrase"
    assert type(wrong_passphrase.value) is type(unknown_user.value)


def test_second_user_is_added_from_an_unlocked_session(path: Path) -> None:
    new_keyring(path)
    session_dek = load(path).unlock(*ANNA)
    keyring = load(path)
    keyring.add_user(*BRAM, session_dek)
    assert load(path).users() == ["anna", "bram"]
    assert load(path).unlock(*BRAM) == session_dek
    assert load(path).unlock(*ANNA) == session_dek


def test_adding_a_user_needs_the_real_dek(path: Path) -> None:
    new_keyring(path)
    before = path.read_bytes()
    with pytest.raises(KeyringError, match="does not belong"):
        load(path).add_user(*BRAM, os.urandom(32))
    assert path.read_bytes() == before


def test_kdf_below_the_floor_is_refused_when_adding(path: Path) -> None:
    stronger = KdfParams(2, 8192, 1)
    with pytest.raises(KeyringError, match="below"):
        Keyring.create(path, kdf=TEST_KDF, floor=stronger)
    keyring, dek = Keyring.create(path, kdf=stronger, floor=stronger)
    with pytest.raises(KeyringError, match="below"):
        keyring.add_user(*ANNA, dek, kdf=TEST_KDF)
    keyring.add_user(*ANNA, dek)
    assert slot_of(read(path), "anna")["kdf"]["time_cost"] == 2
    assert Keyring.load(path, floor=stronger).unlock(*ANNA) == dek


def test_change_passphrase(path: Path) -> None:
    _, dek = new_keyring(path)
    load(path).change_passphrase("anna", ANNA[1], "a new passphrase")
    with pytest.raises(WrongCredentials):
        load(path).unlock(*ANNA)
    assert load(path).unlock("anna", "a new passphrase") == dek
    with pytest.raises(WrongCredentials):
        load(path).change_passphrase("anna", "wrong", "whatever")


# --- remove and re-key ----------------------------------------------------------------------


def test_remove_and_rekey_locks_out_the_removed_user(path: Path) -> None:
    keyring, old_dek = new_keyring(path)
    keyring.add_user(*BRAM, old_dek)
    keyring.add_user(*CEES, old_dek)
    brams_old_slot = slot_of(read(path), "bram")

    session = load(path)
    dek = session.unlock(*ANNA)
    session.remove_user("bram", dek)
    new_dek = session.rekey(dek)
    # ... the store runs PRAGMA rekey here ...
    session.commit_rekey(new_dek)

    assert new_dek != old_dek
    assert load(path).users() == ["anna", "cees"]
    # The others open the new DEK with their own passphrase only.
    assert load(path).unlock(*CEES) == new_dek
    assert load(path).unlock(*ANNA) == new_dek
    with pytest.raises(WrongCredentials):
        load(path).unlock(*BRAM)

    # Bram copies his old slot back into the file: it cannot give him the new DEK.
    document = read(path)
    document["slots"].append(brams_old_slot)
    write(path, document)
    with pytest.raises(KeyringModified):
        load(path).unlock(*BRAM)
    # ... and his slot does not disturb the others' check either: the MAC catches the addition.
    with pytest.raises(KeyringModified):
        load(path).unlock(*ANNA)


def test_the_last_caseworker_cannot_be_removed(path: Path) -> None:
    keyring, dek = new_keyring(path)
    with pytest.raises(KeyringError, match="last"):
        keyring.remove_user("anna", dek)
    with pytest.raises(KeyringError, match="no key slot"):
        keyring.remove_user("zoe", dek)


def test_crash_after_the_keyring_was_written_but_before_the_database_switched(
    path: Path,
) -> None:
    keyring, dek = new_keyring(path)
    keyring.add_user(*BRAM, dek)
    new_dek = keyring.rekey(dek)
    # crash: the database still uses `dek`
    after_crash = load(path)
    assert after_crash.rekey_pending
    assert after_crash.unlock(*BRAM) == dek  # the current DEK still opens the database
    assert after_crash.unlock_with_pending(*BRAM) == (dek, new_dek)
    with pytest.raises(KeyringError, match="interrupted"):
        after_crash.add_user(*CEES, dek)
    with pytest.raises(KeyringError, match="interrupted"):
        after_crash.rekey(dek)
    after_crash.abort_rekey(dek)
    assert not load(path).rekey_pending
    assert load(path).unlock_with_pending(*ANNA) == (dek, None)


def test_crash_after_the_database_switched_but_before_commit(path: Path) -> None:
    keyring, dek = new_keyring(path)
    keyring.add_user(*BRAM, dek)
    new_dek = keyring.rekey(dek)
    # crash: PRAGMA rekey ran, the database now uses `new_dek`
    after_crash = load(path)
    current, pending = after_crash.unlock_with_pending(*ANNA)
    assert (current, pending) == (dek, new_dek)
    with pytest.raises(KeyringError, match="not the new database key"):
        after_crash.commit_rekey(dek)
    after_crash.commit_rekey(new_dek)
    assert load(path).unlock_with_pending(*BRAM) == (new_dek, None)


def test_change_passphrase_during_a_pending_rekey_keeps_both_keys(path: Path) -> None:
    keyring, dek = new_keyring(path)
    keyring.add_user(*BRAM, dek)
    new_dek = keyring.rekey(dek)
    load(path).change_passphrase("bram", BRAM[1], "bram's new one")
    assert load(path).unlock_with_pending("bram", "bram's new one") == (dek, new_dek)
    load(path).commit_rekey(new_dek)
    assert load(path).unlock("bram", "bram's new one") == new_dek


# --- recovery -------------------------------------------------------------------------------


def test_recovery_sets_a_new_passphrase(path: Path) -> None:
    org_private, org_public = generate_organisation_keypair()
    _, dek = new_keyring(path, recovery=org_public)
    assert load(path).recover("anna", "a fresh start", org_private) == dek
    with pytest.raises(WrongCredentials):
        load(path).unlock(*ANNA)
    assert load(path).unlock("anna", "a fresh start") == dek


def test_recovery_follows_a_rekey(path: Path) -> None:
    org_private, org_public = generate_organisation_keypair()
    keyring, dek = new_keyring(path, recovery=org_public)
    new_dek = keyring.rekey(dek)
    keyring.commit_rekey(new_dek)
    assert load(path).recover("anna", "a fresh start", org_private) == new_dek


def test_recovery_needs_a_recovery_slot_and_the_right_key(path: Path) -> None:
    org_private, org_public = generate_organisation_keypair()
    other_private, _ = generate_organisation_keypair()
    new_keyring(path)
    with pytest.raises(KeyringError, match="no recovery slot"):
        load(path).recover("anna", "new", org_private)
    path.unlink()
    new_keyring(path, recovery=org_public)
    with pytest.raises(KeyringError, match="does not open"):
        load(path).recover("anna", "new", other_private)
    with pytest.raises(KeyringError, match="no key slot"):
        load(path).recover("zoe", "new", org_private)
    assert load(path).unlock(*ANNA)  # untouched


def test_a_swapped_recovery_key_is_detected(path: Path) -> None:
    org_private, org_public = generate_organisation_keypair()
    _, attacker_public = generate_organisation_keypair()
    new_keyring(path, recovery=org_public)
    document = read(path)
    document["recovery"]["public_key"] = base64.b64encode(attacker_public).decode()
    write(path, document)
    with pytest.raises(KeyringModified):
        load(path).unlock(*ANNA)
    with pytest.raises(KeyringError, match="does not open"):
        load(path).recover("anna", "new", org_private)


# --- tampering ------------------------------------------------------------------------------


def test_each_kind_of_tampering_has_its_own_class_and_message(path: Path) -> None:
    keyring, dek = new_keyring(path)
    keyring.add_user(*BRAM, dek)
    pristine = read(path)
    caught: dict[type[KeyringError], str] = {}

    # 1. Bram's slot relabelled as Anna's (Anna's own slot removed).
    document = json.loads(json.dumps(pristine))
    document["slots"] = [slot_of(document, "bram")]
    document["slots"][0]["user"] = "anna"
    write(path, document)
    with pytest.raises(SlotRelabelled) as relabelled:
        load(path).unlock("anna", BRAM[1])
    caught[SlotRelabelled] = str(relabelled.value)

    # 2. KDF cost below the floor: the test slot has the least a keyring accepts (8 MiB), so the
    #    floor is raised instead (as if the slot had been lowered from 16 MiB).
    write(path, json.loads(json.dumps(pristine)))
    with pytest.raises(KdfTooWeak) as weak:
        Keyring.load(path, floor=KdfParams(1, 16384, 1)).unlock(*ANNA)
    caught[KdfTooWeak] = str(weak.value)

    # 3. Anna's public key swapped for another one: passes every structural check.
    document = json.loads(json.dumps(pristine))
    slot_of(document, "anna")["public_key"] = slot_of(document, "bram")["public_key"]
    write(path, document)
    with pytest.raises(KeyringModified) as modified:
        load(path).unlock(*ANNA)
    caught[KeyringModified] = str(modified.value)

    # 4. The same edit in Bram's slot is caught when Anna unlocks (before a re-key trusts it).
    document = json.loads(json.dumps(pristine))
    slot_of(document, "bram")["public_key"] = slot_of(document, "anna")["public_key"]
    write(path, document)
    with pytest.raises(KeyringModified):
        load(path).unlock(*ANNA)

    # 5. KDF cost raised: the passphrase key itself changes -> the same as a wrong passphrase.
    document = json.loads(json.dumps(pristine))
    slot_of(document, "anna")["kdf"]["time_cost"] = 2
    write(path, document)
    with pytest.raises(WrongCredentials) as wrong:
        load(path).unlock(*ANNA)
    caught[WrongCredentials] = str(wrong.value)

    # 6. Junk.
    path.write_text("{not json", "utf-8")
    with pytest.raises(KeyringCorrupt) as corrupt:
        load(path)
    caught[KeyringCorrupt] = str(corrupt.value)

    assert all(issubclass(kind, KeyringTampered) for kind in list(caught)[:3])
    assert len(set(caught.values())) == len(caught), caught

    # The untouched file still works.
    write(path, pristine)
    assert load(path).unlock(*ANNA) == dek


def test_a_slot_renamed_with_a_recomputed_slot_id_still_does_not_open(path: Path) -> None:
    keyring, dek = new_keyring(path)
    keyring.add_user(*BRAM, dek)
    document = read(path)
    bram = slot_of(document, "bram")
    document["slots"] = [bram]
    bram["user"] = "anna"
    salt = base64.b64decode(bram["kdf"]["salt"])
    bram["slot_id"] = keyring_module._slot_id(document["db_id"], "anna", salt)
    write(path, document)
    # The AAD binds the name: Bram's passphrase no longer opens it under Anna's name.
    with pytest.raises(WrongCredentials):
        load(path).unlock("anna", BRAM[1])


def test_a_keyring_from_another_database_is_recognisable(tmp_path: Path) -> None:
    ours, our_dek = new_keyring(tmp_path / "ours.json")
    theirs, their_dek = new_keyring(tmp_path / "theirs.json")
    (tmp_path / "ours.json").write_bytes((tmp_path / "theirs.json").read_bytes())
    swapped = load(tmp_path / "ours.json")
    assert swapped.db_id != ours.db_id
    assert swapped.db_id == theirs.db_id
    # Same name and passphrase on both laptops: it opens, but yields the other database's key.
    assert swapped.unlock(*ANNA) == their_dek != our_dek


# --- back-off -------------------------------------------------------------------------------


def test_backoff_after_repeated_failures_and_reset_on_success(path: Path) -> None:
    clock = Clock()
    new_keyring(path, clock=clock)
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            load(path, clock).unlock("anna", "wrong")
    # 3 failures: the next attempt within 1 s is refused, even with the right passphrase.
    with pytest.raises(TooManyAttempts) as refused:
        load(path, clock).unlock(*ANNA)
    assert refused.value.retry_after == 1
    assert "1 second" in str(refused.value)
    clock.now += 1
    with pytest.raises(WrongCredentials):
        load(path, clock).unlock("anna", "wrong")  # failure 4: wait 2 s
    clock.now += 1.5
    with pytest.raises(TooManyAttempts) as refused:
        load(path, clock).unlock(*ANNA)
    assert refused.value.retry_after == 1
    clock.now += 0.5
    assert load(path, clock).unlock(*ANNA)
    assert read(path)["failures"] == {}
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            load(path, clock).unlock("anna", "wrong")  # the counter starts again


def test_backoff_is_capped_and_counts_unknown_names(path: Path) -> None:
    clock = Clock()
    new_keyring(path, clock=clock)
    for _ in range(12):
        clock.now += 400  # longer than any wait: every attempt is let through, and fails
        with pytest.raises(WrongCredentials):
            load(path, clock).unlock("zoe", "guess")
    with pytest.raises(TooManyAttempts) as refused:
        load(path, clock).unlock("zoe", "guess")
    assert refused.value.retry_after == 300  # 2 ** (12 - 3) s, capped
    assert "300 seconds" in str(refused.value)
    # Another name has its own counter.
    assert load(path, clock).unlock(*ANNA)


def test_backoff_is_kept_in_memory_when_the_file_cannot_be_written(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    new_keyring(path, clock=clock)
    keyring = load(path, clock)

    def refuse(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(keyring_module.os, "replace", refuse)
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            keyring.unlock("anna", "wrong")
    with pytest.raises(TooManyAttempts):
        keyring.unlock(*ANNA)


# --- the file -------------------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_the_file_is_private(path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        new_keyring(path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp_files(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring, dek = new_keyring(path)
    before = path.read_bytes()

    def crash(*_args: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(keyring_module.os, "replace", crash)
    with pytest.raises(KeyringError, match="could not be written"):
        keyring.add_user(*BRAM, dek)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["keyring.json"]
    assert keyring.users() == ["anna"]  # the object did not move ahead of the file
    monkeypatch.undo()
    keyring.add_user(*BRAM, dek)
    assert load(path).users() == ["anna", "bram"]


def test_the_file_holds_no_secret_and_no_failed_name(path: Path) -> None:
    clock = Clock()
    _, dek = new_keyring(path, clock=clock)
    with pytest.raises(WrongCredentials):
        load(path, clock).unlock("zoe", "guess")
    with pytest.raises(WrongCredentials):
        load(path, clock).unlock("anna", "wrong")
    with pytest.raises(WrongCredentials):
        load(path, clock).unlock("password with spaces", "x")
    text = path.read_text("utf-8")
    for secret in (ANNA[1], "guess", "wrong"):
        assert secret not in text
    for encoded in (dek.hex(), base64.b64encode(dek).decode()):
        assert encoded not in text
    assert dek not in path.read_bytes()
    failures = read(path)["failures"]
    assert len(failures) == 3
    assert all(entry["count"] == 1 for entry in failures.values())
    for name in ("zoe", "anna", "password with spaces", "password"):
        assert name not in json.dumps(failures)
    assert read(path)["format"] == "intake-keyring/1"


def test_missing_and_corrupt_files(path: Path) -> None:
    with pytest.raises(KeyringMissing):
        load(path)
    new_keyring(path)
    good = read(path)
    broken: list[object] = [
        [],
        {**good, "format": "intake-keyring/99"},
        {k: v for k, v in good.items() if k != "mac"},
        {**good, "slots": "anna"},
        {**good, "db_id": "not hex"},
        {**good, "failures": {"abc": {"count": "many", "last": 0}}},
    ]
    slot_edits: list[tuple[str, object]] = [
        ("public_key", "!!!"),
        ("public_key", base64.b64encode(b"short").decode()),
        ("kind", "admin"),
        ("user", "no spaces allowed"),
    ]
    for field, value in slot_edits:
        document = json.loads(json.dumps(good))
        document["slots"][0][field] = value
        broken.append(document)
    huge = json.loads(json.dumps(good))
    huge["slots"][0]["kdf"]["memory_cost_kib"] = 1 << 40
    broken.append(huge)
    for document in broken:
        path.write_text(json.dumps(document), "utf-8")
        with pytest.raises(KeyringCorrupt):
            load(path)
    for raw in (b"", b"\xff\xfe", b"{not json", b'{"a": 1, "a": 2}', b"NaN"):
        path.write_bytes(raw)
        with pytest.raises(KeyringCorrupt, match="cannot be read"):
            load(path)
