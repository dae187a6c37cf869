"""The command-line subcommands that need the data folder: `user`, `db`, `demo`, `export`,
`person`, `device`, `sync` and `cases`.

Kept apart from `cli.py` so that `intake-tui questionnaire validate` never imports SQLCipher,
SQLAlchemy or the crypto libraries. Every refusal is one calm line on stderr; exit 1.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import sys
from pathlib import Path
from typing import Any

from intake_tui.cli_base import EXIT_ERROR, EXIT_HUMAN, EXIT_OK
from intake_tui.i18n import _, ngettext


class CommandError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def run(options: argparse.Namespace) -> int:
    from intake_tui.config import ConfigError
    from intake_tui.secrets_input import SecretError
    from intake_tui.store.database import DatabaseError
    from intake_tui.store.datadir import DataDirError
    from intake_tui.store.keyring import KeyringError
    from intake_tui.store.session import StoreError
    from intake_tui.sync.client import SyncConfigError

    try:
        if options.command == "user":
            return _user(options)
        if options.command == "db":
            if getattr(options, "db_command", None) == "restore":
                return _db_restore(options)
            return _db_check(options)
        if options.command == "demo":
            return _demo(options)
        if options.command == "export":
            return _export(options)
        if options.command == "person":
            return _person(options)
        if options.command == "device":
            return _device(options)
        if options.command == "sync":
            return _sync(options)
        if options.command == "cases":
            return _cases(options)
    except SyncConfigError as error:
        print(error.message, file=sys.stderr)
        return EXIT_ERROR
    except (
        CommandError,
        ConfigError,
        SecretError,
        DatabaseError,
        DataDirError,
        StoreError,
    ) as error:
        print(error.message, file=sys.stderr)
        return EXIT_ERROR
    except KeyringError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        where = error.filename or ""
        reason = error.strerror or type(error).__name__
        print(_("cannot write {path}: {reason}").format(path=where, reason=reason), file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR


def _data_dir(options: argparse.Namespace):  # type: ignore[no-untyped-def]
    from intake_tui.store.datadir import DataDir

    return DataDir.resolve(getattr(options, "data_dir", None))


def _unlock(options: argparse.Namespace):  # type: ignore[no-untyped-def]
    from intake_tui.secrets_input import read_secret
    from intake_tui.store.session import unlock

    user = getattr(options, "user", None)
    if not user:
        raise CommandError(_("say who you are with --user NAME"))
    passphrase = read_secret(getattr(options, "passphrase_file", None), _("Passphrase: "))
    return unlock(_data_dir(options), user, passphrase)


def _user(options: argparse.Namespace) -> int:
    from intake_tui.secrets_input import check_new_passphrase, read_secret
    from intake_tui.store import users
    from intake_tui.store.session import initialize

    data_dir = _data_dir(options)
    command = options.user_command
    if command == "list":
        # Which folder was read goes to stderr, so stdout stays one name a line.
        if not data_dir.is_set_up():
            raise CommandError(
                _(
                    "{path} is not set up yet: add the first caseworker with "
                    "intake-tui user add NAME"
                ).format(path=data_dir.root)
            )
        names = users.list_users(data_dir)
        if names:
            print(_("caseworkers in {path}:").format(path=data_dir.root), file=sys.stderr)
        else:
            print(_("no caseworkers in {path}").format(path=data_dir.root), file=sys.stderr)
        for name in names:
            print(name)
        return EXIT_OK
    if command == "add":
        if getattr(options, "passphrase_file", None) == "-" and options.new_passphrase_file == "-":
            raise CommandError(_("only one of the passphrases can come from stdin"))
        if not data_dir.is_set_up():
            secret = check_new_passphrase(
                read_secret(options.new_passphrase_file, _("New passphrase: "), confirm=True)
            )
            store = initialize(
                data_dir, options.name, secret, recovery_public_key=_recovery_key(data_dir)
            )
            store.close()
            print(
                _("caseworker {name} added; the data folder is ready: {path}").format(
                    name=options.name, path=data_dir.root
                )
            )
            return EXIT_OK
        store = _unlock(options)
        try:
            secret = check_new_passphrase(
                read_secret(options.new_passphrase_file, _("New passphrase: "), confirm=True)
            )
            users.add_user(store, options.name, secret)
        finally:
            store.close()
        print(_("caseworker {name} added").format(name=options.name))
        return EXIT_OK
    if command == "remove":
        store = _unlock(options)
        try:
            users.remove_user(store, options.name)
        finally:
            store.close()
        print(_("caseworker {name} removed; the database has a new key").format(name=options.name))
        return EXIT_OK
    if command == "recover":
        from intake_tui.store.keyring import Keyring

        key = _read_private_key(Path(options.recovery_key_file))
        secret = check_new_passphrase(
            read_secret(options.new_passphrase_file, _("New passphrase: "), confirm=True)
        )
        keyring = Keyring.load(data_dir.keyring_path)
        keyring.recover(options.name, secret, key)
        # Taking over a slot with the organisation's key is recorded like any other change.
        from intake_tui.store.session import unlock

        store = unlock(data_dir, options.name, secret, floor=keyring.floor)
        try:
            with store.session() as session:
                store.audit(session, "user_recover", "caseworker", store.actor)
        finally:
            store.close()
        print(_("caseworker {name} has a new passphrase").format(name=options.name))
        return EXIT_OK
    raise CommandError(_("say what to do: intake-tui user add|list|remove|recover"))


def _read_private_key(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = base64.b64decode(text, validate=True)
    except (OSError, UnicodeDecodeError, binascii.Error, ValueError):
        raise CommandError(_("cannot read the recovery key file (base64 of 32 bytes)")) from None
    if len(key) != 32:
        raise CommandError(_("cannot read the recovery key file (base64 of 32 bytes)"))
    return key


def _recovery_key(data_dir) -> bytes | None:  # type: ignore[no-untyped-def]
    """The organisation's recovery public key from config.toml, if any."""
    from intake_tui.config import load_settings

    return load_settings(data_dir.config_path).recovery_public_key


