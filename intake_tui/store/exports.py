"""Writing plans and a newcomer's own data to files: atomically, 0600, never overwriting, audited.

A plan revision is frozen whole (store/plans.py); a plain export leaves the special-category
answers (health) out again and lists them as withheld, and only `--seal` — encrypted to the
organisation's key (store/seal.py) — carries them. File names hold interview ids, never names.

A file and its audit entry agree: the content is staged in a private temporary file beside the
target, the audit entry is committed, and only then does the file take its name. A full disk
(for the file or for the database) leaves neither; `--all` stops at the first such failure and
says which files were written (each of them audited).
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlmodel import select

from intake_tui.core.questionnaire import Bundle
from intake_tui.i18n import _
from intake_tui.store import bundle_copies, files, plans
from intake_tui.store.database import DatabaseError, DiskFull
from intake_tui.store.models import InterviewRow, PlanRevisionRow
from intake_tui.store.session import Store, StoreError


class ExportStopped(StoreError):
    """`--all` stopped at a file that could not be written; `written` were (and are audited)."""

    def __init__(self, message: str, written: list[Path], failed: Path, total: int) -> None:
        super().__init__(message)
        self.written = written
        self.failed = failed
        self.total = total


def _exists(path: Path) -> StoreError:
    return StoreError(_("{path} exists; it was not overwritten (use --force)").format(path=path))


def _write_audited(
    store: Store,
    path: Path,
    content: bytes,
    *,
    force: bool,
    action: str,
    object_type: str,
    object_id: str,
) -> None:
    """Write `path` so that it exists only with its committed audit entry.

    Staged (0600, synced) beside `path` first: a full disk there audits nothing and leaves no
    file. Then the audit entry is committed; if that fails, the staged file is removed. Only
    then does the file take its name.
    """
    try:
        temp = files.stage(path, content)
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        if path.exists() and not force:
            raise _exists(path)
        with store.session() as session:
            store.audit(session, action, object_type, object_id)
    except DiskFull:
        files.discard(temp)
        raise StoreError(
            _("the disk is full: {path} was not written. Free some space and try again.").format(
                path=path
            )
        ) from None
    except BaseException:
        files.discard(temp)
        raise
    try:
        files.publish(temp, path, force=force)
    except OSError as error:
        # Audited but not written (the name was taken meanwhile, or no room for it): the
        # trail says so too, as far as the database lets it.
        with suppress(StoreError, DatabaseError), store.session() as session:
            store.audit(session, action, object_type, object_id, result="failed")
        if isinstance(error, FileExistsError):
            raise _exists(path) from None
        raise _cannot_write(path, error) from None


def _cannot_write(path: Path, error: OSError) -> StoreError:
    reason = error.strerror or type(error).__name__
    return StoreError(_("cannot write {path}: {reason}").format(path=path, reason=reason))


def _content(
    store: Store, revision: plans.Revision, bundle: Bundle, fmt: str, sealed: bool
) -> bytes:
    from intake_tui.core.export import ExportDocument, export_json, plain_copy

    if not revision.document_json:
        raise StoreError(
            _(
                "revision {n} of this plan was removed from this laptop after the municipality "
                "received it; the central system has it"
            ).format(n=revision.revision)
        )
    document = ExportDocument.model_validate_json(revision.document_json)
    if not sealed:
        # Leaves out the special answers AND their traces in the plan's provenance.
        document = plain_copy(document, bundle)
    if fmt == "json":
        return export_json(document).encode("utf-8")
    from intake_tui.core.html_plan import render_plan_html

    language = document.interview.client_language
    changed = _changed(store, revision, document, bundle, sealed)

    def after_facts(columns: Any) -> list[str]:
        from intake_tui.core.html_changes import change_rows

        return change_rows(columns, *changed) if changed is not None and changed[1] else []

    page = render_plan_html(document, bundle, newcomer_language=language, after_facts=after_facts)
    return page.encode("utf-8")


def _changed(
    store: Store, revision: plans.Revision, document: Any, bundle: Bundle, sealed: bool
) -> tuple[int, list[Any]] | None:
    """The previous final version and what this revision changes in it, compared as printed
    (a plain copy beside a plain copy: what the page withholds is not shown as a change)."""
    from intake_tui.core.export import ExportDocument, plain_copy
    from intake_tui.core.html_changes import printed_changes

    earlier = [
        r
        for r in plans.revisions(store, revision.interview_id)
        if r.status == "final" and r.revision < revision.revision and r.document_json
    ]
    if not earlier:
        return None
    before = ExportDocument.model_validate_json(earlier[-1].document_json)
    if not sealed:
        before = plain_copy(before, bundle)
    return earlier[-1].revision, printed_changes(document, before)


def export_plans(
    store: Store,
    interview_id: str | None,
    out: Path,
    *,
    fmt: str = "json",
    seal_to: bytes | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the latest discussed/final revision of one interview (`out` is the file) or of
    every interview that has one (`out` is a folder)."""
    if interview_id is not None:
        targets = [interview_id]
    else:
        with store.session() as session:
            targets = sorted(
                set(session.exec(select(PlanRevisionRow.interview_id)).all())  # type: ignore[call-overload]
            )
    if interview_id is None and out.exists() and not out.is_dir():
        raise StoreError(_("{path} is a file; --all writes into a folder").format(path=out))
    planned: list[tuple[str, plans.Revision, Path]] = []
    for target in targets:
        revision = plans.latest_frozen(store, target)
        if revision is None:
            raise StoreError(
                _("interview {id} has no discussed or final plan to export").format(id=target)
            )
        if interview_id is None:
            name = f"{target}-r{revision.revision}.{fmt}" + (".age" if seal_to else "")
            path = out / name
        else:
            path = out
        if path.exists() and not force:
            # Checked for every file before writing any: a refusal leaves no half-done export.
            raise _exists(path)
        planned.append((target, revision, path))
    written: list[Path] = []
    for target, revision, path in planned:
        try:
            content = _content(store, revision, _bundle_of(store, target), fmt, seal_to is not None)
            if seal_to is not None:
                from intake_tui.store.seal import seal

                content = seal(content, seal_to)
            _write_audited(
                store,
                path,
                content,
                force=force,
                action="export",
                object_type="plan",
                object_id=f"{target}/r{revision.revision}",
            )
        except (StoreError, DatabaseError) as error:
            if not written:
                raise
            raise ExportStopped(error.message, written, path, len(planned)) from error
        written.append(path)
    return written


def _bundle_of(store: Store, interview_id: str) -> Bundle:
    with store.session() as session:
        row = session.get(InterviewRow, interview_id)
        if row is None:
            raise StoreError(_("no interview with id {id}").format(id=interview_id))
        return bundle_copies.pinned_bundle(session, row.bundle_sha256)


def export_person(
    store: Store, interview_id: str, out: Path, *, fmt: str = "json", force: bool = False
) -> Path:
    """Everything stored about one newcomer, for them (AVG art. 15): answers, notes, every plan
    revision with its reasons, the answer history and who received the plan; as JSON, or as a
    page in Dutch and the newcomer's language (`fmt="html"`). See store/person_export.py."""
    from intake_tui.store import person_export

    if fmt not in ("json", "html"):
        raise StoreError(_("unknown format {format!r}: use json or html").format(format=fmt))
    data = person_export.gather(store, interview_id)
    render = person_export.person_html if fmt == "html" else person_export.person_json
    content = render(data)
    _write_audited(
        store,
        out,
        content,
        force=force,
        action="person_export",
        object_type="interview",
        object_id=interview_id,
    )
    return out
