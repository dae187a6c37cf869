"""A writer process for the fault tests (tests/test_store_faults.py); not a test module itself.

    python tests/fault_writer.py DATA_DIR INTERVIEW_ID [--start N] [--count C] [--prefix P]
                                 [--questions q1,q2,...] [--size S] [--wait]

It unlocks DATA_DIR with the test passphrase (low test KDF costs), opens the interview and then
saves answers n = START, START+1, ...: answer n goes to question QUESTIONS[n % len(QUESTIONS)]
with the text value `value_for(prefix, n, size)`. It prints `ACK n` and flushes stdout only
after `save_answer` has returned, i.e. after the commit: an ACK is a promise that answer n is on
disk. `READY` is printed once the store is unlocked, `DONE` after COUNT answers (no COUNT: run
until killed). With --wait it reads one line from stdin after READY before it starts (so two
writers can be started together). A store error (e.g. `DiskFull`) is reported as one line
`ERROR <class> <message>` and exit status 3; anything else is a traceback and status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_QUESTIONS = ("voornamen", "achternaam", "competenties")
ERROR_STATUS = 3


def value_for(prefix: str, n: int, size: int = 0) -> str:
    """The text saved as answer n: `<prefix><n>`, padded with `|x...` to `size` characters."""
    text = f"{prefix}{n}"
    if size > len(text):
        text = (text + "|").ljust(size, "x")
    return text


def number_in(prefix: str, value: object) -> int | None:
    """n back from a value made by `value_for` (None when the value is not one of ours)."""
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    digits = value[len(prefix) :].split("|", 1)[0]
    return int(digits) if digits.isdigit() else None


def question_for(questions: tuple[str, ...], n: int) -> str:
    return questions[n % len(questions)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("interview_id")
    parser.add_argument("--start", type=int, default=1)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--prefix", default="v")
    parser.add_argument("--questions", default=",".join(DEFAULT_QUESTIONS))
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--wait", action="store_true")
    args = parser.parse_args(argv)
    questions = tuple(q for q in args.questions.split(",") if q)

    from intake_tui.core import Answer
    from intake_tui.store import interviews
    from intake_tui.store.database import DatabaseError
    from intake_tui.store.keyring import KeyringError
    from intake_tui.store.session import StoreError
    from tests.store_helpers import reopen

    out = sys.stdout
    try:
        store = reopen(args.data_dir)
        try:
            interviews.open_interview(store, args.interview_id)
            out.write("READY\n")
            out.flush()
            if args.wait:
                sys.stdin.readline()
            n = args.start
            while args.count is None or n < args.start + args.count:
                value = value_for(args.prefix, n, args.size)
                interviews.save_answer(
                    store, args.interview_id, question_for(questions, n), Answer.of(value)
                )
                # Only now, after the commit returned, is the answer promised to the parent.
                out.write(f"ACK {n}\n")
                out.flush()
                n += 1
        finally:
            store.close()
    except (DatabaseError, StoreError, KeyringError) as error:
        message = getattr(error, "message", str(error))
        out.write(f"ERROR {type(error).__name__} {message}\n")
        out.flush()
        return ERROR_STATUS
    out.write("DONE\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