def _db_check(options: argparse.Namespace) -> int:
    from intake_tui.config import load_settings
    from intake_tui.secrets_input import read_secret
    from intake_tui.store import database, maintenance, restore
    from intake_tui.store.keyring import PRODUCTION_KDF
    from intake_tui.store.session import unlock

    data_dir = _data_dir(options)
    settings = load_settings(data_dir.config_path)
    user = getattr(options, "user", None)
    if not user:
        raise CommandError(_("say who you are with --user NAME"))
    passphrase = read_secret(getattr(options, "passphrase_file", None), _("Passphrase: "))
    try:
        store = unlock(data_dir, user, passphrase)
    except (database.IntegrityFailed, database.WrongDatabaseKey, database.DatabaseRefused) as error:
        # The database will not open: report the damage and which backups are sound, with the
        # key from the keyring alone (intake.db is not needed for that).
        for line in restore.damaged_report(
            data_dir, user, passphrase, str(error), floor=PRODUCTION_KDF
        ):
            print(line)
        return EXIT_ERROR
    try:
        report = maintenance.check(store, stale_draft_days=settings.stale_draft_days)
        _check_anchor(store, settings.sync_ca_file, report)
    finally:
        store.close()
    for line in report.lines:
        print(line)
    return EXIT_OK if report.sound else EXIT_ERROR


def _db_restore(options: argparse.Namespace) -> int:
    from intake_tui.secrets_input import read_secret
    from intake_tui.store import restore

    user = getattr(options, "user", None)
    if not user:
        raise CommandError(_("say who you are with --user NAME"))
    passphrase = read_secret(getattr(options, "passphrase_file", None), _("Passphrase: "))
    done = restore.restore(_data_dir(options), user, passphrase, options.backup)
    print(_("restored {name}").format(name=done.backup.name))
    if done.aside is not None:
        print(_("the damaged database was kept as {path}").format(path=done.aside))
    print(
        ngettext(
            "{n} erasure re-applied from the erasure log",
            "{n} erasures re-applied from the erasure log",
            done.erasures,
        ).format(n=done.erasures)
    )
    print(_("the restore is declared to the central system with the next sync"))
    return EXIT_OK


