"""The bundle copies interviews are pinned to: stored once per digest, opened exactly as started.

An interview always opens with the bundle it was started with (the copy in `bundle_copy`), so a
newer questionnaire never changes an answered one under the caseworker's hands. A copy made
before the bundle format had roles (core/roles.py) gets the roles of the newest version of the
same bundle this laptop has - built in, or pinned by another interview - matched by question id.
"""

from __future__ import annotations

import base64
import json
from functools import cache

from sqlmodel import Session, select

from intake_tui.core import roles
from intake_tui.core.questionnaire import Bundle, BundleError, load_bundle_files
from intake_tui.i18n import _
from intake_tui.store.models import BundleCopyRow
from intake_tui.store.session import StoreError

_BUNDLE_CACHE: dict[str, Bundle] = {}


def pin_bundle(session: Session, bundle: Bundle) -> None:
    """Keep a copy of every file of `bundle` (once per digest)."""
    if session.get(BundleCopyRow, bundle.sha256) is None:
        files = {name: base64.b64encode(content).decode() for name, content in bundle.files.items()}
        session.add(
            BundleCopyRow(
                sha256=bundle.sha256,
                bundle_id=bundle.id,
                version=bundle.version,
                files_json=json.dumps(files, sort_keys=True),
            )
        )
    _BUNDLE_CACHE.setdefault(bundle.sha256, bundle)


def pinned_bundle(session: Session, sha256: str) -> Bundle:
    """The bundle exactly as an interview was started with it."""
    cached = _BUNDLE_CACHE.get(sha256)
    if cached is not None:
        return cached
    row = session.get(BundleCopyRow, sha256)
    if row is None:
        raise StoreError(_("the questionnaire this interview was started with is missing"))
    bundle = _load(row)
    if bundle.plan is not None and not bundle.roles:
        roles.inherit(bundle, [*_builtin_bundles(), *_other_copies(session, row)])
    _BUNDLE_CACHE[sha256] = bundle
    return bundle


def clear_cache() -> None:
    """Forget the opened copies (tests that change a stored copy)."""
    _BUNDLE_CACHE.clear()


def _load(row: BundleCopyRow) -> Bundle:
    files = {name: base64.b64decode(data) for name, data in json.loads(row.files_json).items()}
    bundle, problems = load_bundle_files(
        files, display_dir=f"{row.bundle_id}@{row.version}", pinned=True
    )
    if bundle is None:
        raise BundleError(problems)
    return bundle


def _other_copies(session: Session, row: BundleCopyRow) -> list[Bundle]:
    """The other copies of the same bundle on this laptop that can be opened."""
    found: list[Bundle] = []
    query = select(BundleCopyRow).where(
        BundleCopyRow.bundle_id == row.bundle_id, BundleCopyRow.sha256 != row.sha256
    )
    for other in session.exec(query):
        try:
            found.append(_BUNDLE_CACHE.get(other.sha256) or _load(other))
        except BundleError:
            continue
    return found


@cache
def _builtin_bundles() -> tuple[Bundle, ...]:
    from intake_tui.core.questionnaire import check_bundle
    from intake_tui.resources import builtin_bundle_dirs

    loaded = (check_bundle(path)[0] for path in builtin_bundle_dirs())
    return tuple(bundle for bundle in loaded if bundle is not None)
