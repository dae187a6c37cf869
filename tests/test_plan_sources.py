"""Every plan rule says where it comes from (`source`), for the regievoerder; `because` stays plain
B1 text for the newcomer; docs/plan-rules.md lists every rule and is generated from plan.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from intake_tui.core import check_bundle
from intake_tui.core.plan import draft_plan
from intake_tui.core.plan.rules import BUILTIN_REASONS, BUILTIN_SOURCES, builtin_source
from intake_tui.core.plan.rules_doc import COMMAND, default_page
from intake_tui.core.questionnaire import Bundle

from .conftest import BUNDLES, REPO
from .plan_rule_cases import LBT_HAALBAAR, ONTZORGEN, interview_with
from .test_questionnaire_loader import assert_problems_as_announced, expected_problems

BROKEN_PLANS = sorted(p for p in (BUNDLES / "broken_plan").iterdir() if p.is_dir())
PLAN_RULES_PAGE = REPO / "docs" / "plan-rules.md"

# What a note on the law looks like: an article, a named law or guidance, a § or a [SOURCE-KEY].
LEGAL_REFERENCE = re.compile(
    r"\bart\.|\bartikel\b|\blid \d|Divosa|Besluit|Regeling|\bWet\b|Participatiewet|Awb|§|\[[A-Z]"
)


@pytest.mark.parametrize("case", BROKEN_PLANS, ids=[p.name for p in BROKEN_PLANS])
def test_a_broken_plan_reports_each_problem_at_its_place(case: Path) -> None:
    assert_problems_as_announced(case, "plan.yaml")


def test_a_rule_without_a_source_is_a_warning_at_its_place() -> None:
    """Advice, not an error: a bundle pinned in an interview before rules had sources must
    still open. `validate` prints it as file:line:col: warning: and exits 0."""
    case = BUNDLES / "warnings" / "missing_source"
    bundle, problems = check_bundle(case)
    assert bundle is not None and problems == []
    expected = expected_problems(case / "plan.yaml")
    # (Its questionnaire has no roles: those warnings are questionnaire.yaml's, test_roles.py.)
    in_plan = [w for w in bundle.warnings if w.location.path.endswith("plan.yaml")]
    found = [(w.location.line, w.location.column, w.message) for w in in_plan]
    assert [(line, column) for line, column, _text in expected] == [f[:2] for f in found]
    assert all(w.warning and "missing key 'source'" in w.message for w in in_plan)
    assert str(in_plan[0]).startswith(f"{case / 'plan.yaml'}:4:5: warning: missing key")


def test_every_rule_of_the_default_bundle_has_a_source(default_bundle: Bundle) -> None:
    missing = [rule.id for rule in default_bundle.plan.rules if not rule.source.strip()]
    assert missing == []
    assert set(BUILTIN_SOURCES) == set(BUILTIN_REASONS)
    assert all(source.strip() for source in BUILTIN_SOURCES.values())


def test_no_reason_for_the_newcomer_cites_the_law(default_bundle: Bundle) -> None:
    reasons = {f"plan.yaml {r.id}": r.because for r in default_bundle.plan.rules}
    reasons.update({f"built-in {k}": v for k, v in BUILTIN_REASONS.items()})
    cited = {
        where: match.group(0)
        for where, text in reasons.items()
        if (match := LEGAL_REFERENCE.search(text))
    }
    assert cited == {}, "move the reference from `because` into `source`"


def test_the_pattern_finds_the_notes_the_reasons_used_to_carry() -> None:
    for note in (
        "(Divosa: LBT-uitslag als belangrijke indicator.)",
        "(Wet inburgering art. 8 lid 3)",
        "(Besluit inburgering art. 3.14)",
        "(Regeling inburgering art. 4.2)",
        "(Participatiewet art. 56a)",
    ):
        assert LEGAL_REFERENCE.search(note), note
    assert not LEGAL_REFERENCE.search("De regievoerder bespreekt met u of de onderwijsroute past.")


def test_each_reason_in_a_drafted_plan_carries_its_rules_source(default_bundle: Bundle) -> None:
    plan = draft_plan(
        interview_with(default_bundle, {**LBT_HAALBAAR, **ONTZORGEN}), default_bundle.plan
    )
    by_id = {rule.id: rule.source for rule in default_bundle.plan.rules}
    seen = [s for f in plan.fields.values() for s in [*f.sources, *f.needs_decision]]
    assert {s.rule for s in seen} >= {"s1_b1_route", "ontzorgen_huur", "wet.ontzorgen_zes_maanden"}
    for source in seen:
        expected = by_id.get(source.rule) or BUILTIN_SOURCES[source.rule]
        assert source.source == expected, source.rule
    assert builtin_source("wet.pip_binnen_10_weken").source.startswith("Besluit inburgering 2021")


def test_docs_plan_rules_md_is_what_the_generator_makes_now(default_bundle: Bundle) -> None:
    fresh = default_page()
    committed = PLAN_RULES_PAGE.read_text(encoding="utf-8") if PLAN_RULES_PAGE.exists() else ""
    assert committed == fresh, (
        f"docs/plan-rules.md is out of date with plan.yaml; regenerate it with `{COMMAND}`"
    )
    # The page lists every rule and every built-in reason, each with its source.
    for rule in default_bundle.plan.rules:
        assert f"`{rule.id}`" in fresh
        assert " ".join(rule.source.split()) in fresh
    for rule_id in BUILTIN_REASONS:
        assert f"`{rule_id}`" in fresh


def test_the_page_is_mentioned_where_plan_yaml_is_described() -> None:
    assert "docs/plan-rules.md" in (REPO / "docs" / "bundle-format.md").read_text(encoding="utf-8")


def test_the_source_is_neither_exported_nor_printed_for_the_newcomer(
    default_bundle: Bundle,
) -> None:
    from intake_tui.core.export import build_export, export_json
    from intake_tui.core.html_plan import render_plan_html

    from .test_export import meta

    interview = interview_with(default_bundle, {**LBT_HAALBAAR, **ONTZORGEN})
    plan = draft_plan(interview, default_bundle.plan)
    used = {s.source for f in plan.fields.values() for s in [*f.sources, *f.needs_decision]}
    assert "" not in used and len(used) > 3
    document = build_export(interview, plan, meta(), include_special=True)
    exported = export_json(document)
    page = render_plan_html(document, default_bundle, newcomer_language="en")
    for source in used:
        assert source not in exported
        assert source not in page
    assert "domain.md" not in exported and "domain.md" not in page
