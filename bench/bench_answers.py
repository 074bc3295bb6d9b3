"""How fast the bot answers questions about the plan on a large database.

Builds a database with plan 737, 100 schools (one principal each) and weekly progress reports
from every school on every target over the plan's five years — plus a correction every other
week: about a million progress rows, bulk-loaded (executemany on SQLite, COPY on PostgreSQL).
Then prints, side by side, the median and p95 time to answer /due, /status and typed questions
in-process, against the same questions answered by a trivial lookup of the plan file (the
floor), on SQLite and — with --pg URL or TEST_DATABASE_URL — on PostgreSQL. Also: the first
answer of a process (the figures are read once) and an answer right after a new report, and
/status computed target by target with bot.progress (what the batched figures replace).

    .venv/bin/python bench/bench_answers.py [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from bot.answers import answer, due_command, status_command  # noqa: E402
from bot.answers import figures as figure_book  # noqa: E402
from bot.core.access import Actor  # noqa: E402
from bot.core.clock import clock  # noqa: E402
from bot.core.settings import DEFAULT_PLAN  # noqa: E402
from bot.plans.store import import_plan_file  # noqa: E402
from bot.progress import NewReport, ParsedValue, assess_target, record_report  # noqa: E402
from storage import models as m  # noqa: E402
from storage.db import make_engine, normalise_url, upgrade  # noqa: E402

TODAY = dt.date(2025, 11, 10)
GOAL_MS = 20.0
LEVELS = ("MN", "TH", "THCS")
FIRST_MONDAY = dt.date(2021, 1, 4)
COLUMNS = ("target_id", "officer_id", "unit_id", "period", "value", "numerator", "denominator",
           "reported_at")


# --- building the database --------------------------------------------------------------------

def _schools(engine, count: int) -> list[tuple[int, int]]:
    """(unit id, principal officer id) of each school, created once."""
    with Session(engine) as session:
        out = []
        for i in range(1, count + 1):
            level = LEVELS[i % 3]
            unit = m.Unit(code=f"BENCH-{i:03d}", name=f"Trường {level} số {i}", level=level)
            session.add(unit)
            session.flush()
            principal = m.Officer(full_name=f"Hiệu trưởng số {i}", role="principal",
                                  unit_id=unit.id)
            session.add(principal)
            session.flush()
            out.append((unit.id, principal.id))
        session.commit()
        return out


def _value(unit: str, week: int, weeks: int, school: int) -> tuple[float, float | None,
                                                                     float | None]:
    share = week / max(weeks - 1, 1)
    if unit == "boolean":
        return (1.0 if share > 0.6 + (school % 10) / 50 else 0.0), None, None
    if unit == "rank":
        return float(max(1, round(30 - 22 * share))), None, None
    if unit == "count":
        return float(round(10 * share)), None, None
    denominator = 50.0
    numerator = float(min(50, round(50 * (0.2 + 0.7 * share) + (school % 7) - 3)))
    numerator = max(0.0, numerator)
    return round(100 * numerator / denominator, 2), numerator, denominator


def rows(targets: list[tuple[int, str]], schools: list[tuple[int, int]], weeks: int):
    """Weekly reports from every school on every target, and a correction every other week."""
    for week in range(weeks):
        monday = FIRST_MONDAY + dt.timedelta(weeks=week)
        for s, (unit_id, officer_id) in enumerate(schools):
            for t, (target_id, unit) in enumerate(targets):
                value, num, den = _value(unit, week, weeks, s)
                for extra in ((0, 3) if week % 2 else (0,)):
                    at = dt.datetime.combine(monday + dt.timedelta(days=extra),
                                             dt.time(1 + (s % 9), (t * 2) % 60),
                                             tzinfo=dt.UTC)
                    quarter = (at.month - 1) // 3 + 1
                    yield (target_id, officer_id, unit_id, f"{at.year}-Q{quarter}", value, num,
                           den, at)


def bulk_load(engine, data) -> int:
    count = 0
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            cur = raw.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            sql = (f"INSERT INTO progressreport ({', '.join(COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(COLUMNS))})")
            batch = []
            for row in data:
                batch.append((*row[:-1], row[-1].strftime("%Y-%m-%d %H:%M:%S.%f")))
                if len(batch) == 50_000:
                    cur.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cur.executemany(sql, batch)
            count += len(batch)
            raw.commit()
            cur.execute("PRAGMA synchronous=NORMAL")
        else:
            cur = raw.cursor()
            with cur.copy(f"COPY progressreport ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
                    count += 1
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return count


def build(engine, schools: int, years: int) -> dict:
    started = time.perf_counter()
    upgrade(engine)
    import_plan_file(engine, DEFAULT_PLAN)
    made = _schools(engine, schools)
    with Session(engine) as session:
        targets = [(tg.id, tg.unit) for tg in session.exec(select(m.Target).order_by(m.Target.id))]
    count = bulk_load(engine, rows(targets, made, weeks=52 * years + 1))
    return {"rows": count, "seconds": time.perf_counter() - started}


def prepare(url: str, schools: int, years: int, rebuild: bool) -> tuple:
    """The engine of a built database (reused when it already holds the reports)."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        if rebuild and path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(url)
    else:
        schema = "bench_answers"
        admin = make_engine(url)
        with admin.begin() as conn:
            if rebuild:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        admin.dispose()
        base = normalise_url(url)
        engine = make_engine(f"{base}{'&' if '?' in base else '?'}"
                             f"options=-csearch_path%3D{schema}")
    try:
        with Session(engine) as session:
            existing = session.exec(select(func.count(m.ProgressReport.id))).one()
    except Exception:  # noqa: BLE001 - not migrated yet
        existing = 0
    if existing:
        return engine, {"rows": existing, "seconds": 0.0, "reused": True}
    return engine, build(engine, schools, years)


