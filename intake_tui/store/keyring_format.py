"""The keyring file (`intake-keyring/1`) apart from the operations on it: its constants, errors,
KDF parameters, the parts of the file, the cryptographic helpers, and reading and writing the
file strictly. The `Keyring` in store/keyring.py is what the rest of the app uses.

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
the same Argon2 work), so names cannot be probed. Nothing protects a slot's KDF cost before Argon2
runs (the MAC is keyed from the DEK), so a cost outside `KDF_BOUNDS` makes the file
`KeyringCorrupt` on load. A cost edited within the bounds and above the floor gives
`WrongCredentials`: the passphrase key itself changes, so the two cannot be told apart. An edited
public key, an added or removed slot, an edited recovery slot or pending re-key give
`KeyringModified` once the right passphrase has been typed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import os
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake_tui.i18n import _, ngettext

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
TEST_KDF = KdfParams(1, 8192, 1)  # the cheapest a keyring accepts (KDF_BOUNDS)

# The only costs a slot may ask for, checked on load before any Argon2 work, so an edited file
# cannot make every unlock take minutes and gigabytes. 8 MiB is >= 8 KiB per lane, as Argon2 needs.
KDF_BOUNDS = {
    "time_cost": (1, 10),
    "memory_cost_kib": (8 * 1024, 1024 * 1024),
    "parallelism": (1, 8),
}


def check_kdf_bounds(kdf: KdfParams, user: str) -> None:
    """`KeyringCorrupt` if `kdf` (caseworker `user`'s slot) is outside `KDF_BOUNDS`."""
    for field, (low, high) in KDF_BOUNDS.items():
        value = getattr(kdf, field)
        if low <= value <= high:
            continue
        if field == "time_cost":
            text = _(
                "the key slot of {user} asks for {value} Argon2 passes; {low} to {high} are allowed"
            )
        elif field == "memory_cost_kib":
            text = _(
                "the key slot of {user} asks for {value} KiB of Argon2 memory; "
                "8 MiB to 1 GiB ({low} to {high} KiB) is allowed"
            )
        else:
            text = _(
                "the key slot of {user} asks for {value} Argon2 lanes; {low} to {high} are allowed"
            )
        raise KeyringCorrupt(text.format(user=user, value=value, low=low, high=high))


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
        field: _int(kdf_raw[field], -(1 << 63), 1 << 63, f"{where}.kdf.{field}")
        for field in KDF_BOUNDS
    }
    kdf = KdfParams(**numbers)
    check_kdf_bounds(kdf, user)
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
