"""Reading passphrases: from a file, from stdin (`-`), or from a prompt; never from an argument."""

from __future__ import annotations

import sys
from pathlib import Path

from intake_tui.i18n import _

MIN_NEW_PASSPHRASE = 10


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


def read_secret(source: str | None, prompt: str, *, confirm: bool = False) -> str:
    """A passphrase from `source` (a path, or `-` for stdin) or, on a terminal, a prompt."""
    if source == "-":
        secret = _strip_one_newline(sys.stdin.readline())
    elif source:
        try:
            secret = _strip_one_newline(Path(source).read_text(encoding="utf-8"))
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