# --- measuring ----------------------------------------------------------------------------------

def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


class PlanFile:
    """The floor: the same questions answered by looking the plan file up, no database."""

    def __init__(self, path: Path) -> None:
        self.plan = yaml.safe_load(path.read_text(encoding="utf-8"))

    def due(self) -> list[str]:
        start, end = dt.date(2025, 10, 1), dt.date(2025, 12, 31)
        out = []
        for ob in self.plan["obligations"]:
            for d in ob.get("due", []):
                day = dt.date(2025, d["month"], d["day"])
                if start <= day <= end:
                    out.append(f"{ob['name']} {d['label']} {day}")
        for tg in self.plan["targets"]:
            for v in tg["values"]:
                if start <= dt.date.fromisoformat(str(v["deadline"])) <= end:
                    out.append(f"{tg['code']} {v.get('value')} {v['deadline']}")
        return out

    def status(self) -> list[str]:
        return [f"{tg['area']} {tg['code']} {tg['values'][-1].get('value')}"
                for tg in self.plan["targets"]]

    def question(self) -> str:
        for tg in self.plan["targets"]:
            if "họp trực tuyến" in tg.get("keywords", []):
                return "; ".join(f"{v.get('phase') or v.get('year')}: {v.get('value')}%"
                                 for v in tg["values"])
        return ""


