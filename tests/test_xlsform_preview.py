"""An imported XLSForm's Arabic labels land in ar.po and show right-to-left in
`questionnaire preview` (issue 20, "Done when"), on a synthetic Arabic/English form."""

from __future__ import annotations

from pathlib import Path

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.i18n.bidi import display_lines
from intake_tui.ui.preview import PreviewApp
from intake_tui.xlsform.writer import import_xlsform

from .xlsform_forms import write_form

ARABIC_LABEL = "ما هو اسمك الكامل؟"


async def test_arabic_labels_show_right_to_left_in_the_preview(tmp_path: Path, dutch: None) -> None:
    survey = [
        {"type": "text", "name": "full_name", "label::English (en)": "Your full name?",
         "label::Arabic (ar)": ARABIC_LABEL},
        {"type": "integer", "name": "age", "label::English (en)": "Age",
         "label::Arabic (ar)": "كم عمرك؟"},
    ]  # fmt: skip
    import_xlsform(write_form(tmp_path / "form.xlsx", survey), tmp_path / "bundle")
    po = (tmp_path / "bundle/translations/ar.po").read_text("utf-8")
    assert f'msgstr "{ARABIC_LABEL}"' in po
    app = PreviewApp(load_bundle(tmp_path / "bundle"), "ar", clock=FrozenClock.on("2026-11-28"))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "InterviewScreen" and app.screen.query(
                "#label-newcomer"
            ):
                break
        await pilot.pause(0.1)
        label = app.screen.query_one("#label-newcomer")
        assert label.text == ARABIC_LABEL  # type: ignore[attr-defined]
        expected = display_lines(ARABIC_LABEL, label.size.width, rtl=True, mode="app")
        emitted = [label.render_line(y).text for y in range(len(expected))]
        for line, visual in zip(emitted, expected, strict=True):
            assert line.endswith(visual)  # reordered and right-aligned
            assert line[: len(line) - len(visual)].strip() == ""
        await pilot.press("q")
