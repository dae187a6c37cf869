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

File format (JSON, UTF-8, mode 0600, written atomically; all binary values are base64). Every
field, for the privacy officer — nothing in it is secret without a passphrase, the DEK or the
organisation's private key:

``format``
    ``"intake-keyring/1"``: name and version of this layout.
``db_id``
    32 hex digits, random, made with the keyring: which database the keyring belongs to. The
    store compares it with the id it knows for its database, so a keyring swapped in from another
    laptop is noticed.
``slots``
    one object per caseworker:

    ``slot_id``
        hex SHA-256 of ``db_id``, ``user`` and the salt: a slot renamed to another caseworker, or
        moved to another keyring, no longer matches it.
    ``kind``
        ``"caseworker"``.
    ``user``
        the caseworker's name as used to log in (1-64 letters, digits, ``.``, ``_`` or ``-``).
    ``kdf``
        ``algorithm`` (``"argon2id"``), ``time_cost``, ``memory_cost_kib``, ``parallelism``, and
        the random 16-byte ``salt``: how the passphrase is stretched into the 32-byte key that
        encrypts the private key.
    ``public_key``
        the slot's X25519 public key (32 bytes).
    ``wrapped_private_key``
        ``nonce`` (12 bytes) and ``ciphertext`` (AES-256-GCM of the 32-byte private key; 48 bytes).
    ``sealed_dek``
        ``ephemeral_public_key`` (32 bytes), ``nonce`` (12 bytes) and ``ciphertext`` (AES-256-GCM
        of the DEK; 48 bytes): the DEK, readable only with the slot's private key.
