"""docs/plan-rules.md: every plan rule with its condition, effect, reason and source (plan.yaml).

The page is for the regievoerder (caseworker) and the functional admin, so it is Dutch like
plan.yaml itself and not translated: the same text whatever language the app runs in, which is
also what lets a test compare the committed page with a fresh one. Regenerate it with

    python -m intake_tui.core.plan.rules_doc > docs/plan-rules.md
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from intake_tui.core.expressions import Expression
from intake_tui.core.plan.loader import PlanRules, Rule

DEFAULT_BUNDLE = "brede-intake"
COMMAND = "python -m intake_tui.core.plan.rules_doc > docs/plan-rules.md"


def _flat(text: str) -> str:
    """One line: plan.yaml folds long texts over several lines."""
    return " ".join(text.split())


def _code(text: str) -> str:
    return f"`{_flat(text)}`"


def _value(rules: PlanRules, key: str, value: Any) -> str:
    if isinstance(value, Expression):
        return f"berekend: {_code(value.source)}"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    label = rules.value_label(key, value)
    return f"{label} ({_code(str(value))})" if label != str(value) else _code(str(value))


def _field(rules: PlanRules, key: str) -> str:
    return f"{rules.label(key)} ({_code(key)})"


def _settings(rules: PlanRules, then: Mapping[str, Any]) -> str:
    return "; ".join(f"{_field(rules, k)} = {_value(rules, k, v)}" for k, v in then.items())


def _additions(rules: PlanRules, add: Mapping[str, Iterable[Any]]) -> str:
    return "; ".join(
        f"{_field(rules, k)} + {', '.join(_value(rules, k, v) for v in values)}"
        for k, values in add.items()
    )


def _rule(rules: PlanRules, number: int, rule: Rule) -> list[str]:
    lines = [f"### {number}. `{rule.id}`", "", f"- **Als** (`when`): {_code(rule.when.source)}"]
    if rule.then:
        lines.append(f"- **Dan** (`then`): {_settings(rules, rule.then)}")
    if rule.add:
        lines.append(f"- **Voegt toe** (`add`): {_additions(rules, rule.add)}")
    if rule.decide:
        decide = ", ".join(_field(rules, k) for k in rule.decide)
        lines.append(f"- **Vraagt een besluit over** (`decide`): {decide}")
    lines.append(f"- **Reden voor de inburgeraar** (`because`): {_flat(rule.because)}")
    lines.append(f"- **Bron** (`source`): {_flat(rule.source)}")
    return [*lines, ""]


def plan_rules_markdown(
    rules: PlanRules,
    builtin: Mapping[str, tuple[str, str]],
    plan_file: str = f"questionnaires/{DEFAULT_BUNDLE}/plan.yaml",
) -> str:
    """The page: every rule in plan.yaml order, then the reasons the app fills in itself.

    `builtin` maps the id of a reason the code gives (core.plan.rules.BUILTIN_REASONS) to its
    (reason, source).
    """
    lines = [
        "# Planregels van het concept-PIP",
        "",
        f"<!-- Gemaakt uit {plan_file} met `{COMMAND}`. Niet met de hand bewerken:",
        "     een test vergelijkt deze pagina met plan.yaml. -->",
        "",
        "Voor de regievoerder. Elke regel doet een voorstel voor het persoonlijk plan inburgering",
        "en participatie (PIP); de regievoerder beslist. Per regel staat hier wanneer de regel",
        "geldt (**Als**), wat de regel in het plan zet, toevoegt of aan de regievoerder voorlegt,",
        "de reden zoals de inburgeraar die leest (taalniveau B1) en de **bron**: het artikel, de",
        "regel van DUO of de verwijzing naar de domeinbeschrijving (domain.md). Waar geen artikel",
        "is gevonden, zegt de bron dat. De bron staat onder elke reden in het plan op het scherm,",
        "niet op het plan voor de inburgeraar en niet in de export.",
        "",
        f"Bestand: `{plan_file}` — {len(rules.rules)} regels.",
        "",
        "## Regels uit plan.yaml",
        "",
    ]
    for number, rule in enumerate(rules.rules, start=1):
        lines.extend(_rule(rules, number, rule))
    lines.extend(
        [
            "## Velden die de app zelf invult",
            "",
            "Deze redenen staan niet in plan.yaml maar in de code",
            "(`intake_tui/core/plan/rules.py`, `BUILTIN_REASONS` en `BUILTIN_SOURCES`); ze worden",
            "getoond en vertaald zoals de regels.",
            "",
        ]
    )
    for rule_id, (because, source) in builtin.items():
        lines.extend(
            [
                f"### `{rule_id}`",
                "",
                f"- **Reden voor de inburgeraar**: {_flat(because)}",
                f"- **Bron**: {_flat(source)}",
                "",
            ]
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def default_page() -> str:
    """The page for the built-in brede-intake bundle, as `main` prints it."""
    from intake_tui.core.plan.legal_rules import LEGAL_REASONS
    from intake_tui.core.plan.rules import BUILTIN_REASONS, BUILTIN_SOURCES
    from intake_tui.core.questionnaire import load_bundle
    from intake_tui.resources import questionnaires_dir

    bundle = load_bundle(questionnaires_dir() / DEFAULT_BUNDLE)
    builtin = {k: (BUILTIN_REASONS[k], BUILTIN_SOURCES[k]) for k in BUILTIN_REASONS}
    builtin.update(LEGAL_REASONS)  # the law's own rules on every plan (legal_rules.py)
    plan = bundle.plan
    if plan.objection is not None:
        clause = f"{plan.objection.tekst} {plan.objection.niet_nakomen}"
        builtin["bezwaar (plan.yaml)"] = (clause, plan.objection.source)
    if plan.progress is not None:
        months = ", ".join(map(str, plan.progress.maanden))
        builtin["voortgangsgesprekken (plan.yaml)"] = (
            f"Maanden na de dagtekening: {months}.",
            plan.progress.source,
        )
    return plan_rules_markdown(bundle.plan, builtin)


def main() -> None:
    # Bytes, so "§" and "—" survive a terminal or pipe that is not set to UTF-8.
    sys.stdout.buffer.write(default_page().encode("utf-8"))


if __name__ == "__main__":
    main()
