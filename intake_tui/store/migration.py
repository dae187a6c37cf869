"""Move a draft interview to a newer version of its bundle, in one audited transaction.

`newer_versions` finds the versions a draft could move to; `plan` says, before anything
changes, which answers carry over and which no longer fit (core/migration.py); `move` does it:
the newer bundle is pinned, answers, notes and typed drafts follow renamed questions and codes,
and an answer that does not fit goes to `answer_archive` with its version and reason - out of
the interview, never dropped. A finalized interview is never moved (reopen it first).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session, select

from intake_tui.core.bundle_model import version_key
from intake_tui.core.migration import MovePlan, plan_move, reason_text
from intake_tui.core.questionnaire import Bundle, check_bundle
from intake_tui.i18n import _, ngettext
from intake_tui.store.answer_rows import _encode, _stored_answers
from intake_tui.store.bundle_copies import pin_bundle, pinned_bundle
from intake_tui.store.interviews import _get, sql_time
from intake_tui.store.session import Store, StoreError


def newer_versions(current: Bundle, folders: Iterable[Path]) -> list[Bundle]:
    """The bundles in `folders` with the id of `current` and a higher version, newest first
    (a folder that does not load is left out: `questionnaire validate` says why)."""
    from intake_tui.core.related import header

    found: dict[str, Bundle] = {}
    for folder in folders:
        light = header(folder)  # the interview screen asks on every open: load only candidates
        if light is None or light[0] != current.id:
            continue
        if version_key(light[1]) <= version_key(current.version):
            continue
        bundle, _problems = check_bundle(folder)
        if bundle is None or bundle.id != current.id:
            continue
        if version_key(bundle.version) > version_key(current.version):
            found.setdefault(bundle.version, bundle)
    return sorted(found.values(), key=lambda b: version_key(b.version), reverse=True)


def pick(candidates: list[Bundle], version: str | None) -> Bundle:
    """The newest candidate, or the one with `version`; a calm error when there is none."""
    if not candidates:
        raise StoreError(_("there is no newer version of this questionnaire on this laptop"))
    if version is None:
        return candidates[0]
    for bundle in candidates:
        if bundle.version == version:
            return bundle
    raise StoreError(
        _("version {version} is not a newer version on this laptop (there are: {versions})").format(
            version=version, versions=", ".join(b.version for b in candidates)
        )
    )


def plan(store: Store, interview_id: str, target: Bundle) -> MovePlan:
    """What moving the interview to `target` would do; nothing is changed."""
    with store.session() as session:
        source, answers = _current(session, interview_id, target)
    return plan_move(source, target, answers)


def move(store: Store, interview_id: str, target: Bundle) -> MovePlan:
    """Move the draft to `target` (one transaction, audited); what was carried and kept aside."""
    with store.session() as session:
        source, answers = _current(session, interview_id, target)
        found = plan_move(source, target, answers)
        pin_bundle(session, target)
        sql = session.connection().exec_driver_sql
        now = store.now()
        at = sql_time(now)
        for misfit in found.misfits:
            question, instance = misfit.old
            state, value_json = _encode(answers[misfit.old])
            sql(
                "INSERT INTO answer_archive (interview_id, question_id, instance, state,"
                " value_json, bundle_version, reason, archived_by, archived_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    interview_id,
                    question,
                    instance or "",
                    state,
                    value_json,
                    source.version,
                    misfit.reason,
                    store.actor,
                    at,
                ),
            )
            sql(
                "DELETE FROM answer WHERE interview_id = ? AND question_id = ? AND instance = ?",
                (interview_id, question, instance or ""),
            )
        # In two steps, through a name no id can have ("~" is not snake_case), so that renames
        # that swap or chain (a → b, b → c) never meet an id that is still taken.
        for carried in found.carried:
            (old_id, instance), (new_id, _same) = carried.old, carried.new
            state, value_json = _encode(carried.answer)
            sql(
                "UPDATE answer SET question_id = ?, state = ?, value_json = ?"
                " WHERE interview_id = ? AND question_id = ? AND instance = ?",
                ("~" + new_id, state, value_json, interview_id, old_id, instance or ""),
            )
        for old_id, new_id in found.renamed.items():
            for table in ("note", "answer_draft"):
                sql(
                    f"UPDATE {table} SET question_id = ?"
                    " WHERE interview_id = ? AND question_id = ?",
                    ("~" + new_id, interview_id, old_id),
                )
        for table in ("answer", "note", "answer_draft"):
            sql(
                f"UPDATE {table} SET question_id = substr(question_id, 2)"
                " WHERE interview_id = ? AND question_id LIKE '~%'",
                (interview_id,),
            )
        row = _get(session, interview_id)
        step = _moved_step(row.current_step, found.renamed, target)
        sql(
            "UPDATE interview SET bundle_id = ?, bundle_version = ?, bundle_sha256 = ?,"
            " current_step = ?, updated_at = ? WHERE id = ?",
            (target.id, target.version, target.sha256, step, at, interview_id),
        )
        # Versions and counts only: an audit entry never holds an answer or a question's text.
        detail = f"{source.version}->{target.version}"
        store.audit(session, "interview_migrate", "interview", f"{interview_id}@{detail}")
    return found


def _current(session: Session, interview_id: str, target: Bundle) -> tuple[Bundle, dict]:  # type: ignore[type-arg]
    row = _get(session, interview_id)
    if row.status != "in_progress":
        raise StoreError(
            _("a finalized interview is never moved to another version; reopen it first")
        )
    source = pinned_bundle(session, row.bundle_sha256)
    if target.id != source.id:
        raise StoreError(
            _("{target} is another questionnaire than {source}").format(
                target=target.id, source=source.id
            )
        )
    if version_key(target.version) <= version_key(source.version):
        raise StoreError(
            _("version {target} is not newer than {source}").format(
                target=target.version, source=source.version
            )
        )
    return source, _stored_answers(session, interview_id, source)


def _moved_step(step: str | None, renamed: dict[str, str], target: Bundle) -> str | None:
    if step is None:
        return None
    question, hash_, instance = step.partition("#")
    question = renamed.get(question, question)
    if question not in target.items:
        return None
    return f"{question}{hash_}{instance}"


def archived(store: Store, interview_id: str) -> list[tuple[str, str, str, str]]:
    """The answers kept aside by moves: (question id, instance, version, reason), oldest first."""
    from intake_tui.store.models import AnswerArchiveRow

    with store.session() as session:
        rows = session.exec(
            select(AnswerArchiveRow)
            .where(AnswerArchiveRow.interview_id == interview_id)
            .order_by(AnswerArchiveRow.id)  # type: ignore[arg-type]
        ).all()
    return [(r.question_id, r.instance, r.bundle_version, r.reason) for r in rows]


def summary(found: MovePlan, source: Bundle, *, limit: int | None = None) -> str:
    """The list shown before a move: how many answers carry over, and each one that does not
    fit, by its question's label (never its value) and why; at most `limit` of them (a dialog
    on 24 lines), then how many more and where to see them all."""
    count = len(found.carried)
    lines = [
        ngettext(
            "From version {old} to {new}: {n} answer carries over.",
            "From version {old} to {new}: {n} answers carry over.",
            count,
        ).format(old=found.source_version, new=found.target_version, n=count)
    ]
    if found.misfits:
        lines.append(_("These answers no longer fit; they are kept aside as history:"))
    shown = found.misfits if limit is None else found.misfits[:limit]
    for misfit in shown:
        question = misfit.old[0]
        item = source.items.get(question)
        label = item.label if item is not None else question
        where = " " + _("(entry {n})").format(n=misfit.entry) if misfit.entry else ""
        lines.append(f"  - {label}{where}: {reason_text(misfit.reason)}")
    if hidden := len(found.misfits) - len(shown):
        lines.append(
            "  "
            + ngettext(
                "… and {n} more (intake-tui cases migrate ID --dry-run lists every one)",
                "… and {n} more (intake-tui cases migrate ID --dry-run lists every one)",
                hidden,
            ).format(n=hidden)
        )
    return "\n".join(lines)
