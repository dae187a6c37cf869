"""Settings from `<data dir>/config.toml`, read with tomllib before anything heavy loads.

    [recovery]
    public_key = "base64 of the organisation's X25519 public key"   # optional recovery slot

    [drafts]
    flag_after_days = 30    # drafts untouched this long are flagged (db check, cases screen)

    [ui]                    # written by the settings screen
    theme = "textual-dark"
    lock_minutes = 5
    language = "nl"         # the caseworker's screens
    newcomer_display = "below"   # the newcomer's language: below | beside | off
    rtl_rendering = "app"   # app: intake-tui shapes and orders Arabic script; terminal: it does

    [keys]                  # keymap overrides by binding id (F1 shows the ids)
    "interview.unknown" = "f10"

    [sync]
    ca_file = "/etc/intake/org-ca.pem"   # trust only the organisation's CA (else the system's)
    retention_days = 30     # a synced revision's content is kept this long after its receipt

    [contact]               # the contact person every plan names (DUO Contactpersoon)
    name = "Team Inburgering"
    email = "inburgering@gemeente.example"
    phone = "14 020"

    [gemeente]              # who decides the PIP, and where to object (the bezwaar clause)
    naam = "Gemeente Voorbeeld"
    bezwaar_adres = "Postbus 1, 1000 AA Voorbeeld"
    bezwaar_email = "bezwaar@gemeente.example"

Unknown keys are reported, not ignored, so a typo in a setting does not pass silently.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

from intake_tui.i18n import _

KNOWN = {
    "ui": {"theme", "lock_minutes", "language", "newcomer_display", "rtl_rendering"},
    "recovery": {"public_key"},
    "drafts": {"flag_after_days"},
    "contact": {"name", "email", "phone"},
    "sync": {"ca_file", "retention_days"},
    "gemeente": {"naam", "bezwaar_adres", "bezwaar_email"},
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
    newcomer_display: str = "below"
    rtl_rendering: str = "app"
    keys: tuple[tuple[str, str], ...] = ()
    sync_ca_file: str | None = None  # the organisation's CA (PEM); else the system's trust
    retention_days: int = 30  # synced revisions' content is kept this long after the receipt
    gemeente_naam: str | None = None  # the college that decides the PIP (the bezwaar clause)
    bezwaar_adres: str | None = None
    bezwaar_email: str | None = None


NEWCOMER_DISPLAYS = ("below", "beside", "off")
RTL_RENDERINGS = ("app", "terminal")


def load_settings(path: Path) -> Settings:
    """The settings in `path`, or the defaults when there is no such file."""
    if not path.is_file():
        return Settings()
    import tomllib  # only with a file to read: a first start has none

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            f"{path}: " + _("not a valid TOML file ({reason})").format(reason=error)
        ) from None
    for section, value in data.items():
        if section == "keys" and isinstance(value, dict):
            continue  # binding ids are checked against the screens by the UI
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
    gemeente = data.get("gemeente", {})
    for name in KNOWN["gemeente"]:
        if name in gemeente and not isinstance(gemeente[name], str):
            raise ConfigError(f"{path}: " + _("[gemeente] {name} must be text").format(name=name))
    ui = data.get("ui", {})
    minutes = ui.get("lock_minutes", 5)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 120:
        raise ConfigError(f"{path}: " + _("[ui] lock_minutes must be 1 to 120"))
    display = ui.get("newcomer_display", "below")
    if display not in NEWCOMER_DISPLAYS:
        raise ConfigError(f"{path}: " + _("[ui] newcomer_display must be below, beside or off"))
    rtl = ui.get("rtl_rendering", "app")
    if rtl not in RTL_RENDERINGS:
        raise ConfigError(f"{path}: " + _("[ui] rtl_rendering must be app or terminal"))
    keys = data.get("keys", {})
    for binding_id, key in keys.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(
                f"{path}: " + _('[keys] {name} must be a key, like "f7"').format(name=binding_id)
            )
    sync = data.get("sync", {})
    ca_file = sync.get("ca_file")
    if ca_file is not None and not isinstance(ca_file, str):
        raise ConfigError(f"{path}: " + _("[sync] ca_file must be the path of a PEM file"))
    retention = sync.get("retention_days", 30)
    if not isinstance(retention, int) or isinstance(retention, bool) or not 0 <= retention <= 3650:
        raise ConfigError(f"{path}: " + _("[sync] retention_days must be 0 to 3650"))
    return Settings(
        sync_ca_file=ca_file,
        retention_days=retention,
        newcomer_display=display,
        rtl_rendering=rtl,
        keys=tuple(sorted((str(k), str(v)) for k, v in keys.items())),
        theme=ui.get("theme") if isinstance(ui.get("theme"), str) else None,
        lock_minutes=minutes,
        language=ui.get("language") if isinstance(ui.get("language"), str) else None,
        recovery_public_key=key,
        stale_draft_days=days,
        contact_name=contact.get("name"),
        contact_email=contact.get("email"),
        contact_phone=contact.get("phone"),
        gemeente_naam=gemeente.get("naam"),
        bezwaar_adres=gemeente.get("bezwaar_adres"),
        bezwaar_email=gemeente.get("bezwaar_email"),
    )


def save_ui_settings(
    path: Path,
    *,
    theme: str,
    lock_minutes: int,
    language: str,
    newcomer_display: str = "below",
    rtl_rendering: str = "app",
    keys: dict[str, str] | None = None,
) -> None:
    """Write the `[ui]` and `[keys]` sections of config.toml, keeping every other line."""
    import json

    from intake_tui.store.files import write_atomic

    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    kept: list[str] = []
    in_ui = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_ui = stripped in ("[ui]", "[keys]")
        if not in_ui:
            kept.append(line)
    # JSON strings are valid TOML basic strings.
    section = [
        "[ui]",
        f"theme = {json.dumps(theme)}",
        f"lock_minutes = {int(lock_minutes)}",
        f"language = {json.dumps(language)}",
        f"newcomer_display = {json.dumps(newcomer_display)}",
        f"rtl_rendering = {json.dumps(rtl_rendering)}",
    ]
    if keys:
        section += ["", "[keys]"]
        section += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in sorted(keys.items())]
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
