"""The plan screen as the caseworker reads it: labels instead of codes, every reason of a
proposal (wrapped and scrolled, never cut), no empty section, the change dialog named after
the field, the texts in the UI language, and the full path of an export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, OptionList

from intake_tui.demo import open_or_make_demo
from intake_tui.store import interviews, plans
from intake_tui.store.keyring import TEST_KDF

from .tui_helpers import confirmed, make_app, open_case, wait_for


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return open_or_make_demo(tmp_path_factory.mktemp("plan") / "demo", kdf=TEST_KDF).root


@pytest.fixture
def english() -> Iterator[None]:
    """The UI in English (the tests' default), and back to it whatever a test switched to."""
    from intake_tui.i18n import set_language
    from intake_tui.ui.keys import localize_bindings

    set_language("en")
    try:
        yield
    finally:
        set_language("en")
        localize_bindings()


def en(bundle: Any, key: str) -> str:
    """The English text of a bundle key, read from the catalog file itself."""
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(bundle.files["translations/en.po"]))
    return next(str(m.string) for m in catalog if m.context == key)


async def open_plan(pilot: Any, name: str) -> Any:
    await open_case(pilot, name)
    await pilot.press("f5")
    await wait_for(pilot, "ReviewScreen")
    await pilot.press("p")
    await wait_for(pilot, "PlanScreen")
    return pilot.app.screen


