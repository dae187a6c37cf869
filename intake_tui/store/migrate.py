"""Schema migrations with Alembic, run in one transaction so a crash leaves old or new, never a mix.

SQLite has transactional DDL: all pending revisions run inside one transaction, and the Alembic
version row is written in the same one. Before an older database is upgraded, an encrypted
backup copy is made (the caller passes `backup`), so even a bad migration loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(
    engine: Engine,
    *,
    backup: Callable[[], object] | None = None,
    after_each: Callable[[str], None] | None = None,
    target: str | None = None,
) -> list[str]:
    """Bring the schema to `target` (the newest revision); the revisions applied.

    `backup` runs first when there is anything to do on a database that already has a schema.
    `after_each` (for the crash test) is called inside the transaction after each revision.
    """
    script = _script()
    head = target or script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return []
    if current is not None and backup is not None:
        backup()
    applied: list[str] = []

    def run(rev: Any, context: Any) -> list[Any]:
        return script._upgrade_revs(head, rev)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        environment = EnvironmentContext(config, script, fn=run)
        environment.configure(
            connection=connection,
            transactional_ddl=True,
            transaction_per_migration=False,
            on_version_apply=lambda **kw: _note(kw, applied, after_each),
        )
        with environment.begin_transaction():
            environment.run_migrations()
    return applied


def _note(kw: dict[str, Any], applied: list[str], after_each: Callable[[str], None] | None) -> None:
    revision = kw["step"].up_revision_id
    applied.append(revision)
    if after_each is not None:
        after_each(revision)


def downgrade(engine: Engine, target: str) -> None:
    """Take the schema back to `target` (tests make "older" databases with it), one transaction."""
    script = _script()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def run(rev: Any, context: Any) -> list[Any]:
        return script._downgrade_revs(target, rev)

    with engine.connect() as connection:
        environment = EnvironmentContext(config, script, fn=run)
        environment.configure(connection=connection, transactional_ddl=True)
        with environment.begin_transaction():
            environment.run_migrations()
