"""The demo data folder: caseworker `demo` and the synthetic personas at different stages.

Everything in it is invented (docs/personas.md). It lives in `<user data dir>/demo` unless
`--data-dir` says otherwise, is reused when it exists, and a folder that is not a demo folder
is refused — the demo never touches real data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from intake_tui.core.clock import FrozenClock
from intake_tui.core.engine import Interview
from intake_tui.core.questionnaire import load_bundle
from intake_tui.i18n import _
from intake_tui.personas import DEMO_TODAY, PERSONAS
from intake_tui.resources import questionnaires_dir
from intake_tui.store import interviews, plans
from intake_tui.store.datadir import DataDir, DataDirError
from intake_tui.store.keyring import PRODUCTION_KDF, KdfParams
from intake_tui.store.session import Store, initialize, remove_data_dir

# How far each finalized persona's plan is in the demo: discussed with the newcomer, or final
# with its dagtekening (finals in different languages, one of them Arabic; Nasrin's after a move
# keeps the termijn of her first PIP, Kwame's carries the AOW decision).
DEMO_PLANS = {
    "rami": "2026-11-20",
    "ayse": "2026-11-18",
    "semhar": "discussed",
    "nasrin": "2026-11-12",
    "kwame": "2026-11-19",
}

FILLED_MARKER = "demo-filled"
DEMO_NAMESPACE = uuid.UUID("5b1f2c0e-8d1a-4c9e-9f3a-2e6d7c4b1a90")  # invented for the demo
DEMO_USER = "demo"
DEMO_PASSPHRASE = "demo-passphrase"


def demo_data_dir(given: Path | None) -> DataDir:
    if given is not None:
        return DataDir(given)
    import platformdirs

    return DataDir(platformdirs.user_data_path("intake-tui", appauthor=False) / "demo")


def open_or_make_demo(given: Path | None, *, kdf: KdfParams = PRODUCTION_KDF) -> DataDir:
    """The demo folder, made (with its intakes) if it does not exist yet."""
    data_dir = demo_data_dir(given)
    info = data_dir.device()
    if info is not None and info.setup_complete:
        if not info.demo:
            raise DataDirError(
                _("{path} holds real data, not a demo; the demo will not use it").format(
                    path=data_dir.root
                )
            )
        if (data_dir.root / FILLED_MARKER).is_file():
            return data_dir
        # A demo whose filling was interrupted: it holds only synthetic data, start over.
        remove_data_dir(data_dir)
        info = None
    if data_dir.root.exists() and any(data_dir.root.iterdir()) and info is None:
        raise DataDirError(
            _("{path} is not empty and not a demo data folder; choose another --data-dir").format(
                path=data_dir.root
            )
        )
    clock = FrozenClock.on(DEMO_TODAY)
    store = initialize(data_dir, DEMO_USER, DEMO_PASSPHRASE, clock=clock, kdf=kdf, demo=True)
    try:
        fill(store, clock)
    finally:
        store.close()
    (data_dir.root / FILLED_MARKER).write_text("the demo intakes are complete\n")
    return data_dir


def fill(store: Store, clock: FrozenClock) -> None:
    """Create one interview per persona and bring it to the persona's stage."""
    from intake_tui.personas import apply

    bundle = load_bundle(questionnaires_dir() / "brede-intake")
    today = clock.moment
    for persona in PERSONAS:
        # One intake after the other, so the cases table has a stable order; an intake whose
        # plan is final was held a week before the plan's dagtekening, not on the demo's today.
        today += dt.timedelta(minutes=20)
        clock.moment = today
        dated = DEMO_PLANS.get(persona.key, "discussed")
        if dated != "discussed":
            clock.moment = _on(today, dt.date.fromisoformat(dated) - dt.timedelta(days=7))
        used, how, language = persona.interpreter
        summary = interviews.create_interview(
            store,
            bundle,
            client_display_name=persona.display_name,
            given_name=persona.given_name,
            family_name=persona.family_name,
            # Fixed ids: every demo folder (and every screenshot of it) shows the same ones.
            interview_id=uuid.uuid5(DEMO_NAMESPACE, persona.key).hex,
            client_language=persona.client_language,
            interpreter=interviews.Interpreter(used, how, language),
            duo_notice_date=persona.duo_notice_date,
        )
        if persona.stage == "new":
            continue
        engine = Interview(bundle, today=clock.today, case=persona.case_facts())
        apply(persona, engine)
        for (question_id, instance), answer in engine.answers().items():
            interviews.save_answer(
                store,
                summary.id,
                question_id,
                answer,
                instance,
                language_shown=persona.client_language,
            )
        if persona.stage == "finalized":
            interviews.finalize_interview(store, summary.id)
            plan_stage = DEMO_PLANS.get(persona.key)
            if plan_stage is not None:
                # The caseworker's decisions come first: an open one keeps a plan from final.
                for field, value, reason in persona.decisions:
                    plans.set_override(store, summary.id, field, value, reason)
                plans.mark_discussed(store, summary.id)
                if plan_stage != "discussed":
                    clock.moment += dt.timedelta(days=7)  # the plan made final on its dagtekening
                    plans.mark_final(store, summary.id, dt.date.fromisoformat(plan_stage))
    clock.moment = today
    _after_the_plans(store, clock)


def _on(moment: dt.datetime, day: dt.date) -> dt.datetime:
    """`moment`'s time of day on `day`."""
    return dt.datetime.combine(day, moment.timetz())


def _after_the_plans(store: Store, clock: FrozenClock) -> None:
    """Rami's voortgangsgesprek and the plan change it led to (revision 3); Kwame's first talk
    brought forward and, on the demo's today, overdue (personas/talks.py)."""
    from intake_tui.core import Answer
    from intake_tui.personas import talks as demo_talks
    from intake_tui.store import followups

    followup_bundle = load_bundle(questionnaires_dir() / "voortgangsgesprek")
    today = clock.moment
    clock.moment = _on(today, demo_talks.RAMI_TALK_DAY)  # held, and the plan changed, that day
    rami = uuid.uuid5(DEMO_NAMESPACE, "rami").hex
    first = followups.talks(store, rami)[0]
    talk_id = followups.start(store, first.id, followup_bundle)
    for question, value in demo_talks.RAMI_TALK.items():
        interviews.save_answer(store, talk_id, question, Answer.of(value))
    engine = interviews.open_interview(store, talk_id).interview
    for agreement in demo_talks.RAMI_AGREEMENTS:
        entry = engine.add_instance("afspraken_lijst")
        interviews.save_answer(store, talk_id, "afspraken_lijst", engine.answer("afspraken_lijst"))
        for question, value in agreement.items():
            interviews.save_answer(store, talk_id, question, Answer.of(value), entry)
    interviews.finalize_interview(store, talk_id)
    field, value, reason = demo_talks.RAMI_CHANGE
    plans.set_override(store, rami, field, value, reason)
    plans.mark_final(store, rami, demo_talks.RAMI_TALK_DAY)
    clock.moment = today
    kwame = uuid.uuid5(DEMO_NAMESPACE, "kwame").hex
    followups.reschedule(
        store,
        followups.talks(store, kwame)[0].id,
        demo_talks.KWAME_RESCHEDULED_TO,
        demo_talks.KWAME_RESCHEDULE_REASON,
    )
