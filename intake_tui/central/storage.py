"""The central server's storage: enrolment, submissions (single and batch, idempotent), plan
versions and central edits, anchors and bundles, each in short transactions where a unique key
decides every race. Part of `intake_tui.central.app`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, text, update
from sqlalchemy import select as columns
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from intake_tui.central import anchors, audit, followups
from intake_tui.central.authz import Caller, not_found, require, require_case
from intake_tui.central.batch import Ledger, Submitted, answers, replay, request_sha256
from intake_tui.central.models import (
    Account,
    Case,
    Device,
    EnrolmentCode,
    PlanVersion,
    PublishedBundle,
    iso,
    utc,
)
from intake_tui.central.protocol import (
    RACE_RETRIES,
    Clock,
    EnrolIn,
    PlanPutIn,
    Problem,
    _BatchEnvelope,
    _check_document,
    _unavailable,
    _validate,
    canonical,
    check_any,
    token_sha256,
)
from intake_tui.central.records import (
    add_plan_version,
    check_key,
    etag,
    etag_matches,
    latest_version,
    normalize_code,
)


class Central:
    """The database side of every endpoint."""

    def __init__(self, engine: Engine, clock: Clock, token_days: int) -> None:
        self.engine = engine
        self.clock = clock
        self.token_days = token_days

    def now(self) -> dt.datetime:
        return utc(self.clock.now())

    def _retrying(self, attempt: Callable[[], Any]) -> Any:
        for _ in range(RACE_RETRIES):
            try:
                return attempt()
            except IntegrityError:
                continue  # another request won the race; read its result on the next pass
        raise _unavailable("Too much contention; try again.")

    # -- devices --

    def enrol(self, data: Any) -> dict[str, Any]:
        enrol: EnrolIn = _validate(EnrolIn, data, "bad_request", 400)
        code_hash = hashlib.sha256(normalize_code(enrol.code).encode("ascii", "replace"))
        now = self.now()
        token = secrets.token_urlsafe(32)
        device = Device(
            id=str(uuid.uuid4()),
            name=enrol.name,
            token_sha256=token_sha256(token),
            expires_at=now + dt.timedelta(days=self.token_days),
            created_at=now,
        )
        with Session(self.engine, expire_on_commit=False) as session:
            # One UPDATE decides: a code is used once even when two laptops race for it.
            claimed = session.execute(
                update(EnrolmentCode)
                .where(col(EnrolmentCode.code_sha256) == code_hash.hexdigest())
                .where(col(EnrolmentCode.used_at).is_(None))
                .where(col(EnrolmentCode.expires_at) > now)
                .values(used_at=now)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise Problem(401, "enrolment_code_invalid")
            code_row = session.get(EnrolmentCode, code_hash.hexdigest())
            assert code_row is not None
            device.org = code_row.org  # the code says which organisation the laptop joins
            session.add(device)
            session.commit()
        return {"device_id": device.id, "token": token, "expires_at": iso(device.expires_at)}

    def authenticate(self, authorization: str | None) -> Caller:
        """The device or account behind a bearer token, or 401/403 as the contract says."""
        challenge = {"WWW-Authenticate": "Bearer"}
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Problem(401, "token_invalid", headers=challenge)
        digest = token_sha256(token)
        with Session(self.engine, expire_on_commit=False) as session:
            device = session.exec(select(Device).where(Device.token_sha256 == digest)).first()
            account = (
                session.exec(select(Account).where(Account.token_sha256 == digest)).first()
                if device is None
                else None
            )
        if account is not None:
            if account.revoked_at is not None:
                raise Problem(403, "account_revoked")
            return Caller("account", account.id, account.name, account.org, account.role)
        if device is None:
            raise Problem(401, "token_invalid", headers=challenge)
        if device.revoked_at is not None:
            raise Problem(403, "device_revoked")
        if self.now() >= device.expires_at:
            raise Problem(
                401,
                "token_expired",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Caller("device", device.id, device.name, device.org, "device")

    def audited(
        self, caller: Caller, action: str, interview_id: str, work: Callable[[Session], Any]
    ) -> Any:
        """Run `work` in one transaction; an account's request is recorded with its outcome in
        the same transaction (a refusal in its own), so no account reads or writes unlogged."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                result = work(session)
            except Problem as problem:
                session.rollback()
                self._record(session, caller, action, interview_id, str(problem.status))
                session.commit()
                raise
            self._record(session, caller, action, interview_id, "ok")
            session.commit()
            return result

    def _record(
        self, session: Session, caller: Caller, action: str, interview_id: str, result: str
    ) -> None:
        if caller.kind == "account":
            audit.record(
                session,
                actor=caller.audit_name,
                action=action,
                object_type="plan",
                object_id=interview_id[:255],
                result=result,
                detail=f"role={caller.role} org={caller.org}",
                at=self.now(),
            )

    # -- submissions --

    def submit(self, device_id: str, key: str, data: Any) -> tuple[int, dict[str, Any]]:
        """One submission under (device, key): the contract's table, race-safe."""
        with Session(self.engine, expire_on_commit=False) as session:
            found = answers(session, device_id, [key]).get(key)
        if found is not None:
            return replay(found, request_sha256(data))
        submission = check_any(data)  # outside any transaction: it can take a while
        request_sha = request_sha256(data, submission)
        result: tuple[int, dict[str, Any]] = self._retrying(
            lambda: self._submit_once(device_id, key, request_sha, submission)
        )
        return result

    def _submit_once(
        self, device_id: str, key: str, request_sha: str, sub: Submitted
    ) -> tuple[int, dict[str, Any]]:
        with Session(self.engine, expire_on_commit=False) as session:
            ledger = Ledger(session, device_id, self.now(), [(key, sub)])
            try:
                result = ledger.judge(key, request_sha, sub)
            except Problem:
                ledger.write()
                session.commit()  # a conflict is kept for a human even though the answer is 409
                raise
            ledger.write()
            session.commit()
            return result

    def submit_batch(self, device_id: str, data: Any) -> dict[str, Any]:
        """Every item judged as the single endpoint would judge it, in ONE transaction: one
        durable commit per batch instead of one per record, and a few queries for the whole
        batch instead of several per record (central/batch.py; docs/performance.md). A lost
        race rolls the batch back and judges it again (the winners' rows then replay)."""
        envelope: _BatchEnvelope = _validate(_BatchEnvelope, data, "bad_request", 400)
        results: list[dict[str, Any] | None] = [None] * len(envelope.items)
        accepted: list[tuple[int, str, str, Submitted]] = []
        self._check_items(envelope.items, device_id, results, accepted)
        if accepted:
            try:
                judged = self._retrying(lambda: self._submit_many(device_id, accepted))
            except DBAPIError:
                down = _unavailable()
                judged = [(index, down.status, down.body()) for index, *_rest in accepted]
            except Problem as problem:  # too much contention
                judged = [(index, problem.status, problem.body()) for index, *_rest in accepted]
            for index, status, body in judged:
                results[index] = {"status": status, "body": body}
        return {"results": results}

    def _check_items(
        self,
        items: list[Any],
        device_id: str,
        results: list[dict[str, Any] | None],
        accepted: list[tuple[int, str, str, Submitted]],
    ) -> None:
        """Each item checked, and answered at once when its key was seen before (a replay):
        the keys looked up in one query, before any transaction."""
        keyed: list[tuple[int, str, Any]] = []
        for index, item in enumerate(items):
            try:
                if not isinstance(item, dict) or set(item) - {"idempotency_key", "submission"}:
                    raise Problem(400, "bad_request", "An item is {idempotency_key, submission}.")
                key = check_key(item.get("idempotency_key"))
                if "submission" not in item:
                    raise Problem(400, "bad_request", "The item has no submission.")
            except Problem as problem:
                results[index] = {"status": problem.status, "body": problem.body()}
                continue
            keyed.append((index, key, item["submission"]))
        with Session(self.engine, expire_on_commit=False) as session:
            known = answers(session, device_id, [key for _index, key, _data in keyed])
        for index, key, data in keyed:
            try:
                found = known.get(key)
                if found is None:
                    sub = check_any(data)
                    accepted.append((index, key, request_sha256(data, sub), sub))
                    continue
                status, body = replay(found, request_sha256(data))
            except Problem as problem:
                status, body = problem.status, problem.body()
            results[index] = {"status": status, "body": body}

    def _submit_many(
        self, device_id: str, accepted: list[tuple[int, str, str, Submitted]]
    ) -> list[tuple[int, int, dict[str, Any]]]:
        judged: list[tuple[int, int, dict[str, Any]]] = []
        with Session(self.engine, expire_on_commit=False) as session:
            ledger = Ledger(
                session, device_id, self.now(), [(key, sub) for _index, key, _sha, sub in accepted]
            )
            for index, key, request_sha, sub in accepted:
                try:
                    status, body = ledger.judge(key, request_sha, sub)
                except Problem as problem:
                    status, body = problem.status, problem.body()
                judged.append((index, status, body))
            ledger.write()
            session.commit()
        return judged

    # -- plans --

    def latest_plan(self, caller: Caller, interview_id: str) -> PlanVersion:
        def work(session: Session) -> PlanVersion:
            require(caller, "read_plan")
            require_case(session, caller, interview_id)
            latest = latest_version(session, interview_id)
            if latest is None:
                raise not_found()
            return latest

        result: PlanVersion = self.audited(caller, "plan_read", interview_id, work)
        return result

    def case_followups(self, caller: Caller, interview_id: str) -> list[dict[str, Any]]:
        """A case's completed and missed talks, under the plan's authorisation (a case the
        caller may not see is the 404 of an unknown id); audited for accounts as a plan read."""

        def work(session: Session) -> list[dict[str, Any]]:
            require(caller, "read_plan")
            require_case(session, caller, interview_id)
            return followups.listed(session, interview_id)

        result: list[dict[str, Any]] = self.audited(caller, "followup_read", interview_id, work)
        return result

    def list_plans(self, caller: Caller) -> list[dict[str, Any]]:
        """The device's cases, each with its latest plan version (the laptop pulls what is
        new: central edits, and the cases handed over to it)."""
        require(caller, "list_plans")
        mine = col(Case.interview_id) == col(PlanVersion.interview_id)
        newest = (
            columns(col(PlanVersion.interview_id), func.max(PlanVersion.version).label("top"))
            .join(Case, mine)
            .where(col(Case.device_id) == caller.id)
            .group_by(col(PlanVersion.interview_id))
            .subquery()
        )
        query = (
            columns(
                col(PlanVersion.interview_id),
                col(PlanVersion.version),
                col(PlanVersion.etag),
                col(PlanVersion.source),
                col(PlanVersion.created_at),
            )  # not the documents: 25 KB each, for a listing of every case of the device
            .join(
                newest,
                (col(PlanVersion.interview_id) == newest.c.interview_id)
                & (col(PlanVersion.version) == newest.c.top),
            )
            .order_by(col(PlanVersion.interview_id))
        )
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.connection().execute(query).all()
        return [
            {
                "interview_id": interview_id,
                "version": version,
                "etag": etag,
                "source": source,
                "created_at": iso(created_at),
            }
            for interview_id, version, etag, source, created_at in rows
        ]

    def put_plan(
        self, caller: Caller, interview_id: str, if_match: str | None, data: Any
    ) -> dict[str, Any]:
        def refuse(_session: Session) -> None:
            require(caller, "edit_plan")
            # "*" matches any version: an edit on top of one nobody read. Name the version.
            if not if_match or if_match.strip() == "*":
                raise Problem(428, "precondition_required")

        if caller.role != "editor" or not if_match or if_match.strip() == "*":
            self.audited(caller, "plan_edit", interview_id, refuse)  # raises; logged for accounts
        put: PlanPutIn = _validate(PlanPutIn, data, "invalid_record", 422)
        _check_document(put.document, interview_id)
        try:
            document = canonical(put.document).decode("utf-8")
        except UnicodeError:
            raise Problem(422, "invalid_record", "The document is not valid UTF-8.") from None

        def work(session: Session) -> dict[str, Any]:
            require_case(session, caller, interview_id)
            latest = latest_version(session, interview_id)
            if latest is None:
                raise not_found()
            if not etag_matches(if_match or "", latest.etag):
                raise Problem(
                    412,
                    "precondition_failed",
                    "The plan has changed; compare with the current version.",
                    headers={"ETag": latest.etag},
                    extra={"current": json.loads(latest.document), "etag": latest.etag},
                )
            version = add_plan_version(
                session, interview_id, document, "central", caller.id, self.now()
            )
            return {"interview_id": interview_id, "version": version, "etag": etag(version)}

        result: dict[str, Any] = self._retrying(
            lambda: self.audited(caller, "plan_edit", interview_id, work)
        )
        return result

    # -- anchors and bundles --

    def anchor(self, device_id: str, data: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._retrying(
            lambda: anchors.receive(self.engine, self.now(), device_id, data)
        )
        return result

    def latest_anchor(self, device_id: str) -> dict[str, Any]:
        return anchors.latest(self.engine, device_id)

    def bundles(self) -> list[dict[str, Any]]:
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(PublishedBundle).order_by(
                    col(PublishedBundle.id), col(PublishedBundle.published_at)
                )
            ).all()
        return [
            {
                "id": r.id,
                "version": r.version,
                "sha256": r.sha256,
                "published_at": iso(r.published_at),
            }
            for r in rows
        ]

    def bundle(self, bundle_id: str, version: str) -> dict[str, Any]:
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.get(PublishedBundle, (bundle_id, version))
        if row is None:
            raise Problem(404, "not_found", "No such bundle version.")
        return {
            "id": row.id,
            "version": row.version,
            "sha256": row.sha256,
            "files": json.loads(row.files),
        }

    def health(self) -> dict[str, str]:
        with Session(self.engine, expire_on_commit=False) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}
