"""The `intake-tui` command line: global options, subcommands, calm errors.

Global options (`--data-dir`, `--user`, `--passphrase-file`, `--lang`) are accepted before or
after the subcommand. Diagnostics go to stderr, one clear line per problem, never a traceback.
Exit codes: 0 done, 1 error, 2 needs a human.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from intake_tui import __version__
from intake_tui.cli_base import EXIT_ERROR, EXIT_HUMAN, EXIT_OK, run_tui
from intake_tui.i18n import _, ngettext, set_language

__all__ = ["EXIT_ERROR", "EXIT_HUMAN", "EXIT_OK", "build_parser", "main", "run_tui"]


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # On subcommands the defaults are suppressed, so an option given before the subcommand is
    # not overwritten by the subcommand's default.
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help=_("folder with the encrypted database (or $INTAKE_TUI_DATA_DIR)"),
    )
    parser.add_argument("--user", default=default, help=_("caseworker name"))
    parser.add_argument(
        "--passphrase-file",
        default=default,
        help=_("read the passphrase from this file ('-' for stdin)"),
    )
    parser.add_argument("--lang", default=default, help=_("language of messages, e.g. nl or en"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-tui",
        description=_("Brede intake and draft PIP for the Wet inburgering 2021."),
    )
    parser.add_argument("--version", action="version", version=f"intake-tui {__version__}")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    questionnaire = commands.add_parser(
        "questionnaire", help=_("check and maintain questionnaire bundles")
    )
    _global_options(questionnaire, suppress=True)
    q_commands = questionnaire.add_subparsers(dest="questionnaire_command", metavar="COMMAND")
    validate = q_commands.add_parser(
        "validate",
        help=_("check bundles; no PATH checks the built-in bundles"),
        description=_(
            "Check questionnaire bundles. Prints a one-line summary per valid bundle, or every "
            "problem as path:line:col: message."
        ),
    )
    _global_options(validate, suppress=True)
    validate.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help=_("bundle folder or questionnaire.yaml")
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help=_("warnings fail the check too (exit 1), as publish-bundle does"),
    )

    translations = q_commands.add_parser(
        "translations",
        help=_("translation coverage per language; --update merges changed Dutch text"),
        description=_(
            "Print how much of a bundle is translated, per language: translated, fuzzy (may be "
            "outdated), missing and unreviewed. With --update, the bundle's current Dutch text "
            "is merged into every catalog: changed source text turns entries fuzzy."
        ),
    )
    _global_options(translations, suppress=True)
    translations.add_argument(
        "path", nargs="?", type=Path, metavar="PATH", help=_("bundle folder or questionnaire.yaml")
    )
    translation_action = translations.add_mutually_exclusive_group()
    translation_action.add_argument(
        "--update", action="store_true", help=_("merge the current Dutch text (needs PATH)")
    )
    translation_action.add_argument(
        "--init",
        metavar="LANG",
        help=_("start a new language: write translations/LANG.po with every text (needs PATH)"),
    )

    preview = q_commands.add_parser(
        "preview",
        help=_("try a bundle in the interview screens; nothing is saved"),
        description=_(
            "Open the interview, the newcomer's view and the draft plan on a bundle folder, with "
            "the answers in memory only: no data folder, no passphrase, nothing written. Every "
            "screen is marked PREVIEW."
        ),
    )
    _global_options(preview, suppress=True)
    preview.add_argument(
        "path", type=Path, metavar="PATH", help=_("bundle folder or questionnaire.yaml")
    )
    preview.add_argument(
        "--client-lang",
        metavar="LANG",
        help=_("the newcomer's language, one of the bundle's (default: its source language)"),
    )

    _import_parser(q_commands)
    _export_parser(q_commands)

    user = commands.add_parser("user", help=_("caseworkers who can unlock this laptop"))
    _global_options(user, suppress=True)
    u_commands = user.add_subparsers(dest="user_command", metavar="COMMAND")
    add = u_commands.add_parser(
        "add", help=_("add a caseworker (the first needs no unlock; later ones do)")
    )
    add.add_argument("name")
    add.add_argument(
        "--new-passphrase-file", help=_("the new caseworker's passphrase ('-': stdin)")
    )
    u_list = u_commands.add_parser("list", help=_("list the caseworkers"))
    remove = u_commands.add_parser("remove", help=_("remove a caseworker and re-key the database"))
    remove.add_argument("name")
    recover = u_commands.add_parser(
        "recover", help=_("set a new passphrase with the organisation's recovery key")
    )
    recover.add_argument("name")
    recover.add_argument(
        "--recovery-key-file", required=True, help=_("file with the organisation's private key")
    )
    recover.add_argument("--new-passphrase-file", help=_("the new passphrase ('-': stdin)"))
    for sub_parser in (add, u_list, remove, recover):
        _global_options(sub_parser, suppress=True)

    db = commands.add_parser("db", help=_("database maintenance"))
    _global_options(db, suppress=True)
    db_commands = db.add_subparsers(dest="db_command", metavar="COMMAND")
    check = db_commands.add_parser(
        "check", help=_("check the database, the audit chain and the backups")
    )
    _global_options(check, suppress=True)
    restore = db_commands.add_parser(
        "restore",
        help=_("put the newest sound backup (or BACKUP) in place of a damaged database"),
    )
    restore.add_argument("backup", nargs="?", type=Path, metavar="BACKUP")
    _global_options(restore, suppress=True)

    device = commands.add_parser(
        "device", help=_("this laptop's enrolment with the central system")
    )
    _global_options(device, suppress=True)
    d_commands = device.add_subparsers(dest="device_command", metavar="COMMAND")
    enrol = d_commands.add_parser(
        "enrol", help=_("enrol this laptop with a one-time code from the municipality's admin")
    )
    _global_options(enrol, suppress=True)
    enrol.add_argument("--server", required=True, metavar="URL", help=_("the central server"))
    enrol.add_argument("--code", required=True, metavar="CODE", help=_("the one-time code"))

    sync = commands.add_parser(
        "sync",
        help=_("send discussed and final plans to the central system"),
        description=_(
            "Send every frozen plan revision that is waiting. Exit 0: done, nothing to do, or "
            "deferred (the server could not be reached; tried again later). Exit 1: an error. "
            "Exit 2: a person must look (a conflict, a rejected record, a refused "
            "questionnaire, or a device the server refused or revoked)."
        ),
    )
    _global_options(sync, suppress=True)
    sync.add_argument("--server", metavar="URL", help=_("another server than the enrolled one"))

    export = commands.add_parser(
        "export", help=_("write an interview's latest discussed or final plan to a file")
    )
    _global_options(export, suppress=True)
    export.add_argument("id", nargs="?", metavar="ID", help=_("interview id"))
    export.add_argument(
        "--all", action="store_true", help=_("every interview, into the folder --out")
    )
    export.add_argument("--out", required=True, type=Path, help=_("file (or folder with --all)"))
    export.add_argument("--format", choices=["json", "html"], default="json")
    export.add_argument(
        "--seal",
        action="store_true",
        help=_("encrypt to the organisation's key (age); the only way health answers leave"),
    )
    export.add_argument("--force", action="store_true", help=_("overwrite existing files"))

    person = commands.add_parser("person", help=_("a newcomer's privacy rights: access, erasure"))
    _global_options(person, suppress=True)
    p_commands = person.add_subparsers(dest="person_command", metavar="COMMAND")
    p_export = p_commands.add_parser(
        "export",
        help=_(
            "everything stored about one newcomer, for them: JSON, or a page in Dutch and "
            "their language (--format html)"
        ),
    )
    p_export.add_argument("id", metavar="ID")
    p_export.add_argument("--out", required=True, type=Path)
    p_export.add_argument("--format", choices=["json", "html"], default="json")
    p_export.add_argument("--force", action="store_true")
    p_erase = p_commands.add_parser("erase", help=_("erase a draft case (never finalized)"))
    p_erase.add_argument("id", metavar="ID")
    for sub_parser in (p_export, p_erase):
        _global_options(sub_parser, suppress=True)

    cases = commands.add_parser("cases", help=_("the cases on this laptop"))
    _global_options(cases, suppress=True)
    c_commands = cases.add_subparsers(dest="cases_command", metavar="COMMAND")
    c_list = c_commands.add_parser(
        "list",
        help=_("every case: id, name, status, plan status, PIP due date, last change"),
        description=_(
            "List every case on this laptop as a table, or with --json as a JSON list of "
            "objects with id, name, status, plan_status, pip_due, next_talk_due and updated_at."
        ),
    )
    _global_options(c_list, suppress=True)
    c_list.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    c_migrate = c_commands.add_parser(
        "migrate",
        help=_("move a draft to a newer version of its questionnaire"),
        description=_(
            "Move a draft interview to a newer version of its questionnaire on this laptop (the "
            "newest, or --to VERSION). Answers follow renamed questions and options; answers "
            "that no longer fit are listed first and kept aside as history, never dropped. A "
            "finalized interview is never moved: reopen it first."
        ),
    )
    _global_options(c_migrate, suppress=True)
    c_agreements = c_commands.add_parser(
        "agreements",
        help=_("print a follow-up conversation's agreements for the newcomer (HTML)"),
        description=_(
            "Write one page, in Dutch and the newcomer's language, with what was agreed in a "
            "follow-up conversation (what, who, by when) and the date of the next one."
        ),
    )
    _global_options(c_agreements, suppress=True)
    c_agreements.add_argument("id", metavar="ID", help=_("the follow-up conversation's id"))
    c_agreements.add_argument("--out", required=True, type=Path)
    c_agreements.add_argument("--force", action="store_true")
    c_migrate.add_argument("id", metavar="ID", help=_("interview id"))
    c_migrate.add_argument("--to", metavar="VERSION", help=_("the version to move to"))
    c_migrate.add_argument(
        "--dry-run", action="store_true", help=_("only list what would happen; change nothing")
    )

    demo = commands.add_parser("demo", help=_("a demo data folder with synthetic intakes"))
    _global_options(demo, suppress=True)
    demo.add_argument("--no-tui", action="store_true", help=_("only make the demo folder"))
    return parser


def _import_parser(q_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = q_commands.add_parser(
        "import-xlsform",
        help=_("make a bundle folder from an XLSForm (ODK, KoboToolbox)"),
        description=_(
            "Read an XLSForm (.xlsx, .xls or a survey .csv) with pyxform and write a bundle "
            "folder: questionnaire.yaml, translations/<lang>.po, choice lists and IMPORT-REPORT.md "
            "listing everything not carried over, with its sheet and row."
        ),
    )
    _global_options(importer, suppress=True)
    importer.add_argument("form", type=Path, metavar="FORM", help=_("the XLSForm"))
    importer.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help=_("the new bundle folder")
    )
    importer.add_argument(
        "--strict", action="store_true", help=_("exit 1 when the report has any line")
    )
    importer.add_argument(
        "--source-language",
        metavar="LANG",
        help=_("the language of the untagged label column (default: en)"),
    )


def _export_parser(q_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exporter = q_commands.add_parser(
        "export-xlsform",
        help=_("write a bundle as an XLSForm (ODK, KoboToolbox)"),
        description=_(
            "Write a bundle folder as an XLSForm with purpose and sensitivity columns; a "
            "'bundle' column keeps what XLSForm cannot say, so import-xlsform gives the bundle "
            "back. plan.yaml and CSV lists are copied beside the file."
        ),
    )
    _global_options(exporter, suppress=True)
    exporter.add_argument("path", type=Path, metavar="DIR", help=_("the bundle folder"))
    exporter.add_argument(
        "--out", type=Path, required=True, metavar="FORM.xlsx", help=_("the XLSForm to write")
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    lang = _peek_option(arguments, "--lang") or os.environ.get("INTAKE_TUI_LANG")
    if lang:
        set_language(lang)
    try:
        bare = bare_start(arguments)
        if bare is not None:  # only global options: the app itself, without the whole parser
            return run_tui(bare.data_dir, user=bare.user, lang=lang)
        parser = build_parser()
        options = parser.parse_args(arguments)
        if options.command == "questionnaire" and options.questionnaire_command == "validate":
            return _validate(options.paths, strict=options.strict)
        if options.command == "questionnaire" and options.questionnaire_command == "translations":
            return _translations(options.path, update=options.update, init=options.init)
        if options.command == "questionnaire" and options.questionnaire_command == "import-xlsform":
            from intake_tui.xlsform.command import run_import

            return run_import(
                options.form, options.out, strict=options.strict, source=options.source_language
            )
        if options.command == "questionnaire" and options.questionnaire_command == "export-xlsform":
            from intake_tui.xlsform.command import run_export

            return run_export(options.path, options.out)
        if options.command == "questionnaire" and options.questionnaire_command == "preview":
            return _preview(options.path, options.client_lang, lang)
        if options.command in ("user", "db", "demo", "export", "person", "device", "sync", "cases"):
            from intake_tui import commands as store_commands

            return store_commands.run(options)
        if options.command == "questionnaire":
            parser.parse_args([*arguments, "--help"])
        if options.command is None:
            return run_tui(options.data_dir, user=options.user, lang=lang)
        parser.print_help()
        return EXIT_OK
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except SystemExit as stop:  # argparse: --help, --version, usage errors
        return int(stop.code) if isinstance(stop.code, int) else EXIT_ERROR
    except Exception as error:  # never a traceback: it could show answers or names
        print(
            _("internal error ({kind}); please report it. Saved answers are safe.").format(
                kind=type(error).__name__
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR


def bare_start(arguments: list[str]) -> argparse.Namespace | None:
    """The options of `intake-tui [--data-dir D] [--user U] [--lang L] …` (start the app), or
    None when there is anything else (a command, --help, a typo): then the full parser, with
    its messages. Building that parser (every command, every translated help) costs the first
    frame several milliseconds (benchmarks/startup.py)."""
    parser = argparse.ArgumentParser(
        prog="intake-tui", add_help=False, allow_abbrev=False, exit_on_error=False
    )
    _global_options(parser, suppress=False)
    try:
        options, rest = parser.parse_known_args(arguments)
    except (argparse.ArgumentError, SystemExit):  # e.g. --lang without a value: the full
        return None  # parser says why, once
    return None if rest else options


def _peek_option(arguments: list[str], name: str) -> str | None:
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(name + "="):
            return argument.split("=", 1)[1]
    return None


def _translations(path: Path | None, *, update: bool, init: str | None = None) -> int:
    from intake_tui.core.catalog_update import update_catalogs
    from intake_tui.core.catalogs import CatalogError, coverage, format_coverage
    from intake_tui.core.questionnaire import BundleError, load_bundle, resolve_bundle_path
    from intake_tui.resources import builtin_bundle_dirs

    if update and path is None:
        # The built-in bundles live inside the installed package: never rewritten from here.
        print(_("--update needs the PATH of a bundle folder"), file=sys.stderr)
        return EXIT_ERROR
    if init is not None and path is None:
        print(_("--init needs the PATH of a bundle folder"), file=sys.stderr)
        return EXIT_ERROR
    targets = [path] if path is not None else builtin_bundle_dirs()
    try:
        for target in targets:
            if init is not None and not _init_catalog(target, init):
                return EXIT_ERROR
            if update:
                for result in update_catalogs(resolve_bundle_path(target)):
                    if not result.changed:  # not written: say so, not "0 added"
                        print(_("{file}: unchanged").format(file=result.path))
                        continue
                    print(
                        _(
                            "{file}: rewritten: {added} added, {outdated} now fuzzy, "
                            "{obsolete} dropped"
                        ).format(
                            file=result.path,
                            added=len(result.added),
                            outdated=len(result.outdated),
                            obsolete=len(result.obsolete),
                        )
                    )
            bundle = load_bundle(target)
            print(f"{bundle.id} {bundle.version}")
            print(format_coverage(coverage(bundle)))
    except BundleError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except CatalogError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _init_catalog(target: Path, lang: str) -> bool:
    """`translations --init LANG PATH`: write the new catalog; False (and why) when refused."""
    from intake_tui.core.catalog_update import CatalogInitError, init_catalog
    from intake_tui.core.questionnaire import (
        QUESTIONNAIRE_FILE,
        load_bundle,
        resolve_bundle_path,
    )
    from intake_tui.core.translations import bundle_messages

    folder = resolve_bundle_path(target)
    bundle = load_bundle(target)  # BundleError: reported by the caller
    try:
        written = init_catalog(bundle, folder, lang)
    except CatalogInitError as refused:
        print(str(refused), file=sys.stderr)
        return False
    total = len(bundle_messages(bundle))
    print(
        ngettext(
            "{file}: written, {n} text to translate",
            "{file}: written, {n} texts to translate",
            total,
        ).format(file=written, n=total)
    )
    if lang not in bundle.languages:
        print(
            _("Add {lang} to languages: in {file} to offer it in interviews.").format(
                lang=lang, file=folder / QUESTIONNAIRE_FILE
            )
        )
    return True


def _preview(path: Path, client_lang: str | None, lang: str | None) -> int:
    """`questionnaire preview`: a bundle that does not load is reported like `validate` does,
    and the TUI does not start."""
    from intake_tui.core.questionnaire import check_bundle

    bundle, problems = check_bundle(path)
    if problems or bundle is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    client = client_lang or bundle.spec.source_language
    if client not in bundle.languages:
        print(
            _("{lang} is not a language of this bundle ({languages})").format(
                lang=client, languages=", ".join(bundle.languages)
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR
    set_language(lang or "nl")  # the caseworker's screens; no data folder to read a setting from
    from intake_tui.ui.preview import run_preview

    return run_preview(bundle, client)


def _validate(paths: list[Path], *, strict: bool = False) -> int:
    from intake_tui.core.catalogs import unreviewed_languages
    from intake_tui.core.questionnaire import check_bundle
    from intake_tui.core.text_refs import translation_warnings
    from intake_tui.resources import builtin_bundle_dirs

    targets = paths or builtin_bundle_dirs()
    if not targets:
        print(_("no built-in questionnaire bundles found"), file=sys.stderr)
        return EXIT_ERROR
    failed = False
    for target in targets:
        bundle, problems = check_bundle(target)
        if problems or bundle is None:
            failed = True
            for problem in problems:
                print(problem, file=sys.stderr)
            print(
                ngettext("{path}: {n} problem", "{path}: {n} problems", len(problems)).format(
                    path=target, n=len(problems)
                ),
                file=sys.stderr,
            )
            continue
        # Advice: the bundle is valid and runs as written. Catalogs are read here, not at load.
        warnings = [*bundle.warnings, *translation_warnings(bundle)]
        for warning in warnings:
            print(warning, file=sys.stderr)
        questions = len(bundle.value_questions())
        sections = len(bundle.sections)
        summary = _(
            "{id} {version}: valid — {questions}, {sections}, languages: {languages}"
        ).format(
            id=bundle.id,
            version=bundle.version,
            questions=ngettext("{n} question", "{n} questions", questions).format(n=questions),
            sections=ngettext("{n} section", "{n} sections", sections).format(n=sections),
            languages=", ".join(bundle.languages),
        )
        # Information, never a reason to fail (not even under --strict): the app marks the texts.
        if unreviewed := unreviewed_languages(bundle):
            summary += "; " + _("unreviewed translations: {languages}").format(
                languages=", ".join(unreviewed)
            )
        print(summary)
        if strict and warnings:
            failed = True
            count = len(warnings)
            print(
                ngettext(
                    "{path}: fails because of {n} warning under --strict",
                    "{path}: fails because of {n} warnings under --strict",
                    count,
                ).format(path=target, n=count),
                file=sys.stderr,
            )
    return EXIT_ERROR if failed else EXIT_OK
