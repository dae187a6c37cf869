"""One interview's logic, free of any UI or storage: visibility, validation, navigation, progress.

An `Interview` holds the answers to one bundle. It knows which questions are visible (and in
which order they are asked), what each expression sees, whether a candidate value is valid, how
far each section is, and the instances of repeats. Changing an answer recomputes only what that
answer can change (the bundle's dependency graph), so one answer costs microseconds.

Rules (DESIGN.md §3): answers to questions that become hidden are kept, but expressions,
validation, the plan and the export do not see them; `unknown` and `declined` are first-class
answers that expressions see as unanswered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from intake_tui.core.answer_checks import as_value, bound_problems, elfproef
from intake_tui.core.bundle_model import Bundle, Choice, Item
from intake_tui.core.choice_filter import counted_instances, kept_codes, unoffered
from intake_tui.core.choices import exclusive_conflict
from intake_tui.core.engine_types import Issue, Key, SectionProgress, Step
from intake_tui.core.expressions import Expression, ExpressionError
from intake_tui.core.patterns import PatternError, full_match
from intake_tui.core.values import VALUE_TYPES, Answer, AnswerState, Value
from intake_tui.i18n import _

__all__ = ["Interview", "Issue", "Key", "SectionProgress", "Step"]


def _required_message(item: Item) -> str:
    """What a required question left empty says: its `required_message:`, else ours."""
    return item.question.required_message or _("an answer is required")


def _fits(pattern: str, text: str) -> bool:
    """Whether all of `text` matches `pattern` (RE2). A pattern RE2 refuses is only possible in a
    copy an interview was pinned to before issue 18, where the loader warned: like a constraint
    that cannot be evaluated, it does not block the caseworker."""
    try:
        return full_match(pattern, text)
    except PatternError:
        return True


class _Scope:
    """What an expression sees from one place in the interview (a repeat instance or the top)."""

    __slots__ = ("_instance", "_interview", "_repeat")

    def __init__(self, interview: Interview, repeat: str | None, instance: str | None) -> None:
        self._interview = interview
        self._repeat = repeat
        self._instance = instance

    def _key(self, name: str) -> Key | None:
        item = self._interview.bundle.items.get(name)
        if item is None:
            return None
        if item.repeat is None:
            return (name, None)
        if item.repeat == self._repeat:
            return (name, self._instance)
        return None  # another repeat's child, outside an aggregate: the loader refuses this

    def value(self, name: str) -> object | None:
        key = self._key(name)
        return None if key is None else self._interview.value(*key)

    def state(self, name: str) -> AnswerState | None:
        key = self._key(name)
        return None if key is None else self._interview.state(*key)

    def instances(self, repeat: str) -> Sequence[_Scope]:
        interview = self._interview
        if not interview.is_visible(repeat):
            return ()
        return [_Scope(interview, repeat, i) for i in interview.instances(repeat)]

    def today(self) -> dt.date:
        return self._interview.today()

    def case(self, name: str) -> object | None:
        return self._interview.case_facts.get(name)

    def choice(self, name: str) -> object | None:
        return None  # only a choice_filter reads `choice.<attr>` (core/choice_filter.py)

    def context(self, prefix: str, name: str) -> object | None:
        return self._interview.context.get(prefix, {}).get(name)


class Interview:
    """The answers to one bundle and everything that follows from them."""

    def __init__(
        self,
        bundle: Bundle,
        answers: Mapping[Key, Answer] | Iterable[tuple[Key, Answer]] = (),
        *,
        today: Callable[[], dt.date] = dt.date.today,
        case: Mapping[str, object] | None = None,
        context: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        self.bundle = bundle
        self.today = today
        # What the new-intake form recorded (names, language, interpreter): `case.<field>` in
        # a default. Keys: CASE_FIELDS (core/bundle_model.py).
        self.case_facts: dict[str, object] = dict(case or {})
        # The rest of the case, fixed while this interview is open: `intake.<id>`,
        # `plan.<field>` (a follow-up), `followup.<id>` (the intake's plan rules).
        self.context: dict[str, Mapping[str, object]] = dict(context or {})
        self._proposals: dict[Key, Value | None] = {}
        pairs = answers.items() if isinstance(answers, Mapping) else answers
        self._answers: dict[Key, Answer] = dict(pairs)
        self._visible: dict[Key, bool] = {}
        self._calculated: dict[Key, object | None] = {}
        # What `choice_filter:` keeps per question and instance, and what `repeat_count:`
        # asked for per repeat (core/choice_filter.py).
        self._kept: dict[Key, frozenset[str]] = {}
        self._asked: dict[str, int] = {}
        self.recompute()

    # -- reading ------------------------------------------------------------------------------

    def item(self, question_id: str) -> Item:
        return self.bundle.items[question_id]

    def answers(self) -> dict[Key, Answer]:
        """Every stored answer, visible or not (a copy)."""
        return dict(self._answers)

    def answer(self, question_id: str, instance: str | None = None) -> Answer | None:
        """The stored answer, whether or not the question is visible now."""
        return self._answers.get((question_id, instance))

    def instances(self, repeat: str) -> tuple[str, ...]:
        """The instance ids of a repeat, in order."""
        if repeat in self._asked:  # a counted repeat: "1" … "n" (core/choice_filter.py)
            counted = self._calculated.get((repeat, None))
            return counted if isinstance(counted, tuple) else ()
        answer = self._answers.get((repeat, None))
        if answer is None or not isinstance(answer.value, tuple):
            return ()
        return answer.value

    def choices(self, question_id: str, instance: str | None = None) -> tuple[Choice, ...]:
        """The choices offered now: those the `choice_filter:` keeps (all without one). The
        screen lists exactly these; an answer's label is read from `item.choices`."""
        item = self.bundle.items[question_id]
        if item.choice_filter is None:
            return item.choices or ()
        kept = self._kept.get((question_id, instance), frozenset())
        return tuple(c for c in item.choices or () if c.value in kept)

    def is_visible(self, question_id: str, instance: str | None = None) -> bool:
        return self._visible.get((question_id, instance), False)

    def value(self, question_id: str, instance: str | None = None) -> object | None:
        """The value as expressions, the plan and the export see it (None: hidden or not known)."""
        key = (question_id, instance)
        if not self._visible.get(key, False):
            return None
        if key in self._calculated:
            return self._calculated[key]
        answer = self._answers.get(key)
        if answer is None or answer.state != "answered":
            return None
        return answer.value

    def state(self, question_id: str, instance: str | None = None) -> AnswerState | None:
        """The answer's state as expressions see it (None when hidden or unanswered)."""
        key = (question_id, instance)
        if not self._visible.get(key, False):
            return None
        if key in self._calculated:
            return None if self._calculated[key] is None else "answered"
        answer = self._answers.get(key)
        if answer is None or (answer.state == "answered" and answer.value is None):
            return None
        return answer.state

    def scope(self, instance_of: str | None = None, instance: str | None = None) -> _Scope:
        """An expression scope at the top level, or inside one instance of a repeat."""
        return _Scope(self, instance_of, instance)

    def evaluate(self, expression: Expression, step: Step | None = None) -> object | None:
        """Evaluate a bundle expression (e.g. a plan rule) at the top level or at `step`."""
        scope = self._scope_for(step.id, step.instance) if step else self.scope()
        try:
            return expression.evaluate(scope)
        except ExpressionError:
            return None

    # -- defaults -----------------------------------------------------------------------------

    def proposal(self, question_id: str, instance: str | None = None) -> Value | None:
        """What the question's `default:` proposes while it has no stored answer.

        The expression is evaluated once, the first time this interview asks for it, and the
        result is kept (what the caseworker sees does not change under their hands). None when
        there is no default, it gives nothing, or its value does not fit the question. A
        proposal is never an answer: `confirm_default` (or saving the same value) makes it one.
        """
        item = self.bundle.items[question_id]
        key = (question_id, instance)
        if item.default is None or key in self._answers or not self.is_visible(*key):
            return None  # a hidden question is not reached yet: nothing is evaluated
        if key not in self._proposals:
            self._proposals[key] = self._propose(item, instance)
        return self._proposals[key]

    def confirm_default(self, question_id: str, instance: str | None = None) -> Answer:
        """Store the proposal as the answer: the caseworker confirmed it."""
        value = self.proposal(question_id, instance)
        if value is None:
            raise ValueError(f"{question_id}: there is no proposed value to confirm")
        answer = Answer.of(value)
        self.set_answer(question_id, answer, instance)
        return answer

    def _propose(self, item: Item, instance: str | None) -> Value | None:
        assert item.default is not None
        try:
            result = item.default.evaluate(_Scope(self, item.repeat, instance))
        except ExpressionError:
            return None
        value = as_value(item, result)
        if value is None or self._value_problems(item, value, instance):
            return None
        return value

    # -- navigation ---------------------------------------------------------------------------

    def steps(self, section: str | None = None) -> list[Step]:
        """The visible questions and notes, in the order they are asked (repeats expanded)."""
        return self._walk([section] if section is not None else list(self.bundle.sections), True)

    def _walk(self, sections: list[str], visible_only: bool) -> list[Step]:
        out: list[Step] = []

        def walk(item: Item, instance: str | None) -> None:
            for child_id in item.children:
                child = self.bundle.items[child_id]
                if visible_only and not self.is_visible(child_id, instance):
                    continue
                if child.type == "group":
                    walk(child, instance)
                elif child.type == "repeat":
                    out.append(Step(child_id, None))
                    for inner in self.instances(child_id):
                        walk(child, inner)
                elif child.calculate is None:
                    out.append(Step(child_id, instance))

        for section_id in sections:
            if not visible_only or self.is_visible(section_id):
                walk(self.bundle.items[section_id], None)
        return out

    def next_step(self, step: Step | None) -> Step | None:
        """The visible step after `step` (the first one for None); None at the end."""
        steps = self.steps()
        if step is None:
            return steps[0] if steps else None
        index = self._index(steps, step)
        if index is None:
            return self._nearest(steps, step, after=True)
        return steps[index + 1] if index + 1 < len(steps) else None

    def previous_step(self, step: Step) -> Step | None:
        """The visible step before `step`; None at the start."""
        steps = self.steps()
        index = self._index(steps, step)
        if index is None:
            return self._nearest(steps, step, after=False)
        return steps[index - 1] if index > 0 else None

    @staticmethod
    def _index(steps: list[Step], step: Step) -> int | None:
        try:
            return steps.index(step)
        except ValueError:
            return None

    def _nearest(self, steps: list[Step], step: Step, *, after: bool) -> Step | None:
        # The step itself became hidden (an answer changed): continue from where it stood,
        # in the order all steps would have if every question were visible.
        every = self._walk(list(self.bundle.sections), False)
        if step not in every:
            return steps[0] if after and steps else None
        rank = {s: i for i, s in enumerate(every)}
        here = rank[step]
        if after:
            return next((s for s in steps if rank.get(s, -1) > here), None)
        return next((s for s in reversed(steps) if rank.get(s, len(every)) < here), None)

    # -- writing ------------------------------------------------------------------------------

    def set_answer(
        self, question_id: str, answer: Answer | None, instance: str | None = None
    ) -> None:
        """Store (or with None, clear) an answer, and recompute what depends on it."""
        item = self.bundle.items[question_id]
        key = (question_id, instance)
        if (item.repeat is None) != (instance is None):
            raise KeyError(
                f"{question_id}: instance {'required' if item.repeat else 'not allowed'}"
            )
        if answer is None:
            self._answers.pop(key, None)
        else:
            self._answers[key] = answer
        self._recompute_from(question_id)

    def add_instance(self, repeat: str) -> str:
        """Add an instance at the end of a repeat; its new id."""
        current = self.instances(repeat)
        numbers = [int(i) for i in current if i.isdigit()]
        used = {
            int(i)
            for key in self._answers
            if key[1] is not None and key[1].isdigit()
            for i in [key[1]]
        }
        new = str(max([0, *numbers, *used]) + 1)
        self._set_instances(repeat, (*current, new))
        return new

    def remove_instance(self, repeat: str, instance: str) -> None:
        """Remove an instance from a repeat. Its answers stay stored (undo can bring it back)."""
        self._set_instances(repeat, tuple(i for i in self.instances(repeat) if i != instance))

    def move_instance(self, repeat: str, instance: str, position: int) -> None:
        """Move an instance to `position` (0-based) in the repeat's order."""
        rest = [i for i in self.instances(repeat) if i != instance]
        if len(rest) == len(self.instances(repeat)):
            raise KeyError(f"{repeat}: no instance {instance!r}")
        position = max(0, min(position, len(rest)))
        rest.insert(position, instance)
        self._set_instances(repeat, tuple(rest))

    def _set_instances(self, repeat: str, instances: tuple[str, ...]) -> None:
        if self.bundle.items[repeat].type != "repeat":
            raise KeyError(f"{repeat} is not a repeat")
        if self.bundle.items[repeat].repeat_count is not None:
            raise ValueError(f"{repeat}: its instances follow its repeat_count")
        self.set_answer(repeat, Answer("answered", instances) if instances else None)

    # -- recomputation ------------------------------------------------------------------------

    def recompute(self) -> None:
        """Recompute every visibility and calculation (after loading answers)."""
        self._visible.clear()
        self._calculated.clear()
        self._kept.clear()
        for item_id in sorted(self.bundle.items, key=self.bundle.topological.__getitem__):
            self._compute(self.bundle.items[item_id])

    def _recompute_from(self, question_id: str) -> None:
        items = self.bundle.items
        for dependent in self.bundle.dependents[question_id]:
            self._compute(items[dependent])

    def _instance_keys(self, item: Item) -> Iterator[str | None]:
        if item.repeat is None:
            yield None
        else:
            yield from self.instances(item.repeat)

    def _scope_for(self, item_id: str, instance: str | None) -> _Scope:
        item = self.bundle.items[item_id]
        return _Scope(self, item.repeat, instance)

    def _compute(self, item: Item) -> None:
        if item.repeat_count is not None:  # a repeat is never inside another: the top scope
            counted, self._asked[item.id] = counted_instances(item, _Scope(self, None, None))
            self._calculated[(item.id, None)] = counted or None
        for instance in self._instance_keys(item):
            key = (item.id, instance)
            parent_visible = True
            if item.parent is not None:
                parent = self.bundle.items[item.parent]
                parent_key = (parent.id, instance if parent.repeat is not None else None)
                parent_visible = self._visible.get(parent_key, False)
            visible = parent_visible
            if visible and item.relevant is not None:
                try:
                    visible = item.relevant.test(_Scope(self, item.repeat, instance))
                except ExpressionError:
                    visible = True  # a broken condition shows the question rather than hide data
            self._visible[key] = visible
            if item.calculate is not None:
                result: object | None = None
                if visible:
                    try:
                        result = item.calculate.evaluate(_Scope(self, item.repeat, instance))
                    except ExpressionError:
                        result = None
                self._calculated[key] = result
            if item.choice_filter is not None:
                scope = _Scope(self, item.repeat, instance)
                self._kept[key] = kept_codes(item, scope) if visible else frozenset()

    # -- validation ---------------------------------------------------------------------------

    def is_required(self, question_id: str, instance: str | None = None) -> bool:
        item = self.bundle.items[question_id]
        if isinstance(item.required, bool):
            return item.required
        try:
            return item.required.test(_Scope(self, item.repeat, instance))
        except ExpressionError:
            return True

    def is_satisfied(self, question_id: str, instance: str | None = None) -> bool:
        """True when the question has what `required` asks: a value, or an allowed unknown."""
        item = self.bundle.items[question_id]
        if item.type == "repeat":
            return len(self.instances(question_id)) > 0
        answer = self._answers.get((question_id, instance))
        if answer is None:
            return False
        if answer.state == "answered":
            return answer.value is not None and answer.value != "" and answer.value != ()
        return answer.state in item.question.allow

    def validate(
        self, question_id: str, candidate: Answer | Value | None, instance: str | None = None
    ) -> list[str]:
        """Why `candidate` cannot be the answer here: an empty list when it can."""
        item = self.bundle.items[question_id]
        answer = (
            candidate
            if isinstance(candidate, Answer) or candidate is None
            else Answer.of(candidate)
        )
        if answer is None or (answer.state == "answered" and answer.value in (None, "", ())):
            if self.is_required(question_id, instance):
                return [_required_message(item)]
            return []
        if answer.state != "answered":
            if answer.state not in item.question.allow:
                return [
                    _("“don't know” is not an option for this question")
                    if answer.state == "unknown"
                    else _("“prefer not to say” is not an option for this question")
                ]
            return []
        return self._value_problems(item, answer.value, instance)

    def _value_problems(self, item: Item, value: object, instance: str | None) -> list[str]:
        spec = item.question
        value_type = VALUE_TYPES.get(item.type)
        if value_type is None or not value_type.accepts(value):
            return [_("this answer does not fit the question type")]
        problems: list[str] = []
        if item.type == "choice" and item.choices is not None and value not in item.choice_codes():
            problems.append(_("not one of the choices"))
        if item.type == "multi_choice" and isinstance(value, tuple):
            if item.choices is not None and not set(value) <= item.choice_codes():
                problems.append(_("not one of the choices"))
            if len(set(value)) != len(value):
                problems.append(_("a choice is selected twice"))
            if (alone := exclusive_conflict(item, value)) is not None:
                problems.append(
                    _("“{choice}” cannot be combined with other choices").format(choice=alone.label)
                )
        if item.choice_filter is not None and self._unoffered(item, value, instance):
            problems.append(_("no longer offered after an earlier answer changed: choose again"))
        problems.extend(bound_problems(item, value))
        if spec.pattern is not None and isinstance(value, str) and not _fits(spec.pattern, value):
            problems.append(_("the answer does not have the expected form"))
        if spec.format == "bsn" and isinstance(value, str) and not elfproef(value):
            problems.append(_("not a valid BSN: 9 digits that pass the elfproef"))
        if item.constraint is not None and not problems:
            try:
                ok = item.constraint.test(_Scope(self, item.repeat, instance), value)
            except ExpressionError:
                ok = True  # a constraint that cannot be evaluated must not block the caseworker
            if not ok:
                problems.append(spec.constraint_message or _("this answer is not allowed here"))
        return problems

    # -- overview -----------------------------------------------------------------------------

    def progress(self) -> dict[str, SectionProgress]:
        """Per section: visible questions, how many are answered, and required ones missing."""
        result: dict[str, SectionProgress] = {}
        for section in self.bundle.sections:
            answered = total = missing = 0
            for step in self.steps(section):
                item = self.bundle.items[step.id]
                if not item.holds_value:
                    continue
                total += 1
                has = (
                    len(self.instances(step.id)) > 0
                    if item.type == "repeat"
                    else step.key in self._answers
                )
                answered += has
                missing += self._blocks(step)
            result[section] = SectionProgress(
                section, self.is_visible(section), answered, total, missing
            )
        return result

    def finalize_blockers(self) -> list[Step]:
        """What stops finalizing, in questionnaire order: every visible required question (in
        each repeat instance too) without what `required` asks - no answer, an empty one, or a
        "weet niet" / "wil niet zeggen" that its `allow:` does not list."""
        return [step for step in self.steps() if self._blocks(step)]

    def _blocks(self, step: Step) -> bool:
        item = self.bundle.items[step.id]
        if item.choice_filter is not None:  # an answer the filter no longer offers blocks
            answer = self._answers.get(step.key)
            if answer is not None and self._unoffered(item, answer.value, step.instance):
                return True
        return item.holds_value and self.is_required(*step.key) and not self.is_satisfied(*step.key)

    def _unoffered(self, item: Item, value: object, instance: str | None) -> bool:
        return unoffered(item, value, self._kept.get((item.id, instance), frozenset()))

    def issues(self) -> list[Issue]:
        """Visible questions that are required and missing, or whose stored answer is invalid."""
        found: list[Issue] = []
        for step in self.steps():
            item = self.bundle.items[step.id]
            if not item.holds_value:
                continue
            answer = self._answers.get(step.key)
            if item.type == "repeat":
                count = len(self.instances(step.id))
                if self.is_required(step.id) and count == 0:
                    found.append(Issue(step, "missing_required", _required_message(item)))
                found.extend(
                    Issue(step, "invalid", m) for m in bound_problems(item, self.instances(step.id))
                )
                if self._asked.get(step.id, 0) > count:
                    message = _("the count is {asked}; only the first {kept} are asked")
                    found.append(
                        Issue(
                            step, "invalid", message.format(asked=self._asked[step.id], kept=count)
                        )
                    )
                continue
            if answer is None:
                if self.is_required(*step.key):
                    found.append(Issue(step, "missing_required", _required_message(item)))
                continue
            found.extend(
                Issue(step, "invalid", m) for m in self.validate(step.id, answer, step.instance)
            )
        return found

    def hidden_answers(self) -> list[Key]:
        """Stored answers of questions that are hidden now (kept, but left out of everything)."""
        hidden: list[Key] = []
        for key, _answer in self._answers.items():
            item = self.bundle.items.get(key[0])
            if item is None:
                hidden.append(key)  # a question the bundle no longer has
                continue
            live = key[1] is None or key[1] in self.instances(item.repeat or "")
            if not live or not self._visible.get(key, False):
                hidden.append(key)
        return hidden

    def calculated(self) -> dict[Key, object | None]:
        """Every calculated value (visible or not), for the review screen."""
        return dict(self._calculated)
