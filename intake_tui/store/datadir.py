"""The data folder: where it is, what is in it, and the device id made with it.

    <data dir>/intake.db      the encrypted SQLCipher database
    <data dir>/keyring.json   caseworker key slots (see store/keyring.py)
    <data dir>/device.json    the device id, whether this is a demo folder, setup state
    <data dir>/config.toml    settings (optional)
    <data dir>/backups/       encrypted backup copies (same key as the database)

Nothing is created on import or lookup; only `DataDir.create_device_file()` writes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from intake_tui.i18n import _

ENV_DATA_DIR = "INTAKE_TUI_DATA_DIR"
APP_NAME = "intake-tui"


class DataDirError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    demo: bool
    setup_complete: bool


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, option: Path | None = None) -> DataDir:
        """`--data-dir`, else $INTAKE_TUI_DATA_DIR, else the platform's user data folder."""
        if option is not None:
            return cls(Path(option).expanduser())
        env = os.environ.get(ENV_DATA_DIR)
        if env:
            return cls(Path(env).expanduser())
        import platformdirs

        return cls(platformdirs.user_data_path(APP_NAME, appauthor=False))

    @property
    def db_path(self) -> Path:
        return self.root / "intake.db"

    @property
    def keyring_path(self) -> Path:
        return self.root / "keyring.json"

    @property
    def device_path(self) -> Path:
        return self.root / "device.json"

    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    @property
    def erasures_path(self) -> Path:
        """The erasure log (store/erasures.py): outside intake.db, so a restore re-applies it."""
        return self.root / "erasures.db"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    def is_set_up(self) -> bool:
        info = self.device()
        return info is not None and info.setup_complete

    def device(self) -> DeviceInfo | None:
        if not self.device_path.is_file():
            return None
        try:
            data = json.loads(self.device_path.read_text(encoding="utf-8"))
            return DeviceInfo(
                str(data["device_id"]), bool(data.get("demo")), bool(data["setup_complete"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            raise DataDirError(
                _("{path} is damaged; this data folder cannot be used as it is").format(
                    path=self.device_path
                )
            ) from None

    def write_device(self, info: DeviceInfo) -> None:
        from intake_tui.store.files import write_atomic

        self.root.mkdir(parents=True, exist_ok=True)
        payload = {
            "device_id": info.device_id,
            "demo": info.demo,
            "setup_complete": info.setup_complete,
        }
        write_atomic(self.device_path, (json.dumps(payload, indent=2) + "\n").encode())

    @staticmethod
    def new_device(*, demo: bool) -> DeviceInfo:
        import uuid  # here, not at the top: the first frame does not need it

        return DeviceInfo(uuid.uuid4().hex, demo, False)
