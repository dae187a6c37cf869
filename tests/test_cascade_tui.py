"""Cascading choices in the interview screen (issue 18): after a region is chosen, the next
question offers only that region's municipalities, numbered 1..n as shown, at 80x24; a number
picks what the screen shows next to it. A counted repeat offers no adding or removing."""

from __future__ import annotations

from typing import Any

from textual.widgets import Label

from intake_tui.core import FrozenClock, load_bundle
from intake_tui.core.engine import Step
from intake_tui.ui.preview import PreviewApp
from intake_tui.ui.widgets.choice_list import ChoiceList

from .conftest import BUNDLES

CASCADE = BUNDLES / "cascade"


async def _interview(pilot: Any) -> Any:
    for _ in range(100):
        await pilot.pause(0.05)
        if type(pilot.app.screen).__name__ == "InterviewScreen":
            await pilot.pause(0.1)
            return pilot.app.screen
    raise AssertionError(f"no interview; now {type(pilot.app.screen).__name__}")


def _message(screen: Any) -> str:
    return str(screen.query_one("#message", Label).render())


async def test_a_region_then_only_its_municipalities_numbered_as_shown() -> None:
    app = PreviewApp(load_bundle(CASCADE), "en", clock=FrozenClock.on("2026-11-28"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _interview(pilot)
        engine = screen.engine
        screen.show(Step("gemeente"))
        await pilot.pause(0.1)
        assert screen.query_one(ChoiceList).shown == []  # no region yet: nothing to choose
        assert "earlier answer" in _message(screen)

        screen.show(Step("regio"))
        await pilot.pause(0.1)
        zuid = [item.code for item in screen.query_one(ChoiceList).shown].index("zuid") + 1
        await pilot.press(str(zuid))
        await pilot.pause(0.1)
        assert engine.value("regio") == "zuid"

        screen.show(Step("gemeente"))
        await pilot.pause(0.1)
        shown = screen.query_one(ChoiceList).shown
        assert [item.code for item in shown] == ["maastricht", "eindhoven", "den-bosch"]
        # The number next to an option picks it: 2 is Eindhoven, here as on the screen.
        await pilot.press("2")
        await pilot.pause(0.1)
        assert engine.value("gemeente") == "eindhoven"

        # Another region: the answer stays, but blocks finalizing until chosen again.
        screen.show(Step("regio"))
        await pilot.pause(0.1)
        noord = [item.code for item in screen.query_one(ChoiceList).shown].index("noord") + 1
        await pilot.press(str(noord))
        await pilot.pause(0.1)
        assert engine.answer("gemeente").value == "eindhoven"
        assert Step("gemeente") in engine.finalize_blockers()
        screen.show(Step("gemeente"))
        await pilot.pause(0.1)
        codes = [item.code for item in screen.query_one(ChoiceList).shown]
        assert codes == ["groningen", "assen", "leeuwarden", "zwolle", "emmen"]
        assert "choose again" in _message(screen)
        await pilot.press("5")
        await pilot.pause(0.1)
        assert engine.value("gemeente") == "emmen"
        assert Step("gemeente") not in engine.finalize_blockers()


async def test_the_numbers_on_screen_are_1_to_n_at_80x24() -> None:
    app = PreviewApp(load_bundle(CASCADE), "en", clock=FrozenClock.on("2026-11-28"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _interview(pilot)
        assert screen.session.save(Step("regio"), _answer("zuid"), None) is None
        screen.show(Step("gemeente"))
        # The caseworker works in English here: the CSV row's label comes from en.po.
        wanted = ["Maastricht", "Eindhoven", "'s-Hertogenbosch (Den Bosch)"]
        for _ in range(100):  # until the list is fitted and drawn (slow on a loaded machine)
            await pilot.pause(0.05)
            lines = _screen_text(app)
            if all(any(name in line for line in lines) for name in wanted):
                break
        for number, name in enumerate(wanted, start=1):
            assert any(f"▊   {number}  {name}" in line for line in lines), (number, lines)
        assert not any(name in line for line in lines for name in ("Groningen", "Emmen"))


async def test_a_counted_repeat_has_as_many_entries_as_the_answer() -> None:
    app = PreviewApp(load_bundle(CASCADE), "en", clock=FrozenClock.on("2026-11-28"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _interview(pilot)
        assert screen.session.save(Step("aantal_kinderen"), _answer(2), None) is None
        screen.show(Step("kinderen"))
        await pilot.pause(0.1)
        assert screen.engine.instances("kinderen") == ("1", "2")
        await pilot.press("f4")
        await pilot.pause(0.1)
        assert screen.engine.instances("kinderen") == ("1", "2")  # F4 adds nothing here
        assert "earlier answer" in _message(screen)
        await pilot.press("f6")
        await pilot.pause(0.1)
        assert screen.engine.instances("kinderen") == ("1", "2")


def _answer(value: object) -> Any:
    from intake_tui.core.values import Answer

    return Answer.of(value)  # type: ignore[arg-type]


def _screen_text(app: Any) -> list[str]:
    """The lines the terminal shows now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
