"""Dates and limits the law sets around a plan, whatever the rules in plan.yaml propose: the
termijn (from the first PIP anywhere), the AOW date, the PIP deadline, and the legal rules a
final plan must keep (a move keeps the leerroute, schakelen within 1.5 years, afschalen to A2
only on its conditions, vrijstelling decided by DUO, an LBT outcome that fits the score).

Pure: reads an `Interview` and a `Plan`; the store supplies what only it knows (the first final
dagtekening on this laptop, the dagtekening to sign with). Every fact carries its source.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from intake_tui.core import roles
from intake_tui.core.engine import Interview

# -- the AOW age ---------------------------------------------------------------------------------

AOW_SOURCE = (
    "Algemene Ouderdomswet art. 7a: de pensioengerechtigde leeftijd per kalenderjaar; 67 jaar "
    "voor wie hem in 2024 tot en met 2027 bereikt, 67 jaar en 3 maanden in 2028. Later is nog "
    "niet bij wet vastgesteld. DUO-signaal SS128 meldt de AOW-leeftijd binnen 6 maanden."
)

# (born from, born to inclusive, years, months): everyone born in that span reaches the AOW age
# of the calendar year in which they reach it. Extend when the law fixes a later year.
AOW_AGES: tuple[tuple[dt.date, dt.date, int, int], ...] = (
    (dt.date(1957, 1, 1), dt.date(1960, 12, 31), 67, 0),  # reached in 2024-2027
    (dt.date(1961, 1, 1), dt.date(1961, 9, 30), 67, 3),  # reached in 2028
)

AowStatus = Literal["bekend", "voor_2024", "niet_vastgesteld"]


@dataclass(frozen=True)
class Aow:
    """When a person reaches the AOW age: a date, or why there is none."""

    date: dt.date | None
    status: AowStatus


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months (the last day of a shorter month where the day does not exist)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def aow(birth: dt.date) -> Aow:
    """The day `birth` reaches the AOW age, by the table above."""
    if birth < AOW_AGES[0][0]:
        return Aow(None, "voor_2024")  # reached before 2024: past for any plan made now
    for start, end, years, months in AOW_AGES:
        if start <= birth <= end:
            return Aow(add_months(birth, years * 12 + months), "bekend")
    return Aow(None, "niet_vastgesteld")


def earliest_aow(birth: dt.date) -> dt.date:
    """The earliest the AOW date can be when the law has not fixed it yet (67 years)."""
    return add_months(birth, 67 * 12)


# -- the termijn ---------------------------------------------------------------------------------

TERMIJN_SOURCE = (
    "Wet inburgering 2021 art. 11: de termijn van 3 jaar begint op de dag na de dagtekening van "
    "het eerste PIP, ook als dat in een andere gemeente was; een gewijzigd PIP verschuift het "
    "begin niet (domain.md §4.5, [DIVOSA-QA-DG]). DUO registreert de termijn, met verlenging "
    "(Wet art. 12)."
)


@dataclass(frozen=True)
class Termijn:
    """The 3-year termijn: computed from the first PIP, and DUO's end date when known."""

    start: dt.date
    end: dt.date  # the end that counts: a verlenging's, else DUO's when known, else computed
    computed_end: dt.date
    duo_end: dt.date | None
    estimated: bool  # no PIP signed yet: as if signed on the planned day
    extended_to: dt.date | None = None  # DUO's latest verlenging (Wet inburgering 2021 art. 12)

    @property
    def source(self) -> Literal["berekend", "duo"]:
        # A verlenging is DUO's decision too.
        return "duo" if self.duo_end is not None or self.extended_to else "berekend"

    @property
    def differs(self) -> bool:
        return self.duo_end is not None and self.duo_end != self.computed_end


TERMIJN_YEARS = 3


def termijn_end(start: dt.date) -> dt.date:
    """The last day of the 3-year termijn that starts on `start` (3 years minus one day; a
    start on 29 February has its anniversary on 1 March)."""
    try:
        anniversary = start.replace(year=start.year + TERMIJN_YEARS)
    except ValueError:
        anniversary = dt.date(start.year + TERMIJN_YEARS, 3, 1)
    return anniversary - dt.timedelta(days=1)


def first_pip_dagtekening(
    interview: Interview, local_first_final: dt.date | None
) -> dt.date | None:
    """The dagtekening of the first PIP anywhere: an earlier PIP (another gemeente, or before
    this laptop) counts before this laptop's first final one."""
    earlier = roles.date(interview, "earlier_pip_date") if _earlier_pip(interview) else None
    found = [d for d in (earlier, local_first_final) if d is not None]
    return min(found) if found else None


def termijn(
    interview: Interview,
    local_first_final: dt.date | None,
    planned: dt.date | None = None,
    extended_to: dt.date | None = None,
) -> Termijn | None:
    """The termijn from the first PIP anywhere; without one, as if signed on `planned`. Its
    start never moves once a PIP is signed (a changed PIP keeps it, Wet art. 11); its end moves
    only by a verlenging DUO decided (`extended_to`, Wet art. 12), recorded on the case."""
    first = first_pip_dagtekening(interview, local_first_final)
    estimated = first is None
    if first is None:
        if planned is None:
            return None
        first = planned
    start = first + dt.timedelta(days=1)
    computed = termijn_end(start)
    duo_end = roles.date(interview, "duo_term_end")
    end = extended_to or duo_end or computed
    return Termijn(start, end, computed, duo_end, estimated, extended_to)


def _earlier_pip(interview: Interview) -> bool:
    return roles.value(interview, "earlier_pip") is True


# -- the PIP deadline ------------------------------------------------------------------------------

DEADLINE_SOURCE = (
    "Besluit inburgering 2021 art. 5.3: het PIP binnen 10 weken na de kennisgeving van DUO; wie "
    "nog niet in de BRP stond: 10 weken na de inschrijving. Asielstatushouders in het COA: het "
    "DUO-signaal SS139 start de 10 weken (domain.md §4.5, [FACTS], [DUO-M2M])."
)


@dataclass(frozen=True)
class Deadline:
    """The PIP deadline, and the date and question it counts from."""

    due: dt.date
    start: dt.date
    question: str  # the question whose date starts the 10 weeks


def pip_deadline(interview: Interview) -> Deadline | None:
    """10 weeks from DUO's notice; from the BRP registration when that came later; from DUO's
    SS139 signal for an asylum permit holder when it is known (domain.md §4.5)."""
    bundle = interview.bundle
    ss139 = roles.date(interview, "ss139_date")
    if ss139 is not None and roles.has_code(interview, "target_group", "asylum_permit_holder"):
        return Deadline(ss139 + dt.timedelta(weeks=10), ss139, bundle.roles["ss139_date"])
    notice = roles.date(interview, "duo_notice_date")
    brp = roles.date(interview, "brp_registration_date")
    if brp is not None and (notice is None or brp > notice):
        return Deadline(brp + dt.timedelta(weeks=10), brp, bundle.roles["brp_registration_date"])
    if notice is not None:
        return Deadline(notice + dt.timedelta(weeks=10), notice, bundle.roles["duo_notice_date"])
    return None
