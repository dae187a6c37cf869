"""What the laptop and the central server must agree on byte for byte."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical(document: Any) -> bytes:
    """The canonical bytes of a JSON document: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def payload_sha256(document: Any) -> str:
    """The hash a receipt must echo for the record to count as delivered."""
    return hashlib.sha256(canonical(document)).hexdigest()
