"""The question set (tests/data/questions.yaml): every question answered from a real database,
each answer checked for the facts it must contain and must not. Prints accuracy per category and
per tag, and fails below 95% overall."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from bot.answers import answer
from bot.core.access import Actor
from bot.core.clock import clock
from bot.core.text import fold
from bot.people import identity
from storage.db import make_engine, upgrade
from tests.answers_seed import TODAY, seed_737, seed_both, seed_ward
from tests.conftest import DATA, PG_URL, _pg_schema_url

QUESTIONS = yaml.safe_load((DATA / "questions.yaml").read_text(encoding="utf-8"))
THRESHOLD = 0.95
DEFAULT_ASKER = "Văn Thắng"


def _database(db_url: str, tmp_path: Path, name: str, cleanup: list):
    if db_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
    else:
        admin = make_engine(PG_URL)
        schema = f"{db_url.rsplit('%3D', 1)[1]}_{name}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        cleanup.append((admin, schema))
        engine = make_engine(_pg_schema_url(schema))
    upgrade(engine)
    return engine


@pytest.fixture
def databases(engine, db_url, tmp_path):
    cleanup: list = []
    extra = {"ward": seed_ward(_database(db_url, tmp_path, "ward", cleanup)),
             "both": seed_both(_database(db_url, tmp_path, "both", cleanup))}
    yield {"737": seed_737(engine), **extra}
    for other in extra.values():
        other.dispose()
    for admin, schema in cleanup:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def asker(engine, name: str | None, lang: str) -> Actor:
    if name is None:
        return Actor(officer_id=None, name="Console", role="admin", language=lang)
    [(officer_id, _)] = identity.find_officers(engine, name)
    actor = identity.officer_actor(engine, officer_id)
    return Actor(actor.officer_id, actor.name, actor.role, actor.unit_id, lang)


def check(case: dict, reply_text: str) -> list[str]:
    """The problems of one answer (empty: correct)."""
    got = fold(reply_text)
    problems = [f"missing {fact!r}" for fact in case.get("must", []) if fold(fact) not in got]
    if case.get("must_any") and not any(fold(f) in got for f in case["must_any"]):
        problems.append(f"none of {case['must_any']!r}")
    problems += [f"unwanted {fact!r}" for fact in case.get("must_not", []) if fold(fact) in got]
    return problems


def run_questions(engines: dict) -> tuple[list[tuple[dict, list[str], str]], Counter, Counter]:
    results, total, right = [], Counter(), Counter()
    for case in QUESTIONS:
        db = str(case.get("db", "737"))
        engine = engines[db]
        name = case.get("as", DEFAULT_ASKER if db != "ward" else None)
        actor = asker(engine, name, case.get("lang", "vi"))
        today = dt.date.fromisoformat(str(case.get("today", TODAY)))
        clock.set(dt.datetime.combine(today, dt.time(9, 0)))
        reply = answer(engine, actor, case["q"], today)
        problems = check(case, reply.text)
        results.append((case, problems, reply.text))
        for key in [f"category:{case['cat']}", *(f"tag:{tag}" for tag in case.get("tags", [])),
                    "overall"]:
            total[key] += 1
            right[key] += not problems
    return results, total, right


def test_question_set_shape():
    assert len(QUESTIONS) >= 150
    cats = Counter(c["cat"] for c in QUESTIONS)
    assert cats["cannot"] >= 20
    assert cats["ward"] >= 15
    tags = Counter(tag for c in QUESTIONS for tag in c.get("tags", []))
    assert all(tags[t] >= 10 for t in ("vi", "plain", "abbr", "en")), tags
    for case in QUESTIONS:
        assert case.get("must") or case.get("must_any"), case["q"]


def test_every_target_and_obligation_of_737_is_asked(plan_engine):
    from sqlmodel import Session, select

    from storage import models as m

    with Session(plan_engine) as session:
        codes = {c for c in session.exec(select(m.Target.code))} | \
            {c for c in session.exec(select(m.Obligation.code))} | \
            {c for c in session.exec(select(m.Review.code))}
    asked = " ".join(" ".join(c.get("must", [])) for c in QUESTIONS
                     if str(c.get("db", "737")) == "737")
    obligations = {"BC-TTHC-THANG": "TTHC hàng tháng", "BC-CCHC-QUY": "mục IV.3",
                   "SO-KET": "Sơ kết", "TONG-KET": "Tổng kết"}
    missing = [code for code in codes if code not in asked
               and obligations.get(code, code) not in asked]
    assert not missing


def test_accuracy(databases, capsys):
    results, total, right = run_questions(databases)
    lines = [f"{key:<24} {right[key]:>4}/{total[key]:<4} {100 * right[key] / total[key]:5.1f}%"
             for key in sorted(total)]
    failures = [f"✗ [{case['cat']}] {case['q']!r}: {'; '.join(problems)}\n    "
                + reply.replace("\n", "\n    ")
                for case, problems, reply in results if problems]
    with capsys.disabled():
        print("\nAnswer accuracy on the question set:\n" + "\n".join(lines))
        if failures:
            print("\n".join(failures))
    assert right["overall"] / total["overall"] >= THRESHOLD
