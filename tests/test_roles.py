"""Roles instead of hard-coded ids (issue 17, item 3): the app reads the answers the law ties to
the plan by role, so a functional admin can rename any question; a missing role is a warning that
says what is left out; an interview pinned before roles keeps its deadline and DUO facts."""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from intake_tui.core import Interview, load_bundle
from intake_tui.core.bundle_model import INTERPRETER_MODES, Bundle, QuestionSpec
from intake_tui.core.plan.duo import duo_checks, duo_facts
from intake_tui.core.plan.fields import FIELDS
from intake_tui.core.plan.legal import first_pip_dagtekening, pip_deadline
from intake_tui.core.plan.legal import termijn as legal_termijn
from intake_tui.core.plan.legal_rules import legal_checks, legal_facts, legal_fields
from intake_tui.core.plan.rules import draft_plan
from intake_tui.core.questionnaire import check_bundle
from intake_tui.core.roles import CODE_ROLES, FOLLOW_UP_ROLES, ROLES, missing
from intake_tui.core.values import Answer
from intake_tui.personas import DEMO_TODAY, PERSONAS, Persona, PersonaAnswer, apply

from .conftest import DEFAULT_BUNDLE, REPO

CODE = REPO / "intake_tui"
# Demo answers written for the default bundle, question by question: data, like a filled-in form.
DEMO_DATA = CODE / "personas"


def test_the_default_bundle_has_every_role_and_code_role(default_bundle: Bundle) -> None:
    assert missing(default_bundle.roles, skip=FOLLOW_UP_ROLES) == []
    follow_up = load_bundle(REPO / "questionnaires" / "voortgangsgesprek")
    assert set(follow_up.roles) == FOLLOW_UP_ROLES
    for code_role, role in CODE_ROLES.items():
        question = default_bundle.roles[role]
        assert default_bundle.code_roles[question][code_role], code_role
    assert not [w for w in default_bundle.warnings if "role" in w.message]


def test_every_role_is_documented_for_the_functional_admin() -> None:
    page = (REPO / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    undocumented = [name for name in [*ROLES, *CODE_ROLES] if f"`{name}`" not in page]
    assert undocumented == []


# -- no bundle id in the code ---------------------------------------------------------------------


def _words_of(annotation: object) -> set[str]:
    """Every string a type annotation allows (the Literal values, however nested)."""
    found = set()
    for arg in typing.get_args(annotation):
        found |= {arg} if isinstance(arg, str) else _words_of(arg)
    return found


def _plan_vocabulary() -> set[str]:
    """The plan's own names (core/plan/fields.py): its fields, sections and values. They are the
    PIP's vocabulary, which a few of the default bundle's ids happen to share."""
    words = set()
    for key, spec in FIELDS.items():
        words |= {key, *key.split("."), spec.section} | _words_of(spec.type)
    return words


def _default_names(bundle: Bundle) -> set[str]:
    names = set(bundle.items)
    for item in bundle.items.values():
        if item.choice_source is None:  # CLDR's country and language codes are not the bundle's
            names |= item.choice_codes()
    formats = _words_of(QuestionSpec.model_fields["format"].annotation)
    yes_no = {"ja", "nee"}  # the words, in every language's yes/no parsing
    # Scale points ("1" to "5") are digits everywhere; "kind" is also the keyring's English key.
    generic = {name for name in names if name.isdigit()} | {"kind"}
    app_vocabulary = _plan_vocabulary() | formats | set(INTERPRETER_MODES)
    return names - app_vocabulary - yes_no - generic


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_id_or_code_of_the_default_bundle_is_in_the_code(default_bundle: Bundle) -> None:
    names = _default_names(default_bundle)
    assert {"datum_kennisgeving_duo", "doelgroep", "asielstatushouder", "haalbaar"} <= names
    found = []
    for path in sorted(CODE.rglob("*.py")):
        if DEMO_DATA in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            f"{path.relative_to(REPO)}:{line}: {text!r}"
            for line, text in _strings(tree)
            if text in names
        ]
    assert found == []


