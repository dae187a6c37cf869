"""Frozen plan revisions in a real encrypted store, ready to sync (for the sync tests and the
sync benchmark)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.store import plans
from intake_tui.store.models import OutboxRow, PlanRevisionRow
from intake_tui.store.session import Store
from intake_tui.sync.protocol import payload_sha256

from .conftest import DEFAULT_BUNDLE
from .store_helpers import make_store

_BUNDLE: Any = None


def bundle() -> Any:
    global _BUNDLE
    if _BUNDLE is None:
        _BUNDLE = load_bundle(DEFAULT_BUNDLE)
    return _BUNDLE


def store_with_frozen(
    root: Path, *, discussed: int = 1, production_kdf: bool = False
) -> tuple[Store, list[str]]:
    """A store with `discussed` interviews (Rami's answers), each with a discussed revision.

    `production_kdf`: the key slot as the command line expects it (it refuses weaker ones)."""
    from .test_plans_store import finalized_rami

    clock = FrozenClock.on("2026-11-28")
    if production_kdf:
        from intake_tui.store.datadir import DataDir
        from intake_tui.store.keyring import PRODUCTION_KDF
        from intake_tui.store.session import initialize

        from .store_helpers import PASSPHRASE

        store = initialize(DataDir(root), "anna", PASSPHRASE, clock=clock, kdf=PRODUCTION_KDF)
    else:
        store = make_store(root, clock)
    made = []
    for _ in range(discussed):
        interview_id = finalized_rami(store, bundle(), clock)
        plans.set_override(store, interview_id, "leerroute", "B", "LBT haalbaar, werkervaring")
        plans.set_override(store, interview_id, "niveau", "B1", "eerste PIP")
        plans.mark_discussed(store, interview_id)
        made.append(interview_id)
    return store, made


def clone_revisions(store: Store, count: int) -> list[str]:
    """`count` more frozen revisions, copied from the first one with new interview ids (the
    slow part of a real freeze is the plan, not the outbox): for throughput measurements."""
    with store.session() as session:
        sql = session.connection().exec_driver_sql
        template = session.exec(__import__("sqlmodel").select(PlanRevisionRow)).first()
        assert template is not None
        columns = [row[1] for row in sql("PRAGMA table_info(interview)").fetchall()]
        others = ", ".join(c for c in columns if c != "id")
        made = []
        for _ in range(count):
            new_id = uuid.uuid4().hex
            sql(
                f"INSERT INTO interview (id, {others}) SELECT ?, {others} FROM interview "
                "WHERE id = ?",
                (new_id, template.interview_id),
            )
            document = json.loads(template.document_json)
            document["record"]["interview_id"] = new_id
            text = json.dumps(document, ensure_ascii=False, sort_keys=True)
            row = PlanRevisionRow(
                interview_id=new_id,
                revision=template.revision,
                previous_revision=template.previous_revision,
                status=template.status,
                dagtekening=template.dagtekening,
                document_json=text,
                document_sha256=payload_sha256(document),
                created_by=template.created_by,
                created_at=store.now(),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(
                OutboxRow(
                    plan_revision_id=row.id,
                    interview_id=new_id,
                    revision=template.revision,
                    idempotency_key=str(uuid.uuid4()),
                    payload_sha256=payload_sha256(document),
                    created_at=store.now(),
                )
            )
            made.append(new_id)
    return made


def outbox(store: Store) -> list[OutboxRow]:
    from sqlmodel import col, select

    with store.session() as session:
        return list(session.exec(select(OutboxRow).order_by(col(OutboxRow.id))).all())


def store_with_talks(root: Path) -> tuple[Store, str, str, str]:
    """A store with Rami's final plan (signed 28-11-2026), its first talk held with the real
    voortgangsgesprek bundle (a health answer among them) and its second talk missed; returns
    (store, case id, held talk id, missed talk id). The outbox then holds the final revision,
    the missed talk's record, and the held talk's record, in that order."""
    from intake_tui.core import Answer
    from intake_tui.personas import talks as demo_talks
    from intake_tui.store import followups, interviews

    from .conftest import REPO
    from .test_followups import final_case

    store = make_store(root)
    case_id = final_case(store)
    first, second, *_rest = followups.talks(store, case_id)
    followups.miss(store, second.id, "niet gekomen, ziek")
    talk_bundle = load_bundle(REPO / "questionnaires" / "voortgangsgesprek")
    followup_id = followups.start(store, first.id, talk_bundle)
    for question, value in demo_talks.RAMI_TALK.items():
        interviews.save_answer(store, followup_id, question, Answer.of(value))
    interviews.save_answer(store, followup_id, "belemmeringen_soort", Answer.of(("gezondheid",)))
    interviews.save_answer(
        store, followup_id, "belemmering_gezondheid", Answer.of("Rugklachten (verzonnen)")
    )
    interviews.finalize_interview(store, followup_id)
    return store, case_id, first.id, second.id
