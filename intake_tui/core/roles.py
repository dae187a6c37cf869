"""Roles: what the app itself reads from a questionnaire, named by meaning instead of by id.

The law ties a few answers to the plan and the case: DUO's notice date starts the 10 weeks of the
PIP deadline, an asylum permit holder gets the SS139 deadline and DUO's estimated intensity, an
earlier PIP fixes the termijn. The code asks for those answers by *role* (`role: duo_notice_date`
on a question, `role: asylum_permit_holder` on a choice), never by a bundle's own ids, so a
functional admin can name and rename questions freely (docs/bundle-format.md, "Roles").

`ROLES` is the registry: which question types a role may be on, which code roles its choices may
carry, and what the app does with it (the text of the warning when no question has it). The
loader checks roles with `check_roles`; the plan, the DUO checks and the screens read answers
with `value`, `date` and `has_code`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from intake_tui.core.bundle_model import version_key
from intake_tui.i18n import N_, _

if TYPE_CHECKING:
    from intake_tui.core.bundle_model import Bundle, Item
    from intake_tui.core.engine import Interview
    from intake_tui.core.yamlsource import DataPath

DATE = frozenset({"date"})
YES_NO = frozenset({"yes_no"})
WHOLE = frozenset({"integer"})
SINGLE = frozenset({"choice"})
TEXT = frozenset({"text", "longtext"})

# What depends on a role: the warning says this when no question has the role.
DEADLINE = N_("the PIP deadline (10 weeks) on the case and in the plan")
ASYLUM = N_(
    "what applies to an asylum permit holder: the SS139 deadline and DUO's geschatte intensiteit"
)
DUO = N_("DUO's acceptance checks of a final PIP")
TERMIJN = N_("the termijn after an earlier PIP or a DUO decision")
MOVE = N_("the legal checks of the leerroute after a move (schakelen, afschalen)")
LBT = N_("the check of the leerbaarheidstoets' outcome against its score")
EXEMPTION = N_("the question to DUO whether a Dutch diploma exempts (vrijstelling)")
AOW = N_("the AOW date against the termijn")
GOALS = N_("the goals the plan copies from the interview")
INFORMATION = N_("the information step before the first question")
AGREEMENTS = N_("the printed page of agreements until the next conversation")


@dataclass(frozen=True)
class Role:
    """A meaning the app reads: on which question types, with which code roles, and what for."""

    types: frozenset[str]
    used_for: str  # N_(): translated when shown
    codes: tuple[str, ...] = ()  # the code roles the question's choices may carry
    inside: str | None = None  # the role of the repeat this question must be in


ROLES: Mapping[str, Role] = {
    # The PIP deadline (Besluit inburgering 2021 art. 5.3).
    "duo_notice_date": Role(DATE, DEADLINE),
    "brp_registration_date": Role(DATE, DEADLINE),
    "ss139_date": Role(DATE, DEADLINE),
    "target_group": Role(SINGLE, ASYLUM, codes=("asylum_permit_holder",)),
    # DUO's acceptance rules of a PIP (reference/duo), and the termijn.
    "obligation_start_date": Role(DATE, DUO),
    "settlement_date": Role(DATE, DUO),
    "lbt_state": Role(SINGLE, DUO, codes=("skipped",)),
    "lbt_skip_reason": Role(SINGLE, DUO, codes=("visual", "auditory")),
    "lbt_result": Role(SINGLE, LBT, codes=("feasible", "not_feasible")),
    "lbt_score": Role(WHOLE, LBT),
    "lbt_required_score": Role(WHOLE, LBT),
    "lbt_date": Role(DATE, LBT),
    "earlier_pip": Role(YES_NO, TERMIJN),
    "earlier_pip_date": Role(DATE, TERMIJN),
    "duo_term_end": Role(DATE, TERMIJN),
    # The legal rules of a later PIP (Wet inburgering 2021 art. 16; Besluit art. 4.5).
    "earlier_pip_route": Role(SINGLE, MOVE, codes=("route_b1", "route_education", "route_z")),
    "earlier_pip_level": Role(SINGLE, MOVE, codes=("level_a2",)),
    "reduction_hours": Role(WHOLE, MOVE),
    "reduction_effort": Role(YES_NO, MOVE),
    "dutch_diploma": Role(YES_NO, EXEMPTION),
    "dutch_diploma_kind": Role(SINGLE, EXEMPTION, codes=("exempting",)),
    "birth_date": Role(DATE, AOW),
    # The goals of the plan (GGM Ontwikkelwens / Aandachtspunt).
    "development_wishes": Role(frozenset({"repeat"}), GOALS),
    "development_wish": Role(TEXT, GOALS, inside="development_wishes"),
    "development_wish_subgoals": Role(TEXT, GOALS, inside="development_wishes"),
    "development_wish_start": Role(DATE, GOALS, inside="development_wishes"),
    "development_wish_end": Role(DATE, GOALS, inside="development_wishes"),
    "attention_points": Role(frozenset({"repeat"}), GOALS),
    "attention_point": Role(TEXT, GOALS, inside="attention_points"),
    "attention_point_subgoals": Role(TEXT, GOALS, inside="attention_points"),
    # The new-intake screen's information step (Wet art. 14; AVG art. 13).
    "intake_information": Role(frozenset({"note"}), INFORMATION),
    "information_given": Role(YES_NO, INFORMATION),
    "privacy_information_given": Role(YES_NO, INFORMATION),
    "information_language": Role(SINGLE, INFORMATION),
    "information_date": Role(DATE, INFORMATION),
    # A follow-up conversation's agreements, printed for the newcomer (store/agreements.py).
    "agreements": Role(frozenset({"repeat"}), AGREEMENTS),
    "agreement": Role(TEXT, AGREEMENTS, inside="agreements"),
    "agreement_who": Role(SINGLE, AGREEMENTS, inside="agreements"),
    "agreement_when": Role(DATE, AGREEMENTS, inside="agreements"),
    "next_talk_date": Role(DATE, AGREEMENTS),
}

# Roles a follow-up conversation's bundle has; an intake bundle (with a plan.yaml) does not
# need them, so they are left out of its warnings.
FOLLOW_UP_ROLES = frozenset(
    {"agreements", "agreement", "agreement_who", "agreement_when", "next_talk_date"}
)

# Every code role, and the role whose choices carry it.
CODE_ROLES: Mapping[str, str] = {code: name for name, role in ROLES.items() for code in role.codes}


# -- reading answers by role ----------------------------------------------------------------------


def question_id(bundle: Bundle, role: str) -> str | None:
    """The id of the question with `role`, or None when the bundle has none."""
    return bundle.roles.get(role)


def value(interview: Interview, role: str, instance: str | None = None) -> object:
    """The answer to the question with `role` (None when unanswered, hidden, or no question)."""
    found = interview.bundle.roles.get(role)
    return interview.value(found, instance) if found is not None else None


def date(interview: Interview, role: str) -> dt.date | None:
    found = value(interview, role)
    return found if isinstance(found, dt.date) else None


def codes(bundle: Bundle, role: str, code_role: str) -> frozenset[str]:
    """The choice codes of the question with `role` that carry `code_role`."""
    found = bundle.roles.get(role)
    if found is None:
        return frozenset()
    return bundle.code_roles.get(found, {}).get(code_role, frozenset())


def has_code(interview: Interview, role: str, code_role: str) -> bool:
    """The answer to the question with `role` is a code that carries `code_role`."""
    answer = value(interview, role)
    return isinstance(answer, str) and answer in codes(interview.bundle, role, code_role)


# -- checking a bundle's roles --------------------------------------------------------------------

Report = Callable[["DataPath", str], None]


@dataclass(frozen=True)
class Found:
    """The roles of a loaded bundle: role → question id, and per question its code roles."""

    roles: dict[str, str]
    code_roles: dict[str, dict[str, frozenset[str]]]


def check_roles(
    items: Mapping[str, Item],
    paths: Mapping[str, DataPath],
    *,
    has_plan: bool,
    error: Report,
    warn: Report,
) -> Found:
    """Check every `role:` of questions and choices; report each problem at its `role:` key.

    A bundle with a plan.yaml is told (a warning) about every role no question has, with what the
    app then leaves out; a bundle without one is a plain questionnaire and needs none."""
    from intake_tui.core.bundle_support import _did_you_mean

    roles: dict[str, str] = {}
    code_roles: dict[str, dict[str, frozenset[str]]] = {}
    accepted: dict[
        DataPath, set[str]
    ] = {}  # a choice's role path → roles of the questions using it
    written: dict[DataPath, str] = {}  # a choice's role path → its code role
    for item_id, item in items.items():
        spec = item.spec
        name = getattr(spec, "role", None)
        at = (*paths[item_id], "role")
        role = ROLES.get(name) if name is not None else None
        if name is not None and role is None:
            error(at, _("unknown role {role!r}").format(role=name) + _did_you_mean(name, ROLES))
        elif (
            name is not None
            and role is not None
            and _check_place(item, items, name, role, at, error)
        ):
            if name in roles:
                error(
                    at,
                    _("role {role!r} is already on question {id!r}").format(
                        role=name, id=roles[name]
                    ),
                )
            else:
                roles[name] = item_id
        for path, code, code_role in _choice_roles(item, paths[item_id]):
            written[path] = code_role
            accepted.setdefault(path, set())
            if role is not None and code_role in role.codes:
                accepted[path].add(str(name))
                per = code_roles.setdefault(item_id, {})
                per[code_role] = per.get(code_role, frozenset()) | {code}
    for path, code_role in written.items():
        if not accepted[path]:
            error(path, _unaccepted(code_role))
    for name, item_id in roles.items():
        for code_role in ROLES[name].codes:
            if code_role not in code_roles.get(item_id, {}):
                warn(
                    (*paths[item_id], "role"),
                    _(
                        "no choice has code role {code!r}; without it the app leaves out {what}"
                    ).format(code=code_role, what=_(ROLES[name].used_for)),
                )
    if has_plan:
        for name in missing(roles, skip=FOLLOW_UP_ROLES):
            warn(
                (),
                _("no question has role {role!r}; without it the app leaves out {what}").format(
                    role=name, what=_(ROLES[name].used_for)
                ),
            )
    return Found(roles, code_roles)


def missing(roles: Iterable[str], skip: frozenset[str] = frozenset()) -> list[str]:
    """The roles of the registry that are not in `roles` (nor in `skip`), in registry order."""
    have = set(roles) | skip
    return [name for name in ROLES if name not in have]


def _check_place(
    item: Item, items: Mapping[str, Item], name: str, role: Role, at: DataPath, error: Report
) -> bool:
    if item.type not in role.types:
        error(
            at,
            _("role {role!r} is for a question of type {types}, not {type}").format(
                role=name, types=" or ".join(sorted(role.types)), type=item.type
            ),
        )
        return False
    repeat = items[item.repeat] if item.repeat is not None else None
    repeat_role = getattr(repeat.spec, "role", None) if repeat is not None else None
    if role.inside is not None and repeat_role != role.inside:
        error(
            at,
            _("role {role!r} belongs inside the repeat with role {repeat!r}").format(
                role=name, repeat=role.inside
            ),
        )
        return False
    if role.inside is None and repeat is not None:
        error(
            at,
            _(
                "role {role!r} cannot be inside a repeat ({repeat!r}): the app reads one answer"
            ).format(role=name, repeat=repeat.id),
        )
        return False
    return True


def _choice_roles(item: Item, path: DataPath) -> list[tuple[DataPath, str, str]]:
    """(path of the `role:` key, code, code role) of each choice of `item` that has a role."""
    spec = item.spec
    raw = getattr(spec, "choices", None)
    if raw is None or not item.choices:
        return []
    base: DataPath = ("choice_lists", raw) if isinstance(raw, str) else (*path, "choices")
    return [
        ((*base, index, "role"), choice.value, choice.role)
        for index, choice in enumerate(item.choices)
        if choice.role is not None
    ]


def _unaccepted(code_role: str) -> str:
    owner = CODE_ROLES.get(code_role)
    if owner is None:
        from intake_tui.core.bundle_support import _did_you_mean

        return _("unknown code role {code!r}").format(code=code_role) + _did_you_mean(
            code_role, CODE_ROLES
        )
    return _("code role {code!r} belongs on a choice of the question with role {role!r}").format(
        code=code_role, role=owner
    )


# -- pinned copies from before roles --------------------------------------------------------------


def inherit(bundle: Bundle, newer: Iterable[Bundle]) -> bool:
    """Give a role-less copy (an interview pinned before roles existed) the roles of the newest
    version of the same bundle, matched by question id and code: ids of a bundle are stable
    across its versions. Returns whether roles were found."""
    if bundle.roles:
        return True
    for source in sorted(
        (b for b in newer if b.id == bundle.id and b.roles),
        key=lambda b: version_key(b.version),
        reverse=True,
    ):
        for name, item_id in source.roles.items():
            item = bundle.items.get(item_id)
            if item is None or item.type not in ROLES[name].types:
                continue
            bundle.roles[name] = item_id
            theirs = source.code_roles.get(item_id, {})
            mine = item.choice_codes()
            kept = {code: values & mine for code, values in theirs.items() if values & mine}
            if kept:
                bundle.code_roles[item_id] = kept
        return True
    return False
