"""The `intake-central` command: run the server and do the admin's chores.

    intake-central serve [--host 127.0.0.1] [--port 8765] [--db URL]
    intake-central enrolment-code [--org CODE] [--db URL]
    intake-central revoke-device ID | device-org ID --org CODE | devices
    intake-central publish-bundle PATH
    intake-central transfer INTERVIEW --to-device D [--across-organisations]
    intake-central account add NAME --role admin|privacy|editor [--org CODE]
    intake-central account list | account revoke NAME
    intake-central audit list [--limit N] [--id ID] [--actor ACTOR]
    intake-central anchors list | anchors ack DEVICE

The database URL comes from --db, else $INTAKE_CENTRAL_DB (keeps a password out of `ps`), else
sqlite:///./central.db. Exit codes: 0 done, 1 error; messages on stderr, never a traceback.
The server binds to loopback unless --host says otherwise, and logs no requests.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from intake_tui.central.models import DEFAULT_ORG
from intake_tui.i18n import _

DEFAULT_DB = "sqlite:///./central.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
EXIT_OK = 0
EXIT_ERROR = 1


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=os.environ.get("INTAKE_CENTRAL_DB", DEFAULT_DB),
        metavar="URL",
        help=_("database URL: sqlite:///FILE or postgresql://… (or $INTAKE_CENTRAL_DB)"),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-central",
        description=_("Central server for intake-tui laptops: sync, devices and bundles."),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help=_("run the server"))
    serve.add_argument("--host", default=DEFAULT_HOST, help=_("address to bind (loopback)"))
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("port to listen on"))
    serve.add_argument("--ssl-certfile", type=Path, help=_("TLS certificate (PEM)"))
    serve.add_argument("--ssl-keyfile", type=Path, help=_("TLS private key (PEM)"))
    serve.add_argument(
        "--token-days", type=int, default=180, help=_("days a device token stays valid")
    )
    _db_option(serve)

    code = commands.add_parser(
        "enrolment-code", help=_("print a one-time enrolment code (valid 15 minutes)")
    )
    code.add_argument("--org", metavar="CODE", help=_("the organisation the laptop joins"))
    _db_option(code)

    device_org = commands.add_parser("device-org", help=_("move a device to an organisation"))
    device_org.add_argument("device_id", metavar="ID")
    device_org.add_argument("--org", metavar="CODE", required=True)
    _db_option(device_org)

    transfer = commands.add_parser("transfer", help=_("hand a case over to another device"))
    transfer.add_argument("interview_id", metavar="INTERVIEW")
    transfer.add_argument("--to-device", metavar="D", required=True)
    transfer.add_argument(
        "--across-organisations",
        action="store_true",
        help=_("the device belongs to another organisation, and the case moves there"),
    )
    _db_option(transfer)

    account = commands.add_parser("account", help=_("back-office accounts"))
    a_commands = account.add_subparsers(dest="account_command", metavar="COMMAND", required=True)
    a_add = a_commands.add_parser("add", help=_("add an account and print its token once"))
    a_add.add_argument("name", metavar="NAME")
    a_add.add_argument("--role", choices=("admin", "privacy", "editor"), required=True)
    a_add.add_argument("--org", metavar="CODE", help=_("the organisation the account works for"))
    _db_option(a_add)
    a_list = a_commands.add_parser("list", help=_("list the accounts"))
    _db_option(a_list)
    a_revoke = a_commands.add_parser("revoke", help=_("revoke an account"))
    a_revoke.add_argument("name", metavar="NAME")
    _db_option(a_revoke)

    anchors = commands.add_parser("anchors", help=_("laptops' audit anchors and declared restores"))
    an_commands = anchors.add_subparsers(dest="anchors_command", metavar="COMMAND", required=True)
    an_list = an_commands.add_parser("list", help=_("declared restores waiting for an admin"))
    _db_option(an_list)
    an_ack = an_commands.add_parser("ack", help=_("accept a device's declared restore"))
    an_ack.add_argument("device_id", metavar="DEVICE")
    _db_option(an_ack)

    audit = commands.add_parser("audit", help=_("the central audit log"))
    au_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    au_list = au_commands.add_parser("list", help=_("newest entries first"))
    au_list.add_argument("--limit", type=int, default=100)
    au_list.add_argument("--id", dest="object_id", metavar="ID", help=_("only this id"))
    au_list.add_argument("--actor", metavar="ACTOR", help=_("only this actor"))
    _db_option(au_list)

    revoke = commands.add_parser("revoke-device", help=_("revoke a device"))
    revoke.add_argument("device_id", metavar="ID")
    _db_option(revoke)

    publish = commands.add_parser("publish-bundle", help=_("publish a questionnaire bundle"))
    publish.add_argument("path", type=Path, metavar="PATH")
    _db_option(publish)

    devices = commands.add_parser("devices", help=_("list enrolled devices"))
    _db_option(devices)
    return parser


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from intake_tui.central.app import create_app

    tls = args.ssl_certfile is not None
    if (args.ssl_keyfile is not None) != tls:
        print(_("give both --ssl-certfile and --ssl-keyfile"), file=sys.stderr)
        return EXIT_ERROR
    if not tls and not _is_loopback(args.host):
        print(
            _("warning: serving plain HTTP on {host}; laptops only accept TLS there").format(
                host=args.host
            ),
            file=sys.stderr,
        )
    app = create_app(args.db, token_days=args.token_days)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,  # request lines name interviews; bodies and tokens are never logged
        log_level="info",
        server_header=False,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from intake_tui.central import admin

    if args.command == "serve":
        return _serve(args)
    if args.command == "enrolment-code":
        if args.org is None:
            print(
                _(
                    "warning: no --org; the laptop joins {org}, where no account sees its cases"
                ).format(org=DEFAULT_ORG),
                file=sys.stderr,
            )
        code = admin.new_enrolment_code(args.db, org=args.org or DEFAULT_ORG)
        print(code)
        print(_("One-time code, valid for 15 minutes; it is not shown again."), file=sys.stderr)
    elif args.command == "revoke-device":
        admin.revoke_device(args.db, args.device_id)
        print(_("Device {id} is revoked.").format(id=args.device_id), file=sys.stderr)
    elif args.command == "device-org":
        admin.set_device_org(args.db, args.device_id, args.org)
        print(
            _("Device {id} and its cases belong to {org} now.").format(
                id=args.device_id, org=args.org
            ),
            file=sys.stderr,
        )
    elif args.command == "transfer":
        old = admin.transfer_case(
            args.db,
            args.interview_id,
            args.to_device,
            across_organisations=args.across_organisations,
        )
        print(
            _(
                "Case {case} moved from device {old} to {new}; the new device gets it on its next "
                "sync."
            ).format(case=args.interview_id, old=old, new=args.to_device),
            file=sys.stderr,
        )
    elif args.command == "publish-bundle":
        try:
            bundle_id, version, digest = admin.publish_bundle(args.db, args.path)
        except admin.BundleRejected as rejected:
            for problem in rejected.problems:
                print(problem, file=sys.stderr)
            if rejected.problems and all(getattr(p, "warning", False) for p in rejected.problems):
                print(
                    _(
                        "publish-bundle refuses warnings, as `intake-tui questionnaire validate "
                        "--strict` does: change the bundle and publish it again."
                    ),
                    file=sys.stderr,
                )
            print(_("The bundle was not published."), file=sys.stderr)
            return EXIT_ERROR
        print(f"{bundle_id} {version} {digest}")
    elif args.command == "devices":
        for device in admin.list_devices(args.db):
            revoked = device["revoked_at"] or "-"
            print(
                f"{device['id']}\t{device['name']}\t{device['org']}\t{device['expires_at']}"
                f"\t{revoked}",
            )
    elif args.command == "account":
        return _account(args)
    elif args.command == "anchors":
        if args.anchors_command == "ack":
            admin.acknowledge_restore(args.db, args.device_id)
            print(
                _(
                    "The restore of device {id} is accepted; its next sync continues from it."
                ).format(id=args.device_id),
                file=sys.stderr,
            )
        else:
            for entry in admin.restore_declarations(args.db):
                state = entry["acknowledged_at"] or _("waiting")
                print(f"{entry['device_id']}\t{entry['seq']}\t{entry['declared_at']}\t{state}")
    elif args.command == "audit":
        for entry in admin.audit_log(
            args.db, limit=args.limit, object_id=args.object_id, actor=args.actor
        ):
            print(
                "\t".join(
                    str(entry[k])
                    for k in ("at", "actor", "action", "object_type", "object_id", "result")
                )
                + (f"\t{entry['detail']}" if entry["detail"] else "")
            )
    return EXIT_OK


def _account(args: argparse.Namespace) -> int:
    from intake_tui.central import admin

    if args.account_command == "add":
        token = admin.add_account(args.db, args.name, args.role, org=args.org or DEFAULT_ORG)
        print(token)
        print(
            _("The account's token; give it to {name} safely, it is not shown again.").format(
                name=args.name
            ),
            file=sys.stderr,
        )
    elif args.account_command == "list":
        for account in admin.list_accounts(args.db):
            print(
                f"{account['name']}\t{account['role']}\t{account['org']}\t"
                f"{account['created_at']}\t{account['revoked_at'] or '-'}"
            )
    elif args.account_command == "revoke":
        admin.revoke_account(args.db, args.name)
        print(_("Account {name} is revoked.").format(name=args.name), file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run `intake-central`; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help is 0; a usage error is 1 like every other error
        return EXIT_OK if stop.code in (0, None) else EXIT_ERROR
    from sqlalchemy.exc import SQLAlchemyError

    from intake_tui.central.admin import AdminError

    try:
        return _run(args)
    except AdminError as error:
        print(error, file=sys.stderr)
    except SQLAlchemyError as error:
        print(
            _("cannot use the database: {reason}").format(reason=type(error).__name__),
            file=sys.stderr,
        )
    except (ValueError, OSError) as error:
        print(_("error: {reason}").format(reason=error), file=sys.stderr)
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
