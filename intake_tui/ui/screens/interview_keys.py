"""The interview's keys: data, each with an id (config.toml [keys] overrides it) and a tooltip.

The footer shows only what matters most, so that it fits 80 columns in Dutch without cutting:
moving on, review (and F9 when a restored draft is there to throw away), besides the app's help
and the command palette. F1 help lists every key, the ones with `show=False` included (Page Up,
Escape back to the cases, the app's lock and quit among them).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType

from intake_tui.i18n import N_


def _b(key: str, action: str, text: str, id: str, tip: str, **options: Any) -> Binding:
    return Binding(key, action, text, id=f"interview.{id}", tooltip=tip, **options)


INTERVIEW_BINDINGS: list[BindingType] = [
    # Priority: Page Down/Up always move between questions, also from inside a choice list
    # (which would otherwise page through its options).
    _b("pagedown", "next", N_("Next"), "next", N_("Next question"), priority=True),
    _b(
        "pageup",
        "previous",
        N_("Previous"),
        "previous",
        N_("Previous question"),
        priority=True,
        show=False,
    ),
    _b("f2", "unknown", N_("Don't know"), "unknown", N_("Answer: don't know"), show=False),
    _b(
        "f3",
        "declined",
        N_("Prefer not to say"),
        "declined",
        N_("Answer: prefer not to say"),
        show=False,
    ),
    _b("ctrl+z", "undo", N_("Undo"), "undo", N_("Undo the last answer"), show=False),
    _b("f4", "add_instance", N_("Add"), "add", N_("Add an entry to this list"), show=False),
    _b("f5", "review", N_("Review"), "review", N_("All answers, and finalize")),
    # Escape is shown by every other screen's footer; here the room goes to F9 with a draft.
    _b("escape", "close", N_("Cases"), "close", N_("Back to the cases"), show=False),
    _b(
        "f6",
        "remove_instance",
        N_("Remove"),
        "remove",
        N_("Remove the last entry of this list (ctrl+z brings it back)"),
        show=False,
    ),
    _b(
        "ctrl+f",
        "flag",
        N_("Flag"),
        "flag",
        N_("Flag this question to come back to"),
        show=False,
    ),
    _b(
        "ctrl+n",
        "note",
        N_("Note"),
        "note",
        N_("A note for yourself on this question (never exported)"),
        show=False,
    ),
    _b(
        "f7",
        "newcomer_view",
        N_("Newcomer view"),
        "newcomer_view",
        N_("The question in the newcomer's language only, large"),
        show=False,
    ),
    _b(
        "shift+up",
        "move_entry(-1)",
        N_("Move up"),
        "move_up",
        N_("Move the selected entry of a list up"),
        show=False,
    ),
    _b(
        "shift+down",
        "move_entry(1)",
        N_("Move down"),
        "move_down",
        N_("Move the selected entry of a list down"),
        show=False,
    ),
    _b(
        "f8",
        "move_version",
        N_("New version"),
        "move_version",
        N_("Move this draft to the newer version of its questionnaire"),
    ),
    _b(
        "f9",
        "discard_draft",
        N_("Discard"),
        "discard_draft",
        N_("Throw away the restored unsaved text"),
    ),
]
