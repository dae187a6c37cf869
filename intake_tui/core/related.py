"""The bundles a bundle refers to: the intake a follow-up bundle `follows:`, and the follow-up
bundles of an intake, with their question ids, for checking `intake.<id>` and `followup.<id>`
at load (docs/bundle-format.md, "A case over its termijn").

Looked for among the built-in bundles and the folders beside the bundle being loaded (where an
admin keeps the bundles of one municipality). Only each `questionnaire.yaml` is read, never a
whole bundle: loading one bundle never loads another, so there is no loop and little cost.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_tui.core.bundle_model import QUESTIONNAIRE_FILE, version_key
from intake_tui.core.yamlsource import DataPath

Found = tuple[str, str, str | None, frozenset[str]]  # id, version, follows, question ids


def follow_up_names(
    spec: Any, near: str, warn: Callable[[DataPath, str], None]
) -> dict[str, frozenset[str] | None]:
    """What a follow-up bundle's expressions may read of its case: `intake.<id>` (the question
    ids of the bundle it follows, when that is found; a warning when not) and `plan.<field>`
    (the plan field registry). Nothing for a bundle that follows none."""
    if spec.follows is None:
        return {}
    from intake_tui.core.plan.fields import FIELDS
    from intake_tui.i18n import _

    intake = followed_ids(spec.follows, near)
    if intake is None:
        warn(
            ("follows",),
            _(
                "no bundle {id!r} found beside this one or built in: intake.<id> names are not "
                "checked"
            ).format(id=spec.follows),
        )
    return {"intake": intake, "plan": frozenset(FIELDS)}


def followed_ids(bundle_id: str, near: str | None) -> frozenset[str] | None:
    """The question ids of the newest version of `bundle_id` (None: not found)."""
    found = [f for f in _around(near) if f[0] == bundle_id]
    if not found:
        return None
    return max(found, key=lambda f: version_key(f[1]))[3]


def follower_ids(bundle_id: str, near: str | None) -> frozenset[str] | None:
    """The question ids of every bundle that follows `bundle_id` (None: there is none)."""
    found = [f for f in _around(near) if f[2] == bundle_id]
    if not found:
        return None
    return frozenset().union(*(f[3] for f in found))


def header(folder: Path) -> Found | None:
    """A bundle folder's id, version, `follows` and question ids, read from its
    questionnaire.yaml alone (cached while the file is unchanged): to pick the folders worth
    loading whole. None when it cannot be read."""
    source = folder / QUESTIONNAIRE_FILE
    try:
        stamp = source.stat().st_mtime_ns
    except OSError:
        return None
    return _read(str(source), stamp)


def _around(near: str | None) -> list[Found]:
    from intake_tui.resources import builtin_bundle_dirs

    folders = list(builtin_bundle_dirs())
    here = Path(near) if near else None
    if here is not None and here.is_dir():
        folders += [
            p for p in here.resolve().parent.iterdir() if (p / QUESTIONNAIRE_FILE).is_file()
        ]
    found = (header(folder) for folder in dict.fromkeys(p.resolve() for p in folders))
    return [light for light in found if light is not None]


@lru_cache(maxsize=64)
def _read(path: str, _stamp: int) -> Found | None:
    from intake_tui.core.yamlsource import YamlReadError, read_yaml_bytes

    try:
        data, _map, problems = read_yaml_bytes(Path(path).read_bytes(), path)
    except (OSError, YamlReadError):
        return None
    if problems or not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    follows = data.get("follows")
    ids: set[str] = set()
    _collect(data.get("sections"), ids)
    return (
        data["id"],
        str(data.get("version", "")),
        follows if isinstance(follows, str) else None,
        frozenset(ids),
    )


def _collect(nodes: Any, ids: set[str]) -> None:
    if not isinstance(nodes, list):
        return
    for node in nodes:
        if isinstance(node, dict):
            if isinstance(node.get("id"), str) and "title" not in node:  # a question
                ids.add(node["id"])
            _collect(node.get("questions"), ids)
