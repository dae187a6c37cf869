"""The interview: one question at a time, in the caseworker's and the newcomer's language.

Enter saves and moves on; "saved" appears only after the answer is committed to disk. F2 is
"weet niet", F3 "wil niet zeggen", ctrl+z undoes the last answer, page up/down move between
questions (saving what was typed), and the sidebar shows each section's progress. A validation
problem is shown next to the field, never in a dialog. Letters typed in a choice list filter
it; numbers choose. F7 turns the laptop into the newcomer's view: their language only, large.

The newcomer's text comes from the bundle's catalogs with a visible mark when it is a
fallback, may be outdated, or was never reviewed (core/catalogs.py); right-to-left text is
shaped and ordered for display only (i18n/bidi.py), and what is stored stays logical Unicode.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    SelectionList,
    TextArea,
)
from textual.widgets.option_list import Option

from intake_tui.core.display import show_answer
from intake_tui.core.engine import Step
from intake_tui.core.values import DECLINED, UNKNOWN, VALUE_TYPES, Answer, ValueProblem
from intake_tui.i18n import N_, _
from intake_tui.ui.answer_input import AnswerInput
from intake_tui.ui.bidi_label import BidiLabel
from intake_tui.ui.keys import LocalizedBindings

TEXT_TYPES = {"text", "integer", "decimal", "date", "year"}


def fold(text: str) -> str:
    """Text for matching typed letters: case and accents do not count."""
    from intake_tui.store.search import fold as store_fold

    return store_fold(text)


class QuestionProvider(Provider):
    """The command palette jumps to any visible question or section of the interview."""

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, InterviewScreen):
            return
        matcher = self.matcher(query)
        for section_id, progress in screen.engine.progress().items():
            if not progress.visible:
                continue
            title = _("Section: {name}").format(name=screen.caseworker_text(section_id))
            score = matcher.match(title)
            if score > 0:
                steps = screen.engine.steps(section_id)
                if steps:
                    yield Hit(score, matcher.highlight(title), _jump(screen, steps[0]))
        for step in screen.engine.steps():
            item = screen.bundle.items[step.id]
            label = screen.caseworker_text(step.id)
            # The question id is searchable too: a functional admin knows questions by id.
            score = max(matcher.match(label), matcher.match(step.id))
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    _jump(screen, step),
                    help=f"{screen.caseworker_text(item.section)} · {step.id}",
                )


def _jump(screen: InterviewScreen, step: Step) -> Any:
    return lambda: screen.jump_to(step)


class InterviewScreen(LocalizedBindings, Screen[None]):
    """One interview, question by question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Page Down/Up always move between questions, also from inside a choice list
        # (which would otherwise page through its options).
        Binding(
            "pagedown",
            "next",
            N_("Next"),
            id="interview.next",
            tooltip=N_("Next question"),
            priority=True,
        ),
        Binding(
            "pageup",
            "previous",
            N_("Previous"),
            id="interview.previous",
            tooltip=N_("Previous question"),
            priority=True,
        ),
        Binding(
            "f2",
            "unknown",
            N_("Don't know"),
            id="interview.unknown",
            tooltip=N_("Answer: don't know"),
        ),
        Binding(
            "f3",
            "declined",
            N_("Prefer not to say"),
            id="interview.declined",
            tooltip=N_("Answer: prefer not to say"),
        ),
        Binding(
            "ctrl+z", "undo", N_("Undo"), id="interview.undo", tooltip=N_("Undo the last answer")
        ),
        Binding(
            "f4",
            "add_instance",
            N_("Add"),
            id="interview.add",
            tooltip=N_("Add an entry to this list"),
        ),
        Binding(
            "f5",
            "review",
            N_("Review"),
            id="interview.review",
            tooltip=N_("All answers, and finalize"),
        ),
        Binding(
            "escape", "close", N_("Cases"), id="interview.close", tooltip=N_("Back to the cases")
        ),
        Binding(
            "f6",
            "remove_instance",
            N_("Remove"),
            id="interview.remove",
            show=False,
            tooltip=N_("Remove the last entry of this list (ctrl+z brings it back)"),
        ),
        Binding(
            "ctrl+f",
            "flag",
            N_("Flag"),
            id="interview.flag",
            tooltip=N_("Flag this question to come back to"),
        ),
        Binding(
            "ctrl+n",
            "note",
            N_("Note"),
            id="interview.note",
            tooltip=N_("A note for yourself on this question (never exported)"),
        ),
        Binding(
            "f7",
            "newcomer_view",
            N_("Newcomer view"),
            id="interview.newcomer_view",
            tooltip=N_("The question in the newcomer's language only, large"),
        ),
        Binding(
            "shift+up",
            "move_entry(-1)",
            N_("Move up"),
            id="interview.move_up",
            show=False,
            tooltip=N_("Move the selected entry of a list up"),
        ),
        Binding(
            "shift+down",
            "move_entry(1)",
            N_("Move down"),
            id="interview.move_down",
            show=False,
            tooltip=N_("Move the selected entry of a list down"),
        ),
    ]

    COMMANDS: ClassVar[set[Any]] = {QuestionProvider}

    def __init__(self, interview_id: str, *, start: Step | None = None) -> None:
        super().__init__()
        self.interview_id = interview_id
        self.step: Step | None = None
        self.start = start  # where to begin (after unlocking: the question the lock came at)
        self.filter = ""  # letters typed in a choice list
        self.shown_language: str | None = None  # the newcomer language shown for this step

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def resume_point(self) -> tuple[str, Step | None]:
        return (self.interview_id, self.step)

    def compose(self) -> ComposeResult:
        from intake_tui.i18n import current_language
        from intake_tui.store import interviews
        from intake_tui.ui.texts import BundleTexts

        app: Any = self.app
        self.opened = interviews.open_interview(self.store, self.interview_id)
        self.engine = self.opened.interview
        self.bundle = self.opened.bundle
        self.language = self.opened.summary.client_language
        self.ui_language = current_language()
        mode = getattr(app, "rtl_rendering", "app")
        self.texts = BundleTexts(self.bundle, self.ui_language, self.language, mode)
        self.localizer = self.texts.localizer
        self.rtl = self.texts.rtl
        display = getattr(app, "newcomer_display", "below")
        # The newcomer's column is left out when it would repeat the caseworker's own text.
        self.bilingual = display != "off" and self.language != self.ui_language
        yield Header()
        with Horizontal():
            # One widget, not a list item per section: every keystroke in an answer makes
            # Textual arrange the screen again, and fewer widgets keep that short.
            yield OptionList(id="sections")
            with Vertical(id="question-panel"):
                yield Label("", id="where", classes="hint")
                with Horizontal(id="texts", classes="-beside" if display == "beside" else ""):
                    with Vertical(id="texts-caseworker"):
                        yield Label("", id="label", classes="title")
                        yield Label("", id="hint", classes="hint")
                    with Vertical(id="texts-newcomer"):
                        yield BidiLabel(
                            "", rtl=self.rtl, mode=mode, id="label-newcomer", classes="newcomer"
                        )
                        yield BidiLabel("", rtl=self.rtl, mode=mode, id="hint-newcomer")
                        yield Label("", id="newcomer-mark", classes="marker")
                # One widget of each kind, shown as the question needs it (no remounting per
                # question: it keeps key-to-frame short).
                yield AnswerInput(id="field-text")
                yield BidiLabel("", rtl=True, mode=mode, id="preview", classes="newcomer")
                yield TextArea(id="field-long", soft_wrap=True, show_line_numbers=False)
                yield OptionList(id="field-choice")
                yield SelectionList[str](id="field-multi")
                yield OptionList(id="field-entries")
                yield Label("", id="field-info", classes="hint")
                yield Label("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "intake-tui"  # never a newcomer's name in the terminal title
        self.query_one("#texts-newcomer").display = self.bilingual
        current = self.opened.current_step
        start: Step | None = self.start if self.start in self.engine.steps() else None
        if current and start is None:
            question, _sep, instance = current.partition("#")
            candidate = Step(question, instance or None)
            if candidate in self.engine.steps():
                start = candidate
        self.show(start or self.engine.next_step(None))

    # -- texts in two languages -----------------------------------------------------------------

    def caseworker_text(self, item_id: str, field: str = "label") -> str:
        """A bundle text in the caseworker's language (the Dutch source for nl)."""
        return self.texts.caseworker(item_id, field)

    def newcomer_text(self, key: str, source: str) -> tuple[str, str, str]:
        """(text, language shown, status) of a bundle text in the newcomer's language."""
        found = self.localizer.text(key, source, self.language)
        return found.text, found.lang, found.status

    def _text_key(self, item_id: str, field: str) -> tuple[str, str]:
        return self.texts.key(item_id, field)

    def choice_texts(self, item: Any) -> list[tuple[str, str, str]]:
        """(code, caseworker label, newcomer label) for each option of a choice question."""
        return self.texts.choices(item)

    def shape(self, text: str) -> str:
        """One line of the newcomer's text as the terminal should draw it."""
        return self.texts.shape(text)

    # -- showing a question ---------------------------------------------------------------------

    def refresh_sections(self) -> None:
        sections = self.query_one("#sections", OptionList)
        highlighted = sections.highlighted
        sections.clear_options()
        for section_id, progress in self.engine.progress().items():
            if not progress.visible:
                continue
            mark = "✓" if progress.complete else ("!" if progress.missing_required else "·")
            if any(
                note.flagged and self.bundle.items[key[0]].section == section_id
                for key, note in self.opened.notes.items()
                if key[0] in self.bundle.items
            ):
                mark += "⚑"
            count = f"{progress.answered}/{progress.total}"
            label = self.caseworker_text(section_id)
            sections.add_option(Option(f"{mark} {count:>7}  {label}", id=section_id))
        if highlighted is not None and highlighted < sections.option_count:
            sections.highlighted = highlighted

    def relabel(self) -> None:
        """The UI language changed: the caseworker's texts follow at once."""
        from intake_tui.i18n import current_language

        self.ui_language = current_language()
        self.texts.ui_language = self.ui_language
        self.bilingual = (
            getattr(self.app, "newcomer_display", "below") != "off"
            and self.language != self.ui_language
        )
        self.query_one("#texts-newcomer").display = self.bilingual
        self.show(self.step)

    def show(self, step: Step | None) -> None:
        self.step = step
        self.filter = ""
        self.refresh_sections()
        text = self.query_one("#field-text", Input)
        long = self.query_one("#field-long", TextArea)
        choice = self.query_one("#field-choice", OptionList)
        multi = self.query_one("#field-multi", SelectionList)
        entries = self.query_one("#field-entries", OptionList)
        info = self.query_one("#field-info", Label)
        message = self.query_one("#message", Label)
        message.update("")
        for widget in (text, long, choice, info, multi, entries, self.query_one("#preview")):
            widget.display = False
        if step is None:
            self.shown_language = None
            self.query_one("#where", Label).update("")
            self.query_one("#label", Label).update(_("End of the questionnaire."))
            self.query_one("#hint", Label).update(_("Press escape to go back to the cases."))
            self._show_newcomer("", "", "ok", self.language)
            return
        item = self.bundle.items[step.id]
        where = self.caseworker_text(item.section)
        if step.instance is not None and item.repeat:
            position = self.engine.instances(item.repeat).index(step.instance) + 1
            where += f" › {self.caseworker_text(item.repeat)} {position}"
        self.query_one("#where", Label).update(where)
        required = " *" if self.engine.is_required(step.id, step.instance) else ""
        self.query_one("#label", Label).update(self.caseworker_text(step.id) + required)
        hint = self.caseworker_text(step.id, "hint") if item.is_question else ""
        key, source = self._text_key(step.id, "label")
        label_text, shown, status = self.newcomer_text(key, source)
        hint_key, hint_source = self._text_key(step.id, "hint")
        newcomer_hint = self.newcomer_text(hint_key, hint_source)[0] if hint_source else ""
        self.shown_language = shown
        self._show_newcomer(label_text, newcomer_hint, status, shown)
        current = self.engine.answer(step.id, step.instance)
        if current is not None and current.state != "answered":
            message.update(_("Answered: {answer}").format(answer=show_answer(item, current)))
        if item.type in TEXT_TYPES:
            text.value = (
                "" if current is None or current.state != "answered" else show_answer(item, current)
            )
            text.placeholder = {"date": _("dd-mm-yyyy"), "year": _("yyyy")}.get(item.type, "")
            if item.type == "date":
                hint = (hint + "  " if hint else "") + _("Date as dd-mm-yyyy, e.g. 31-12-1990.")
            text.display = True
            text.focus()
            self._update_preview(text.value)
        elif item.type == "longtext":
            long.text = "" if current is None or current.state != "answered" else str(current.value)
            long.display = True
            long.focus()
            info.update(_("Enter starts a new line; Page Down saves and goes on."))
            info.display = True
        elif item.type == "multi_choice":
            self._fill_multi(item)
            multi.highlighted = 0
            multi.display = True
            multi.focus()
            info.update(
                _("Space or a number chooses (saved at once); letters filter; Page Down goes on.")
            )
            info.display = True
        elif item.type in ("choice", "yes_no"):
            self._fill_choice(item)
            choice.display = True
            choice.focus()
            if len(self.choice_texts(item)) > 9:
                info.update(_("Letters filter the list; a number or Enter chooses."))
                info.display = True
            if current is not None and current.state == "answered":
                message.update(_("Answered: {answer}").format(answer=show_answer(item, current)))
        elif item.type == "repeat":
            self._fill_entries(step.id)
            count = len(self.engine.instances(step.id))
            info.update(
                _(
                    "{n} entries. F4 adds one, F6 removes the selected one, shift+up/down "
                    "move it; Enter opens it; Page Down goes on."
                ).format(n=count)
            )
            info.display = True
            if count:
                entries.display = True
                entries.focus()
            else:
                self.focus_panel()
        else:  # a note
            info.update(_("Press Enter to go on."))
            info.display = True
            self.focus_panel()
        self.query_one("#hint", Label).update(hint)

    def _show_newcomer(self, label: str, hint: str, status: Any, shown: str) -> None:
        from intake_tui.core.catalogs import marker

        self.query_one("#label-newcomer", BidiLabel).update(label)
        newcomer_hint = self.query_one("#hint-newcomer", BidiLabel)
        newcomer_hint.update(hint)
        newcomer_hint.display = bool(hint)
        # Never silent: a fallback, an outdated or an unreviewed text says so.
        mark = marker(status, shown, self.ui_language) if label else ""
        self.query_one("#newcomer-mark", Label).update(f"({mark})" if mark else "")

    def _fill_choice(self, item: Any) -> None:
        choice = self.query_one("#field-choice", OptionList)
        current = self.engine.answer(self.step.id, self.step.instance) if self.step else None
        chosen = current.value if current is not None and current.state == "answered" else None
        marker_code = ("true" if chosen else "false") if isinstance(chosen, bool) else chosen
        choice.clear_options()
        options = self.options_for(item)
        choice.add_options(options)
        codes = [o.id for o in options]
        choice.highlighted = codes.index(marker_code) if marker_code in codes else 0

    def _fill_multi(self, item: Any) -> None:
        multi = self.query_one("#field-multi", SelectionList)
        assert self.step is not None
        current = self.engine.answer(self.step.id, self.step.instance)
        chosen = current.value if current is not None and isinstance(current.value, tuple) else ()
        self._loading_multi = True
        multi.clear_options()
        multi.add_options([(prompt, code, code in chosen) for prompt, code in self._numbered(item)])
        self._loading_multi = False

    def _numbered(self, item: Any) -> list[tuple[str, str]]:
        """(prompt, code) of each option, numbered in the bundle's order, filtered."""
        found = []
        wanted = fold(self.filter)
        for index, (code, mine, theirs) in enumerate(self.choice_texts(item), start=1):
            if wanted and wanted not in fold(mine) and wanted not in fold(theirs):
                continue
            prompt = f"{index}  {mine}"
            if self.bilingual and theirs and theirs != mine:
                prompt += f"  ·  {self.shape(theirs)}"
            found.append((prompt, code))
        return found

    def _fill_entries(self, repeat: str) -> None:
        entries = self.query_one("#field-entries", OptionList)
        highlighted = entries.highlighted
        entries.clear_options()
        first = next(iter(self.bundle.items[repeat].children), None)
        for position, instance in enumerate(self.engine.instances(repeat), start=1):
            summary = "—"
            if first is not None and self.bundle.items[first].holds_value:
                summary = show_answer(self.bundle.items[first], self.engine.answer(first, instance))
            entries.add_option(Option(f"{position}  {summary}", id=instance))
        if entries.option_count:
            entries.highlighted = min(highlighted or 0, entries.option_count - 1)

    def _update_preview(self, value: str) -> None:
        from intake_tui.i18n.bidi import is_rtl_text

        preview = self.query_one("#preview", BidiLabel)
        show = bool(value) and is_rtl_text(value)
        if show or preview.display:
            preview.update(value if show else "")
            preview.display = show

    def on_input_changed(self, event: Input.Changed) -> None:
        # A live, correctly ordered preview of right-to-left free text: the Input itself
        # draws (and must store) logical order.
        if event.input.id == "field-text":
            self._update_preview(event.value)

    def focus_panel(self) -> None:
        self.query_one("#question-panel", Vertical).can_focus = True
        self.query_one("#question-panel", Vertical).focus()

    def options_for(self, item: Any) -> list[Option]:
        return [Option(prompt, id=code) for prompt, code in self._numbered(item)]

    # -- answering ------------------------------------------------------------------------------

    def parse_typed(self) -> tuple[bool, Answer | None]:
        """(ok, answer) from the text field or the long-text area of the current question."""
        assert self.step is not None
        item = self.bundle.items[self.step.id]
        if item.type == "longtext":
            text = self.query_one("#field-long", TextArea).text.strip()
            return True, (Answer.of(text) if text else None)
        text = self.query_one("#field-text", Input).value.strip()
        if not text:
            return True, None
        parse = VALUE_TYPES[item.type].parse
        assert parse is not None
        try:
            return True, Answer.of(parse(text))
        except ValueProblem as problem:
            self.query_one("#message", Label).update(str(problem))
            return False, None

    def commit_typed(self) -> bool:
        """Save typed text that differs from what is stored; False when it is not valid."""
        if self.step is None:
            return True
        item = self.bundle.items[self.step.id]
        if item.type not in TEXT_TYPES and item.type != "longtext":
            return True
        current = self.engine.answer(self.step.id, self.step.instance)
        if item.type == "longtext":
            typed = self.query_one("#field-long", TextArea).text.strip()
            stored = str(current.value) if current and current.state == "answered" else ""
        else:
            typed = self.query_one("#field-text", Input).value.strip()
            stored = show_answer(item, current) if current and current.state == "answered" else ""
        if typed == stored:
            return True
        ok, answer = self.parse_typed()
        if not ok:
            return False
        return self.save(answer, move_on=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "field-text" or self.step is None:
            return
        ok, answer = self.parse_typed()
        if ok:
            self.save(answer)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "sections":
            # Jump to the first question of the chosen section.
            steps = self.engine.steps(str(event.option.id))
            if steps:
                self.show(steps[0])
            return
        if event.option_list.id == "field-entries" and self.step is not None:
            instance = str(event.option.id)
            inside = [s for s in self.engine.steps() if s.instance == instance]
            if inside:
                self.show(inside[0])
            return
        if event.option_list.id != "field-choice" or self.step is None:
            return
        self.choose(str(event.option.id))

    def choose(self, code: str) -> None:
        """Answer the current choice question with the option `code`."""
        assert self.step is not None
        item = self.bundle.items[self.step.id]
        if item.type == "yes_no":
            self.save(Answer.of(code == "true"))
        else:
            self.save(Answer.of(code))

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        if getattr(self, "_loading_multi", False) or self.step is None:
            return
        # Every choice is committed at once; the screen stays on the question. Options
        # hidden by the filter stay chosen.
        item = self.bundle.items[self.step.id]
        shown = {code for _p, code in self._numbered(item)}
        current = self.engine.answer(self.step.id, self.step.instance)
        before = current.value if current is not None and isinstance(current.value, tuple) else ()
        kept = [code for code in before if code not in shown]
        chosen = set(kept) | set(event.selection_list.selected)
        ordered = tuple(c.value for c in item.choices or () if c.value in chosen)
        self.save(Answer.of(ordered) if ordered else None, move_on=False)

    def on_key(self, event: Any) -> None:
        focused = self.focused
        if self.step is None or not isinstance(focused, (OptionList, SelectionList)):
            return
        if focused.id not in ("field-choice", "field-multi"):
            return
        item = self.bundle.items[self.step.id]
        character = event.character or ""
        # Number keys choose: 1 is the first option (the caseworker reads the numbers aloud),
        # whatever the filter shows.
        if character.isdigit() and character != "0":
            texts = self.choice_texts(item)
            index = int(character) - 1
            if index < len(texts):
                event.stop()
                code = texts[index][0]
                if isinstance(focused, SelectionList):
                    self.toggle_multi(item, code)
                else:
                    self.choose(code)
            return
        # Letters filter the list; Backspace takes one back; Escape clears a filter first.
        if event.key == "backspace" and self.filter:
            self.filter = self.filter[:-1]
        elif event.key == "escape" and self.filter:
            self.filter = ""
        elif character.isalpha() or (character == " " and self.filter):
            if isinstance(focused, SelectionList) and character == " ":
                return  # space toggles in a multi-choice list
            self.filter += character
        else:
            return
        event.stop()
        event.prevent_default()
        self.apply_filter(item)

    def apply_filter(self, item: Any) -> None:
        info = self.query_one("#field-info", Label)
        if item.type == "multi_choice":
            self._fill_multi(item)
            widget: Any = self.query_one("#field-multi", SelectionList)
        else:
            self._fill_choice(item)
            widget = self.query_one("#field-choice", OptionList)
        if widget.option_count:
            widget.highlighted = 0
        if self.filter:
            info.update(
                _("Filter: {text}  ({n} shown; Backspace or Escape to clear)").format(
                    text=self.filter, n=widget.option_count
                )
            )
            info.display = True
        else:
            self.show(self.step)

    def toggle_multi(self, item: Any, code: str) -> None:
        assert self.step is not None
        current = self.engine.answer(self.step.id, self.step.instance)
        chosen = list(current.value) if current and isinstance(current.value, tuple) else []
        if code in chosen:
            chosen.remove(code)
        else:
            chosen.append(code)
        ordered = tuple(c.value for c in item.choices or () if c.value in chosen)
        if self.save(Answer.of(ordered) if ordered else None, move_on=False):
            self._fill_multi(item)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape clears a choice filter before it closes the interview.
        return not (action == "close" and self.filter)

    def key_enter(self, event: Any) -> None:
        # Only for a note or a list question, where the panel itself has the focus; from
        # anywhere else (the sidebar, a choice list) Enter belongs to that widget.
        panel = self.query_one("#question-panel", Vertical)
        if (
            self.focused is panel
            and self.step is not None
            and self.bundle.items[self.step.id].type in ("note", "repeat")
        ):
            event.stop()
            self.action_next()

    def save(self, answer: Answer | None, *, move_on: bool = True) -> bool:
        from intake_tui.store import interviews

        step = self.step
        assert step is not None
        problems = self.engine.validate(step.id, answer, step.instance)
        if problems:
            self.query_one("#message", Label).update("; ".join(problems))
            return False
        interviews.save_answer(
            self.store,
            self.interview_id,
            step.id,
            answer,
            step.instance,
            # The language the newcomer actually saw (a fallback shows another one).
            language_shown=self.shown_language if self.bilingual else None,
            current_step=step.id + (f"#{step.instance}" if step.instance else ""),
        )
        self.engine.set_answer(step.id, answer, step.instance)
        if move_on:
            self.show(self.engine.next_step(step))
        else:
            self.refresh_sections()
        self.query_one("#message", Label).update(_("✓ saved"))
        return True

    def action_unknown(self) -> None:
        if self.step is not None:
            self.save(UNKNOWN)

    def action_declined(self) -> None:
        if self.step is not None:
            self.save(DECLINED)

    def action_undo(self) -> None:
        from intake_tui.store import interviews

        undone = interviews.undo_last_answer(self.store, self.interview_id)
        if undone is None:
            self.query_one("#message", Label).update(_("Nothing to undo."))
            return
        self.engine.set_answer(undone.question_id, undone.restored, undone.instance)
        self.show(Step(undone.question_id, undone.instance))
        self.query_one("#message", Label).update(_("Undone."))

    def _is_repeat(self) -> bool:
        return self.step is not None and self.bundle.items[self.step.id].type == "repeat"

    def _save_instances(self, repeat: str) -> None:
        from intake_tui.store import interviews

        interviews.save_answer(self.store, self.interview_id, repeat, self.engine.answer(repeat))

    def action_add_instance(self) -> None:
        if not self._is_repeat():
            return
        assert self.step is not None
        repeat = self.step.id
        self.engine.add_instance(repeat)
        self._save_instances(repeat)
        self.show(self.step)
        entries = self.query_one("#field-entries", OptionList)
        entries.highlighted = entries.option_count - 1

    def _selected_entry(self) -> str | None:
        assert self.step is not None
        instances = self.engine.instances(self.step.id)
        entries = self.query_one("#field-entries", OptionList)
        index = entries.highlighted
        if index is not None and index < len(instances):
            return instances[index]
        return instances[-1] if instances else None

    def action_remove_instance(self) -> None:
        if not self._is_repeat():
            return
        assert self.step is not None
        instance = self._selected_entry()
        if instance is None:
            return
        # The entry's answers stay stored (listed as hidden); undo brings the entry back.
        self.engine.remove_instance(self.step.id, instance)
        self._save_instances(self.step.id)
        self.show(self.step)

    def action_move_entry(self, offset: int) -> None:
        if not self._is_repeat():
            return
        assert self.step is not None
        instance = self._selected_entry()
        instances = self.engine.instances(self.step.id)
        if instance is None:
            return
        position = instances.index(instance) + offset
        if not 0 <= position < len(instances):
            return
        self.engine.move_instance(self.step.id, instance, position)
        self._save_instances(self.step.id)
        self._fill_entries(self.step.id)
        self.query_one("#field-entries", OptionList).highlighted = position
        self.query_one("#message", Label).update(_("✓ saved"))

    def set_note(self, text: str | None = None, *, toggle_flag: bool = False) -> None:
        """Save the note and flag of the current question (text None keeps the text)."""
        from intake_tui.store import interviews

        assert self.step is not None
        key = (self.step.id, self.step.instance)
        note = self.opened.notes.get(key)
        flagged = (note.flagged if note else False) ^ toggle_flag
        text = text if text is not None else (note.text if note else "")
        interviews.set_note(
            self.store, self.interview_id, key[0], text, flagged=flagged, instance=key[1]
        )
        self.opened.notes[key] = interviews.Note(text, flagged)

    def action_flag(self) -> None:
        if self.step is None:
            return
        self.set_note(toggle_flag=True)
        flagged = self.opened.notes[(self.step.id, self.step.instance)].flagged
        self.query_one("#message", Label).update(
            _("⚑ flagged to come back to") if flagged else _("flag removed")
        )

    def action_note(self) -> None:
        if self.step is None:
            return
        note = self.opened.notes.get((self.step.id, self.step.instance))
        step = self.step

        def done(text: str | None) -> None:
            if text is not None and self.step == step:
                self.set_note(text)
                self.query_one("#message", Label).update(_("note saved"))

        self.app.push_screen(NoteScreen(note.text if note else ""), done)

    def action_newcomer_view(self) -> None:
        if self.step is None:
            return
        item = self.bundle.items[self.step.id]
        key, source = self._text_key(self.step.id, "label")
        label, shown, status = self.newcomer_text(key, source)
        hint_key, hint_source = self._text_key(self.step.id, "hint")
        hint = self.newcomer_text(hint_key, hint_source)[0] if hint_source else ""
        choices = []
        if item.type in ("choice", "yes_no", "multi_choice"):
            choices = [(code, theirs) for code, _mine, theirs in self.choice_texts(item)]
        from intake_tui.core.catalogs import marker

        mark = marker(status, shown, self.ui_language)
        step = self.step

        def chosen(code: str | None) -> None:
            if code is not None and self.step == step:
                if item.type == "multi_choice":
                    self.toggle_multi(item, code)
                else:
                    self.choose(code)

        view = NewcomerView(
            label,
            hint,
            choices,
            mark,
            rtl=self.rtl,
            lang=shown,
            unreviewed=self.localizer.is_unreviewed(shown),
        )
        self.app.push_screen(view, chosen)

    def jump_to(self, step: Step) -> None:
        """Show `step` (from the command palette), keeping what was typed."""
        if self.commit_typed() and step in self.engine.steps():
            self.show(step)

    def action_next(self) -> None:
        if self.step is not None and self.commit_typed():
            self.show(self.engine.next_step(self.step))

    def action_previous(self) -> None:
        if self.step is not None and self.commit_typed():
            self.show(self.engine.previous_step(self.step) or self.step)

    def action_close(self) -> None:
        if self.commit_typed():
            self.app.pop_screen()

    def action_review(self) -> None:
        from intake_tui.ui.screens.review import ReviewScreen

        if not self.commit_typed():
            return

        def jump(step: Step | None) -> None:
            from intake_tui.store import interviews

            # The review may have finalized the interview: reload what the screen holds.
            self.opened = interviews.open_interview(self.store, self.interview_id)
            self.engine = self.opened.interview
            self.show(step or self.step)

        self.app.push_screen(ReviewScreen(self.interview_id), jump)


class NewcomerView(LocalizedBindings, ModalScreen[str | None]):
    """The question for the newcomer alone: their language, large and calm, numbers to choose.

    A terminal cannot make letters bigger; space, bold and one option per line do the work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f7", "close", N_("Back"), id="newcomer.close"),
    ]

    def __init__(
        self,
        label: str,
        hint: str,
        choices: list[tuple[str, str]],
        mark: str,
        *,
        rtl: bool,
        lang: str = "nl",
        unreviewed: bool = False,
    ) -> None:
        super().__init__()
        self.lang = lang
        self.unreviewed = unreviewed
        self.label = label
        self.hint = hint
        self.choices = choices
        self.mark = mark
        self.rtl = rtl

    def compose(self) -> ComposeResult:
        mode = getattr(self.app, "rtl_rendering", "app")
        with VerticalScroll(id="newcomer-view"):
            yield BidiLabel(self.label, rtl=self.rtl, mode=mode, classes="big")
            if self.hint:
                yield BidiLabel(self.hint, rtl=self.rtl, mode=mode, classes="newcomer")
            for number, (_code, text) in enumerate(self.choices, start=1):
                yield BidiLabel(f"{number}  {text}", rtl=self.rtl, mode=mode, classes="big-choice")
            if self.mark:
                # Their language first: the mark is for the person reading the screen.
                from intake_tui.i18n.locale_format import unreviewed_notice

                if self.unreviewed:
                    notice = f"({unreviewed_notice(self.lang)})"
                    yield BidiLabel(notice, rtl=self.rtl, mode=mode, classes="marker")
                yield Label(f"({self.mark})", classes="marker")
            yield Label(_("F7 or Escape: back to the caseworker's view"), classes="hint")

    def on_key(self, event: Any) -> None:
        character = event.character or ""
        if character.isdigit() and character != "0" and int(character) <= len(self.choices):
            event.stop()
            self.dismiss(self.choices[int(character) - 1][0])

    def action_close(self) -> None:
        self.dismiss(None)


class NoteScreen(LocalizedBindings, ModalScreen[str | None]):
    """A note for the caseworker on one question; Enter keeps it, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="note.cancel"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Label(_("Note (for you only; never exported)"), classes="title")
            yield Input(value=self.text, id="note")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
