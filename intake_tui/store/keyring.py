"""The keyring: who may open the encrypted database, and with which passphrase (DESIGN.md §5).

The database is encrypted by SQLCipher with a random 256-bit key, the DEK. The DEK never touches
disk in plaintext; `keyring.json`, next to the database, holds it in sealed form only:

* every caseworker has a **slot** with an X25519 key pair. The private key is encrypted
  (AES-256-GCM) with a key derived from the caseworker's passphrase (Argon2id, parameters and
  salt stored in the slot); the DEK is **sealed to the slot's public key** (ephemeral X25519 +
  HKDF-SHA256 + AES-256-GCM). A re-key after removing a caseworker therefore needs nobody's
  passphrase: the new DEK is sealed to the remaining public keys;
* an optional **recovery slot** seals the DEK to the organisation's X25519 public key, whose private
  key the municipality keeps offline; it sets a new passphrase when one is forgotten;
* every encryption binds, as associated data, the format version, `db_id`, the slot id, the slot
  kind, the caseworker name and the KDF parameters with the salt, so an edited slot does not open;
* a **MAC** (HMAC-SHA256, key = HKDF(DEK, "intake-keyring-mac-v1")) over all slots, the recovery
  slot and a pending re-key detects, after unlocking, any slot that was added, removed or edited
  by someone who does not hold the DEK (for example a public key swapped for an attacker's, which
  would otherwise receive the next DEK).

The file format, field by field, is described in store/keyring_format.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from intake_tui.i18n import _
from intake_tui.store.keyring_format import (
    _FAILURE_KEY,
    _MAC_INFO,
    DEK_BYTES,
    FAILURE_MEMORY_SECONDS,
    FORMAT,
    FREE_ATTEMPTS,
    INVALID_NAME_BUCKET,
    KEY_BYTES,
    KIND_CASEWORKER,
    KIND_RECOVERY,
    MAX_FILE_BYTES,
    MAX_WAIT_SECONDS,
    NONCE_BYTES,
    PRODUCTION_KDF,
    RECOVERY_SLOT_ID,
    SALT_BYTES,
    TEST_KDF,
    KdfParams,
    KdfTooWeak,
    KeyringCorrupt,
    KeyringError,
    KeyringMissing,
    KeyringModified,
    KeyringTampered,
    SlotRelabelled,
    TooManyAttempts,
    Unlocked,
    WrongCredentials,
    _b64,
    _Box,
    _canonical,
    _derive_kek,
    _Failure,
    _hex,
    _hkdf,
    _kdf_json,
    _name_key,
    _normalise_name,
    _open,
    _parse,
    _Pending,
    _pending_json,
    _Recovery,
    _recovery_json,
    _reject_constant,
    _reject_duplicates,
    _seal,
    _Slot,
    _slot_id,
    _slot_json,
    _State,
    _valid_name,
    _write_atomically,
    generate_organisation_keypair,
)

__all__ = [
    "PRODUCTION_KDF",
    "TEST_KDF",
    "KdfParams",
    "KdfTooWeak",
    "Keyring",
    "KeyringCorrupt",
    "KeyringError",
    "KeyringMissing",
    "KeyringModified",
    "KeyringTampered",
    "SlotRelabelled",
    "TooManyAttempts",
    "Unlocked",
    "WrongCredentials",
    "generate_organisation_keypair",
]

# --- the keyring ----------------------------------------------------------------------------


class Keyring:
    """`keyring.json`: the caseworkers' key slots for one encrypted database.

    Methods that change the keyring save it before they return; the object keeps the state of
    the file as last read or written. One process at a time uses a keyring.
    """

    path: Path
    db_id: str
    floor: KdfParams
    default_kdf: KdfParams

    def __init__(
        self,
        path: Path,
        db_id: str,
        state: _State,
        *,
        floor: KdfParams,
        default_kdf: KdfParams,
        clock: Callable[[], float],
    ) -> None:
        self.path = path
        self.db_id = db_id
        self.floor = floor
        self.default_kdf = default_kdf
        self._state = state
        self._clock = clock

    # construction

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        db_id: str | None = None,
        kdf: KdfParams = PRODUCTION_KDF,
        floor: KdfParams | None = None,
        recovery_public_key: bytes | None = None,
        clock: Callable[[], float] = time.time,
    ) -> tuple[Keyring, bytes]:
        """A new keyring without slots, and its new DEK. Nothing is written until `add_user`."""
        target = Path(path)
        if target.exists():
            raise KeyringError(_("a keyring already exists here; it was left unchanged"))
        floor = kdf if floor is None else floor
        if not kdf.at_least(floor):
            raise KeyringError(_("the chosen KDF cost is below the keyring's minimum"))
        db_id = uuid.uuid4().hex if db_id is None else db_id
        _hex(db_id, 32, "db_id")
        dek = os.urandom(DEK_BYTES)
        keyring = cls(
            target,
            db_id,
            _State((), None, None, b"", {}),
            floor=floor,
            default_kdf=kdf,
            clock=clock,
        )
        recovery: _Recovery | None = None
        if recovery_public_key is not None:
            if not isinstance(recovery_public_key, bytes) or len(recovery_public_key) != KEY_BYTES:
                raise KeyringError(_("the organisation recovery key must be 32 bytes"))
            aad = keyring._aad("dek", RECOVERY_SLOT_ID, KIND_RECOVERY, None)
            recovery = _Recovery(recovery_public_key, _seal(recovery_public_key, dek, aad))
        keyring._state = keyring._sign(replace(keyring._state, recovery=recovery), dek)
        return keyring, dek

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        floor: KdfParams = PRODUCTION_KDF,
        clock: Callable[[], float] = time.time,
    ) -> Keyring:
        """Read `keyring.json`; `KeyringMissing` or `KeyringCorrupt` if that is not possible."""
        target = Path(path)
        try:
            with target.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise KeyringMissing() from None
        except OSError as error:
            raise KeyringCorrupt(_("the file cannot be opened")) from error
        if len(data) > MAX_FILE_BYTES:
            raise KeyringCorrupt(_("it is larger than a keyring can be"))
        try:
            document = json.loads(
                data.decode("utf-8"),
                object_pairs_hook=_reject_duplicates,
                parse_constant=_reject_constant,
            )
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise KeyringCorrupt(_("it is not valid JSON")) from None
        db_id, state = _parse(document)
        default = floor
        for slot in state.slots:
            default = default.raised_to(slot.kdf)
        return cls(target, db_id, state, floor=floor, default_kdf=default, clock=clock)

    # queries

    def users(self) -> list[str]:
        """The caseworkers with a slot, sorted."""
        return sorted((slot.user for slot in self._state.slots), key=lambda n: (n.casefold(), n))

    @property
    def has_recovery(self) -> bool:
        return self._state.recovery is not None

    @property
    def rekey_pending(self) -> bool:
        """A re-key was started and not finished (see the module docstring)."""
        return self._state.pending is not None

    # unlocking

    def unlock(self, name: str, passphrase: str) -> bytes:
        """The DEK, for caseworker `name` with `passphrase`."""
        return self.unlock_with_pending(name, passphrase).dek

    def unlock_with_pending(self, name: str, passphrase: str) -> Unlocked:
        """The DEK and, while a re-key is unfinished, the new DEK too.

        Checks, in order: back-off, slot exists, slot id, KDF cost >= floor, passphrase, MAC.
        """
        now = self._clock()
        bucket = self._bucket(name)
        self._check_backoff(bucket, now)
        slot = self._find(name)
        if slot is None:
            _derive_kek(passphrase, os.urandom(SALT_BYTES), self._dummy_kdf())
            self._record_failure(bucket, now)
            raise WrongCredentials()
        if slot.slot_id != _slot_id(self.db_id, slot.user, slot.salt):
            raise SlotRelabelled()
        if not slot.kdf.at_least(self.floor):
            raise KdfTooWeak()
        kek = _derive_kek(passphrase, slot.salt, slot.kdf)
        try:
            private_raw = AESGCM(kek).decrypt(
                slot.wrap_nonce, slot.wrapped_private_key, self._slot_aad("private-key", slot)
            )
        except InvalidTag:
            self._record_failure(bucket, now)
            raise WrongCredentials() from None
        unlocked = self._open_slot(slot, X25519PrivateKey.from_private_bytes(private_raw))
        if bucket in self._state.failures:
            failures = {k: v for k, v in self._state.failures.items() if k != bucket}
            # A failure to clear the counter must not lock the caseworker out.
            with contextlib.suppress(KeyringError):
                self._commit(replace(self._state, failures=failures))
        return unlocked

    def _open_slot(self, slot: _Slot, private: X25519PrivateKey) -> Unlocked:
        if private.public_key().public_bytes_raw() != slot.public_key:
            raise KeyringModified()
        aad = self._slot_aad("dek", slot)
        dek = _open(private, slot.sealed_dek, aad)
        if dek is None or len(dek) != DEK_BYTES or not self._mac_ok(self._state, dek):
            raise KeyringModified()
        pending = self._state.pending
        if pending is None:
            return Unlocked(dek, None)
        new = _open(private, pending.slots[slot.slot_id], aad)
        if new is None or not self._pending_mac_ok(pending, new):
            raise KeyringModified()
        return Unlocked(dek, new)

    # changing slots

    def add_user(
        self, name: str, passphrase: str, dek: bytes, *, kdf: KdfParams | None = None
    ) -> None:
        """Give caseworker `name` a slot; `dek` comes from an unlocked session or `create()`."""
        self._require_dek(dek)
        self._require_no_pending()
        name = self._check_new_name(name)
        kdf = self.default_kdf if kdf is None else kdf
        if not kdf.at_least(self.floor):
            raise KeyringError(_("the chosen KDF cost is below the keyring's minimum"))
        slot, _private = self._new_slot(name, passphrase, kdf, dek)
        slots = (*self._state.slots, slot)
        self._commit(self._sign(replace(self._state, slots=slots), dek))

    def remove_user(self, name: str, dek: bytes) -> None:
        """Remove caseworker `name`'s slot. Call `rekey()` next: they may know the DEK."""
        self._require_dek(dek)
        self._require_no_pending()
        slot = self._find(name)
        if slot is None:
            raise KeyringError(_("there is no key slot for caseworker {name}").format(name=name))
        if len(self._state.slots) == 1:
            raise KeyringError(_("the last caseworker's key slot cannot be removed"))
        slots = tuple(s for s in self._state.slots if s is not slot)
        self._commit(self._sign(replace(self._state, slots=slots), dek))

    def change_passphrase(self, name: str, old: str, new: str) -> None:
        """A new passphrase for `name` (a new key pair and salt; same KDF cost or the floor)."""
        unlocked = self.unlock_with_pending(name, old)
        slot = self._find(name)
        assert slot is not None  # unlock succeeded
        self._replace_slot(slot, new, unlocked)

    def recover(self, name: str, new_passphrase: str, organisation_private_key: bytes) -> bytes:
        """Open the recovery slot, give `name` a new passphrase, return the (current) DEK.

        While a re-key is unfinished, the new slot gets both DEKs; open the database with
        `unlock_with_pending()` afterwards to finish it.
        """
        recovery = self._state.recovery
        if recovery is None:
            raise KeyringError(_("this keyring has no recovery slot"))
        if not isinstance(organisation_private_key, bytes) or len(organisation_private_key) != 32:
            raise KeyringError(_("the organisation recovery key must be 32 bytes"))
        private = X25519PrivateKey.from_private_bytes(organisation_private_key)
        if private.public_key().public_bytes_raw() != recovery.public_key:
            raise KeyringError(_("this organisation key does not open this keyring"))
        aad = self._aad("dek", RECOVERY_SLOT_ID, KIND_RECOVERY, None)
        dek = _open(private, recovery.sealed_dek, aad)
        if dek is None or len(dek) != DEK_BYTES or not self._mac_ok(self._state, dek):
            raise KeyringModified()
        pending_dek: bytes | None = None
        pending = self._state.pending
        if pending is not None:
            assert pending.recovery is not None  # checked on load
            pending_dek = _open(private, pending.recovery, aad)
            if pending_dek is None or not self._pending_mac_ok(pending, pending_dek):
                raise KeyringModified()
        slot = self._find(name)
        if slot is None:
            raise KeyringError(_("there is no key slot for caseworker {name}").format(name=name))
        self._replace_slot(slot, new_passphrase, Unlocked(dek, pending_dek))
        return dek

    # re-keying

    def rekey(self, old_dek: bytes) -> bytes:
        """Start a re-key: a new DEK sealed to every slot (and the recovery key) as `pending`.

        Returns the new DEK. Then `PRAGMA rekey` the database with it, then `commit_rekey()`.
        """
        self._require_dek(old_dek)
        self._require_no_pending()
        new = os.urandom(DEK_BYTES)
        pending = self._pending_for(self._state, new)
        self._commit(self._sign(replace(self._state, pending=pending), old_dek))
        return new

    def remove_user_and_rekey(self, name: str, dek: bytes) -> bytes:
        """Remove `name` and start a re-key in ONE write; returns the new DEK.

        Two writes would leave a window in which the slot is gone but no re-key is pending,
        and a crash there would keep the old key - which the removed caseworker may know -
        working for good. Then `PRAGMA rekey` the database and `commit_rekey()`.
        """
        self._require_dek(dek)
        self._require_no_pending()
        slot = self._find(name)
        if slot is None:
            raise KeyringError(_("there is no key slot for caseworker {name}").format(name=name))
        if len(self._state.slots) == 1:
            raise KeyringError(_("the last caseworker's key slot cannot be removed"))
        reduced = replace(self._state, slots=tuple(s for s in self._state.slots if s is not slot))
        new = os.urandom(DEK_BYTES)
        pending = self._pending_for(reduced, new)
        self._commit(self._sign(replace(reduced, pending=pending), dek))
        return new

    def _pending_for(self, state: _State, new: bytes) -> _Pending:
        """`new` sealed to every slot of `state` (and its recovery key), with its future MAC."""
        boxes = {
            slot.slot_id: _seal(slot.public_key, new, self._slot_aad("dek", slot))
            for slot in state.slots
        }
        recovery_box: _Box | None = None
        if state.recovery is not None:
            aad = self._aad("dek", RECOVERY_SLOT_ID, KIND_RECOVERY, None)
            recovery_box = _seal(state.recovery.public_key, new, aad)
        pending = _Pending(boxes, recovery_box, b"")
        return replace(pending, mac=self._mac(self._committed(pending, state), new))

    def commit_rekey(self, new_dek: bytes) -> None:
        """Finish a re-key once the database uses `new_dek`: the old DEK is dropped."""
        pending = self._state.pending
        if pending is None:
            raise KeyringError(_("no change of the database key is in progress"))
        if not self._pending_mac_ok(pending, new_dek):
            raise KeyringError(_("this is not the new database key of the change in progress"))
        self._commit(replace(self._committed(pending), mac=pending.mac))

    def abort_rekey(self, dek: bytes) -> None:
        """Drop an unfinished re-key while the database still uses `dek` (the current DEK)."""
        if self._state.pending is None:
            raise KeyringError(_("no change of the database key is in progress"))
        self._require_dek(dek)
        self._commit(self._sign(replace(self._state, pending=None), dek))

    def save(self) -> None:
        """Write the keyring atomically (0600)."""
        self._commit(self._state)

    # internals: slots

    def _find(self, name: str) -> _Slot | None:
        key = _name_key(name)
        for slot in self._state.slots:
            if _name_key(slot.user) == key:
                return slot
        return None

    def _check_new_name(self, name: str) -> str:
        name = _normalise_name(name)
        if not _valid_name(name):
            raise KeyringError(_("a caseworker name has 1 to 64 letters, digits, '.', '_' or '-'"))
        if self._find(name) is not None:
            raise KeyringError(_("caseworker {name} already has a key slot").format(name=name))
        return name

    def _new_slot(
        self, name: str, passphrase: str, kdf: KdfParams, dek: bytes
    ) -> tuple[_Slot, X25519PrivateKey]:
        if not passphrase:
            raise KeyringError(_("the passphrase must not be empty"))
        salt = os.urandom(SALT_BYTES)
        private = X25519PrivateKey.generate()
        public = private.public_key().public_bytes_raw()
        slot_id = _slot_id(self.db_id, name, salt)
        blank = _Box(b"", b"", b"")
        slot = _Slot(slot_id, name, kdf, salt, public, os.urandom(NONCE_BYTES), b"", blank)
        kek = _derive_kek(passphrase, salt, kdf)
        wrapped = AESGCM(kek).encrypt(
            slot.wrap_nonce, private.private_bytes_raw(), self._slot_aad("private-key", slot)
        )
        sealed = _seal(public, dek, self._slot_aad("dek", slot))
        return replace(slot, wrapped_private_key=wrapped, sealed_dek=sealed), private

    def _replace_slot(self, slot: _Slot, passphrase: str, unlocked: Unlocked) -> None:
        kdf = slot.kdf.raised_to(self.floor) if not slot.kdf.at_least(self.floor) else slot.kdf
        new_slot, _private = self._new_slot(slot.user, passphrase, kdf, unlocked.dek)
        slots = tuple(new_slot if s is slot else s for s in self._state.slots)
        state = replace(self._state, slots=slots)
        if state.pending is not None:
            assert unlocked.pending_dek is not None
            boxes = {k: v for k, v in state.pending.slots.items() if k != slot.slot_id}
            aad = self._slot_aad("dek", new_slot)
            boxes[new_slot.slot_id] = _seal(new_slot.public_key, unlocked.pending_dek, aad)
            pending = replace(state.pending, slots=boxes)
            pending = replace(
                pending, mac=self._mac(self._committed(pending, state), unlocked.pending_dek)
            )
            state = replace(state, pending=pending)
        bucket = self._bucket(slot.user)
        failures = {k: v for k, v in state.failures.items() if k != bucket}
        self._commit(self._sign(replace(state, failures=failures), unlocked.dek))

    def _dummy_kdf(self) -> KdfParams:
        slots = sorted(self._state.slots, key=lambda s: s.slot_id)
        return slots[0].kdf if slots else self.default_kdf

    # internals: associated data and MAC

    def _aad(self, purpose: str, slot_id: str, kind: str, slot: _Slot | None) -> bytes:
        return _canonical(
            {
                "format": FORMAT,
                "purpose": purpose,
                "db_id": self.db_id,
                "slot_id": slot_id,
                "kind": kind,
                "user": None if slot is None else slot.user,
                "kdf": None if slot is None else _kdf_json(slot.kdf, slot.salt),
            }
        )

    def _slot_aad(self, purpose: str, slot: _Slot) -> bytes:
        return self._aad(purpose, slot.slot_id, KIND_CASEWORKER, slot)

    def _mac(self, state: _State, dek: bytes) -> bytes:
        body = {
            "format": FORMAT,
            "db_id": self.db_id,
            "slots": [_slot_json(s) for s in sorted(state.slots, key=lambda s: s.slot_id)],
            "recovery": _recovery_json(state.recovery),
            "pending": _pending_json(state.pending),
        }
        return hmac.new(_hkdf(dek, _MAC_INFO), _canonical(body), hashlib.sha256).digest()

    def _mac_ok(self, state: _State, dek: bytes) -> bool:
        return len(dek) == DEK_BYTES and hmac.compare_digest(self._mac(state, dek), state.mac)

    def _pending_mac_ok(self, pending: _Pending, new_dek: bytes) -> bool:
        if len(new_dek) != DEK_BYTES:
            return False
        return hmac.compare_digest(self._mac(self._committed(pending), new_dek), pending.mac)

    def _committed(self, pending: _Pending, state: _State | None = None) -> _State:
        """The keyring as it will be once `pending` is committed (MAC not yet set)."""
        state = self._state if state is None else state
        slots = tuple(replace(s, sealed_dek=pending.slots[s.slot_id]) for s in state.slots)
        recovery = state.recovery
        if recovery is not None and pending.recovery is not None:
            recovery = replace(recovery, sealed_dek=pending.recovery)
        return replace(state, slots=slots, recovery=recovery, pending=None)

    def _sign(self, state: _State, dek: bytes) -> _State:
        return replace(state, mac=self._mac(state, dek))

    def _require_dek(self, dek: bytes) -> None:
        if not isinstance(dek, bytes) or not self._mac_ok(self._state, dek):
            raise KeyringError(_("the database key does not belong to this keyring"))

    def _require_no_pending(self) -> None:
        if self._state.pending is not None:
            raise KeyringError(
                _("a change of the database key was interrupted; open the database to finish it")
            )

    # internals: back-off

    def _bucket(self, name: str) -> str:
        normalised = _normalise_name(name)
        if not _valid_name(normalised):
            return INVALID_NAME_BUCKET
        key = _FAILURE_KEY + self.db_id.encode()
        digest = hmac.new(key, normalised.casefold().encode(), hashlib.sha256).hexdigest()
        return digest[:3]

    def _check_backoff(self, bucket: str, now: float) -> None:
        entry = self._state.failures.get(bucket)
        if entry is None or entry.count < FREE_ATTEMPTS:
            return
        wait = min(2 ** (entry.count - FREE_ATTEMPTS), MAX_WAIT_SECONDS)
        remaining = min(wait, wait - (now - entry.last))
        if remaining > 0:
            raise TooManyAttempts(max(1, math.ceil(remaining)))

    def _record_failure(self, bucket: str, now: float) -> None:
        failures = {
            key: entry
            for key, entry in self._state.failures.items()
            if key != bucket and now - entry.last < FAILURE_MEMORY_SECONDS
        }
        previous = self._state.failures.get(bucket)
        failures[bucket] = _Failure((previous.count if previous else 0) + 1, now)
        state = replace(self._state, failures=failures)
        try:
            self._commit(state)
        except KeyringError:
            # Not written (disk full, say): still count it for this session.
            self._state = state

    # internals: writing

    def _document(self, state: _State) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "db_id": self.db_id,
            "slots": [_slot_json(s) for s in sorted(state.slots, key=lambda s: _name_key(s.user))],
            "recovery": _recovery_json(state.recovery),
            "pending": _pending_json(state.pending),
            "mac": _b64(state.mac),
            "failures": {
                key: {"count": entry.count, "last": entry.last}
                for key, entry in sorted(state.failures.items())
            },
        }

    def _commit(self, state: _State) -> None:
        if not state.slots:
            raise KeyringError(_("a keyring needs at least one caseworker before it is saved"))
        data = json.dumps(self._document(state), indent=2, ensure_ascii=False) + "\n"
        _write_atomically(self.path, data.encode("utf-8"))
        self._state = state
