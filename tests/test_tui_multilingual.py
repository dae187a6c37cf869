"""The interview in two languages, driven by keys as a caseworker would: right-to-left lines as
the terminal receives them, visible fallback and outdated marks, the newcomer's own view, the
language recorded with each answer, type-to-filter, reordering entries, long text and jumping
to a question from the command palette."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, OptionList, TextArea

from intake_tui.core.catalogs import Localizer
from intake_tui.core.engine import Step
from intake_tui.i18n.bidi import display_lines, shape_line
from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import make_app, open_case, unlock, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_tui.demo import open_or_make_demo

    return open_or_make_demo(tmp_path_factory.mktemp("ml") / "demo", kdf=TEST_KDF).root


def po_text(bundle: Any, lang: str, key: str) -> str:
    """The translation in the catalog file itself, read without the app's own code."""
    import io

    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(bundle.files[f"translations/{lang}.po"]))
    return next(str(m.string) for m in catalog if m.context == key)


def first_step(screen: Any, kind: str | tuple[str, ...]) -> Step:
    """The first visible question of `kind` put to the newcomer (not `audience: caseworker`)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    items = screen.bundle.items
    return next(
        s
        for s in screen.engine.steps()
        if items[s.id].type in kinds and not items[s.id].for_caseworker
    )


async def test_arabic_question_lines_are_emitted_shaped_reordered_and_right_aligned(
    demo_dir: Path,
) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Rami")  # Arabic
        step = first_step(screen, "choice")
        screen.jump_to(step)
        await pilot.pause(0.05)
        label = screen.query_one("#label-newcomer")
        logical = po_text(screen.bundle, "ar", f"question.{step.id}.label")
        assert label.text == logical  # stored and held in logical order
        width = label.size.width
        expected = display_lines(logical, width, rtl=True, mode="app")
        emitted = [label.render_line(y).text for y in range(len(expected))]
        assert [line.rstrip() for line in emitted] != [logical]  # not the logical string
        for line, visual in zip(emitted, expected, strict=True):
            assert line.endswith(visual)  # right-aligned: padding on the left
            assert line[: len(line) - len(visual)].strip() == ""
        # The first display line holds the first words of the question.
        first_word = logical.split()[0]
        assert shape_line(first_word) in emitted[0]
        mark = str(screen.query_one("#newcomer-mark").render())
        assert "unreviewed translation" in mark
        # Choices carry the newcomer's words, shaped, beside the caseworker's.
        prompt = screen.query_one("#field-choice", OptionList).get_option_at_index(0).prompt
        _code, _mine, theirs = screen.texts.choices(screen.bundle.items[step.id])[0]
        assert prompt.theirs == theirs and prompt.rtl  # drawn by display_lines, right to left


async def test_terminal_rendering_mode_sends_logical_text(demo_dir: Path) -> None:
    app = make_app(demo_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot)
        pilot.app.rtl_rendering = "terminal"  # Konsole, mlterm: they order it themselves
        pilot.app.screen.query_one("#search", Input).value = "Rami"
        await pilot.pause(0.1)
        pilot.app.screen.query_one("#cases", DataTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        screen = pilot.app.screen
        step = first_step(screen, "choice")
        screen.jump_to(step)
        await pilot.pause(0.05)
        label = screen.query_one("#label-newcomer")
        logical = po_text(screen.bundle, "ar", f"question.{step.id}.label")
        emitted = " ".join(label.render_line(y).text.strip() for y in range(3))
        assert logical.split()[0] in emitted


async def test_tigrinya_is_left_to_right_and_unchanged(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Semhar")
        step = first_step(screen, "choice")
        screen.jump_to(step)
        await pilot.pause(0.05)
        label = screen.query_one("#label-newcomer")
        logical = po_text(screen.bundle, "ti", f"question.{step.id}.label")
        first = label.render_line(0).text
        assert first.startswith(logical.split()[0])  # no reordering, left-aligned


async def test_fallback_and_outdated_translations_are_marked_never_silent(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")  # Dari
        step = first_step(screen, "choice")
        key = f"question.{step.id}.label"
        source = screen.bundle.items[step.id].label
        files = dict(screen.bundle.files)
        # Dari lacks this text: it falls back to Persian, with a mark naming Persian.
        prs = files["translations/prs.po"].decode()
        entry = f'msgctxt "{key}"'
        start = prs.index(entry)
        end = prs.index("\n\n", start)
        files["translations/prs.po"] = (prs[:start] + prs[end + 2 :]).encode()
        screen.texts.localizer = Localizer(dataclasses.replace(screen.bundle, files=files))
        screen.show(step)
        await pilot.pause(0.05)
        assert screen.query_one("#label-newcomer").text == po_text(screen.bundle, "fa", key)
        mark = str(screen.query_one("#newcomer-mark").render())
        assert "not translated; shown in Persian" in mark
        # The answer records the language the newcomer actually saw.
        shown = screen.query_one("#field-choice").shown
        # An option other than the persona's answer, so that the answer is saved anew.
        number = next(n for n, o in enumerate(shown, 1) if o.code != screen.engine.value(step.id))
        await pilot.press(str(number), *(["enter"] if len(shown) > 9 else []))
        await pilot.pause(0.05)
        assert stored_language(pilot.app.store, screen.interview_id, step.id) == "fa"
        # Now the Dari is there but was made from older Dutch: shown, marked maybe outdated.
        files["translations/prs.po"] = prs.replace(
            f'{entry}\nmsgid "{source}"', f'{entry}\nmsgid "Een oudere tekst"', 1
        ).encode()
        assert files["translations/prs.po"] != prs.encode()
        screen.texts.localizer = Localizer(dataclasses.replace(screen.bundle, files=files))
        screen.show(step)
        await pilot.pause(0.05)
        assert screen.query_one("#label-newcomer").text == po_text(screen.bundle, "prs", key)
        mark = str(screen.query_one("#newcomer-mark").render())
        assert "translation may be outdated" in mark


def stored_language(store: Any, interview_id: str, question_id: str) -> str | None:
    with store.session() as session:
        row = (
            session.connection()
            .exec_driver_sql(
                "SELECT language_shown FROM answer WHERE interview_id = ? AND question_id = ?",
                (interview_id, question_id),
            )
            .first()
        )
    return None if row is None else row[0]


async def test_each_answer_records_the_language_shown(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Hodan")  # Somali
        step = first_step(screen, "yes_no")
        screen.jump_to(step)
        await pilot.pause(0.05)
        options = screen.query_one("#field-choice", OptionList)
        assert options.get_option_at_index(0).prompt.theirs == "haa"  # Somali "yes"
        await pilot.press("2")
        await pilot.pause(0.05)
        assert screen.engine.value(step.id, step.instance) is False
        assert stored_language(pilot.app.store, screen.interview_id, step.id) == "so"


async def test_newcomer_view_shows_only_their_language_and_numbers_choose(
    demo_dir: Path,
) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, "Abdullah")  # Arabic, in progress
        step = first_step(screen, "yes_no")
        screen.jump_to(step)
        await pilot.pause(0.05)
        await pilot.press("f7")
        await wait_for(pilot, "NewcomerView")
        view = pilot.app.screen
        texts = [w.text for w in view.query("BidiLabel")]
        assert po_text(screen.bundle, "ar", f"question.{step.id}.label") in texts
        assert "1  نعم" in texts and "2  لا" in texts
        assert "ترجمة آلية لم يراجعها أحد" in " ".join(texts)  # the unreviewed mark, in Arabic
        dutch = screen.bundle.items[step.id].label
        assert all(dutch not in t for t in texts)
        await pilot.press("1")
        await wait_for(pilot, "InterviewScreen")
        assert screen.engine.value(step.id, step.instance) is True


async def test_letters_filter_a_long_choice_list_and_escape_clears_first(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        step = Step("gesprekstaal", None)  # a list of every language
        screen.jump_to(step)
        await pilot.pause(0.05)
        options = screen.query_one("#field-choice", OptionList)
        everything = options.option_count
        await pilot.press("t", "i", "g")
        await pilot.pause(0.05)
        assert 0 < options.option_count < everything
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Tigrinya" in p for p in prompts)
        assert all("tig" in p.lower() for p in prompts)
        await pilot.press("backspace")
        await pilot.pause(0.05)
        assert options.option_count >= len(prompts)
        await pilot.press("escape")  # clears the filter, does not close the interview
        await pilot.pause(0.05)
        assert type(pilot.app.screen).__name__ == "InterviewScreen"
        assert options.option_count == everything
        await pilot.press("t", "i", "g", "r")
        await pilot.pause(0.05)
        tigrinya = next(
            i
            for i in range(options.option_count)
            if "Tigrinya" in str(options.get_option_at_index(i).prompt)
        )
        options.highlighted = tigrinya
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert screen.engine.value("gesprekstaal") == "ti"


async def test_entries_of_a_list_can_be_reordered_and_the_order_is_kept(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        repeat = "werkervaring"
        screen.jump_to(Step(repeat, None))
        await pilot.pause(0.05)
        while len(screen.engine.instances(repeat)) < 2:
            await pilot.press("f4")
            await pilot.pause(0.05)
        before = screen.engine.instances(repeat)
        entries = screen.query_one("#field-entries", OptionList)
        entries.focus()
        entries.highlighted = 0
        await pilot.press("shift+down")
        await pilot.pause(0.05)
        after = screen.engine.instances(repeat)
        assert after[1] == before[0] and after[0] == before[1]
        assert entries.highlighted == 1
        from intake_tui.store import interviews

        stored = interviews.open_interview(pilot.app.store, screen.interview_id)
        assert stored.interview.instances(repeat) == after


async def test_long_text_is_a_multi_line_field_saved_by_page_down(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        step = first_step(screen, "longtext")
        screen.jump_to(step)
        await pilot.pause(0.05)
        area = screen.query_one("#field-long", TextArea)
        assert area.has_focus
        area.text = ""
        await pilot.press(*"eerste", "enter", *"tweede")
        await pilot.pause(0.05)
        await pilot.press("pagedown")
        await pilot.pause(0.05)
        assert screen.engine.value(step.id, step.instance) == "eerste\ntweede"
        assert screen.step != step


async def test_a_date_field_says_its_format_and_a_typed_value_is_not_lost(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        step = first_step(screen, "date")
        screen.jump_to(step)
        await pilot.pause(0.05)
        field = screen.query_one("#field-text", Input)
        assert field.placeholder == "dd-mm-yyyy"
        field.value = "31-02-2020"
        await pilot.press("pagedown")  # an invalid date stops the move, with the reason
        await pilot.pause(0.05)
        assert screen.step == step
        assert str(screen.query_one("#message").render())
        field.value = "01-11-2026"
        await pilot.press("pagedown")  # a valid typed date is saved on the way
        await pilot.pause(0.05)
        assert screen.engine.value(step.id, step.instance).isoformat() == "2026-11-01"


async def test_the_command_palette_jumps_to_a_question(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        target = [s for s in screen.engine.steps() if s.instance is None][-3]
        await pilot.press("ctrl+p")
        await wait_for(pilot, "IntakeCommandPalette")
        palette = pilot.app.screen
        assert palette.query_one(Input).placeholder == "Search for commands…"
        await pilot.press(*target.id)
        commands = palette.query_one("CommandList")
        for _ in range(100):  # the search runs in the background: wait for its hits
            await pilot.pause(0.05)
            if commands.option_count and commands.highlighted is not None:
                break
        await pilot.press("enter")
        await wait_for(pilot, "InterviewScreen")
        await pilot.pause(0.05)
        assert screen.step == target


async def test_rtl_free_text_gets_a_live_preview(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Abdullah")
        step = first_step(screen, "text")
        screen.jump_to(step)
        await pilot.pause(0.05)
        preview = screen.query_one("#preview")
        assert not preview.display
        screen.query_one("#field-text", Input).value = "سلام عليكم"
        await pilot.pause(0.05)
        assert preview.display
        assert preview.text == "سلام عليكم"  # logical; drawn shaped
        assert preview.render_line(0).text.strip() == shape_line("سلام عليكم")
        screen.query_one("#field-text", Input).value = "Ahmad"
        await pilot.pause(0.05)
        assert not preview.display


async def test_f1_lists_the_keys_as_they_are_now_with_their_ids(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Farid")
        pilot.app.set_keymap({"interview.unknown": "f10"})
        await pilot.press("f1")
        await wait_for(pilot, "HelpScreen")
        lines = [str(label.render()) for label in pilot.app.screen.query("Label")]
        unknown = next(line for line in lines if "[interview.unknown]" in line)
        assert unknown.split()[0] == "f10"  # the override, not the default f2
        assert any("[app.lock]" in line for line in lines)
        assert screen is not pilot.app.screen


async def test_the_review_is_bilingual_with_the_newcomers_words_for_choices(
    demo_dir: Path,
) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        screen = await open_case(pilot, "Hodan")  # Somali, left to right
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        review = pilot.app.screen
        listing = review.query_one("#review", OptionList)
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        step = next(
            s
            for s in screen.engine.steps()
            if screen.bundle.items[s.id].type == "yes_no"
            and not screen.bundle.items[s.id].for_caseworker
            and screen.engine.value(s.id) is True
        )
        somali = po_text(screen.bundle, "so", f"question.{step.id}.label")
        line = next(
            p
            for p in prompts
            if p.splitlines()[0].startswith(f"  {screen.caseworker_text(step.id)}:")
        )
        assert line.splitlines()[1].startswith(f"{somali.split()[0]}")
        assert line.rstrip().endswith(": haa")  # Somali "yes"


async def test_the_review_draws_arabic_lines_right_aligned(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        await open_case(pilot, "Abdullah")
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        listing = pilot.app.screen.query_one("#review", OptionList)
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        arabic = [
            line
            for p in prompts
            for line in p.splitlines()[1:]
            if any("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in line)
        ]
        assert arabic
        # Padded on the left, in presentation forms (shaped), never the logical letters alone.
        assert all(line.startswith(" ") for line in arabic)
        assert any(any("\ufe70" <= c <= "\ufeff" for c in line) for line in arabic)


async def test_typing_an_answer_does_not_rearrange_the_screen(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widget import Widget

    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, "Farid")
        step = first_step(screen, "text")
        screen.jump_to(step)
        await pilot.pause(0.05)
        field = screen.query_one("#field-text", Input)
        field.value = ""
        await pilot.pause(0.05)
        layouts: list[str] = []
        original = Widget.refresh

        def spy(self: Widget, *args: Any, layout: bool = False, **kwargs: Any) -> Any:
            if layout:
                layouts.append(type(self).__name__)
            return original(self, *args, layout=layout, **kwargs)

        monkeypatch.setattr(Widget, "refresh", spy)
        text = "Een lange naam die breder is dan het veld zelf, om te zien dat het meeschuift"
        await pilot.press(*text)
        await pilot.pause(0.05)
        monkeypatch.undo()
        assert field.value == text
        assert layouts == []  # one full layout pass per key was the cost before
        assert field.scroll_x > 0  # the field still scrolls to keep the cursor in view
        assert field.virtual_size.width == len(text) + 1


async def test_the_command_palette_speaks_dutch_too(demo_dir: Path) -> None:
    from intake_tui.i18n import load_translations

    dutch = load_translations("nl")
    app = make_app(demo_dir)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await unlock(pilot)
            pilot.app.set_ui_language("nl")
            await pilot.press("ctrl+p")
            await wait_for(pilot, "IntakeCommandPalette")
            palette = pilot.app.screen
            assert palette.query_one(Input).placeholder == dutch.gettext("Search for commands…")
            await pilot.press(*"qqqxyz")
            commands = palette.query_one("CommandList")
            shown: list[str] = []
            for _ in range(100):  # "no matches" appears after Textual's own 0.5 s countdown
                await pilot.pause(0.05)
                shown = [
                    str(commands.get_option_at_index(i).prompt.renderable)
                    for i in range(commands.option_count)
                ]
                if shown:
                    break
            assert dutch.gettext("No matches found") in shown
            assert dutch.gettext("No matches found") != "No matches found"
    finally:
        app.set_ui_language("en")


async def test_screens_opened_later_show_their_keys_in_the_start_language(
    demo_dir: Path,
) -> None:
    """The caseworker starts in Dutch; screens whose classes load only when first opened
    (the interview, after unlocking) must show Dutch keys too, not the English source."""
    from intake_tui.i18n import load_translations, set_language

    dutch = load_translations("nl")
    set_language("nl")
    app = make_app(demo_dir)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            screen = await open_case(pilot, "Farid")
            footer = " ".join(str(key.render()) for key in screen.query("FooterKey"))
            assert dutch.gettext("Next") in footer and dutch.gettext("Next") != "Next"
            assert "Don't know" not in footer
    finally:
        app.set_ui_language("en")


def test_every_screen_of_ours_translates_its_keys_when_its_class_is_made() -> None:
    import importlib
    import pkgutil

    from textual.screen import Screen

    import intake_tui.ui.screens as screens
    from intake_tui.ui.keys import LocalizedBindings

    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"intake_tui.ui.screens.{module.name}")
    ours = [
        cls
        for cls in _subclasses(Screen)
        if cls.__module__.startswith("intake_tui.") and cls.BINDINGS
    ]
    assert len(ours) >= 10
    missing = [cls.__name__ for cls in ours if not issubclass(cls, LocalizedBindings)]
    assert missing == []


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_a_screen_module_loaded_after_start_gets_translated_keys() -> None:
    """In a fresh interpreter, as `intake-tui` runs: language first, app, then a late import."""
    import subprocess
    import sys

    from intake_tui.i18n import load_translations

    code = (
        "from intake_tui.i18n import set_language\n"
        "set_language('nl')\n"
        "from intake_tui.ui.app import IntakeApp\n"
        "app = IntakeApp(None)\n"
        "from intake_tui.ui.screens.interview import InterviewScreen\n"
        "print([b.description for _k, b in InterviewScreen._merged_bindings"
        " if b.id == 'interview.next'][0])\n"
        "print([b.description for _k, b in app._bindings if b.id == 'app.commands'][0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    dutch = load_translations("nl")
    assert done.stdout.split("\n")[:2] == [dutch.gettext("Next"), dutch.gettext("Commands")]
    assert dutch.gettext("Commands") != "Commands"
