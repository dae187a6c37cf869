"""What an administrator does to the central database: codes, devices, bundles, hand-overs,
back-office accounts and the audit log.

These run beside a live server (separate connections); the database's transactions keep them
safe. Secrets are shown once and only their sha256 is stored. Every action that changes who may
see what is in the central audit log, in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from intake_tui.central import audit
from intake_tui.central.authz import ROLES
from intake_tui.central.models import (
    DEFAULT_ORG,
    Account,
    Case,
    Device,
    EnrolmentCode,
    PublishedBundle,
    iso,
    make_engine,
    utc,
)
from intake_tui.central.protocol import token_sha256
from intake_tui.central.schema import init_db

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud and typed
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
ORG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")  # e.g. a CBS gemeentecode, 0363


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


def check_org(org: str) -> str:
    if not ORG_PATTERN.match(org):
        raise AdminError(f"not an organisation code: {org!r} (letters, digits, - and _)")
    return org


def new_enrolment_code(
    db_url: str, *, org: str = DEFAULT_ORG, minutes: int = 15, clock: Any = None
) -> str:
    """A one-time enrolment code for a laptop of `org`, valid `minutes`; returned once, stored
    as its sha256 only. Issuing it is audited (the code itself is not)."""
    from intake_tui.central.app import normalize_code

    check_org(org)
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    code = "-".join(groups)
    now = _now(clock)
    digest = hashlib.sha256(normalize_code(code).encode("ascii")).hexdigest()
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        session.add(
            EnrolmentCode(
                code_sha256=digest,
                org=org,
                expires_at=now + dt.timedelta(minutes=minutes),
                created_at=now,
            )
        )
        _audit(session, "enrolment_code", "organisation", org, now)
        session.commit()
    return code


def _audit(
    session: Session, action: str, object_type: str, object_id: str, now: dt.datetime, **detail: str
) -> None:
    audit.record(
        session,
        actor=audit.admin_actor(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=" ".join(f"{k}={v}" for k, v in detail.items()),
        at=now,
    )


def _set_device(db_url: str, device_id: str, action: str, **values: Any) -> None:
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        device = session.get(Device, device_id)
        if device is None:
            raise AdminError(f"no device {device_id}")
        for name, value in values.items():
            if name == "revoked_at" and device.revoked_at is not None:
                continue  # revoked once; the first time is the one that counts
            setattr(device, name, value)
        session.add(device)
        shown = {k: (iso(v) if isinstance(v, dt.datetime) else str(v)) for k, v in values.items()}
        _audit(session, action, "device", device_id, _now(None), **shown)
        session.commit()


def revoke_device(db_url: str, device_id: str, *, clock: Any = None) -> None:
    """Revoke a device: its next call gets 403 device_revoked (it deletes nothing locally)."""
    _set_device(db_url, device_id, "device_revoke", revoked_at=_now(clock))


def expire_device(db_url: str, device_id: str, *, clock: Any = None) -> None:
    """End a device's token now (tests, or an admin who wants a fresh enrolment)."""
    _set_device(db_url, device_id, "device_expire", expires_at=_now(clock))


def set_device_org(db_url: str, device_id: str, org: str) -> None:
    """Move a device (and so the cases it owns) to another organisation; audited."""
    _set_device(db_url, device_id, "device_org", org=check_org(org))


def list_devices(db_url: str) -> list[dict[str, Any]]:
    """Every device: id, name, created, expires, revoked (ISO UTC or None); never a token."""
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        rows = session.exec(select(Device).order_by(col(Device.created_at))).all()
    return [
        {
            "id": d.id,
            "name": d.name,
            "org": d.org,
            "created_at": iso(d.created_at),
            "expires_at": iso(d.expires_at),
            "revoked_at": iso(d.revoked_at) if d.revoked_at is not None else None,
        }
        for d in rows
    ]


def transfer_case(
    db_url: str,
    interview_id: str,
    to_device: str,
    *,
    across_organisations: bool = False,
    clock: Any = None,
) -> str:
    """Hand a case over to another device: from now on only that device reads, lists and
    extends it (it pulls the plans on its next sync); the old device gets 404. Returns the old
    device's id. A move to another organisation's device must be said explicitly."""
    now = _now(clock)
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        case = session.get(Case, interview_id)
        if case is None:
            raise AdminError(f"no case {interview_id} on this server")
        target = session.get(Device, to_device)
        if target is None:
            raise AdminError(f"no device {to_device}")
        if target.revoked_at is not None:
            raise AdminError(f"device {to_device} is revoked")
        if case.device_id == to_device:
            raise AdminError(f"case {interview_id} is already on device {to_device}")
        source = session.get(Device, case.device_id)
        from_org = source.org if source is not None else "?"
        if from_org != target.org and not across_organisations:
            raise AdminError(
                f"device {to_device} belongs to organisation {target.org}, the case to {from_org}; "
                "add --across-organisations if the case really moves there"
            )
        old = case.device_id
        case.device_id = to_device
        case.transferred_at = now
        session.add(case)
        _audit(
            session,
            "case_transfer",
            "case",
            interview_id,
            now,
            **{"from": old, "to": to_device, "from_org": from_org, "to_org": target.org},
        )
        session.commit()
    return old


