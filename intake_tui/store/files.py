"""Writing small files so that a crash leaves the old content or the new, never half of either.

One implementation for the keyring, device.json and exports: the content goes to a private
temporary file (0600 from the start, `mkstemp`) in the same folder, is synced, then takes the
final name — by `os.replace` (overwrite) or `os.link` (never overwrite) — and the folder is
synced so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _stage(path: Path, content: bytes, mode: int) -> Path:
    """A synced temporary file beside `path` holding `content`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if os.name == "posix":
            os.chmod(temp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def write_atomic(path: Path, content: bytes, *, mode: int = 0o600) -> None:
    """Write `content` to `path` atomically with permissions `mode` (POSIX; ACLs on Windows)."""
    temp = _stage(path, content, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(path.parent)


def write_new(path: Path, content: bytes, *, force: bool = False, mode: int = 0o600) -> None:
    """Write a file that must not already exist (unless `force`), atomically, with `mode`.

    `os.link` gives the temporary file its name and refuses to overwrite (FileExistsError), so
    an existing file is never half-replaced.
    """
    if force:
        write_atomic(path, content, mode=mode)
        return
    temp = _stage(path, content, mode)
    try:
        os.link(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