def _check_anchor(store: Any, ca_file: str | None, report: Any) -> None:
    """The server's last anchor must still be in the local chain: a data folder copied back
    from an older backup cannot roll the server back. Offline is said, and is no failure."""
    from intake_tui.sync import service
    from intake_tui.sync.client import SyncConfigError

    try:
        result = service.check_anchor_online(store, ca_file=ca_file)
    except SyncConfigError as error:
        report.lines.append(_("anchor: not checked ({reason})").format(reason=error.message))
        return
    if result is None:
        report.lines.append(_("anchor: not checked (this laptop is not enrolled)"))
    elif result.state == "failed":
        report.lines.append(_("anchor: not checked (offline)"))
    elif result.state == "accepted":
        report.lines.append(_("anchor: the chain holds the central system's last anchor"))
    elif result.state == "restore_pending":
        report.lines.append(
            _("anchor: a restored backup is declared; it waits for the admin's acceptance")
        )
    else:
        report.sound = False
        report.lines.append(
            _(
                "anchor: ROLLBACK — the chain does not hold the central system's last anchor: "
                "this data folder was put back to an older copy"
            )
        )


def _device(options: argparse.Namespace) -> int:
    from intake_tui.sync import service

    if options.device_command != "enrol":
        raise CommandError(_("say what to do: intake-tui device enrol --server URL --code CODE"))
    settings = _settings(options)
    store = _unlock(options)
    try:
        row = service.enrol(store, options.server, options.code, ca_file=settings.sync_ca_file)
    finally:
        store.close()
    print(
        _("enrolled as device {id} with {server}").format(id=row.device_id, server=row.server_url)
    )
    return EXIT_OK


def _sync(options: argparse.Namespace) -> int:
    from intake_tui.sync import service

    settings = _settings(options)
    store = _unlock(options)
    try:
        summary = service.run_sync(store, server_url=options.server, ca_file=settings.sync_ca_file)
        purged = service.purge_synced(store, settings.retention_days)
        fetched, bundles_refused = (
            ([], False) if summary.stopped else _fetch_bundles(store, settings.sync_ca_file)
        )
    finally:
        store.close()
    for bundle in fetched:
        if bundle.state == "new":
            print(
                _("new questionnaire {id} {version}: verified and ready for new intakes").format(
                    id=bundle.id, version=bundle.version
                )
            )
        elif bundle.state == "refused":
            print(
                _("questionnaire {id} {version} refused: {reason}").format(
                    id=bundle.id, version=bundle.version, reason=bundle.reason
                ),
                file=sys.stderr,
            )
    if purged:
        print(
            _(
                "removed the content of {n} records (plan revisions, talks) received more than "
                "{days} days ago"
            ).format(n=purged, days=settings.retention_days)
        )
    if summary.nothing_to_do:
        print(_("nothing to send"))
    else:
        print(
            _(
                "sent {acked} (of which {replayed} the server already had), waiting {deferred}, "
                "conflicts {conflicts}, rejected {rejected}, attempts {attempts}"
            ).format(
                acked=summary.acked,
                replayed=summary.replayed,
                deferred=summary.deferred,
                conflicts=summary.conflicts,
                rejected=summary.rejected,
                attempts=summary.attempts,
            )
        )
    for line in service.central_messages(summary):
        print(line)
    if summary.stopped == "revoked":
        print(
            _(
                "this laptop was revoked by the municipality: sync has stopped. Nothing was "
                "deleted; ask the functional admin to enrol it again."
            ),
            file=sys.stderr,
        )
    elif summary.stopped == "unauthorized":
        print(_("the server did not accept this laptop's token: enrol it again"), file=sys.stderr)
    for error in summary.errors:
        print(error, file=sys.stderr)
    if summary.exit_code == EXIT_OK and (
        bundles_refused or any(b.state == "refused" for b in fetched)
    ):
        return EXIT_HUMAN  # a refused questionnaire or a server that refused us: a person looks
    return summary.exit_code


def _fetch_bundles(store: Any, ca_file: str | None) -> tuple[list[Any], bool]:
    """The published questionnaires, and whether the server refused to list them (e.g. 403
    for a revoked laptop with nothing to send): that needs a person, unlike a network error,
    which is tried again on the next run."""
    from intake_tui.sync.bundles import fetch_bundles
    from intake_tui.sync.client import SyncConfigError

    try:
        return fetch_bundles(store, ca_file=ca_file), False
    except SyncConfigError as error:
        print(error.message, file=sys.stderr)
        return [], True
    except Exception as error:  # the records went; a bundle problem must not hide that
        print(
            _("questionnaires could not be fetched ({reason})").format(reason=type(error).__name__),
            file=sys.stderr,
        )
    return [], False


def _settings(options: argparse.Namespace):  # type: ignore[no-untyped-def]
    from intake_tui.config import load_settings

    return load_settings(_data_dir(options).config_path)


