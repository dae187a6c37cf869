"""`intake-tui db check`: the database's integrity, the audit chain, and which backup is sound."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from intake_tui.i18n import _, ngettext
from intake_tui.store import audit, database
from intake_tui.store.interviews import stale_drafts
from intake_tui.store.session import Store


@dataclass
class CheckReport:
    sound: bool = True
    lines: list[str] = field(default_factory=list)


def check(store: Store, *, stale_draft_days: int = 30) -> CheckReport:
    """Check everything that can be checked without a server; one line per finding."""
    report = CheckReport()
    problems = database.integrity_check(store.engine)
    if problems:
        report.sound = False
        report.lines.append(
            _("database: damaged ({n} problems; first: {first})").format(
                n=len(problems), first=problems[0]
            )
        )
    else:
        report.lines.append(_("database: sound (cipher_integrity_check and quick_check)"))
    with Session(store.engine) as session:
        chain = audit.verify_chain(session)
        entries = audit.count(session)
    if chain:
        report.sound = False
        for problem in chain:
            report.lines.append(_("audit: {message}").format(message=problem.message))
    else:
        report.lines.append(
            ngettext(
                "audit: chain intact ({n} entry)", "audit: chain intact ({n} entries)", entries
            ).format(n=entries)
        )
    newest = newest_sound_backup(store)
    if newest is None:
        report.lines.append(_("backups: none sound"))
    else:
        report.lines.append(_("backups: newest sound is {name}").format(name=newest.name))
    stale = stale_drafts(store, stale_draft_days)
    if stale:
        report.lines.append(
            ngettext(
                "drafts: {n} untouched for more than {days} days (decide: continue or erase)",
                "drafts: {n} untouched for more than {days} days (decide: continue or erase)",
                len(stale),
            ).format(n=len(stale), days=stale_draft_days)
        )
    with store.session() as session:
        store.audit(
            session,
            "db_check",
            "database",
            store.keyring.db_id,
            "ok" if report.sound else "problems",
        )
    return report


def newest_sound_backup(store: Store) -> Path | None:
    """The newest backup copy that opens with the current key and passes both checks."""
    from intake_tui.store.session import backup_number

    backups = store.data_dir.backups_dir.glob("intake-*.db")
    for path in sorted(backups, key=lambda p: backup_number(p) or 0, reverse=True):
        try:
            # Read only and immutable: checking a backup never changes it (its hash stays).
            connection = database.connect_readonly(path, store._dek)
        except database.DatabaseError:
            continue
        try:
            bad = connection.execute("PRAGMA cipher_integrity_check").fetchall()
            quick = connection.execute("PRAGMA quick_check").fetchall()
        except Exception:
            continue
        finally:
            connection.close()
        if not bad and all(row[0] == "ok" for row in quick):
            return path
    return None
