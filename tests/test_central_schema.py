"""A central database made before organisations (schema 1) is brought up to date on start:
its devices move to the default organisation, every case gets its first sender as owner, the
step is audited, and it runs once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import inspect
from sqlmodel import Session, select

from intake_tui.central import admin
from intake_tui.central.models import (
    DEFAULT_ORG,
    AuditEntry,
    Case,
    CentralModel,
    Device,
    Submission,
    make_engine,
)
from intake_tui.central.schema import init_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _schema_1(db_url: str) -> None:
    """Today's tables without what schema 2 added, with two devices and three cases."""
    engine = make_engine(db_url)
    with engine.begin() as connection:
        CentralModel.metadata.create_all(connection)
        connection.exec_driver_sql("DROP TABLE central_case")
        connection.exec_driver_sql("DROP TABLE central_schema")
        connection.exec_driver_sql("DROP INDEX ix_central_device_org")
        connection.exec_driver_sql("ALTER TABLE central_device DROP COLUMN org")
        connection.exec_driver_sql("ALTER TABLE central_enrolment_code DROP COLUMN org")
    with engine.begin() as connection:
        for device in ("laptop-a", "laptop-b"):
            connection.exec_driver_sql(
                "INSERT INTO central_device (id, name, token_sha256, expires_at, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (device, device, device * 4, "2027-01-01 00:00:00", "2026-01-01 00:00:00"),
            )
        sent = [  # (interview, revision, device, minutes after T0)
            ("case-1", 1, "laptop-a", 0),
            ("case-1", 2, "laptop-b", 5),  # sent by another laptop before owners existed
            ("case-2", 1, "laptop-b", 1),
            ("case-3", 2, "laptop-a", 3),
            ("case-3", 1, "laptop-b", 3),  # same second: the lower revision came first
        ]
        for interview, revision, device, minutes in sent:
            at = (T0 + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")
            connection.exec_driver_sql(
                "INSERT INTO central_submission (interview_id, revision, status, payload_sha256, "
                "document, device_id, receipt_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    interview,
                    revision,
                    "final",
                    "0" * 64,
                    "{}",
                    device,
                    f"r-{interview}-{revision}",
                    at,
                ),
            )
    engine.dispose()


def test_an_old_database_gets_organisations_and_owners_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    _schema_1(db_url)
    engine = make_engine(db_url)
    try:
        assert "org" not in {c["name"] for c in inspect(engine).get_columns("central_device")}
        init_db(engine)
        init_db(engine)  # a second start changes nothing
        with Session(engine) as session:
            orgs = {d.id: d.org for d in session.exec(select(Device)).all()}
            owners = {c.interview_id: c.device_id for c in session.exec(select(Case)).all()}
            migrated = session.exec(
                select(AuditEntry).where(AuditEntry.action == "schema_migrated")
            ).all()
            assert len(session.exec(select(Submission)).all()) == 5
    finally:
        engine.dispose()
    assert orgs == {"laptop-a": DEFAULT_ORG, "laptop-b": DEFAULT_ORG}
    assert owners == {"case-1": "laptop-a", "case-2": "laptop-b", "case-3": "laptop-b"}
    assert len(migrated) == 1 and migrated[0].actor == "server"
    # An admin puts a laptop where it belongs; its cases follow it, and that is audited too.
    admin.set_device_org(db_url, "laptop-a", "0363")
    assert [d["org"] for d in admin.list_devices(db_url) if d["id"] == "laptop-a"] == ["0363"]
    assert admin.audit_log(db_url, limit=1)[0]["action"] == "device_org"


def test_a_new_database_starts_at_the_current_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'central.db'}")
    try:
        init_db(engine)
        with Session(engine) as session:
            assert session.exec(select(AuditEntry)).all() == []  # nothing was migrated
    finally:
        engine.dispose()


def test_a_schema_2_database_gets_the_talks_tables_once(tmp_path: Path) -> None:
    """Schema 3 (issue 19): a database made before talks were records of their own gets their
    tables at the next start, keeps everything it had, and says so once in the audit log."""
    from sqlalchemy import text

    from intake_tui.central.schema import SCHEMA_VERSION

    db_url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = make_engine(db_url)
    try:
        init_db(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE central_followup")
            connection.exec_driver_sql("DROP TABLE central_followup_conflict")
            connection.exec_driver_sql("UPDATE central_schema SET version = 2")
            connection.exec_driver_sql(
                "INSERT INTO central_device (id, name, org, token_sha256, expires_at, "
                "created_at) VALUES ('laptop-a', 'a', '0363', 'x', '2027-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        assert not inspect(engine).has_table("central_followup")
        init_db(engine)
        init_db(engine)
        assert inspect(engine).has_table("central_followup")
        assert inspect(engine).has_table("central_followup_conflict")
        with Session(engine) as session:
            migrated = session.exec(
                select(AuditEntry).where(AuditEntry.action == "schema_migrated")
            ).all()
            orgs = {d.id: d.org for d in session.exec(select(Device)).all()}
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version FROM central_schema")).scalar()
    finally:
        engine.dispose()
    assert version == SCHEMA_VERSION == 3
    assert [(m.object_id, m.detail) for m in migrated] == [("3", "follow-up records")]
    assert orgs == {"laptop-a": "0363"}  # schema 2's step did not run again
