"""The audit chain: every event of a session is chained; editing or deleting one is named."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from intake_tui.core import Answer, load_bundle
from intake_tui.store import audit, interviews
from intake_tui.store.maintenance import check

from .conftest import DEFAULT_BUNDLE
from .store_helpers import BSN, make_store


def busy_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = make_store(tmp_path / "data")
    bundle = load_bundle(DEFAULT_BUNDLE)
    interview_id = interviews.create_interview(
        store, bundle, client_display_name="Test Persoon", client_language="so"
    ).id
    interviews.save_answer(store, interview_id, "bsn", Answer.of(BSN))
    interviews.open_interview(store, interview_id)
    return store


def test_an_untouched_chain_verifies(tmp_path: Path) -> None:
    store = busy_store(tmp_path)
    with Session(store.engine) as session:
        assert audit.verify_chain(session) == []
        assert audit.count(session) >= 5
    report = check(store)
    assert report.sound
    assert any("chain intact" in line for line in report.lines)
    store.close()


def test_an_edited_entry_is_named_as_modified(tmp_path: Path) -> None:
    store = busy_store(tmp_path)
    with store.session() as session:
        session.exec(text("UPDATE audit SET actor = 'mallory' WHERE seq = 3"))  # type: ignore[call-overload]
    with Session(store.engine) as session:
        problems = audit.verify_chain(session)
    assert [(p.seq, p.kind) for p in problems] == [(3, "modified")]
    assert problems[0].message == "audit entry 3 was modified"
    report = check(store)
    assert not report.sound
    assert "audit: audit entry 3 was modified" in report.lines
    store.close()


def test_a_deleted_entry_is_named_as_missing(tmp_path: Path) -> None:
    store = busy_store(tmp_path)
    with store.session() as session:
        session.exec(text("DELETE FROM audit WHERE seq = 4"))  # type: ignore[call-overload]
    with Session(store.engine) as session:
        problems = audit.verify_chain(session)
    assert [(p.seq, p.kind) for p in problems] == [(4, "missing")]
    assert problems[0].message == "audit entry 4 is missing: the chain was cut"
    store.close()


def test_a_rewritten_entry_with_a_recomputed_plain_hash_still_fails(tmp_path: Path) -> None:
    # Without the chain key (inside the encrypted database) a forger cannot make a valid HMAC.
    import hashlib

    store = busy_store(tmp_path)
    with store.session() as session:
        forged = hashlib.sha256(b"forged").hexdigest()
        session.exec(text(f"UPDATE audit SET action = 'export', hash = '{forged}' WHERE seq = 2"))  # type: ignore[call-overload]
    with Session(store.engine) as session:
        kinds = {(p.seq, p.kind) for p in audit.verify_chain(session)}
    assert (2, "modified") in kinds and (3, "missing") in kinds
    store.close()


def test_the_chain_survives_a_rekey(tmp_path: Path) -> None:
    from intake_tui.store import users

    store = busy_store(tmp_path)
    users.add_user(store, "bram", "another long passphrase")
    users.remove_user(store, "bram")
    with Session(store.engine) as session:
        assert audit.verify_chain(session) == []
    store.close()
