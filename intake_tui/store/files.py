"""Writing small files so that a crash leaves the old content or the new, never half of either.

One implementation for the keyring, device.json and exports: the content goes to a private
temporary file (0600 from the start, `mkstemp`) in the same folder, is synced, then takes the
final name — by `os.replace` (overwrite) or `os.link` (never overwrite) — and the folder is
synced so the rename itself survives a power cut.

Exports use the two halves on their own (`stage`, then `publish` or `discard`), so that the
audit entry can be committed in between: the file takes its name only once it is audited.
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


def stage(path: Path, content: bytes, *, mode: int = 0o600) -> Path:
    """A synced private temporary file beside `path` holding `content`, for `publish` to name.

    If writing fails (a full disk), no temporary file is left and the OSError is raised.
    """
    return _stage(path, content, mode)


def publish(temp: Path, path: Path, *, force: bool = False) -> None:
    """Give the staged file `temp` its name `path`: `os.link` (never overwrites: FileExistsError)
    or, with `force`, `os.replace`. The temporary name is gone afterwards, whatever happened."""
    try:
        if force:
            os.replace(temp, path)  # the temporary name is gone with it
        else:
            os.link(temp, path)
    except BaseException:
        discard(temp)
        raise
    if not force:
        discard(temp)
    fsync_dir(path.parent)


def discard(temp: Path) -> None:
    """Remove a staged file that will not be published."""
    with contextlib.suppress(OSError):
        temp.unlink()


def write_atomic(path: Path, content: bytes, *, mode: int = 0o600) -> None:
    """Write `content` to `path` atomically with permissions `mode` (POSIX; ACLs on Windows)."""
    publish(_stage(path, content, mode), path, force=True)


def write_new(path: Path, content: bytes, *, force: bool = False, mode: int = 0o600) -> None:
    """Write a file that must not already exist (unless `force`), atomically, with `mode`.

    `os.link` gives the temporary file its name and refuses to overwrite (FileExistsError), so
    an existing file is never half-replaced.
    """
    publish(_stage(path, content, mode), path, force=force)


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
