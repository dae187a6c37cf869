"""Reading passphrases: from a file, from stdin (`-`), or from a prompt; never from an argument."""

from __future__ import annotations

import sys
from pathlib import Path

from intake_tui.i18n import _

MIN_NEW_PASSPHRASE = 10
MAX_SECRET_BYTES = 1024  # a passphrase file or stdin line; more is refused, never read to the end


class SecretError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _strip_one_newline(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


def _read_stdin_line() -> str:
    """The first line of stdin, reading at most one byte more than the cap (stdin may not end)."""
    stream = getattr(sys.stdin, "buffer", None)
    limit = MAX_SECRET_BYTES + 1
    line = stream.readline(limit) if stream is not None else sys.stdin.readline(limit).encode()
    if len(line) > MAX_SECRET_BYTES:
        raise SecretError(
            _("the passphrase on stdin is longer than 1 KiB; a passphrase is one line")
        )
    try:
        return _strip_one_newline(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise SecretError(_("the passphrase on stdin is not UTF-8 text")) from None


def _read_file(source: str) -> str:
    """The file's text (newlines as text mode reads them), reading at most the cap and one byte:
    /dev/zero never ends."""
    with Path(source).open("rb") as handle:
        data = handle.read(MAX_SECRET_BYTES + 1)
    if len(data) > MAX_SECRET_BYTES:
        raise SecretError(_("the passphrase file is longer than 1 KiB; a passphrase is one line"))
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return _strip_one_newline(text)


def read_secret(source: str | None, prompt: str, *, confirm: bool = False) -> str:
    """A passphrase from `source` (a path, or `-` for stdin) or, on a terminal, a prompt.

    A file or stdin line longer than `MAX_SECRET_BYTES` is a `SecretError`, found without reading
    further: `--passphrase-file /dev/zero` must not run until the system kills it.
    """
    if source == "-":
        secret = _read_stdin_line()
    elif source:
        try:
            secret = _read_file(source)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or type(error).__name__
            raise SecretError(
                _("cannot read the passphrase file: {reason}").format(reason=reason)
            ) from None
    elif sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Again: ")) != secret:
            raise SecretError(_("the two passphrases differ"))
    else:
        raise SecretError(
            _("no passphrase: give --passphrase-file (or '-' for stdin), or run on a terminal")
        )
    if not secret:
        raise SecretError(_("the passphrase is empty"))
    return secret


def check_new_passphrase(secret: str) -> str:
    if len(secret) < MIN_NEW_PASSPHRASE:
        raise SecretError(
            _("a new passphrase needs at least {n} characters; a short sentence works well").format(
                n=MIN_NEW_PASSPHRASE
            )
        )
    return secret
