"""Regular expressions matched in linear time, with RE2 (the `google-re2` package, issue 18).

A bundle's patterns (the `pattern:` key of a text question, and the literal of `regex(x, '…')`
in an expression) come from whoever wrote the bundle. Python's `re` backtracks, so a pattern
such as ``(a+)+$`` can take exponential time on a short answer; RE2 never backtracks and matches
in time linear in the answer. What it cannot do that way (backreferences such as ``(a)\\1``,
lookaround) it refuses when the pattern is compiled, which is when the bundle loads.

`re2` is imported here, lazily, and nowhere else in `intake_tui.core`: the rest of the core
keeps to the standard library. Messages are RE2's, in English, like the expression compiler's;
the bundle loader puts them in its own translated sentence.
"""

from __future__ import annotations

import functools
from typing import Any, Final, Protocol

MAX_PATTERN_MEMORY: Final = 8 << 20  # bytes RE2 may use for one compiled pattern
_LOOKAROUND: Final = ("(?=", "(?!", "(?<=", "(?<!")
_BACKREFERENCE: Final = "(?P"  # (?P<name>…) is fine, so a refused (?P is (?P=name)


class PatternError(ValueError):
    """A pattern RE2 refuses; the message says why, in RE2's words."""


class Pattern(Protocol):
    """What this module uses of a compiled RE2 pattern."""

    def fullmatch(self, text: str) -> object | None: ...


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Pattern:
    """`pattern` compiled by RE2, or PatternError with RE2's reason (cached: bundles repeat)."""
    import re2  # lazily: the only import outside the standard library in the core

    options: Any = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.max_mem = MAX_PATTERN_MEMORY
    try:
        compiled: Pattern = re2.compile(pattern, options)
    except re2.error as error:
        raise PatternError(_reason(error)) from None
    except (TypeError, ValueError, UnicodeError) as error:  # e.g. a lone surrogate
        raise PatternError(str(error) or type(error).__name__) from None
    return compiled


def full_match(pattern: str, text: str) -> bool:
    """Whether all of `text` matches `pattern` (PatternError when RE2 refuses the pattern)."""
    return compile_pattern(pattern).fullmatch(text) is not None


def _reason(error: Exception) -> str:
    reason = error.args[0] if error.args else error
    if isinstance(reason, bytes):
        reason = reason.decode("utf-8", "replace")
    text = str(reason)
    if text.endswith(_BACKREFERENCE) or (
        "invalid escape sequence: \\" in text and text[-1:].isdigit()
    ):
        text += " (a backreference cannot be matched in linear time)"
    elif text.endswith(_LOOKAROUND):
        text += " (lookahead and lookbehind cannot be matched in linear time)"
    return text
