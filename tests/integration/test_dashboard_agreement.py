"""The dashboard says what /status and the digest say, on random histories (issue 13's property
test's histories: several schools and officers, withdrawals, reports and submissions after now):
each target's figure and state, each school's own latest figure, the recurring reports not sent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from sqlmodel import Session, select

from bot.answers import figures
from bot.answers.snapshot import snapshot
from bot.answers.status import compute
from bot.core.access import Actor
from bot.core.clock import clock
from bot.dashboard.view import gather
from bot.notify.digest import build_digest
from bot.progress import meets, requirement_in_force, value_text
from bot.reporting.submissions import outstanding
from storage import models as m
from tests.integration.test_progress_agreement import _apply, _seed, operations

SEEDED: set[str] = set()
ADMIN = Actor(officer_id=None, name="Admin", role="admin")


def _principal(engine) -> Actor:
    with Session(engine) as session:
        o = session.exec(select(m.Officer).where(m.Officer.role == "principal")
                         .order_by(m.Officer.id)).first()
        return Actor(o.id, o.full_name, "principal", o.unit_id)


def _dashboard_agrees(engine) -> None:
    now = clock.now()
    today = now.date()
    principal = _principal(engine)
    with Session(engine) as session:
        plan = session.exec(select(m.Plan)).one()
        snap = snapshot(engine, session, plan)
        unsent = outstanding(session, plan, today)
        for actor in (ADMIN, principal):
            said = {ts.target.code: ts for area in compute(engine, session, snap, today, actor)
                    for ts in area.targets}
            page = gather(engine, actor, "vi")
            cards = {c.code: c for a in page.areas for c in a.targets}
            assert cards and set(cards) == set(said), actor.role
            assert len(page.schools) == (3 if actor is ADMIN else 1)
            for code, card in cards.items():
                a, tg = said[code].assessment, said[code].target
                assert card.state == a.state, (actor.role, code)
                worded = value_text(a.figure.value, tg.unit) if a.figure.value is not None \
                    else None
                assert card.value == worded, (actor.role, code)
            overdue_targets = sum(1 for c in cards.values() if c.state == "overdue")
            if actor is ADMIN:
                assert len(page.late) - overdue_targets == len(unsent)
                digest = build_digest(engine, now)
                assert {r.code: r.state for a in digest.areas for r in a.targets} == \
                    {code: c.state for code, c in cards.items()}
            # each school's own latest report up to now, against the requirement in force
            for row in page.schools:
                for card, cell in zip(page.school_targets, row.cells, strict=True):
                    own = [r for r in session.exec(
                        select(m.ProgressReport).where(
                            m.ProgressReport.target_id == card.id,
                            m.ProgressReport.unit_id == row.unit_id,
                            m.ProgressReport.withdrawn_at.is_(None)))
                        if clock.local(r.reported_at) <= now]
                    if not own:
                        assert cell.met is None
                        continue
                    last = max(own, key=lambda r: (r.reported_at, r.id))
                    tg = snap.target(card.code)
                    req = requirement_in_force(list(tg.requirements), today)
                    assert cell.value == value_text(last.value, tg.unit)
                    assert cell.met == meets(last.value, req)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_the_dashboard_agrees_with_status_and_the_digest(engine, ops):
    if str(engine.url) not in SEEDED:
        _seed(engine)
        SEEDED.add(str(engine.url))
        figures.forget(engine)
    _apply(engine, ops)
    _dashboard_agrees(engine)
