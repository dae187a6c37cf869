"""Where the built-in questionnaire bundles and UI catalogs are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries the top-level folders inside the package (pyproject's force-include);
    # an editable install or a checkout reads them from the repository root.
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def questionnaires_dir() -> Path:
    """The folder that holds the built-in questionnaire bundles."""
    return _data_dir("questionnaires")


def locales_dir() -> Path:
    """The folder that holds the UI's gettext catalogs."""
    return _data_dir("locales")


def builtin_bundle_dirs() -> list[Path]:
    """Every built-in bundle: a folder with a questionnaire.yaml, sorted by name."""
    root = questionnaires_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "questionnaire.yaml").is_file())