def _demo(options: argparse.Namespace) -> int:
    from intake_tui.demo import DEMO_PASSPHRASE, DEMO_USER, open_or_make_demo

    given = getattr(options, "data_dir", None)
    data_dir = open_or_make_demo(Path(given) if given else None)
    print(f"data-dir: {data_dir.root}")
    print(f"user: {DEMO_USER}")
    print(f"passphrase: {DEMO_PASSPHRASE}")
    if not options.no_tui:
        from intake_tui.cli_base import run_tui

        return run_tui(data_dir.root, user=DEMO_USER, lang=getattr(options, "lang", None))
    return EXIT_OK


def _export(options: argparse.Namespace) -> int:
    from intake_tui.store import exports

    if bool(options.id) == bool(options.all):
        raise CommandError(_("give one interview ID, or --all"))
    settings_key = _recovery_key(_data_dir(options)) if options.seal else None
    if options.seal and settings_key is None:
        raise CommandError(
            _("--seal needs the organisation's public key in config.toml ([recovery] public_key)")
        )
    _check_export_target(options.out, folder=options.all)
    store = _unlock(options)
    stopped: exports.ExportStopped | None = None
    try:
        if options.id and not _interview_exists(store, options.id):
            raise CommandError(_("no interview with id {id}").format(id=options.id))
        written = exports.export_plans(
            store,
            None if options.all else options.id,
            options.out,
            fmt=options.format,
            seal_to=settings_key,
            force=options.force,
        )
    except exports.ExportStopped as error:  # --all: the files before it were written
        stopped, written = error, error.written
    finally:
        store.close()
    for path in written:
        print(path)
    if stopped is not None:
        print(stopped.message, file=sys.stderr)
        print(
            _(
                "{n} of {total} files were written and audited (listed above); "
                "the others were not written"
            ).format(n=len(written), total=stopped.total),
            file=sys.stderr,
        )
        return EXIT_ERROR
    if options.all and not written:
        print(_("no discussed or final plans to export"), file=sys.stderr)
    return EXIT_OK


def _check_export_target(out: Path, *, folder: bool) -> None:
    """Refuse, before unlocking, an --out that cannot be written: one clear line, exit 1."""
    if folder and out.suffix.lower() in (".json", ".html"):
        raise CommandError(
            _("--all writes one file per interview into a folder; {path} is a file name").format(
                path=out
            )
        )
    if not folder and out.is_dir():
        raise CommandError(_("cannot write {path}: it is a folder").format(path=out))
    # The nearest existing folder above the target must be a folder (not /dev/null).
    parent = out.parent if not folder else out
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise CommandError(
            _("cannot write {path}: {parent} is not a folder").format(path=out, parent=parent)
        )


def _interview_exists(store: Any, interview_id: str) -> bool:
    from intake_tui.store.models import InterviewRow

    with store.session() as session:
        return session.get(InterviewRow, interview_id) is not None


def _cases(options: argparse.Namespace) -> int:
    from intake_tui import cli_cases

    command = getattr(options, "cases_command", None)
    if command == "agreements":
        from intake_tui.store.agreements import write_agreements

        store = _unlock(options)
        try:
            print(write_agreements(store, options.id, options.out, force=options.force))
        finally:
            store.close()
        return EXIT_OK
    if command == "migrate":
        store = _unlock(options)
        try:
            print(cli_cases.migrate(store, options.id, options.to, dry_run=options.dry_run))
        finally:
            store.close()
        return EXIT_OK
    if command != "list":
        raise CommandError(_("say what to do: intake-tui cases list|migrate|agreements"))
    store = _unlock(options)
    try:
        rows = cli_cases.case_rows(store)
    finally:
        store.close()
    print(cli_cases.as_json(rows) if options.json else cli_cases.as_table(rows))
    return EXIT_OK


def _person(options: argparse.Namespace) -> int:
    from intake_tui.store import exports, interviews

    store = _unlock(options)
    try:
        if options.person_command == "export":
            path = exports.export_person(
                store, options.id, options.out, fmt=options.format, force=options.force
            )
            print(path)
        elif options.person_command == "erase":
            interviews.delete_draft(store, options.id)
            print(_("the draft case was erased"))
        else:
            raise CommandError(_("say what to do: intake-tui person export|erase"))
    finally:
        store.close()
    return EXIT_OK
