"""A numbered choice list: letters filter it, digits pick what the screen shows beside them.

The numbers are always those of the list as it is shown: a filtered list is renumbered from 1,
so "2" is the second line on screen, never the second option of the full list. When more than
nine options are shown, a digit cannot mean one option yet ("1" may become "12"), so digits
go into a visible buffer, the highlight follows it, and Enter confirms; there is no timer.
With nine or fewer shown a digit picks at once. An exact match of the filter comes first.

One widget for single and multiple choice: in a multiple-choice list a pick toggles a tick
(`[x]` and `[ ]` differ in shape, not only colour) and exclusive options ("geen van deze")
clear the others (core/choices.py decides). Options wrap over as many lines as they need:
the newcomer's text is never cut (widgets/option_prompt.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from intake_tui.core.bundle_model import Item
from intake_tui.core.values import Answer
from intake_tui.i18n import N_, _
from intake_tui.i18n.bidi import RtlMode
from intake_tui.ui.widgets.option_prompt import OptionPrompt

BUFFER_FROM = 10  # from this many shown options on, digits wait for Enter


@dataclass(frozen=True)
class ChoiceItem:
    """One option as the list shows it."""

    code: str
    mine: str  # the caseworker's label
    theirs: str = ""  # the newcomer's label; empty when the newcomer's column is off
    exclusive: bool = False

    @property
    def value(self) -> str:  # as core/choices.py reads an option
        return self.code

    @property
    def label(self) -> str:
        return self.mine


def fold(text: str) -> str:
    """Text for matching typed letters: case and accents do not count."""
    from intake_tui.store.search import fold as store_fold

    return store_fold(text)


def type_digit(buffer: str, digit: str, count: int) -> tuple[str, int | None] | None:
    """A digit typed in a list showing `count` numbered options: (the new buffer, the number
    picked at once), or None when no line has that number. Up to nine lines a digit picks at
    once; from ten on the digits wait in the buffer for Enter ("2" may become "22")."""
    candidate = buffer + digit
    if not 1 <= int(candidate) <= count:
        return None
    if count < BUFFER_FROM:
        return "", int(candidate)
    return candidate, None


def rank(items: Sequence[ChoiceItem], wanted: str) -> list[ChoiceItem]:
    """The items matching `wanted` (folded): exact matches, then prefixes, then the rest."""
    if not wanted:
        return list(items)
    wanted = fold(wanted)
    ranked: list[tuple[int, int, ChoiceItem]] = []
    for position, item in enumerate(items):
        names = [fold(item.mine), fold(item.theirs)] if item.theirs else [fold(item.mine)]
        if any(name == wanted for name in names):
            ranked.append((0, position, item))
        elif any(name.startswith(wanted) for name in names):
            ranked.append((1, position, item))
        elif any(wanted in name for name in names):
            ranked.append((2, position, item))
    return [item for _group, _position, item in sorted(ranked, key=lambda r: r[:2])]


class ChoiceList(OptionList):
    """Options of one choice question, numbered as shown."""

    DEFAULT_CSS = """
    ChoiceList {
        height: auto;
        max-height: 16;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle",
            N_("Tick"),
            id="choice.toggle",
            show=False,
            tooltip=N_("Tick or untick the highlighted option"),
        ),
    ]

    class Picked(Message):
        """A single choice was made (`code`), or a multiple choice now holds `codes`."""

        def __init__(self, choice_list: ChoiceList, code: str, codes: tuple[str, ...]) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.code = code
            self.codes = codes

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    class StatusChanged(Message):
        """What the list is waiting for (a filter, a number), in words, or "" for nothing."""

        def __init__(self, choice_list: ChoiceList, text: str) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.text = text

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    def __init__(self, *, id: str | None = None, rtl: bool = False, mode: RtlMode = "app") -> None:
        super().__init__(id=id)
        self.items: list[ChoiceItem] = []
        self.chosen: tuple[str, ...] = ()
        self.multi = False
        self.read_only = False
        self.filter = ""
        self.buffer = ""
        self.proposed: str | None = None
        self._shown: list[ChoiceItem] = []
        self._shown_for: tuple[str, int] | None = None
        self.rtl = rtl
        self.mode: RtlMode = mode

    # -- what is shown --------------------------------------------------------------------------

    def load(
        self,
        items: Sequence[ChoiceItem],
        chosen: Collection[str],
        *,
        multi: bool,
        rtl: bool | None = None,
        mode: RtlMode | None = None,
        read_only: bool = False,
        proposed: str | None = None,
    ) -> None:
        """Show the options of a question; `chosen` are the codes answered now. The highlight
        starts on the chosen option, else on the `proposed` one (a default), else the first:
        never where the previous question's highlight happened to be."""
        self.items = list(items)
        self._shown_for = None
        self.multi = multi
        self.read_only = read_only
        self.rtl = self.rtl if rtl is None else rtl
        self.mode = self.mode if mode is None else mode
        self.chosen = tuple(item.code for item in self.items if item.code in set(chosen))
        self.filter = ""
        self.buffer = ""
        self.proposed = proposed
        self.highlighted = None
        self._fill()
        self._status()

    @property
    def shown(self) -> list[ChoiceItem]:
        """The options on screen, in screen order: number n is `shown[n - 1]`."""
        if self._shown_for != (self.filter, len(self.items)):
            self._shown = rank(self.items, self.filter)  # once per filter, not per key
            self._shown_for = (self.filter, len(self.items))
        return self._shown

    def _fill(self) -> None:
        shown = self.shown
        highlighted_code = None
        if self.highlighted is not None and self.highlighted < self.option_count:
            highlighted_code = self.get_option_at_index(self.highlighted).id
        self.clear_options()
        options = []
        for number, item in enumerate(shown, start=1):
            mine = item.mine
            if self.multi:
                mine = ("[x] " if item.code in self.chosen else "[ ] ") + mine
            elif item.code in self.chosen:
                mine = "● " + mine
            prompt = OptionPrompt(str(number), mine, item.theirs, rtl=self.rtl, mode=self.mode)
            options.append(Option(prompt, id=item.code))
        self.add_options(options)
        codes = [item.code for item in shown]
        if highlighted_code in codes and not self.filter:
            self.highlighted = codes.index(highlighted_code)
        elif not self.filter and self.chosen and self.chosen[0] in codes:
            self.highlighted = codes.index(self.chosen[0])
        elif not self.filter and not self.chosen and self.proposed in codes:
            self.highlighted = codes.index(self.proposed)
        elif codes:
            self.highlighted = 0

    def _status(self) -> None:
        parts = []
        count = len(self.shown)
        if self.filter:
            parts.append(
                _("Filter: {text}  ({n} shown; Backspace or Escape to clear)").format(
                    text=self.filter, n=count
                )
            )
        if self.buffer:
            parts.append(_("Number: {n} (Enter chooses)").format(n=self.buffer))
        elif count >= BUFFER_FROM and not self.read_only:
            parts.append(_("Type a number and press Enter, or letters to filter."))
        self.post_message(self.StatusChanged(self, "   ".join(parts)))

    # -- keys -----------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        handled = True
        if self.read_only:
            return
        if character.isdigit():
            self._digit(character)
        elif event.key == "enter" and self.buffer:
            self._confirm_buffer()
        elif event.key == "backspace" and (self.buffer or self.filter):
            if self.buffer:
                self.buffer = self.buffer[:-1]
            else:
                self.filter = self.filter[:-1]
                self._fill()
        elif event.key == "escape" and (self.buffer or self.filter):
            if self.buffer:
                self.buffer = ""
            else:
                self.filter = ""
                self._fill()
        elif character.isalpha() or (character == " " and self.filter and not self.multi):
            self.buffer = ""
            self.filter += character
            self._fill()
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()
            self._status()

    def _digit(self, digit: str) -> None:
        typed = type_digit(self.buffer, digit, len(self.shown))
        if typed is None:
            self.app.bell()  # no such line: the buffer keeps what it had
            return
        self.buffer, picked = typed
        if picked is not None:
            self.pick(self.shown[picked - 1].code)
        else:
            self.highlighted = int(self.buffer) - 1

    def _confirm_buffer(self) -> None:
        number = int(self.buffer)
        self.buffer = ""
        shown = self.shown
        if 1 <= number <= len(shown):
            self.pick(shown[number - 1].code)

    def action_toggle(self) -> None:
        if self.multi and not self.read_only and self.highlighted is not None:
            code = self.get_option_at_index(self.highlighted).id
            if code is not None:
                self.pick(code)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter or a click on a line: that line is the pick. Our own message replaces it.
        event.stop()
        if not self.read_only and event.option.id is not None:
            self.pick(event.option.id)

    # -- choosing -------------------------------------------------------------------------------

    def pick(self, code: str) -> None:
        """Choose `code` (single), or toggle it (multi); the screen saves and answers back."""
        if self.multi:
            from intake_tui.core.choices import toggle_choice

            codes = toggle_choice(self.items, self.chosen, code)
        else:
            codes = (code,)
        self.post_message(self.Picked(self, code, codes))

    def set_chosen(self, codes: Collection[str]) -> None:
        """The answer as stored now (after a save): ticks and marks follow it."""
        self.chosen = tuple(item.code for item in self.items if item.code in set(codes))
        self._fill()


def choice_items(
    texts: Iterable[tuple[str, str, str]], item: Item, *, bilingual: bool
) -> list[ChoiceItem]:
    """The options of `item` from its (code, caseworker's text, newcomer's text) triples."""
    exclusive = {c.value for c in item.choices or () if c.exclusive}
    return [
        ChoiceItem(code, mine, theirs if bilingual else "", code in exclusive)
        for code, mine, theirs in texts
    ]


def chosen_codes(current: Answer | None) -> tuple[str, ...]:
    """The option codes an answer holds (yes/no as "true"/"false"); () when not answered."""
    if current is None or current.state != "answered":
        return ()
    value = current.value
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    if isinstance(value, bool):
        return ("true" if value else "false",)
    return (str(value),)
