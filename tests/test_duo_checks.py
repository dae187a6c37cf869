"""DUO's acceptance rules for a PIP (intake_tui.core.plan.duo) and the `PIP` block DUO receives.

Every check has a passing and a failing case with its specific message; the block holds only
DUO's fields and validates against the `PIP` schema of DUO's interface description.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from intake_tui.core import Answer, FrozenClock, Interview
from intake_tui.core.plan import FIELDS, DuoFacts, Override, Plan, PlanField, draft_plan
from intake_tui.core.plan.duo import duo_block, duo_checks, duo_facts, failed
from intake_tui.core.questionnaire import Bundle
from intake_tui.personas import PERSONAS, apply

# DUO's published PIP API, kept with the schemas (see tests/test_export.py).
PIP_SPEC = Path(__file__).resolve().parent.parent / "schemas" / "duo" / "PIP.openapi.yml"
DUO_KEYS = {
    "dagtekeningPip",
    "leerroute",
    "niveau",
    "geschatteIntensiteitB1Route",
    "indicatorMagOpleidingAfmaken",
    "indicatorAlfabetiseringsonderwijs",
}
CHECK_IDS = {
    "leerroute_gekozen",
    "onderwijsroute_niet_a2",
    "zroute_niet_b1",
    "eerste_pip_b1_niet_a2",
    "intensiteit_alleen_b1_asiel",
    "geen_map_in_onderwijsroute",
    "lbt_verplicht",
    "dagtekening_gezet",
    "vestiging_bekend",
    "start_plicht_bekend",
    "vorige_dagtekening_bekend",
    "dagtekening_na_start_plicht",
    "dagtekening_na_vestiging",
    "dagtekening_niet_voor_vorige",
}


def plan_of(**values: Any) -> Plan:
    """A plan with these rule values (keys with '__' for '.': map__van_toepassing)."""
    given = {k.replace("__", "."): v for k, v in values.items()}
    assert set(given) <= set(FIELDS)
    return Plan({key: PlanField(key, rule_value=given.get(key)) for key in FIELDS})


FACTS = DuoFacts(
    dagtekening=dt.date(2026, 12, 1),
    start_inburgeringsplicht=dt.date(2026, 9, 1),
    vestiging=dt.date(2026, 10, 1),
    asielstatushouder=True,
    first_pip_ever=True,
    previous_dagtekening=None,
    lbt_taken=True,
    lbt_exempt=False,
)

GOOD_B = {"leerroute": "B", "niveau": "B1"}

# (check id, plan values, fact changes, ok, message)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool, str]] = [
    ("leerroute_gekozen", GOOD_B, {}, True, "A leerroute has been chosen."),
    ("leerroute_gekozen", {}, {}, False, "No leerroute has been chosen yet; DUO requires one."),
    (
        "onderwijsroute_niet_a2",
        {"leerroute": "O", "niveau": "B1"},
        {},
        True,
        "Level fits the onderwijsroute.",
    ),
    ("onderwijsroute_niet_a2", {"leerroute": "O"}, {}, True, "Level fits the onderwijsroute."),
    (
        "onderwijsroute_niet_a2",
        {"leerroute": "O", "niveau": "A2"},
        {},
        False,
        "The onderwijsroute cannot have level A2: DUO refuses it. Choose B1 or leave it empty.",
    ),
    ("zroute_niet_b1", {"leerroute": "Z"}, {}, True, "Level fits the Z-route."),
    (
        "zroute_niet_b1",
        {"leerroute": "Z", "niveau": "B1"},
        {},
        False,
        "The Z-route cannot have level B1: DUO refuses it. Leave the level empty.",
    ),
    (
        "eerste_pip_b1_niet_a2",
        {"leerroute": "B", "niveau": "A2"},
        {"first_pip_ever": False, "previous_dagtekening": dt.date(2025, 1, 10)},
        True,
        "Level fits a first or later PIP.",
    ),
    (
        "eerste_pip_b1_niet_a2",
        {"leerroute": "B", "niveau": "A2"},
        {},
        False,
        "Level A2 in the B1-route is only possible in a later PIP (afschalen), not in the "
        "first PIP of this person in any municipality.",
    ),
    (
        "intensiteit_alleen_b1_asiel",
        {**GOOD_B, "geschatte_intensiteit": 800},
        {},
        True,
        "Estimated intensity fits the route and target group.",
    ),
    (
        "intensiteit_alleen_b1_asiel",
        {**GOOD_B},
        {"asielstatushouder": False},
        True,
        "Estimated intensity fits the route and target group.",
    ),
    (
        "intensiteit_alleen_b1_asiel",
        {**GOOD_B, "geschatte_intensiteit": 800},
        {"asielstatushouder": False},
        False,
        "An estimated intensity (1 to 9999 hours) is only for the B1-route of an asylum "
        "permit holder; remove it or change the route.",
    ),
    (
        "intensiteit_alleen_b1_asiel",
        {"leerroute": "Z", "geschatte_intensiteit": 800},
        {},
        False,
        "An estimated intensity (1 to 9999 hours) is only for the B1-route of an asylum "
        "permit holder; remove it or change the route.",
    ),
    (
        "intensiteit_alleen_b1_asiel",
        {**GOOD_B, "geschatte_intensiteit": 10000},
        {},
        False,
        "An estimated intensity (1 to 9999 hours) is only for the B1-route of an asylum "
        "permit holder; remove it or change the route.",
    ),
    (
        "geen_map_in_onderwijsroute",
        {"leerroute": "O", "map__van_toepassing": False},
        {},
        True,
        "The MAP fits the route.",
    ),
    (
        "geen_map_in_onderwijsroute",
        {"leerroute": "B", "map__van_toepassing": True},
        {},
        True,
        "The MAP fits the route.",
    ),
    (
        "geen_map_in_onderwijsroute",
        {"leerroute": "O", "map__van_toepassing": True},
        {},
        False,
        "The MAP does not apply in the onderwijsroute (Wet inburgering art. 8 lid 3).",
    ),
    (
        "lbt_verplicht",
        GOOD_B,
        {},
        True,
        "The leerbaarheidstoets was taken, or the person is exempt.",
    ),
    (
        "lbt_verplicht",
        GOOD_B,
        {"lbt_taken": False, "lbt_exempt": True},
        True,
        "The leerbaarheidstoets was taken, or the person is exempt.",
    ),
    (
        "lbt_verplicht",
        GOOD_B,
        {"lbt_taken": False},
        False,
        "The leerbaarheidstoets has no result yet; it is required unless the person is "
        "exempt for a visual or auditory impairment.",
    ),
    ("dagtekening_gezet", GOOD_B, {}, True, "The dagtekening is set."),
    (
        "dagtekening_gezet",
        GOOD_B,
        {"dagtekening": None},
        False,
        "A final PIP needs its dagtekening (the date it is signed).",
    ),
    ("vestiging_bekend", GOOD_B, {}, True, "The date of settlement is known."),
    ("start_plicht_bekend", GOOD_B, {}, True, "The start of the inburgeringsplicht is known."),
    (
        "start_plicht_bekend",
        GOOD_B,
        {"start_inburgeringsplicht": None},
        False,
        "A final PIP needs the start date of the inburgeringsplicht.",
    ),
    (
        "vorige_dagtekening_bekend",
        GOOD_B,
        {},
        True,
        "The dagtekening of an earlier PIP is known, or there is none.",
    ),
    (
        "vorige_dagtekening_bekend",
        GOOD_B,
        {"earlier_pip_date_missing": True, "first_pip_ever": False},
        False,
        "There is an earlier PIP: its dagtekening is needed (a new PIP may not be dated "
        "before it).",
    ),
    (
        "vestiging_bekend",
        GOOD_B,
        {"vestiging": None},
        False,
        "A final PIP needs the date of settlement in the municipality.",
    ),
    (
        "dagtekening_na_start_plicht",
        GOOD_B,
        {"dagtekening": dt.date(2026, 9, 1), "vestiging": dt.date(2026, 8, 1)},
        True,
        "The dagtekening is not before the start of the inburgeringsplicht.",
    ),
    (
        "dagtekening_na_start_plicht",
        GOOD_B,
        {"dagtekening": dt.date(2026, 8, 31), "vestiging": dt.date(2026, 8, 1)},
        False,
        "The dagtekening lies before the start of the inburgeringsplicht (01-09-2026).",
    ),
    (
        "dagtekening_na_vestiging",
        GOOD_B,
        {"dagtekening": dt.date(2026, 10, 1)},
        True,
        "The dagtekening is not before the settlement in the municipality.",
    ),
    (
        "dagtekening_na_vestiging",
        GOOD_B,
        {"dagtekening": dt.date(2026, 9, 30)},
        False,
        "The dagtekening lies before the settlement in the municipality (01-10-2026).",
    ),
    (
        "dagtekening_niet_voor_vorige",
        GOOD_B,
        {"previous_dagtekening": dt.date(2026, 12, 1), "first_pip_ever": False},
        True,
        "The dagtekening is not before an earlier PIP.",
    ),
    (
        "dagtekening_niet_voor_vorige",
        GOOD_B,
        {"previous_dagtekening": dt.date(2026, 12, 2), "first_pip_ever": False},
        False,
        "A changed PIP cannot be dated before the earlier PIP (02-12-2026).",
    ),
]


def _case_id(case: tuple[str, dict[str, Any], dict[str, Any], bool, str]) -> str:
    return f"{case[0]}-{'ok' if case[3] else 'fails'}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_check(case: tuple[str, dict[str, Any], dict[str, Any], bool, str]) -> None:
    check_id, values, changes, ok, message = case
    checks = duo_checks(plan_of(**values), dataclasses.replace(FACTS, **changes))
    (found,) = [c for c in checks if c.id == check_id]
    assert found.ok is ok
    assert found.message == message


def test_every_check_has_a_passing_and_a_failing_case() -> None:
    passing = {c[0] for c in CASES if c[3]}
    failing = {c[0] for c in CASES if not c[3]}
    assert passing == CHECK_IDS
    assert failing == CHECK_IDS
    all_ids = {c.id for c in duo_checks(plan_of(**GOOD_B), FACTS)}
    assert all_ids == CHECK_IDS  # no check was added without a case here


def test_a_good_plan_passes_every_check() -> None:
    checks = duo_checks(plan_of(**GOOD_B, geschatte_intensiteit=900), FACTS)
    assert failed(checks) == []


def test_without_dagtekening_the_date_checks_are_skipped() -> None:
    checks = duo_checks(plan_of(**GOOD_B), dataclasses.replace(FACTS, dagtekening=None))
    ids = {c.id for c in checks}
    assert "dagtekening_gezet" in ids
    assert not ids & {"dagtekening_na_start_plicht", "dagtekening_na_vestiging"}


def test_an_override_is_what_duo_checks(default_bundle: Bundle) -> None:
    interview = _persona_interview(default_bundle, "farid")
    at = dt.datetime(2026, 11, 28, 10)
    overrides = {"niveau": Override("A2", "test", "rv", at)}
    plan = draft_plan(interview, default_bundle.plan, overrides)
    checks = {c.id: c for c in duo_checks(plan, duo_facts(interview, dt.date(2026, 12, 1)))}
    assert not checks["onderwijsroute_niet_a2"].ok


# -- facts from the interview -------------------------------------------------------------------


def _persona_interview(bundle: Bundle, key: str) -> Interview:
    personas = PERSONAS.values() if isinstance(PERSONAS, dict) else PERSONAS
    (persona,) = [p for p in personas if p.key == key]
    interview = Interview(bundle, today=FrozenClock.on("2026-11-28").today)
    apply(persona, interview)
    return interview


def test_facts_for_an_exempt_person_do_not_fail_the_lbt_check(default_bundle: Bundle) -> None:
    interview = _persona_interview(default_bundle, "hodan")
    facts = duo_facts(interview, dt.date(2026, 12, 20))
    assert facts.lbt_exempt and not facts.lbt_taken
    plan = draft_plan(interview, default_bundle.plan)
    checks = {c.id: c for c in duo_checks(plan, facts)}
    assert checks["lbt_verplicht"].ok


def test_facts_for_a_pending_lbt_fail_the_lbt_check(default_bundle: Bundle) -> None:
    interview = _persona_interview(default_bundle, "abdullah")
    facts = duo_facts(interview, dt.date(2026, 12, 20))
    checks = {c.id: c for c in duo_checks(draft_plan(interview, default_bundle.plan), facts)}
    assert not checks["lbt_verplicht"].ok
    assert not checks["leerroute_gekozen"].ok


def test_earlier_pip_makes_a2_possible(default_bundle: Bundle) -> None:
    interview = _persona_interview(default_bundle, "ayse")
    interview.set_answer("eerder_pip", Answer.of(True))
    interview.set_answer("eerder_pip_dagtekening", Answer.of(dt.date(2025, 3, 1)))
    facts = duo_facts(interview, dt.date(2026, 12, 20))
    assert not facts.first_pip_ever
    assert facts.previous_dagtekening == dt.date(2025, 3, 1)
    at = dt.datetime(2026, 11, 28, 10)
    plan = draft_plan(
        interview, default_bundle.plan, {"niveau": Override("A2", "afschalen", "rv", at)}
    )
    checks = {c.id: c for c in duo_checks(plan, facts)}
    assert checks["eerste_pip_b1_niet_a2"].ok


# -- the DUO block ------------------------------------------------------------------------------


def _resolve(node: Any, schemas: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _resolve(schemas[ref.rsplit("/", 1)[1]], schemas)
        return {k: _resolve(v, schemas) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, schemas) for v in node]
    return node


@pytest.fixture(scope="module")
def pip_schema() -> dict[str, Any]:
    spec = yaml.safe_load(PIP_SPEC.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schema = _resolve(schemas["PIP"], schemas)
    schema["additionalProperties"] = False  # the block has only DUO's fields
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    assert "$ref" not in json.dumps(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _validate(block: dict[str, object], schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(block)


@pytest.mark.parametrize("key", ["rami", "semhar", "farid", "ayse"])
def test_persona_blocks_validate_against_duo_schema(
    default_bundle: Bundle, pip_schema: dict[str, Any], key: str
) -> None:
    interview = _persona_interview(default_bundle, key)
    plan = draft_plan(interview, default_bundle.plan)
    asiel = interview.value("doelgroep") == "asielstatushouder"
    block = duo_block(plan, dt.date(2026, 12, 1), asielstatushouder=asiel)
    _validate(block, pip_schema)
    assert set(block) <= DUO_KEYS
    assert block["dagtekeningPip"] == "2026-12-01"


def test_block_only_duo_fields(pip_schema: dict[str, Any]) -> None:
    plan = plan_of(
        leerroute="B",
        niveau="B1",
        geschatte_intensiteit=800,
        mag_opleiding_afmaken=True,
        alfabetisering="NVT",
        hoofddoel="werk",
        map__van_toepassing=True,
        pvt__uren=12,
    )
    block = duo_block(plan, dt.date(2026, 12, 1), asielstatushouder=True)
    assert block == {
        "dagtekeningPip": "2026-12-01",
        "leerroute": "B",
        "niveau": "B1",
        "geschatteIntensiteitB1Route": 800,
        "indicatorMagOpleidingAfmaken": True,
        "indicatorAlfabetiseringsonderwijs": "NVT",
    }
    _validate(block, pip_schema)


def test_block_leaves_out_an_empty_niveau(pip_schema: dict[str, Any]) -> None:
    block = duo_block(
        plan_of(leerroute="Z", alfabetisering="AA"), dt.date(2027, 1, 5), asielstatushouder=True
    )
    assert "niveau" not in block
    assert block == {
        "dagtekeningPip": "2027-01-05",
        "leerroute": "Z",
        "indicatorAlfabetiseringsonderwijs": "AA",
    }
    _validate(block, pip_schema)


@pytest.mark.parametrize(
    ("route", "asiel", "present"),
    [("B", True, True), ("B", False, False), ("O", True, False), ("Z", True, False)],
)
def test_block_intensity_only_for_b1_route_and_asylum(
    pip_schema: dict[str, Any], route: str, asiel: bool, present: bool
) -> None:
    plan = plan_of(leerroute=route, geschatte_intensiteit=1000)
    block = duo_block(plan, dt.date(2026, 12, 1), asielstatushouder=asiel)
    assert ("geschatteIntensiteitB1Route" in block) is present
    if present:
        assert block["geschatteIntensiteitB1Route"] == 1000
    _validate(block, pip_schema)


def test_block_uses_the_override(default_bundle: Bundle, pip_schema: dict[str, Any]) -> None:
    interview = _persona_interview(default_bundle, "abdullah")
    at = dt.datetime(2026, 11, 28, 10)
    plan = draft_plan(
        interview,
        default_bundle.plan,
        {"leerroute": Override("Z", "LBT: niet haalbaar.", "rv", at)},
    )
    block = duo_block(plan, dt.date(2026, 12, 1), asielstatushouder=True)
    assert block["leerroute"] == "Z"
    assert block["indicatorAlfabetiseringsonderwijs"] == "A"
    assert "geschatteIntensiteitB1Route" not in block
    _validate(block, pip_schema)


def test_schema_rejects_what_duo_refuses(pip_schema: dict[str, Any]) -> None:
    """The schema check is real: a wrong enum, a bad date or an extra field fails it."""
    for bad in (
        {"dagtekeningPip": "2026-12-01", "leerroute": "X"},
        {"dagtekeningPip": "01-12-2026", "leerroute": "B"},
        {"dagtekeningPip": "2026-12-01", "leerroute": "B", "hoofddoel": "werk"},
        {"dagtekeningPip": "2026-12-01", "leerroute": "B", "geschatteIntensiteitB1Route": 0},
        {"leerroute": "B"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            _validate(bad, pip_schema)