def test_the_scan_finds_an_id_written_in_code(default_bundle: Bundle) -> None:
    names = _default_names(default_bundle)
    tree = ast.parse('def f(i):\n    """doelgroep"""\n    return i.value("doelgroep")\n')
    assert [text for _line, text in _strings(tree) if text in names] == ["doelgroep"]


# -- renaming questions and codes keeps the plan -------------------------------------------------

SUFFIX = "_hernoemd"
RENAMED_CODES = ("asielstatushouder", "haalbaar", "niet_haalbaar", "overgeslagen", "visueel")


def renamed_copy(target: Path, ids: list[str]) -> Path:
    """The default bundle with every question that has a role, and a few codes with a code
    role, renamed everywhere: questions, plan rules, translations."""
    shutil.copytree(DEFAULT_BUNDLE, target)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, [*ids, *RENAMED_CODES])) + r")\b")
    # plan.yaml's texts are keyed by plan field: "ontwikkelwensen:" there is the plan's own name.
    for path in target.rglob("*"):
        if path.suffix in (".yaml", ".po"):
            text = pattern.sub(lambda m: m.group(1) + SUFFIX, path.read_text(encoding="utf-8"))
            if path.name == "plan.yaml":
                text = re.sub(
                    r"^  ([a-z_.]+)" + SUFFIX + ":",
                    lambda m: f"  {m.group(1)}:" if m.group(1) in FIELDS else m.group(0),
                    text,
                    flags=re.MULTILINE,
                )
            path.write_text(text, encoding="utf-8")
    return target


def renamed_persona(persona: Persona, ids: set[str]) -> Persona:
    def rename(answer: PersonaAnswer) -> PersonaAnswer:
        question = answer.question_id + SUFFIX if answer.question_id in ids else answer.question_id
        value = answer.value
        if isinstance(value.value, str) and value.value in RENAMED_CODES:
            value = Answer.of(value.value + SUFFIX)
        return PersonaAnswer(question, value, answer.instance, answer.confirmed)

    from dataclasses import replace

    return replace(persona, answers=tuple(rename(a) for a in persona.answers))


def outcome(bundle: Bundle, persona: Persona) -> dict[str, object]:
    """Everything the law and the rules make of a persona's intake, signed on demo day."""
    interview = Interview(bundle, today=lambda: DEMO_TODAY)
    apply(persona, interview)
    plan = draft_plan(interview, bundle.plan)
    period = legal_termijn(interview, None, DEMO_TODAY)
    legal_fields(interview, plan.fields, period)
    first = first_pip_dagtekening(interview, None)
    checks = duo_checks(plan, duo_facts(interview, DEMO_TODAY)) + legal_checks(
        plan, legal_facts(interview, first, DEMO_TODAY, later_pip=False)
    )
    deadline = pip_deadline(interview)
    return {
        "fields": {key: field.value for key, field in plan.fields.items()},
        "decisions": sorted(
            # (a plan.yaml rule named after its question is renamed with it)
            (key, s.rule.removesuffix(SUFFIX))
            for key, field in plan.fields.items()
            for s in field.needs_decision
        ),
        "checks": {check.id: check.ok for check in checks},
        "deadline": deadline.due if deadline else None,
        "termijn": (period.start, period.end) if period else None,
    }


def test_renaming_every_question_with_a_role_keeps_every_plan(
    tmp_path: Path, default_bundle: Bundle
) -> None:
    ids = sorted(default_bundle.roles.values())
    renamed = load_bundle(renamed_copy(tmp_path / "hernoemd", ids))
    assert set(renamed.roles.values()) == {i + SUFFIX for i in ids}
    assert not set(renamed.items) & set(ids)
    results = []
    for persona in PERSONAS:
        before = outcome(default_bundle, persona)
        after = outcome(renamed, renamed_persona(persona, set(ids)))
        assert after == before, persona.key
        results.append(before)
    # What the roles carry shows in the plans: a deadline for everyone, the asylum facts
    # (geschatte intensiteit) for some, a decision after a move or the AOW age for others.
    assert all(r["deadline"] for r in results)
    assert any(r["fields"]["geschatte_intensiteit"] for r in results)
    assert any(r["decisions"] for r in results)
    assert any(r["fields"]["ontwikkelwensen"] for r in results)