def add_account(
    db_url: str, name: str, role: str, *, org: str = DEFAULT_ORG, clock: Any = None
) -> str:
    """A back-office account of `org` with one role; returns its token (shown once)."""
    if role not in ROLES:
        raise AdminError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    check_org(org)
    if not name.strip() or len(name) > 200 or any(ord(c) < 32 for c in name):
        raise AdminError("an account name is 1-200 printable characters")
    token = secrets.token_urlsafe(32)
    now = _now(clock)
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        if session.exec(select(Account).where(Account.name == name)).first() is not None:
            raise AdminError(f"an account {name!r} exists already")
        account = Account(
            id=str(uuid.uuid4()),
            name=name,
            role=role,
            org=org,
            token_sha256=token_sha256(token),
            created_at=now,
        )
        session.add(account)
        _audit(session, "account_add", "account", name, now, role=role, org=org)
        session.commit()
    return token


def revoke_account(db_url: str, name: str, *, clock: Any = None) -> None:
    """An account's token stops working at once (403 account_revoked); audited."""
    now = _now(clock)
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        account = session.exec(select(Account).where(Account.name == name)).first()
        if account is None:
            raise AdminError(f"no account {name!r}")
        if account.revoked_at is None:
            account.revoked_at = now
            session.add(account)
            _audit(session, "account_revoke", "account", name, now)
            session.commit()


def list_accounts(db_url: str) -> list[dict[str, Any]]:
    """Every account: name, role, organisation, created, revoked; never a token."""
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        rows = session.exec(select(Account).order_by(col(Account.name))).all()
    return [
        {
            "name": a.name,
            "role": a.role,
            "org": a.org,
            "created_at": iso(a.created_at),
            "revoked_at": iso(a.revoked_at) if a.revoked_at is not None else None,
        }
        for a in rows
    ]


def restore_declarations(db_url: str) -> list[dict[str, Any]]:
    """Laptops that declared a restored backup and wait for (or have) an admin's yes."""
    from intake_tui.central import anchors

    with _engine(db_url) as engine:
        return anchors.pending(engine)


def acknowledge_restore(db_url: str, device_id: str, *, clock: Any = None) -> None:
    """Accept a device's declared restore: its next anchor may go back once; audited."""
    from intake_tui.central import anchors

    now = _now(clock)
    with _engine(db_url) as engine, Session(engine, expire_on_commit=False) as session:
        if not anchors.acknowledge(session, device_id, now, audit.admin_actor()):
            raise AdminError(f"device {device_id} has no restore waiting for acknowledgement")
        _audit(session, "anchor_restore_ack", "device", device_id, now)
        session.commit()


def audit_log(
    db_url: str, *, limit: int = 100, object_id: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """The central audit log, newest first (see central/audit.py)."""
    with _engine(db_url) as engine:
        return audit.entries(engine, limit=limit, object_id=object_id, actor=actor)


def publish_bundle(db_url: str, path: Path | str, *, clock: Any = None) -> tuple[str, str, str]:
    """Publish a valid bundle folder; returns (id, version, sha256). Same content again is a no-op;
    other content under a published (id, version) is refused: laptops pin bundles by hash.

    The check is `validate --strict`: a bundle with warnings is refused too (BundleRejected with
    the warnings), since every laptop gets it as it is. Unreviewed translations are no reason."""
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
    if bundle.warnings:
        raise BundleRejected(list(bundle.warnings))
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
        now = _now(clock)
        session.add(
            PublishedBundle(
                id=bundle.id,
                version=bundle.version,
                sha256=digest,
                files=encode_files(files),
                published_at=now,
            )
        )
        _audit(session, "bundle_publish", "bundle", f"{bundle.id}/{bundle.version}", now)
        session.commit()
    return bundle.id, bundle.version, digest


def decode_files(stored: str) -> dict[str, bytes]:
    """The inverse of the stored/served form {name: base64}."""
    import base64

    return {name: base64.b64decode(data) for name, data in json.loads(stored).items()}
