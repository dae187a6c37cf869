"""The Alembic migrations build exactly the schema the SQLModel tables describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import intake_tui.store.models  # noqa: F401 - registers the tables
from intake_tui.store import migrate
from intake_tui.store.name_search import INDEX, SHADOW_TABLES

from .store_helpers import make_store


def test_migrations_and_models_agree(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    with store.engine.connect() as connection:
        # The search index is an FTS5 table and its shadow tables, made by migration 0013 and
        # kept by triggers, not SQLModel tables (tests/test_name_search.py checks them).
        fts = {INDEX, *SHADOW_TABLES}
        context = MigrationContext.configure(
            connection,
            opts={"include_name": lambda name, kind, _parent: kind != "table" or name not in fts},
        )
        differences = compare_metadata(context, SQLModel.metadata)
    # SQLModel's own column types (AutoString, UTCDateTime) compare as plain types.
    structural = [
        d for d in differences if not (isinstance(d, list) and d and d[0][0] == "modify_type")
    ]
    assert structural == []
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    store.close()


def test_upgrading_a_current_database_does_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    assert migrate.upgrade(store.engine, backup=lambda: (_ for _ in ()).throw(AssertionError)) == []
    store.close()
