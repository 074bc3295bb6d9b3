"""How fast the office digest is built on the 1M-row bench database (issue 13: under 100 ms).

Uses the database of bench/bench_answers.py (plan 737, 100 schools, weekly reports over five
years: about a million progress rows; built once, then reused). Prints the first digest of a
process (the histories are read once — at startup in the bot, `bot.progress.book.warm`), then the
median and p95 of building the whole office digest (every target assessed at one moment, the
counts, the items needing action, the rates) and rendering its text, and of the answers' /status
on the same fast path, side by side; the chart (sent on demand, behind the digest's button) is
timed apart.

    .venv/bin/python bench/bench_digest.py [--runs 30] [--pg postgresql://…]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_answers import TODAY, once, prepare, timed  # noqa: E402

from bot.answers import status_command  # noqa: E402
from bot.core.access import Actor  # noqa: E402
from bot.core.clock import clock  # noqa: E402
from bot.notify.digest import build_digest, digest_chart, digest_text  # noqa: E402
from bot.progress import book as figure_book  # noqa: E402
from storage.db import upgrade  # noqa: E402

GOAL_MS = 100.0


def cpu_ms(fn, runs: int) -> tuple[float, float]:
    """Median and p95 of the CPU time of this process (the machine is shared: wall-clock
    time includes waiting for a core)."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/parbot-bench-answers.db")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    backends = [("SQLite", f"sqlite:///{args.sqlite}")]
    if args.pg:
        backends.append(("PostgreSQL", args.pg))
    leader = Actor(officer_id=None, name="Bench", role="leader")
    for label, url in backends:
        started = time.perf_counter()
        engine, built = prepare(url, args.schools, args.years, rebuild=False)
        upgrade(engine)  # a database built before the latest migration
        how = "reused" if built.get("reused") else f"built in {built['seconds']:.1f}s"
        print(f"{label}: {built['rows']:,} progress rows ({how})", flush=True)
        now = clock.localize(dt.datetime.combine(TODAY, dt.time(7, 30)))
        clock.set(now)
        figure_book.forget(engine)
        cold = once(lambda: build_digest(engine, now))  # noqa: B023
        d = build_digest(engine, now)
        text = digest_text(d, "vi")

        def digest() -> str:
            return digest_text(build_digest(engine, now), "vi")  # noqa: B023

        median, p95 = timed(digest, args.runs)
        c_median, c_p95 = cpu_ms(digest, args.runs)
        s_median, s_p95 = timed(lambda: status_command(engine, leader, "", TODAY),  # noqa: B023
                                args.runs)
        chart = once(lambda: digest_chart(d, "vi"))  # noqa: B023
        mark = "ok" if p95 < GOAL_MS else "SLOW"
        print(f"{label}: first digest of a process (histories read): {cold:8.1f} ms")
        print(f"{label}: office digest (build + text), {args.runs} runs: median {median:6.1f} ms,"
              f" p95 {p95:6.1f} ms (goal < {GOAL_MS:.0f} ms) {mark}")
        print(f"{label}: office digest CPU time: median {c_median:6.1f} ms, p95 {c_p95:6.1f} ms;"
              f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{label}: /status on the same fast path: median {s_median:6.1f} ms, "
              f"p95 {s_p95:6.1f} ms")
        print(f"{label}: the chart (on demand): {chart:6.1f} ms; digest text {len(text)} chars;"
              f" whole run {time.perf_counter() - started:.1f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