``recovery``
    ``null``, or ``kind`` (``"recovery"``), ``public_key`` (the organisation's X25519 public key)
    and ``sealed_dek`` as above.
``pending``
    ``null``, or a change of DEK (re-key) that was started but not finished: ``slots`` (slot id ->
    the new DEK sealed to that slot), ``recovery`` (the new DEK sealed to the recovery key, or
    ``null``) and ``mac`` (the MAC the keyring will have once the change is finished, keyed by the
    new DEK).
``mac``
    HMAC-SHA256 (32 bytes) over ``format``, ``db_id``, ``slots``, ``recovery`` and ``pending``,
    keyed from the DEK. Checked at every unlock.
``failures``
    back-off after failed unlocks: bucket -> ``count`` (failed attempts in a row) and ``last``
    (Unix time of the latest). The bucket is 3 hex digits of an HMAC of the typed name keyed by
    ``db_id`` (``"invalid"`` for a text that cannot be a name), so failed guesses - a passphrase
    typed into the name field, say - are not written down: 4096 buckets reveal at most 12 bits of
    a typed text. Entries older than a day are dropped; a successful unlock clears its bucket.
    Not covered by the MAC (it must change before anyone is unlocked).

Re-key, crash-safe order (two files - database and keyring - cannot switch together, so the
keyring carries both DEKs in between):

1. ``new = keyring.rekey(old)`` seals a new DEK to every slot as ``pending`` and saves; the slots
   still hold the old DEK, which still opens the database;
2. the store runs ``PRAGMA rekey`` with ``new`` (one SQLCipher transaction);
3. ``keyring.commit_rekey(new)`` makes the new DEK the only one and saves.

After a crash, ``unlock_with_pending()`` returns both DEKs: if the database opens with the pending
one, step 2 happened and the store calls ``commit_rekey(pending)``; otherwise it calls
``abort_rekey(dek)`` (and re-keys again if a caseworker was removed). ``unlock()`` returns the
current DEK only. Adding or removing a caseworker, and a new re-key, wait until the pending change
is finished; changing a passphrase and recovery work during it.

Errors: `WrongCredentials` says the same for an unknown caseworker and a wrong passphrase (after
the same Argon2 work), so names cannot be probed. A slot whose parameters were edited but stay
above the floor also gives `WrongCredentials`: the passphrase key itself changes, so the two cannot
be told apart. An edited public key, an added or removed slot, an edited recovery slot or pending
re-key give `KeyringModified` once the right passphrase has been typed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import math
import os
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake_tui.i18n import _, ngettext

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

FORMAT = "intake-keyring/1"
DEK_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
SEALED_BYTES = DEK_BYTES + 16  # AES-GCM tag
MAX_FILE_BYTES = 1 << 20
NAME_MAX = 64
FREE_ATTEMPTS = 3
MAX_WAIT_SECONDS = 300
FAILURE_MEMORY_SECONDS = 24 * 3600
INVALID_NAME_BUCKET = "invalid"
KIND_CASEWORKER = "caseworker"
KIND_RECOVERY = "recovery"
RECOVERY_SLOT_ID = "recovery"

_MAC_INFO = b"intake-keyring-mac-v1"
_SEAL_INFO = b"intake-keyring-seal-v1"
_FAILURE_KEY = b"intake-keyring-failures-v1:"
_SLOT_ID_PREFIX = b"intake-keyring-slot-v1\x00"


# --- errors ---------------------------------------------------------------------------------


class KeyringError(Exception):
    """A keyring problem; `str()` is a calm message for the caseworker, never a secret."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WrongCredentials(KeyringError):
    """Unknown caseworker or wrong passphrase: deliberately the same message."""

    def __init__(self) -> None:
        super().__init__(_("unknown caseworker or wrong passphrase"))


class KeyringTampered(KeyringError):
    """The keyring file was changed outside the app."""


class SlotRelabelled(KeyringTampered):
    def __init__(self) -> None:
        super().__init__(_("the key slot for this caseworker was altered"))


class KdfTooWeak(KeyringTampered):
    def __init__(self) -> None:
        super().__init__(
            _("the key slot for this caseworker was altered: its KDF cost was lowered")
        )


class KeyringModified(KeyringTampered):
    def __init__(self) -> None:
        super().__init__(
            _("the keyring was modified outside the app; its key slots cannot be trusted")
        )


class KeyringMissing(KeyringError):
    def __init__(self) -> None:
        super().__init__(_("there is no keyring file next to the database"))


class KeyringCorrupt(KeyringError):
    def __init__(self, reason: str) -> None:
        super().__init__(_("the keyring file cannot be read: {reason}").format(reason=reason))


class TooManyAttempts(KeyringError):
    """Back-off after failed unlocks; `retry_after` is the wait in whole seconds."""

    def __init__(self, seconds: int) -> None:
        self.retry_after = seconds
        super().__init__(
            ngettext(
                "too many failed attempts; please wait {seconds} second and try again",
                "too many failed attempts; please wait {seconds} seconds and try again",
                seconds,
            ).format(seconds=seconds)
        )


# --- parameters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: passes, memory in KiB, lanes."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int

    def at_least(self, floor: KdfParams) -> bool:
        """Not cheaper to guess against than `floor`.

        Parallelism is not compared: fewer lanes do not make a guess cheaper, they only make
        the defender's own computation slower.
        """
        return self.time_cost >= floor.time_cost and self.memory_cost_kib >= floor.memory_cost_kib

    def raised_to(self, floor: KdfParams) -> KdfParams:
        return KdfParams(
            max(self.time_cost, floor.time_cost),
            max(self.memory_cost_kib, floor.memory_cost_kib),
            max(self.parallelism, floor.parallelism),
        )


PRODUCTION_KDF = KdfParams(3, 65536, 4)  # RFC 9106 second option; ~0.2 s (security-and-sync §1.3)
TEST_KDF = KdfParams(1, 1024, 1)

# Bounds a slot is checked against on load, so an edited file cannot make unlock allocate
# terabytes or run for hours.
_KDF_LIMITS = {
    "time_cost": (1, 64),
    "memory_cost_kib": (8, 4 * 1024 * 1024),
    "parallelism": (1, 64),
}


class Unlocked(NamedTuple):
    """The current DEK, and the DEK of an unfinished re-key if there is one."""

    dek: bytes
    pending_dek: bytes | None


# --- the file's parts -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    """A secret sealed to an X25519 public key."""

    ephemeral_public_key: bytes
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class _Slot:
    slot_id: str
    user: str
    kdf: KdfParams
    salt: bytes
    public_key: bytes
    wrap_nonce: bytes
    wrapped_private_key: bytes
    sealed_dek: _Box


@dataclass(frozen=True)
class _Recovery:
    public_key: bytes
    sealed_dek: _Box


@dataclass(frozen=True)
class _Pending:
    slots: Mapping[str, _Box]
    recovery: _Box | None
    mac: bytes


@dataclass(frozen=True)
class _Failure:
    count: int
    last: float


@dataclass(frozen=True)
class _State:
    slots: tuple[_Slot, ...]
    recovery: _Recovery | None
    pending: _Pending | None
    mac: bytes
    failures: Mapping[str, _Failure]


# --- small helpers --------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _normalise_name(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _valid_name(name: str) -> bool:
    return 1 <= len(name) <= NAME_MAX and all(ch.isalnum() or ch in "._-" for ch in name)


def _name_key(name: str) -> str:
    return _normalise_name(name).casefold()


def _slot_id(db_id: str, user: str, salt: bytes) -> str:
    material = _SLOT_ID_PREFIX + db_id.encode() + b"|" + user.encode() + b"|" + salt
    return hashlib.sha256(material).hexdigest()


def _kdf_json(kdf: KdfParams, salt: bytes) -> dict[str, Any]:
    return {
        "algorithm": "argon2id",
        "time_cost": kdf.time_cost,
        "memory_cost_kib": kdf.memory_cost_kib,
        "parallelism": kdf.parallelism,
        "salt": _b64(salt),
    }


def _derive_kek(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=unicodedata.normalize("NFC", passphrase).encode("utf-8"),
        salt=salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost_kib,
        parallelism=kdf.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret)


def _seal(recipient: bytes, secret: bytes, aad: bytes) -> _Box:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    key = _hkdf(shared, _SEAL_INFO + ephemeral_public + recipient)
    nonce = os.urandom(NONCE_BYTES)
    return _Box(ephemeral_public, nonce, AESGCM(key).encrypt(nonce, secret, aad))


def _open(private: X25519PrivateKey, box: _Box, aad: bytes) -> bytes | None:
    """The sealed secret, or None if the box does not open with this key and AAD."""
    recipient = private.public_key().public_bytes_raw()
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(box.ephemeral_public_key))
        key = _hkdf(shared, _SEAL_INFO + box.ephemeral_public_key + recipient)
        return AESGCM(key).decrypt(box.nonce, box.ciphertext, aad)
    except (InvalidTag, ValueError):
        return None


def _box_json(box: _Box) -> dict[str, str]:
    return {
        "ephemeral_public_key": _b64(box.ephemeral_public_key),
        "nonce": _b64(box.nonce),
        "ciphertext": _b64(box.ciphertext),
    }


def _slot_json(slot: _Slot) -> dict[str, Any]:
    return {
        "slot_id": slot.slot_id,
        "kind": KIND_CASEWORKER,
        "user": slot.user,
        "kdf": _kdf_json(slot.kdf, slot.salt),
        "public_key": _b64(slot.public_key),
        "wrapped_private_key": {
            "nonce": _b64(slot.wrap_nonce),
            "ciphertext": _b64(slot.wrapped_private_key),
        },
        "sealed_dek": _box_json(slot.sealed_dek),
    }


def _recovery_json(recovery: _Recovery | None) -> dict[str, Any] | None:
    if recovery is None:
        return None
    return {
        "kind": KIND_RECOVERY,
        "public_key": _b64(recovery.public_key),
        "sealed_dek": _box_json(recovery.sealed_dek),
    }


def _pending_json(pending: _Pending | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    return {
        "slots": {slot_id: _box_json(box) for slot_id, box in sorted(pending.slots.items())},
        "recovery": None if pending.recovery is None else _box_json(pending.recovery),
        "mac": _b64(pending.mac),
    }


def generate_organisation_keypair() -> tuple[bytes, bytes]:
    """A new organisation recovery key pair: (private, public), raw 32 bytes each."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


# --- reading the file -----------------------------------------------------------------------


def _corrupt(where: str) -> KeyringCorrupt:
    return KeyringCorrupt(_("{field} is missing or malformed").format(field=where))


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise KeyringCorrupt(_("a field appears twice"))
        result[key] = value
    return result


def _reject_constant(_value: str) -> None:
    raise KeyringCorrupt(_("it is not valid JSON"))


def _obj(value: object, keys: Iterable[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(keys):
        raise _corrupt(where)
    return value


def _bytes(value: object, length: int, where: str) -> bytes:
    if not isinstance(value, str):
        raise _corrupt(where)
    try:
        data = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise _corrupt(where) from None
    if len(data) != length:
        raise _corrupt(where)
    return data


def _int(value: object, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _corrupt(where)
    return value


def _hex(value: object, length: int, where: str) -> str:
    if (
        not isinstance(value, str)
        or len(value) != length
        or any(ch not in "0123456789abcdef" for ch in value)
    ):
        raise _corrupt(where)
    return value


def _parse_box(value: object, where: str) -> _Box:
    raw = _obj(value, ("ephemeral_public_key", "nonce", "ciphertext"), where)
    return _Box(
        _bytes(raw["ephemeral_public_key"], KEY_BYTES, f"{where}.ephemeral_public_key"),
        _bytes(raw["nonce"], NONCE_BYTES, f"{where}.nonce"),
        _bytes(raw["ciphertext"], SEALED_BYTES, f"{where}.ciphertext"),
    )


def _parse_slot(value: object, where: str) -> _Slot:
    keys = ("slot_id", "kind", "user", "kdf", "public_key", "wrapped_private_key", "sealed_dek")
    raw = _obj(value, keys, where)
    if raw["kind"] != KIND_CASEWORKER:
        raise _corrupt(f"{where}.kind")
    user = raw["user"]
    if not isinstance(user, str) or _normalise_name(user) != user or not _valid_name(user):
        raise _corrupt(f"{where}.user")
    kdf_raw = _obj(
        raw["kdf"],
        ("algorithm", "time_cost", "memory_cost_kib", "parallelism", "salt"),
        f"{where}.kdf",
    )
    if kdf_raw["algorithm"] != "argon2id":
        raise _corrupt(f"{where}.kdf.algorithm")
    numbers = {
        field: _int(kdf_raw[field], low, high, f"{where}.kdf.{field}")
        for field, (low, high) in _KDF_LIMITS.items()
    }
    kdf = KdfParams(**numbers)
    if kdf.memory_cost_kib < 8 * kdf.parallelism:
        raise _corrupt(f"{where}.kdf.memory_cost_kib")
    wrapped = _obj(
        raw["wrapped_private_key"], ("nonce", "ciphertext"), f"{where}.wrapped_private_key"
    )
    return _Slot(
        slot_id=_hex(raw["slot_id"], 64, f"{where}.slot_id"),
        user=user,
        kdf=kdf,
        salt=_bytes(kdf_raw["salt"], SALT_BYTES, f"{where}.kdf.salt"),
        public_key=_bytes(raw["public_key"], KEY_BYTES, f"{where}.public_key"),
        wrap_nonce=_bytes(wrapped["nonce"], NONCE_BYTES, f"{where}.wrapped_private_key.nonce"),
        wrapped_private_key=_bytes(
            wrapped["ciphertext"], KEY_BYTES + 16, f"{where}.wrapped_private_key.ciphertext"
        ),
        sealed_dek=_parse_box(raw["sealed_dek"], f"{where}.sealed_dek"),
    )


def _parse(document: object) -> tuple[str, _State]:
    top = ("format", "db_id", "slots", "recovery", "pending", "mac", "failures")
    if not isinstance(document, dict):
        raise _corrupt("the top level")
    if document.get("format") != FORMAT:
        raise KeyringCorrupt(_("it is not an intake keyring of a version this app knows"))
    raw = _obj(document, top, "the top level")
    db_id = _hex(raw["db_id"], 32, "db_id")
    if not isinstance(raw["slots"], list):
        raise _corrupt("slots")
    slots = tuple(_parse_slot(item, f"slots[{i}]") for i, item in enumerate(raw["slots"]))
    if len({s.slot_id for s in slots}) != len(slots):
        raise _corrupt("slots (slot_id)")
    if len({_name_key(s.user) for s in slots}) != len(slots):
        raise _corrupt("slots (user)")
    recovery: _Recovery | None = None
    if raw["recovery"] is not None:
        rec = _obj(raw["recovery"], ("kind", "public_key", "sealed_dek"), "recovery")
        if rec["kind"] != KIND_RECOVERY:
            raise _corrupt("recovery.kind")
        recovery = _Recovery(
            _bytes(rec["public_key"], KEY_BYTES, "recovery.public_key"),
            _parse_box(rec["sealed_dek"], "recovery.sealed_dek"),
        )
    pending: _Pending | None = None
    if raw["pending"] is not None:
        pen = _obj(raw["pending"], ("slots", "recovery", "mac"), "pending")
        boxes = pen["slots"]
        if not isinstance(boxes, dict) or set(boxes) != {s.slot_id for s in slots}:
            raise _corrupt("pending.slots")
        if (pen["recovery"] is None) != (recovery is None):
            raise _corrupt("pending.recovery")
        pending = _Pending(
            {sid: _parse_box(box, "pending.slots") for sid, box in boxes.items()},
            None if pen["recovery"] is None else _parse_box(pen["recovery"], "pending.recovery"),
            _bytes(pen["mac"], KEY_BYTES, "pending.mac"),
        )
    if not isinstance(raw["failures"], dict):
        raise _corrupt("failures")
    failures: dict[str, _Failure] = {}
    for key, entry in raw["failures"].items():
        if key != INVALID_NAME_BUCKET:
            _hex(key, 3, "failures")
        item = _obj(entry, ("count", "last"), "failures")
        last = item["last"]
        if isinstance(last, bool) or not isinstance(last, (int, float)) or not math.isfinite(last):
            raise _corrupt("failures")
        failures[key] = _Failure(_int(item["count"], 0, 1 << 30, "failures"), float(last))
    mac = _bytes(raw["mac"], KEY_BYTES, "mac")
    return db_id, _State(slots, recovery, pending, mac, failures)


# --- writing the file -----------------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> None:
    """Atomic, 0600 (store/files.py); a failure keeps the previous version."""
    from intake_tui.store.files import write_atomic

    try:
        write_atomic(path, data)
    except OSError as error:
        raise KeyringError(
            _("the keyring file could not be written; the previous version was kept")
        ) from error


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
