"""What an administrator does to the central database: codes, devices, bundles.

These run beside a live server (separate connections); the database's transactions keep them
safe. Secrets are shown once and only their sha256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from intake_tui.central.models import (
    Device,
    EnrolmentCode,
    PublishedBundle,
    init_db,
    iso,
    make_engine,
    utc,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud and typed
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4


class AdminError(Exception):
    """An admin action that cannot be done; the message is for the admin."""


class BundleRejected(AdminError):
    """A bundle that does not validate: `problems` are the loader's, each with its place."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Clock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def _now(clock: Any) -> dt.datetime:
    return utc((clock or _Clock()).now())


@contextmanager
def _engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    try:
        init_db(engine)
        yield engine
    finally:
        engine.dispose()


def new_enrolment_code(db_url: str, *, minutes: int = 15, clock: Any = None) -> str:
    """A one-time enrolment code, valid `minutes`; returned once, stored as its sha256 only."""
    from intake_tui.central.app import normalize_code

    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    code = "-".join(groups)
    now = _now(clock)
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        session.add(
            EnrolmentCode(
                code_sha256=hashlib.sha256(normalize_code(code).encode("ascii")).hexdigest(),
                expires_at=now + dt.timedelta(minutes=minutes),
                created_at=now,
            )
        )
        session.commit()
    return code


def _set_device(db_url: str, device_id: str, **values: Any) -> None:
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        device = session.get(Device, device_id)
        if device is None:
            raise AdminError(f"no device {device_id}")
        for name, value in values.items():
            if name == "revoked_at" and device.revoked_at is not None:
                continue  # revoked once; the first time is the one that counts
            setattr(device, name, value)
        session.add(device)
        session.commit()


def revoke_device(db_url: str, device_id: str, *, clock: Any = None) -> None:
    """Revoke a device: its next call gets 403 device_revoked (it deletes nothing locally)."""
    _set_device(db_url, device_id, revoked_at=_now(clock))


def expire_device(db_url: str, device_id: str, *, clock: Any = None) -> None:
    """End a device's token now (tests, or an admin who wants a fresh enrolment)."""
    _set_device(db_url, device_id, expires_at=_now(clock))


def list_devices(db_url: str) -> list[dict[str, Any]]:
    """Every device: id, name, created, expires, revoked (ISO UTC or None); never a token."""
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        rows = session.exec(select(Device).order_by(col(Device.created_at))).all()
    return [
        {
            "id": d.id,
            "name": d.name,
            "created_at": iso(d.created_at),
            "expires_at": iso(d.expires_at),
            "revoked_at": iso(d.revoked_at) if d.revoked_at is not None else None,
        }
        for d in rows
    ]


def publish_bundle(db_url: str, path: Path | str, *, clock: Any = None) -> tuple[str, str, str]:
    """Publish a valid bundle folder; returns (id, version, sha256). Same content again is a no-op;
    other content under a published (id, version) is refused: laptops pin bundles by hash."""
    from intake_tui.central.app import encode_files
    from intake_tui.core.questionnaire import (
        bundle_files,
        bundle_sha256,
        check_bundle,
        resolve_bundle_path,
    )

    bundle, problems = check_bundle(path)
    if problems or bundle is None:
        raise BundleRejected(problems)
    files = bundle_files(resolve_bundle_path(Path(path)))
    digest = bundle_sha256(files)
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        existing = session.get(PublishedBundle, (bundle.id, bundle.version))
        if existing is not None:
            if existing.sha256 != digest:
                raise AdminError(
                    f"{bundle.id} {bundle.version} is already published with other content; "
                    "raise the version"
                )
            return bundle.id, bundle.version, digest
        session.add(
            PublishedBundle(
                id=bundle.id,
                version=bundle.version,
                sha256=digest,
                files=encode_files(files),
                published_at=_now(clock),
            )
        )
        session.commit()
    return bundle.id, bundle.version, digest


def decode_files(stored: str) -> dict[str, bytes]:
    """The inverse of the stored/served form {name: base64}."""
    import base64

    return {name: base64.b64decode(data) for name, data in json.loads(stored).items()}
