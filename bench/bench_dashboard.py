"""How fast the dashboard page renders, server side, on the large bench database.

Reuses bench/bench_answers.py's database (plan 737, 100 schools with a principal each, weekly
reports from every school on every target for five years: about a million progress rows; built
once, then reused) and adds one officer with five targets. Then times the page — the data
gathered (bot.dashboard.view.gather) and the HTML rendered (bot.channels.dashboard.page_html) —
for a leader, a principal and an officer, and beside it /status's reply (the baseline: the same
assessments, as text). Prints p50 and p95 and the ratio page p95 / /status p95.

    .venv/bin/python bench/bench_dashboard.py [--runs 60] [--sqlite /tmp/parbot-bench-dashboard.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_answers import TODAY, prepare, timed  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bot.answers import figures as figure_book  # noqa: E402
from bot.answers import status_command  # noqa: E402
from bot.channels.dashboard import page_html  # noqa: E402
from bot.core.access import Actor  # noqa: E402
from bot.core.clock import clock  # noqa: E402
from bot.dashboard.view import gather  # noqa: E402
from storage import models as m  # noqa: E402
from storage.db import session_scope, upgrade  # noqa: E402

GOAL_MS = 100.0


def bench_officer(engine) -> Actor:
    """An officer responsible for five targets (made once)."""
    with session_scope(engine) as session:
        officer = session.exec(select(m.Officer).where(m.Officer.full_name == "Cán bộ bench")
                               ).first()
        if officer is None:
            office = session.exec(select(m.Unit).where(m.Unit.level == "office")).first()
            officer = m.Officer(full_name="Cán bộ bench", role="officer",
                                unit_id=office.id if office else None)
            session.add(officer)
            session.flush()
            for target in session.exec(select(m.Target).order_by(m.Target.id).limit(5)):
                session.add(m.Assignment(officer_id=officer.id, target_id=target.id,
                                         kind="responsible", created_at=clock.now()))
        return Actor(officer.id, officer.full_name, "officer", officer.unit_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/parbot-bench-dashboard.db")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    engine, built = prepare(f"sqlite:///{args.sqlite}", args.schools, args.years, args.rebuild)
    upgrade(engine)  # a database reused from an older schema
    how = "reused" if built.get("reused") else f"built in {built['seconds']:.1f}s"
    print(f"SQLite: {built['rows']:,} progress rows ({how})", flush=True)
    clock.set(dt.datetime.combine(TODAY, dt.time(9, 0)))
    with Session(engine) as session:
        unit_id, principal_id = session.exec(
            select(m.Officer.unit_id, m.Officer.id).where(m.Officer.role == "principal")
            .order_by(m.Officer.id)).first()
    actors = {
        "leader": Actor(None, "Bench", "leader"),
        "principal": Actor(principal_id, "Hiệu trưởng", "principal", unit_id),
        "officer": bench_officer(engine),
    }
    figure_book.forget(engine)
    first = time.perf_counter()
    page_html(gather(engine, actors["leader"], "vi"))
    cold = (time.perf_counter() - first) * 1000
    rows = []
    base_p50, base_p95 = timed(lambda: status_command(engine, actors["leader"], "", TODAY),
                               args.runs)
    rows.append(("/status reply (baseline)", base_p50, base_p95))
    for role, actor in actors.items():
        p50, p95 = timed(lambda a=actor: page_html(gather(engine, a, "vi")), args.runs)
        rows.append((f"dashboard page ({role})", p50, p95))
    p50, p95 = timed(lambda: page_html(gather(engine, actors["leader"], "en", area="CQS",
                                              school=unit_id)), args.runs)
    rows.append(("dashboard page (leader, area+school filter)", p50, p95))
    print(f"\nServer-side render, {args.runs} runs each, as of {TODAY:%d/%m/%Y} "
          f"(goal: p95 < {GOAL_MS:.0f} ms)")
    print(f"{'view':<46} {'p50':>9} {'p95':>9} {'p95 / status':>13}")
    for name, p50, p95 in rows:
        mark = "" if name.startswith("/status") else ("ok" if p95 < GOAL_MS else "SLOW")
        print(f"{name:<46} {p50:>7.1f}ms {p95:>7.1f}ms {p95 / base_p95:>12.1f}x  {mark}")
    print(f"\nFirst page of a process (figures read once): {cold:.0f} ms; "
          f"whole run {time.perf_counter() - started:.0f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
