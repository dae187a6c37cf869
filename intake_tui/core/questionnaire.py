"""Questionnaire bundles: the pydantic models of the format and the loader that checks them.

A bundle is a folder with `questionnaire.yaml`, `plan.yaml` and `translations/<lang>.po`
(docs/bundle-format.md). `load_bundle()` returns a `Bundle` ready for the interview engine:
every expression compiled, every question indexed, the dependency graph built. Anything wrong is
reported all at once, each problem as `path:line:col: message` with a "did you mean" where a
name or key looks misspelt.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from intake_tui.core.bundle_builder import _Builder

# The format's names, for the many modules that import them from here.
from intake_tui.core.bundle_model import (
    CHOICE_TYPES,
    ID_PATTERN,
    PLAN_FILE,
    QUESTIONNAIRE_FILE,
    TRANSLATIONS_DIR,
    Bundle,
    BundleError,
    BundleSpec,
    Choice,
    ChoiceSourceSpec,
    ChoiceSpec,
    Item,
    QuestionSpec,
    SectionSpec,
    bundle_sha256,
)
from intake_tui.core.yamlsource import (
    Location,
    Problem,
    YamlReadError,
    read_yaml_bytes,
)
from intake_tui.i18n import _

__all__ = [
    "CHOICE_TYPES",
    "ID_PATTERN",
    "PLAN_FILE",
    "QUESTIONNAIRE_FILE",
    "TRANSLATIONS_DIR",
    "Bundle",
    "BundleError",
    "BundleSpec",
    "Choice",
    "ChoiceSourceSpec",
    "ChoiceSpec",
    "Item",
    "QuestionSpec",
    "SectionSpec",
    "bundle_files",
    "bundle_sha256",
    "check_bundle",
    "load_bundle",
    "load_bundle_files",
    "resolve_bundle_path",
]


def bundle_files(directory: Path) -> dict[str, bytes]:
    """The files that make up a bundle (their relative paths and bytes), for pinning and hashing."""
    files: dict[str, bytes] = {}
    for name in (QUESTIONNAIRE_FILE, PLAN_FILE):
        path = directory / name
        if path.is_file():
            files[name] = path.read_bytes()
    # Choice lists read from CSV files (`source: gemeenten.csv`) lie next to questionnaire.yaml.
    for table in sorted(directory.glob("*.csv")):
        if table.is_file():
            files[table.name] = table.read_bytes()
    translations = directory / TRANSLATIONS_DIR
    if translations.is_dir():
        for po in sorted(translations.glob("*.po")):
            files[f"{TRANSLATIONS_DIR}/{po.name}"] = po.read_bytes()
    return files


def resolve_bundle_path(path: Path) -> Path:
    """A bundle folder from a folder or a path to its questionnaire.yaml."""
    if path.is_file() or path.name == QUESTIONNAIRE_FILE:
        return path.parent
    return path


def load_bundle(path: Path | str) -> Bundle:
    """Load and check the bundle at `path` (a folder or its questionnaire.yaml)."""
    bundle, problems = check_bundle(path)
    if problems or bundle is None:
        raise BundleError(problems)
    return bundle


def check_bundle(path: Path | str) -> tuple[Bundle | None, list[Problem]]:
    """Load a bundle and return it with every problem found (the bundle is None when any)."""
    given = Path(path)
    directory = resolve_bundle_path(given)
    display_dir = given.parent if given.name == QUESTIONNAIRE_FILE else given
    display = str(display_dir / QUESTIONNAIRE_FILE)
    source = directory / QUESTIONNAIRE_FILE
    if not directory.is_dir():
        return None, [Problem(Location(str(given), 1, 1), _("no such bundle folder"))]
    if not source.is_file():
        return None, [Problem(Location(display, 1, 1), _("file not found"))]
    try:
        files = bundle_files(directory)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, [
            Problem(Location(display, 1, 1), _("cannot read file: {reason}").format(reason=reason))
        ]
    return load_bundle_files(files, display_dir=str(display_dir))


def load_bundle_files(
    files: Mapping[str, bytes], *, display_dir: str = "<bundle>", pinned: bool = False
) -> tuple[Bundle | None, list[Problem]]:
    """Load a bundle from its files' bytes (e.g. the copy pinned in an interview).

    `pinned`: the copy an interview was started with. The type checks of expressions (added
    after such copies were made) are warnings there, not errors: an interview must always open
    with the bundle it was started with, and behaves as it always did."""
    display = f"{display_dir}/{QUESTIONNAIRE_FILE}"
    raw = files.get(QUESTIONNAIRE_FILE)
    if raw is None:
        return None, [Problem(Location(display, 1, 1), _("file not found"))]
    try:
        data, source_map, problems = read_yaml_bytes(raw, display)
    except YamlReadError as error:
        return None, [error.problem]
    builder = _Builder(source_map, problems, pinned=pinned)
    bundle = builder.build(data, dict(files), display_dir)
    problems = sorted(set(builder.problems))
    if problems or bundle is None:
        return None, problems
    # The plan rules read the questions, so they are checked once the questions are sound.
    from intake_tui.core.plan.rules import load_plan_rules

    bundle.plan, plan_problems = load_plan_rules(
        bundle, f"{display_dir}/{PLAN_FILE}", pinned=pinned
    )
    if any(not p.warning for p in plan_problems):
        return None, plan_problems
    bundle.warnings = tuple(sorted({*bundle.warnings, *plan_problems}))
    return bundle, []
