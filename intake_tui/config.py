"""Settings from `<data dir>/config.toml`, read with tomllib before anything heavy loads.

    [recovery]
    public_key = "base64 of the organisation's X25519 public key"   # optional recovery slot

    [drafts]
    flag_after_days = 30    # drafts untouched this long are flagged (db check, cases screen)

    [contact]               # the contact person every plan names (DUO Contactpersoon)
    name = "Team Inburgering"
    email = "inburgering@gemeente.example"
    phone = "14 020"

Unknown keys are reported, not ignored, so a typo in a setting does not pass silently.
"""

from __future__ import annotations

import base64
import binascii
import tomllib
from dataclasses import dataclass
from pathlib import Path

from intake_tui.i18n import _

KNOWN = {
    "ui": {"theme", "lock_minutes", "language"},
    "recovery": {"public_key"},
    "drafts": {"flag_after_days"},
    "contact": {"name", "email", "phone"},
}


class ConfigError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Settings:
    recovery_public_key: bytes | None = None
    stale_draft_days: int = 30
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    theme: str | None = None
    lock_minutes: int = 5
    language: str | None = None


def load_settings(path: Path) -> Settings:
    """The settings in `path`, or the defaults when there is no such file."""
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            f"{path}: " + _("not a valid TOML file ({reason})").format(reason=error)
        ) from None
    for section, value in data.items():
        if section not in KNOWN or not isinstance(value, dict):
            raise ConfigError(f"{path}: " + _("unknown setting [{name}]").format(name=section))
        for key in value:
            if key not in KNOWN[section]:
                raise ConfigError(
                    f"{path}: " + _("unknown setting {name}").format(name=f"{section}.{key}")
                )
    recovery = data.get("recovery", {}).get("public_key")
    key: bytes | None = None
    if recovery is not None:
        try:
            key = base64.b64decode(str(recovery), validate=True)
        except (binascii.Error, ValueError):
            key = None
        if key is None or len(key) != 32:
            raise ConfigError(f"{path}: " + _("[recovery] public_key must be base64 of 32 bytes"))
    days = data.get("drafts", {}).get("flag_after_days", 30)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
        raise ConfigError(
            f"{path}: " + _("[drafts] flag_after_days must be a whole number of days (1-3650)")
        )
    contact = data.get("contact", {})
    for name in ("name", "email", "phone"):
        if name in contact and not isinstance(contact[name], str):
            raise ConfigError(f"{path}: " + _("[contact] {name} must be text").format(name=name))
    ui = data.get("ui", {})
    minutes = ui.get("lock_minutes", 5)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 120:
        raise ConfigError(f"{path}: " + _("[ui] lock_minutes must be 1 to 120"))
    return Settings(
        theme=ui.get("theme") if isinstance(ui.get("theme"), str) else None,
        lock_minutes=minutes,
        language=ui.get("language") if isinstance(ui.get("language"), str) else None,
        recovery_public_key=key,
        stale_draft_days=days,
        contact_name=contact.get("name"),
        contact_email=contact.get("email"),
        contact_phone=contact.get("phone"),
    )


def save_ui_settings(path: Path, *, theme: str, lock_minutes: int, language: str) -> None:
    """Write the `[ui]` section of config.toml, keeping every other line as it was."""
    import json

    from intake_tui.store.files import write_atomic

    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    kept: list[str] = []
    in_ui = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_ui = stripped == "[ui]"
        if not in_ui:
            kept.append(line)
    # JSON strings are valid TOML basic strings.
    section = [
        "[ui]",
        f"theme = {json.dumps(theme)}",
        f"lock_minutes = {int(lock_minutes)}",
        f"language = {json.dumps(language)}",
    ]
    text = "\n".join([*section, "", *kept]).rstrip() + "\n"
    load_settings_text(text, path)  # never write a file we could not read back
    write_atomic(path, text.encode("utf-8"), mode=0o600)


def load_settings_text(text: str, path: Path) -> Settings:
    """Parse settings from text (checks what save_ui_settings is about to write)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / path.name
        probe.write_text(text, encoding="utf-8")
        return load_settings(probe)
