"""Score a batch of questions written blind (tests/data/questions-blind-*.yaml) against the real
answer pipeline: a fresh SQLite database seeded with plan 737, the example roster and the example
progress reports (tests/answers_seed.py), each question asked as its `as` officer (default the
leader Phan Văn Thắng) at its `as_of` moment (default 10/5/2025 09:00). An answer is right when it
contains every `must` fact (accent- and case-insensitive; "a|b" = either) and no `forbid` one.

    python bench/score_answers.py tests/data/questions-blind-1.yaml [-v]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.answers import answer  # noqa: E402
from bot.core.access import Actor  # noqa: E402
from bot.core.clock import clock  # noqa: E402
from bot.core.text import fold  # noqa: E402
from bot.people import identity  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402

DEFAULT_ASKER = "Phan Văn Thắng"
DEFAULT_AS_OF = dt.datetime(2025, 5, 10, 9, 0)


@dataclass
class Result:
    case: dict
    problems: list[str]
    reply: str
    ms: float


@dataclass
class Score:
    results: list[Result] = field(default_factory=list)
    total: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)

    @property
    def overall(self) -> tuple[int, int]:
        return self.right["overall"], self.total["overall"]

    def p95_ms(self) -> float:
        times = sorted(r.ms for r in self.results)
        return times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0

    def lines(self) -> list[str]:
        return [f"{key:<18} {self.right[key]:>4}/{self.total[key]:<4} "
                f"{100 * self.right[key] / self.total[key]:5.1f}%" for key in sorted(self.total)]

    def failures(self) -> list[str]:
        return [f"✗ [{r.case['kind']}] {r.case['q']!r}: {'; '.join(r.problems)}\n    "
                + r.reply.replace("\n", "\n    ") for r in self.results if r.problems]


_DASH = re.compile(r"\s*[-\u2013\u2014]\s*")


def _form(text: str) -> str:
    """Folded, every dash a plain hyphen without spaces: "90–95%", "90 - 95%" and "90-95%" are
    one form of the same fact."""
    return _DASH.sub("-", fold(text))


def _has(got: str, fact: str) -> bool:
    return any(_form(alt) in got for alt in str(fact).split("|"))


def check(case: dict, reply_text: str) -> list[str]:
    """The problems of one answer (empty: correct)."""
    got = _form(reply_text)
    problems = [f"missing {fact!r}" for fact in case.get("must", []) if not _has(got, fact)]
    problems += [f"unwanted {fact!r}" for fact in case.get("forbid", []) if _has(got, fact)]
    return problems


def _as_of(case: dict) -> dt.datetime:
    value = case.get("as_of")
    if value is None:
        return DEFAULT_AS_OF
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(9, 0))
    text = str(value)
    return (dt.datetime.fromisoformat(text) if "T" in text or " " in text
            else dt.datetime.combine(dt.date.fromisoformat(text), dt.time(9, 0)))


def asker(engine, name: str, lang: str) -> Actor:
    [(officer_id, _)] = identity.find_officers(engine, name)
    actor = identity.officer_actor(engine, officer_id)
    return Actor(actor.officer_id, actor.name, actor.role, actor.unit_id, lang)


def seeded_engine(directory: Path):
    from tests.answers_seed import seed_737

    engine = make_engine(f"sqlite:///{directory / 'blind.db'}")
    upgrade(engine)
    return seed_737(engine)


def score(cases: list[dict], engine) -> Score:
    out = Score()
    try:
        for case in cases:
            actor = asker(engine, case.get("as", DEFAULT_ASKER), case.get("lang", "vi"))
            moment = _as_of(case)
            clock.set(moment)
            start = time.perf_counter()
            reply = answer(engine, actor, case["q"], moment.date())
            ms = 1000 * (time.perf_counter() - start)
            problems = check(case, reply.text)
            out.results.append(Result(case, problems, reply.text, ms))
            for key in [f"kind:{case['kind']}", *(f"tag:{tag}" for tag in case.get("tags", [])),
                        "overall"]:
                out.total[key] += 1
                out.right[key] += not problems
    finally:
        clock.reset()
    return out


def score_file(path: Path) -> Score:
    cases = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        engine = seeded_engine(Path(tmp))
        try:
            return score(cases, engine)
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batch", type=Path, nargs="?",
                        default=ROOT / "tests" / "data" / "questions-blind-1.yaml")
    parser.add_argument("-q", "--quiet", action="store_true", help="no list of failures")
    args = parser.parse_args(argv)
    result = score_file(args.batch)
    right, total = result.overall
    print(f"{args.batch.name}: {right}/{total} ({100 * right / total:.1f}%), "
          f"p95 answer time {result.p95_ms():.1f} ms")
    print("\n".join(result.lines()))
    if not args.quiet:
        print("\n".join(result.failures()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
