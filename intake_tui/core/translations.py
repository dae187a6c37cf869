"""The translatable texts of a bundle, each with its stable key (the catalog's msgctxt).

One place says which texts a bundle offers for translation and under which key
(docs/bundle-format.md, "Translation keys"); the translation tooling and the tests of the
catalogs both read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake_tui.core.bundle_model import Bundle, ChoiceSourceSpec, QuestionSpec, SectionSpec


@dataclass(frozen=True)
class Message:
    """One translatable text: its key (msgctxt) and its Dutch source (msgid)."""

    key: str
    source: str


def bundle_messages(bundle: Bundle) -> list[Message]:
    """Every translatable text of the bundle, in questionnaire order, keys unique."""
    spec = bundle.spec
    found: list[Message] = [Message("bundle.title", spec.title)]
    if spec.description:
        found.append(Message("bundle.description", spec.description))
    for name, entry in spec.choice_lists.items():
        if isinstance(entry, ChoiceSourceSpec) and entry.csv is not None:
            for row in bundle.csv_lists.get(name, ()):  # a CSV file's rows, like a YAML list
                found.append(Message(row.key, row.label))
                if row.hint:
                    found.append(Message(f"{row.key}.hint", row.hint))
            continue
        if isinstance(entry, ChoiceSourceSpec):
            continue  # named by CLDR through Babel
        for choice in entry:
            found.append(Message(f"choice_list.{name}.{choice.value}", choice.label))
            if choice.hint:
                found.append(Message(f"choice_list.{name}.{choice.value}.hint", choice.hint))
    for item_id in bundle.order:
        node = bundle.items[item_id].spec
        if isinstance(node, SectionSpec):
            found.append(Message(f"section.{node.id}.title", node.title))
            if node.description:
                found.append(Message(f"section.{node.id}.description", node.description))
            continue
        found.extend(_question_messages(node))
    found.extend(plan_messages(bundle))
    return found


def plan_messages(bundle: Bundle) -> list[Message]:
    """The texts of plan.yaml: section titles, field labels and value labels, rule reasons."""
    rules = bundle.plan
    if rules is None:
        return []
    found: list[Message] = []
    for section, title in rules.sections.items():
        found.append(Message(f"plan.section.{section}", title))
    for key, text in rules.fields.items():
        found.append(Message(f"plan.field.{key}.label", text.label))
        if text.hint:
            found.append(Message(f"plan.field.{key}.hint", text.hint))
        for code, label in text.values.items():
            found.append(Message(f"plan.field.{key}.value.{code}", label))
    for rule in rules.rules:
        found.append(Message(f"plan.rule.{rule.id}.because", rule.because))
    if rules.objection is not None:
        found.append(Message("plan.bezwaar.tekst", rules.objection.tekst))
        found.append(Message("plan.bezwaar.niet_nakomen", rules.objection.niet_nakomen))
    from intake_tui.core.plan.legal_rules import LEGAL_REASONS
    from intake_tui.core.plan.rules import BUILTIN_REASONS

    for rule_id, because in BUILTIN_REASONS.items():
        found.append(Message(f"plan.rule.{rule_id}.because", because))
    for rule_id, (because, _source) in LEGAL_REASONS.items():
        found.append(Message(f"plan.rule.{rule_id}.because", because))
    return found


def _question_messages(node: QuestionSpec) -> list[Message]:
    prefix = f"question.{node.id}"
    found = [
        Message(f"{prefix}.{field}", text)
        for field in ("label", "hint", "purpose", "constraint_message", "required_message")
        if (text := getattr(node, field))
    ]
    if isinstance(node.choices, list):
        for choice in node.choices:
            found.append(Message(f"{prefix}.choice.{choice.value}", choice.label))
            if choice.hint:
                found.append(Message(f"{prefix}.choice.{choice.value}.hint", choice.hint))
    return found


# -- starting a language (`intake-tui questionnaire translations --init LANG PATH`) ----------------
