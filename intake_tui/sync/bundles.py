"""Questionnaire bundles published centrally: listed, downloaded, verified, then usable.

A bundle is used only after its files hash to the sha256 the server announced (the same
`bundle_sha256` the server computed when the admin published it) and after it loads without a
single problem. It is then kept in `<data dir>/bundles/<id>/<version>/`; new intakes can choose
it, and interviews already running stay on the version pinned in them.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from intake_tui.core.questionnaire import bundle_sha256, load_bundle_files
from intake_tui.i18n import _
from intake_tui.store.session import Store
from intake_tui.sync.client import SyncClient, SyncConfigError, check_server_url, http_client

SAFE_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@dataclass(frozen=True)
class Fetched:
    id: str
    version: str
    state: str  # "new" | "known" | "refused"
    reason: str | None = None


def downloaded_bundle_dirs(root: Path) -> list[Path]:
    """Every verified downloaded bundle under `root/bundles`, sorted by id and version."""
    base = root / "bundles"
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*/*") if (p / "questionnaire.yaml").is_file())


def installed_bundle_dirs(root: Path) -> list[Path]:
    """Every bundle folder this laptop can use: the built-in ones, then the downloaded ones."""
    from intake_tui.resources import builtin_bundle_dirs

    return [*builtin_bundle_dirs(), *downloaded_bundle_dirs(root)]


def _safe(part: str) -> bool:
    return bool(part) and part not in (".", "..") and set(part) <= SAFE_NAME


def fetch_bundles(store: Store, *, ca_file: str | None = None) -> list[Fetched]:
    """Download every published bundle this laptop does not have yet; verify before keeping."""
    from intake_tui.sync import service

    enrolment = service.device(store)
    if enrolment is None or enrolment.revoked_at is not None:
        raise SyncConfigError(_("this laptop is not enrolled (or was revoked)"))
    base_url = check_server_url(enrolment.server_url, loopback_only=service._is_demo(store))
    client = SyncClient(http_client(base_url, token=enrolment.token, ca_file=ca_file))
    target = store.data_dir.root / "bundles"
    found: list[Fetched] = []
    try:
        listing = client.get("/v1/bundles")
        if listing.status_code != 200 or not isinstance(listing.json(), list):
            raise SyncConfigError(
                _("the server did not list its bundles ({status})").format(
                    status=listing.status_code
                )
            )
        for entry in listing.json():
            bundle_id, version = str(entry.get("id", "")), str(entry.get("version", ""))
            if not (_safe(bundle_id) and _safe(version)):
                found.append(Fetched(bundle_id, version, "refused", _("unsafe name")))
                continue
            if (target / bundle_id / version / "questionnaire.yaml").is_file():
                found.append(Fetched(bundle_id, version, "known"))
                continue
            found.append(_download(client, bundle_id, version, str(entry.get("sha256")), target))
    finally:
        client.close()
    return found


def _download(
    client: SyncClient, bundle_id: str, version: str, announced: str, target: Path
) -> Fetched:
    response = client.get(f"/v1/bundles/{bundle_id}/{version}")
    body = response.json() if "json" in response.headers.get("Content-Type", "") else None
    if response.status_code != 200 or not isinstance(body, dict):
        return Fetched(bundle_id, version, "refused", f"{response.status_code}")
    try:
        files = {
            str(name): base64.b64decode(str(content), validate=True)
            for name, content in dict(body.get("files", {})).items()
        }
    except (binascii.Error, ValueError):
        return Fetched(bundle_id, version, "refused", _("files are not valid base64"))
    if any(not all(_safe(p) for p in name.split("/")) for name in files):
        return Fetched(bundle_id, version, "refused", _("unsafe file name"))
    digest = bundle_sha256(files)
    if digest != announced or digest != body.get("sha256"):
        return Fetched(bundle_id, version, "refused", _("sha256 does not match"))
    bundle, problems = load_bundle_files(files, display_dir=f"{bundle_id}/{version}")
    if problems or bundle is None:
        return Fetched(
            bundle_id, version, "refused", "; ".join(str(p) for p in problems[:3]) or "invalid"
        )
    if (bundle.id, bundle.version) != (bundle_id, version):
        return Fetched(bundle_id, version, "refused", _("id or version does not match"))
    # Written beside, then renamed into place: a half-written bundle is never used.
    folder = target / bundle_id
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        os.replace(staging, folder / version)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        return Fetched(bundle_id, version, "refused", error.strerror or type(error).__name__)
    return Fetched(bundle_id, version, "new")
