"""The encrypted store: one commit per answer, undo, history, search, finalize, integrity."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import Session

from intake_tui.core import UNKNOWN, Answer, FrozenClock, load_bundle
from intake_tui.core.engine import elfproef
from intake_tui.store import audit, bundle_copies, drafts, history, interviews
from intake_tui.store.datadir import DataDir
from intake_tui.store.keyring import TEST_KDF
from intake_tui.store.session import Store, StoreError, unlock

from .conftest import DEFAULT_BUNDLE, DEFAULT_VERSION
from .store_helpers import BSN, NAME, PASSPHRASE, entered_persona, make_store, reopen


@pytest.fixture(scope="module")
def bundle():  # type: ignore[no-untyped-def]
    return load_bundle(DEFAULT_BUNDLE)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = make_store(tmp_path / "data")
    yield s
    s.close()


def new_interview(store: Store, bundle) -> str:  # type: ignore[no-untyped-def]
    return interviews.create_interview(
        store, bundle, client_display_name=NAME, client_language="ar"
    ).id


def test_synthetic_data_fixture_is_valid() -> None:
    assert elfproef(BSN)


def test_bsn_and_name_are_in_no_file_and_sqlite3_cannot_read(
    store: Store, bundle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(store, interview_id, "bsn", Answer.of(BSN))
    interviews.save_answer(store, interview_id, "achternaam", Answer.of("Testpersoon"))
    root = tmp_path / "data"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "intake.db-wal" for p in files)  # the WAL is checked too
    for path in files:
        content = path.read_bytes()
        for secret in (BSN.encode(), b"Testpersoon", b"Zamzam", NAME.encode("utf-16-le")):
            assert secret not in content, (path.name, secret)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(root / "intake.db").execute("SELECT * FROM sqlite_master").fetchall()
    store.close()
    again = reopen(root)
    opened = interviews.open_interview(again, interview_id)
    assert opened.interview.answer("bsn") == Answer.of(BSN)
    again.close()


def test_wrong_passphrase_opens_nothing(store: Store, tmp_path: Path) -> None:
    from intake_tui.store.keyring import WrongCredentials

    store.close()
    with pytest.raises(WrongCredentials):
        reopen(tmp_path / "data", passphrase="wrong wrong wrong")
    with pytest.raises(WrongCredentials) as unknown:
        reopen(tmp_path / "data", user="nobody")
    assert "unknown caseworker or wrong passphrase" in str(unknown.value)


def test_answers_survive_reopening_with_types_and_states(
    store: Store, bundle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(store, interview_id, "geboortedatum", Answer.of(dt.date(1992, 3, 1)))
    interviews.save_answer(store, interview_id, "lbt_behaalde_score", Answer.of(33))
    interviews.save_answer(store, interview_id, "schulden", UNKNOWN)
    interviews.save_answer(store, interview_id, "nationaliteit", Answer.of(("SY",)))
    store.close()
    again = reopen(tmp_path / "data")
    engine = interviews.open_interview(again, interview_id).interview
    assert engine.answer("geboortedatum") == Answer.of(dt.date(1992, 3, 1))
    assert engine.answer("lbt_behaalde_score") == Answer.of(33)
    assert engine.answer("schulden") == UNKNOWN
    assert engine.answer("nationaliteit") == Answer.of(("SY",))
    again.close()


def test_undo_puts_back_the_previous_answer_step_by_step(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(store, interview_id, "voornamen", Answer.of("Eerste"))
    interviews.save_answer(store, interview_id, "voornamen", Answer.of("Tweede"))
    undone = history.undo_last_answer(store, interview_id)
    assert undone is not None and undone.restored == Answer.of("Eerste")
    assert interviews.open_interview(store, interview_id).interview.answer(
        "voornamen"
    ) == Answer.of("Eerste")
    undone = history.undo_last_answer(store, interview_id)
    assert undone is not None and undone.restored is None
    assert interviews.open_interview(store, interview_id).interview.answer("voornamen") is None
    assert history.undo_last_answer(store, interview_id) is None
    changes = history.answer_history(store, interview_id)
    assert len(changes) == 4  # two saves, two undos: the history keeps them all


def test_saving_the_same_answer_twice_writes_no_history(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(store, interview_id, "voornamen", Answer.of("Een"))
    interviews.save_answer(store, interview_id, "voornamen", Answer.of("Een"))
    assert len(history.answer_history(store, interview_id)) == 1


def test_list_interviews_searches_and_pages(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    for index in range(7):
        interviews.create_interview(
            store, bundle, client_display_name=f"Persoon {index} Voorbeeld", client_language="ti"
        )
    interviews.create_interview(
        store, bundle, client_display_name="Hodan Zoekmij", client_language="so"
    )
    assert interviews.list_interviews(store).total == 8
    found = interviews.list_interviews(store, "zoek")
    assert [s.client_display_name for s in found.items] == ["Hodan Zoekmij"]
    page = interviews.list_interviews(store, "voorbeeld", page=1, page_size=5)
    assert page.total == 7 and len(page.items) == 2
    assert interviews.list_interviews(store, "100%_").total == 0  # LIKE wildcards are literal


def test_list_interviews_sorts_by_name_due_date_and_age(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from intake_tui.core import FrozenClock

    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path / "data", clock)
    made = {}
    for name, notice in [
        ("Zeynep", dt.date(2026, 10, 1)),
        ("Abebe", None),
        ("Mariam", dt.date(2026, 9, 1)),
    ]:
        made[name] = interviews.create_interview(
            store, bundle, client_display_name=name, client_language="ar", duo_notice_date=notice
        ).id
        clock.advance(dt.timedelta(minutes=5))
    interviews.save_answer(store, made["Abebe"], "voornamen", Answer.of("A"))  # changed last

    def names(order: str) -> list[str]:
        page = interviews.list_interviews(store, order=order)
        return [s.client_display_name for s in page.items]

    assert names("name") == ["Abebe", "Mariam", "Zeynep"]
    assert names("due") == ["Mariam", "Zeynep", "Abebe"]  # soonest first, none last
    assert names("changed")[0] == "Abebe"
    assert names("created") == ["Mariam", "Abebe", "Zeynep"]
    with pytest.raises(ValueError):
        interviews.list_interviews(store, order="random")
    store.close()


@pytest.mark.parametrize("typed", ["ayse", "AYŞE", "Ayşe  Yıl", "yilmaz", "aYşE yILmAz"])
def test_search_ignores_case_and_accents(store: Store, bundle, typed: str) -> None:  # type: ignore[no-untyped-def]
    interviews.create_interview(
        store, bundle, client_display_name="Ayşe Yılmaz", client_language="tr"
    )
    interviews.create_interview(
        store, bundle, client_display_name="Rami Haddad", client_language="ar"
    )
    found = interviews.list_interviews(store, typed)
    assert [s.client_display_name for s in found.items] == ["Ayşe Yılmaz"]


def test_finalize_blocks_changes_until_reopened_with_a_reason(
    store: Store, bundle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    interview_id = entered_persona(store, bundle, "rami")
    interviews.finalize_interview(store, interview_id)
    assert list((tmp_path / "data" / "backups").glob("intake-*.db"))
    with pytest.raises(StoreError):
        interviews.save_answer(store, interview_id, "voornamen", Answer.of("X"))
    with pytest.raises(StoreError):
        interviews.reopen_interview(store, interview_id, "  ")
    interviews.reopen_interview(store, interview_id, "LBT result came in")
    interviews.save_answer(store, interview_id, "voornamen", Answer.of("X"))
    ((reason, who, _when),) = interviews.reopen_reasons(store, interview_id)
    assert (reason, who) == ("LBT result came in", "anna")


def test_finalizing_with_required_answers_missing_is_refused_and_writes_nothing(
    store: Store, bundle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from intake_tui.core.engine import Step

    interview_id = entered_persona(store, bundle, "semhar", skip=("samenvatting_besproken",))
    interviews.save_answer(store, interview_id, "psychische_klachten_signaal", UNKNOWN)
    with pytest.raises(interviews.FinalizeBlocked) as refused:
        interviews.finalize_interview(store, interview_id)
    # "weet niet" is no answer where the question does not allow it; questionnaire order.
    assert refused.value.steps == (
        Step("psychische_klachten_signaal"),
        Step("samenvatting_besproken"),
    )
    assert refused.value.message == "2 required questions still need an answer before finalizing"
    summary = interviews.open_interview(store, interview_id).summary
    assert (summary.status, summary.finalized_at) == ("in_progress", None)
    assert not list((tmp_path / "data" / "backups").glob("intake-*.db"))
    interviews.save_answer(store, interview_id, "psychische_klachten_signaal", Answer.of(True))
    interviews.save_answer(store, interview_id, "samenvatting_besproken", Answer.of(True))
    interviews.finalize_interview(store, interview_id)
    assert interviews.open_interview(store, interview_id).summary.status == "finalized"


def test_the_bundle_is_pinned_with_the_interview(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    bundle_copies.clear_cache()
    opened = interviews.open_interview(store, interview_id)
    assert opened.bundle.sha256 == bundle.sha256
    assert opened.summary.bundle_version == DEFAULT_VERSION


def test_notes_and_flags(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.set_note(store, interview_id, "schulden", "ask again with partner", flagged=True)
    notes = interviews.open_interview(store, interview_id).notes
    assert notes[("schulden", None)] == interviews.Note("ask again with partner", True)


def test_delete_draft_erases_everything_about_it(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(store, interview_id, "bsn", Answer.of(BSN))
    interviews.delete_draft(store, interview_id)
    assert interviews.list_interviews(store).total == 0
    with pytest.raises(StoreError):
        interviews.open_interview(store, interview_id)


def test_stale_drafts_are_flagged(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock.on("2026-01-01")
    store = make_store(tmp_path / "d", clock)
    interview_id = new_interview(store, bundle)
    clock.advance(dt.timedelta(days=40))
    assert [s.id for s in interviews.stale_drafts(store, 30)] == [interview_id]
    assert interviews.stale_drafts(store, 60) == []
    store.close()


def test_audit_records_ids_never_values(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(store, interview_id, "bsn", Answer.of(BSN))
    interviews.open_interview(store, interview_id)
    with Session(store.engine) as session:
        rows = list(session.exec(__import__("sqlmodel").select(audit.AuditRow)))
    actions = [r.action for r in rows]
    assert "answer_save" in actions and "interview_open" in actions
    text = " ".join(f"{r.actor} {r.object_id} {r.object_type} {r.result}" for r in rows)
    assert BSN not in text and "Zamzam" not in text


def test_unlock_refuses_a_folder_that_is_not_set_up(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        unlock(DataDir(tmp_path / "empty"), "anna", PASSPHRASE, floor=TEST_KDF)


def test_saving_an_answer_moves_the_case_to_the_top_with_its_time(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path / "d", clock)
    first = new_interview(store, bundle)
    clock.advance(dt.timedelta(minutes=5))
    second = new_interview(store, bundle)
    clock.advance(dt.timedelta(minutes=5))
    interviews.save_answer(store, first, "voornamen", Answer.of("Een"), current_step="voornamen")
    page = interviews.list_interviews(store)
    assert [s.id for s in page.items] == [first, second]
    assert page.items[0].updated_at == clock.now()
    assert interviews.open_interview(store, first).current_step == "voornamen"
    store.close()


def test_a_draft_of_long_text_survives_and_goes_once_saved(
    store: Store, bundle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    drafts.save_draft(store, interview_id, "motivatie", "Ik wil graag")
    drafts.save_draft(store, interview_id, "motivatie", "Ik wil graag werken")
    store.close()
    again = reopen(tmp_path / "data")
    assert drafts.drafts(again, interview_id) == {("motivatie", None): "Ik wil graag werken"}
    interviews.save_answer(again, interview_id, "motivatie", Answer.of("Ik wil graag werken."))
    assert drafts.drafts(again, interview_id) == {}
    again.close()


def test_an_older_database_is_backed_up_then_upgraded(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    from intake_tui.store import database, migrate

    store = make_store(tmp_path / "data")
    interviews.create_interview(
        store, bundle, client_display_name="Ayşe Yılmaz", client_language="tr"
    )
    dek = store._dek
    store.close()
    # Make it look like a database written by the first version: schema at revision 0001.
    engine = database.make_engine(tmp_path / "data" / "intake.db", dek)
    migrate.downgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    engine.dispose()
    assert not list((tmp_path / "data" / "backups").glob("*.db"))
    again = reopen(tmp_path / "data")
    assert migrate.current_revision(again.engine) == migrate.head_revision()
    backups = list((tmp_path / "data" / "backups").glob("intake-*.db"))
    assert len(backups) == 1
    old = database.connect(backups[0], dek)
    assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    old.close()
    # Revision 0003 filled in the search key of the case that already existed.
    assert [s.client_display_name for s in interviews.list_interviews(again, "ayse").items] == [
        "Ayşe Yılmaz"
    ]
    again.close()


def test_a_crash_before_the_database_switches_key_is_finished_not_undone(tmp_path: Path) -> None:
    from intake_tui.store import database, users

    store = make_store(tmp_path / "data")
    users.add_user(store, "bram", "bram's long passphrase")
    old = store._dek
    # The keyring records the removal and the pending key; then the laptop dies before the
    # database is re-keyed.
    store.keyring.remove_user_and_rekey("bram", old)
    store.close()
    again = reopen(tmp_path / "data")
    with pytest.raises(database.WrongDatabaseKey):
        database.connect(tmp_path / "data" / "intake.db", old)  # bram's old key opens nothing
    assert again.keyring.users() == ["anna"]
    again.close()


def test_nobody_removes_themselves_by_spelling_their_name_differently(tmp_path: Path) -> None:
    from intake_tui.store import users

    store = make_store(tmp_path / "data")
    users.add_user(store, "bram", "bram's long passphrase")
    store.close()
    shouting = reopen(tmp_path / "data", user="ANNA")
    assert shouting.actor == "anna"
    with pytest.raises(StoreError):
        users.remove_user(shouting, "anna")
    shouting.close()


def test_backups_are_numbered_so_newest_does_not_depend_on_the_clock(tmp_path: Path) -> None:
    from intake_tui.store.maintenance import newest_sound_backup

    clock = FrozenClock.on("2026-11-28")
    store = make_store(tmp_path / "data", clock)
    first = store.backup()
    del first
    clock.advance(dt.timedelta(hours=-1))  # the clock steps back (DST, a reset RTC)
    store.backup()
    names = sorted(p.name for p in (tmp_path / "data" / "backups").glob("intake-*.db"))
    assert [n.split("-")[1] for n in names] == ["000001", "000002"]
    newest = newest_sound_backup(store)
    assert newest is not None and newest.name.startswith("intake-000002-")
    for _ in range(6):
        store.backup()
    kept = sorted(p.name.split("-")[1] for p in (tmp_path / "data" / "backups").glob("*.db"))
    assert kept == ["000004", "000005", "000006", "000007", "000008"]
    store.close()


def test_the_database_and_backups_are_for_the_owner_only(tmp_path: Path) -> None:
    import os
    import stat

    if os.name != "posix":
        pytest.skip("file modes exist only on POSIX; Windows uses the profile's ACLs")
    store = make_store(tmp_path / "data")
    store.backup()
    root = tmp_path / "data"
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "intake.db").stat().st_mode) == 0o600
    for backup in (root / "backups").glob("*.db"):
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    store.close()


def test_erasing_a_draft_with_plan_overrides_works_but_not_a_discussed_case(
    store: Store, bundle
) -> None:  # type: ignore[no-untyped-def]
    from intake_tui.store import plans

    draft_id = new_interview(store, bundle)
    plans.set_override(store, draft_id, "leerroute", "B", "besproken")
    interviews.delete_draft(store, draft_id)
    assert interviews.list_interviews(store).total == 0
    kept = entered_persona(store, bundle, "ayse")
    interviews.finalize_interview(store, kept)
    interviews.reopen_interview(store, kept, "correctie")
    with pytest.raises(StoreError):
        interviews.delete_draft(store, kept)  # it was finalized once: not a draft any more


def test_the_notice_answer_sets_the_cases_pip_deadline(store: Store, bundle) -> None:  # type: ignore[no-untyped-def]
    interview_id = new_interview(store, bundle)
    interviews.save_answer(
        store, interview_id, bundle.roles["duo_notice_date"], Answer.of(dt.date(2026, 10, 1))
    )
    (summary,) = interviews.list_interviews(store).items
    assert summary.pip_due == dt.date(2026, 12, 10)
    interviews.save_answer(store, interview_id, bundle.roles["duo_notice_date"], None)
    assert interviews.list_interviews(store).items[0].pip_due is None
