"""Eight synthetic newcomers for the demo, design work and end-to-end tests.

Everything here is invented: the names, BSNs (made up, but passing the elfproef), V-numbers,
phone numbers, addresses and life stories belong to no real person. The e-mail addresses use the
reserved domain example.org. The people and the plans a regievoerder expects for them come from
`docs/personas.md` (Rami, Semhar, Farid, Ayşe, Abdullah, Hodan), and two the plan's legal
rules need (issue 14): Nasrin, who moved here with a PIP from another gemeente, and Kwame, who
reaches the AOW age within the termijn.

Dates are relative to a demo "today" (`DEMO_TODAY`, 28 November 2026): the DUO notices are a
few weeks to a few months back, so some PIPs are due soon and one is overdue in the cases table
(Nasrin's notice came in her first gemeente, in 2025; her final plan here takes her off that list).

Each persona is pure data: the answers a caseworker would type, in the order of the interview,
for the default questionnaire `questionnaires/brede-intake`. `apply` plays them into an
`Interview`; it needs nothing but `intake_tui.core` (no store, no UI).

The package: `base` holds the data classes, `DEMO_TODAY` and `apply`; each persona has a
module of its own (`rami`, `semhar`, `farid`, `ayse`, `abdullah`, `hodan`, `nasrin`, `kwame`).
"""

from __future__ import annotations

from intake_tui.personas.abdullah import ABDULLAH
from intake_tui.personas.ayse import AYSE
from intake_tui.personas.base import DEMO_TODAY, Persona, PersonaAnswer, apply, instance_id
from intake_tui.personas.farid import FARID
from intake_tui.personas.hodan import HODAN
from intake_tui.personas.kwame import KWAME
from intake_tui.personas.nasrin import NASRIN
from intake_tui.personas.rami import RAMI
from intake_tui.personas.semhar import SEMHAR

PERSONAS: tuple[Persona, ...] = (RAMI, SEMHAR, FARID, AYSE, ABDULLAH, HODAN, NASRIN, KWAME)
"""The personas, in the order of `docs/personas.md`."""

_BY_KEY = {persona.key: persona for persona in PERSONAS}


def persona(key: str) -> Persona:
    """The persona with this key ("rami", "semhar", ...); KeyError when there is none."""
    return _BY_KEY[key]


__all__ = [
    "DEMO_TODAY",
    "PERSONAS",
    "Persona",
    "PersonaAnswer",
    "apply",
    "instance_id",
    "persona",
]