def test_a_missing_role_leaves_out_what_depends_on_it_with_a_warning(
    tmp_path: Path, default_bundle: Bundle
) -> None:
    folder = tmp_path / "zonder-rollen"
    shutil.copytree(DEFAULT_BUNDLE, folder)
    source = folder / "questionnaire.yaml"
    deadline_roles = ("duo_notice_date", "brp_registration_date", "ss139_date")
    text = source.read_text(encoding="utf-8")
    for role in deadline_roles:
        text, count = re.subn(rf"\n\s+role: {role}(?=\n)", "", text)
        assert count == 1
    source.write_text(text, encoding="utf-8")
    bundle, problems = check_bundle(folder)
    assert problems == [] and bundle is not None
    warned = sorted(w.message for w in bundle.warnings if "no question has role" in w.message)
    assert [m.split("'")[1] for m in warned] == sorted(deadline_roles)
    assert all("the PIP deadline" in m for m in warned)
    for persona in PERSONAS:
        assert outcome(bundle, persona)["deadline"] is None
        assert outcome(default_bundle, persona)["deadline"] is not None
    strict = subprocess.run(
        [sys.executable, "-m", "intake_tui", "questionnaire", "validate", "--strict", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert strict.returncode == 1
    assert "no question has role 'duo_notice_date'" in strict.stdout + strict.stderr


def test_a_bundle_without_plan_needs_no_roles() -> None:
    bundle, problems = check_bundle(REPO / "tests" / "bundles" / "engine")
    assert problems == [] and bundle is not None
    assert bundle.roles == {} and "plan.yaml" not in bundle.files
    assert not [w for w in bundle.warnings if "role" in w.message]


# -- interviews pinned before roles ---------------------------------------------------------------


def test_a_copy_pinned_before_roles_gets_them_from_the_newer_bundle(
    tmp_path: Path, default_bundle: Bundle
) -> None:
    from intake_tui.store import bundle_copies, interviews

    from .store_helpers import entered_persona, make_store

    folder = tmp_path / "oud"
    shutil.copytree(DEFAULT_BUNDLE, folder)
    source = folder / "questionnaire.yaml"
    text = re.sub(r"(, role: [a-z_0-9]+\})", "}", source.read_text(encoding="utf-8"))
    text = re.sub(r"\n\s+role: [a-z_0-9]+(?=\n)", "", text)
    source.write_text(
        re.sub(r'version: "[^"]*"', 'version: "1.3.0"', text, count=1), encoding="utf-8"
    )
    old = load_bundle(folder)
    assert old.roles == {} and old.plan is not None
    store = make_store(tmp_path / "data")
    try:
        interview_id = entered_persona(store, old, "rami")
        bundle_copies.clear_cache()
        opened = interviews.open_interview(store, interview_id)
        assert opened.bundle.sha256 == old.sha256  # the pinned copy, not the newer bundle
        assert opened.bundle.roles == default_bundle.roles
        assert opened.bundle.code_roles == default_bundle.code_roles
        deadline = pip_deadline(opened.interview)
        assert deadline is not None
        assert deadline.start == dt.date(2026, 9, 24)  # Rami's notice (docs/personas.md)
        # The case's deadline column follows the notice answer too.
        interviews.save_answer(
            store, interview_id, "datum_kennisgeving_duo", Answer.of(dt.date(2026, 10, 1))
        )
        assert interviews.open_interview(store, interview_id).summary.duo_notice_date == dt.date(
            2026, 10, 1
        )
    finally:
        store.close()
        bundle_copies.clear_cache()


@pytest.mark.parametrize("name", sorted(ROLES))
def test_a_role_inside_a_repeat_names_a_repeat_role(name: str) -> None:
    inside = ROLES[name].inside
    assert inside is None or ROLES[inside].types == {"repeat"}