def bench(label: str, engine, runs: int, plan_file: PlanFile) -> list[tuple]:
    clock.set(dt.datetime.combine(TODAY, dt.time(9, 0)))
    leader = Actor(officer_id=None, name="Bench", role="leader")
    with Session(engine) as session:
        unit_id, officer_id = session.exec(
            select(m.Officer.unit_id, m.Officer.id).where(m.Officer.role == "principal")
            .order_by(m.Officer.id)).first()
    principal = Actor(officer_id=officer_id, name="Hiệu trưởng", role="principal",
                      unit_id=unit_id)
    figure_book.forget(engine)
    cold = once(lambda: status_command(engine, leader, "", TODAY))
    questions = [
        ("/due (leader)", lambda: due_command(engine, leader, "", TODAY), plan_file.due),
        ("/due (principal)", lambda: due_command(engine, principal, "", TODAY), plan_file.due),
        ("/status", lambda: status_command(engine, leader, "", TODAY), plan_file.status),
        ("“họp trực tuyến đạt bao nhiêu rồi?”",
         lambda: answer(engine, principal, "họp trực tuyến đạt bao nhiêu rồi?", TODAY),
         plan_file.question),
        ("“quý này có gì đến hạn?”",
         lambda: answer(engine, principal, "quý này có gì đến hạn?", TODAY), plan_file.due),
        ("“kế hoạch được gửi cho những nơi nào?” (text)",
         lambda: answer(engine, principal, "kế hoạch được gửi cho những nơi nào?", TODAY),
         plan_file.question),
        ("“kinh phí bao nhiêu tiền?” (not said)",
         lambda: answer(engine, principal, "kinh phí thực hiện bao nhiêu tiền?", TODAY),
         plan_file.question),
        ("“SIPAS 2025? ai phụ trách họp trực tuyến?” (two)",
         lambda: answer(engine, leader, "SIPAS 2025 bao nhiêu? ai phụ trách họp trực tuyến?",
                        TODAY), plan_file.question),
    ]
    out = []
    for name, fn, floor in questions:
        median, p95 = timed(fn, runs)
        floor_median, floor_p95 = timed(floor, runs)
        out.append((label, name, median, p95, floor_median, floor_p95))
    with Session(engine) as session:
        target = session.exec(select(m.Target).where(m.Target.code == "CQS-1")).one()
    record_report(engine, NewReport(target.id, officer_id, ParsedValue(88.0, 44, 50),
                                    unit_id=unit_id))
    after_write = once(lambda: status_command(engine, leader, "", TODAY))
    with Session(engine) as session:
        targets = list(session.exec(select(m.Target)))
        per_target = once(lambda: [assess_target(session, tg, TODAY) for tg in targets])
    extra = (cold, after_write, per_target)
    return out, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/parbot-bench-answers.db")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if it exists")
    args = parser.parse_args()
    plan_file = PlanFile(DEFAULT_PLAN)
    backends = [("SQLite", f"sqlite:///{args.sqlite}")]
    if args.pg:
        backends.append(("PostgreSQL", args.pg))
    results, extras = [], []
    for label, url in backends:
        engine, built = prepare(url, args.schools, args.years, args.rebuild)
        how = "reused" if built.get("reused") else f"built in {built['seconds']:.1f}s"
        print(f"{label}: {built['rows']:,} progress rows ({how})", flush=True)
        out, extra = bench(label, engine, args.runs, plan_file)
        results += out
        extras.append((label, *extra))
        engine.dispose()
    print(f"\nIn-process answer time, {args.runs} runs each, as of {TODAY:%d/%m/%Y} "
          f"(goal: p95 < {GOAL_MS:.0f} ms)")
    print(f"{'backend':<11} {'question':<38} {'median':>9} {'p95':>9}   "
          f"{'floor median':>12} {'floor p95':>10}")
    for label, name, median, p95, f_median, f_p95 in results:
        mark = "ok" if p95 < GOAL_MS else "SLOW"
        print(f"{label:<11} {name:<38} {median:>7.2f}ms {p95:>7.2f}ms   "
              f"{f_median * 1000:>10.1f}µs {f_p95 * 1000:>8.1f}µs  {mark}")
    print("\nOnce:")
    for label, cold, after_write, per_target in extras:
        print(f"{label:<11} first /status of a process (figures read): {cold:8.1f} ms | "
              f"/status right after a new report: {after_write:6.1f} ms | "
              f"/status target by target with bot.progress: {per_target:8.1f} ms")


if __name__ == "__main__":
    main()
