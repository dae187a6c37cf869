"""Sealing an export to the organisation's key, in the age format (age-encryption.org/v1).

`--seal` is the only way special-category answers leave the laptop in a file. The file is a
standard age file for one X25519 recipient: the organisation opens it with its private key and
any age implementation (`age -d -i key.txt`, rage, pyrage). The organisation's key is the same
raw 32-byte X25519 key as the recovery slot's (config.toml `[recovery] public_key`); this module
only spells it the way age does (Bech32, BIP 173).
"""

from __future__ import annotations

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _convert_bits(data: bytes) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def bech32(hrp: str, data: bytes) -> str:
    """Bech32 text of `data` with human-readable part `hrp` (lower case)."""
    words = _convert_bits(data)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _polymod([*expanded, *words, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in words + checksum)


def age_recipient(public_key: bytes) -> str:
    """The organisation's X25519 public key as an age recipient (`age1…`)."""
    if len(public_key) != 32:
        raise ValueError("an X25519 public key has 32 bytes")
    return bech32("age", public_key)


def age_identity(private_key: bytes) -> str:
    """An X25519 private key as an age identity (`AGE-SECRET-KEY-1…`), for the organisation."""
    if len(private_key) != 32:
        raise ValueError("an X25519 private key has 32 bytes")
    return bech32("age-secret-key-", private_key).upper()


def seal(content: bytes, public_key: bytes) -> bytes:
    """`content` encrypted to the organisation's key as an age file."""
    import pyrage  # imported here: only sealing exports needs it

    recipient = pyrage.x25519.Recipient.from_str(age_recipient(public_key))
    return bytes(pyrage.encrypt(content, [recipient]))


def open_sealed(sealed: bytes, private_key: bytes) -> bytes:
    """Decrypt an age file with the organisation's private key (for tests and admin tools)."""
    import pyrage

    identity = pyrage.x25519.Identity.from_str(age_identity(private_key))
    return bytes(pyrage.decrypt(sealed, [identity]))