def prompts(screen: Any) -> list[str]:
    listing = screen.query_one("#plan", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def field_prompts(screen: Any, key: str) -> list[str]:
    listing = screen.query_one("#plan", OptionList)
    return [
        str(listing.get_option(option_id).prompt)
        for option_id, field in screen.line_fields.items()
        if field == key
    ]


def highlight(screen: Any, key: str, *, last: bool = False) -> None:
    listing = screen.query_one("#plan", OptionList)
    ids = [option_id for option_id, field in screen.line_fields.items() if field == key]
    listing.highlighted = listing.get_option_index(ids[-1] if last else ids[0])


async def test_a_value_that_is_a_code_is_shown_by_its_label(demo_dir: Path, english: None) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        plan = await open_plan(pilot, "hodan")
        bundle = plan.bundle
        key = "participatie.activiteiten"
        assert plan.plan.fields[key].value == ["duaal_traject"]
        label = en(bundle, f"plan.field.{key}.label")
        dual = en(bundle, f"plan.field.{key}.value.duaal_traject")
        assert field_prompts(plan, key)[0] == f"{label}: {dual}"
        fixed = field_prompts(plan, "ontzorgen.vaste_lasten")[0]
        assert en(bundle, "plan.field.ontzorgen.vaste_lasten.value.zorgverzekering") in fixed
        codes = ("duaal_traject", "zorgverzekering")
        values = [line for line in prompts(plan) if not line.strip().startswith("Source: ")]
        assert not any(code in line for line in values for code in codes)  # sources are prose

        # The caseworker's own choice says what the rule said and what was chosen, by label too.
        highlight(plan, "hoofddoel")
        await pilot.press("o")
        await wait_for(pilot, "AskScreen")
        ask = pilot.app.screen
        ask.query_one("#ask-0", Input).value = "onderwijs"
        ask.query_one("#ask-1", Input).value = "wil eerst een opleiding afmaken"
        ask.query_one("#ask-1", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, "PlanScreen")
        work = en(bundle, "plan.field.hoofddoel.value.werk")
        school = en(bundle, "plan.field.hoofddoel.value.onderwijs")
        lines = field_prompts(plan, "hoofddoel")
        assert lines[0].endswith(f": {school}")
        assert f"rule said {work}, caseworker chose {school} because" in lines[1]


async def test_every_reason_of_a_proposal_is_shown_wrapped_at_80_columns(
    demo_dir: Path, english: None
) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        plan = await open_plan(pilot, "hodan")
        key = "ontzorgen.vaste_lasten"
        sources = plan.plan.fields[key].sources
        assert len(sources) == 4  # huur, energie, water, zorgverzekering
        reasons = [en(plan.bundle, f"plan.rule.{s.rule}.because") for s in sources]
        source_line = f"Source: {sources[-1].source}"
        shown = [line.strip() for line in field_prompts(plan, key)[1:]]
        assert shown == [line for reason in reasons for line in (reason, source_line)]

        # Scrolled to the last reason, all of it is on screen, wrapped under its first line.
        highlight(plan, key, last=True)
        await pilot.pause(0.1)
        listing = plan.query_one("#plan", OptionList)
        drawn = [listing.render_line(y).text.rstrip() for y in range(listing.size.height)]
        start = next(i for i, line in enumerate(drawn) if reasons[-1][:30] in line)
        wrapped = [drawn[start]]
        for line in drawn[start + 1 :]:  # up to its source, or the next field's line
            if not line.startswith("    ") or not line.strip() or "Source: " in line:
                break
            wrapped.append(line)
        assert len(wrapped) > 1, drawn  # too long for one line at 80 columns
        assert " ".join(line.strip() for line in wrapped) == reasons[-1]
        indent = len(wrapped[0]) - len(wrapped[0].lstrip())
        assert all(len(line) - len(line.lstrip()) == indent for line in wrapped)


async def test_each_reason_is_followed_by_its_source_for_the_caseworker(
    demo_dir: Path, english: None
) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        plan = await open_plan(pilot, "hodan")
        by_rule = {rule.id: rule for rule in plan.bundle.plan.rules}
        key = "leerroute"
        field = plan.plan.fields[key]
        sources = [*field.needs_decision, *field.sources]
        assert sources and all(s.source for s in sources)
        lines = [line.strip() for line in field_prompts(plan, key)]
        for source in sources:
            assert source.source == by_rule[source.rule].source  # plan.yaml's `source`, kept
            reason = lines.index(en(plan.bundle, f"plan.rule.{source.rule}.because"))
            assert lines[reason + 1] == f"Source: {source.source}"  # right under its reason
        # Every reason on the screen has its source line; the source is the Dutch of plan.yaml.
        everything = [line.strip() for line in prompts(plan)]
        assert sum(line.startswith("Source: ") for line in everything) >= len(sources)
        assert any("Wet inburgering 2021" in line for line in everything)

        pilot.app.set_ui_language("nl")
        try:
            await pilot.pause(0.05)
            from intake_tui.i18n import _

            dutch = [line.strip() for line in field_prompts(plan, key)]
            label = _("Source: {source}").format(source=sources[0].source)
            assert label in dutch  # "Bron: …" once the Dutch catalog has the label
            assert dutch[dutch.index(label) - 1] == " ".join(sources[0].because.split())
        finally:
            pilot.app.set_ui_language("en")


async def test_a_section_without_lines_has_no_heading(demo_dir: Path, english: None) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        plan = await open_plan(pilot, "hodan")
        assert plan.plan.fields["vve_informatie"].value is None  # her gezin section is empty
        lines = prompts(plan)
        assert f"── {en(plan.bundle, 'plan.section.gezin')} ──" not in lines
        headings = [i for i, line in enumerate(lines) if line.startswith("── ")]
        assert headings
        assert all(i + 1 < len(lines) and i + 1 not in headings for i in headings), lines


async def test_the_change_dialog_is_titled_with_the_field_label(
    demo_dir: Path, english: None
) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        plan = await open_plan(pilot, "hodan")
        highlight(plan, "participatie.activiteiten")
        await pilot.press("o")
        await wait_for(pilot, "AskScreen")
        title = pilot.app.screen.query_one(".title", Label)
        label = en(plan.bundle, "plan.field.participatie.activiteiten.label")
        assert str(title.render()) == f"Change {label}"
        await pilot.press("escape")


async def test_the_plan_texts_follow_the_ui_language(demo_dir: Path, english: None) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        plan = await open_plan(pilot, "hodan")
        bundle, rules = plan.bundle, plan.bundle.plan
        key = "ontzorgen.vaste_lasten"
        source = plan.plan.fields[key].sources[0]
        english_lines = field_prompts(plan, key)
        assert english_lines[0].startswith(en(bundle, f"plan.field.{key}.label") + ": ")
        assert english_lines[1].strip() == en(bundle, f"plan.rule.{source.rule}.because")
        assert f"── {en(bundle, 'plan.section.financien')} ──" in prompts(plan)

        pilot.app.set_ui_language("nl")  # Dutch: the source texts of plan.yaml
        await pilot.pause(0.05)
        dutch_lines = field_prompts(plan, key)
        assert dutch_lines[0].startswith(rules.label(key) + ": ")
        assert rules.value_label(key, "huur") in dutch_lines[0]
        assert dutch_lines[1].strip() == source.because
        assert f"── {rules.sections['financien']} ──" in prompts(plan)


async def test_the_dutch_plan_calls_the_caseworker_regievoerder(demo_dir: Path) -> None:
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        plan = await open_plan(pilot, "hodan")
        pilot.app.set_ui_language("nl")
        try:
            highlight(plan, "hoofddoel")
            await pilot.press("o")
            await wait_for(pilot, "AskScreen")
            ask = pilot.app.screen
            ask.query_one("#ask-0", Input).value = "onderwijs"
            ask.query_one("#ask-1", Input).value = "besproken"
            ask.query_one("#ask-1", Input).focus()
            await pilot.press("enter")
            await wait_for(pilot, "PlanScreen")
            shown = "\n".join(prompts(plan)).casefold()
            assert "regievoerder" in field_prompts(plan, "hoofddoel")[1]  # who chose
            assert "klantmanager" not in shown
        finally:
            pilot.app.set_ui_language("en")


async def test_an_export_says_the_full_path_of_each_file(tmp_path: Path, english: None) -> None:
    root = open_or_make_demo(tmp_path / "demo", kdf=TEST_KDF).root
    async with make_app(root).run_test(size=(80, 24)) as pilot:
        await open_case(pilot, "ayşe")  # finalized: her plan can be frozen and written
        case_id = pilot.app.screen.interview_id
        assert interviews.open_interview(pilot.app.store, case_id).summary.status == "finalized"
        await pilot.press("f5")
        await wait_for(pilot, "ReviewScreen")
        await pilot.press("p")
        await wait_for(pilot, "PlanScreen")
        plan = pilot.app.screen
        await confirmed(pilot, "d", "PlanScreen")
        await pilot.press("e")
        await pilot.pause(0.3)
        message = str(plan.query_one("#message", Label).render())
        revision = plans.latest_frozen(pilot.app.store, case_id).revision
    written = sorted((root / "exports").glob(f"{case_id}-r{revision}.*"))
    assert [p.suffix for p in written] == [".html", ".json"]
    for path in written:
        assert str(path.resolve()) in message
        assert Path(str(path.resolve())).is_absolute()


def test_a_value_may_be_typed_as_its_label_or_its_code() -> None:
    from intake_tui.ui.screens.plan import parse_plan_value

    labels = {"werk": "Work", "onderwijs": "Education"}
    assert parse_plan_value("hoofddoel", " work ", labels) == "werk"
    assert parse_plan_value("hoofddoel", "onderwijs", labels) == "onderwijs"
    fixed = {"huur": "Rent", "water": "Water"}
    assert parse_plan_value("ontzorgen.vaste_lasten", "rent, water", fixed) == ["huur", "water"]


async def test_the_plan_says_its_termijn_and_where_it_comes_from(
    demo_dir: Path, english: None
) -> None:
    async with make_app(demo_dir).run_test(size=(80, 24)) as pilot:
        hodan = await open_plan(pilot, "hodan")  # no PIP yet: an estimate
        status = hodan.query_one("#plan-status", Label)
        text = str(status.render())
        assert "termijn 29-11-2026 to 28-11-2029 (estimated, as if signed today)" in text
        assert status.region.right <= 80 and status.size.height >= 2  # wrapped, not cut
    async with make_app(demo_dir).run_test(size=(120, 40)) as pilot:
        rami = await open_plan(pilot, "rami")  # final on 20-11-2026: computed from it
        assert "termijn 21-11-2026 to 20-11-2029 (computed from the first PIP)" in str(
            rami.query_one("#plan-status", Label).render()
        )
