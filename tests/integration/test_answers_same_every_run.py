"""The same question gets the same answer in every process: no reply may depend on the order
Python happens to iterate a set in (string hashes are salted per process)."""

from __future__ import annotations

import os
import subprocess
import sys

from storage.db import make_engine, upgrade
from tests.answers_seed import seed_737
from tests.conftest import ROOT

QUESTIONS = ["năm 2024 chỉ số PAR INDEX của ngành mình đứng thứ mấy",
             "giai đoạn 2021-2023 tự chủ tài chính bao nhiêu %", "ai lo vụ ngân sách z",
             "phòng phải xây dựng những kế hoạch CCHC nào", "What is the SIPAS target?",
             "họp qua mạng đến 2025 phải chiếm bao nhiêu", "kế hoạch nói gì về kỷ cương"]

SCRIPT = """
import sys, datetime as dt
from bench.score_answers import asker
from bot.answers import answer
from bot.core.clock import clock
from storage.db import make_engine
engine = make_engine(sys.argv[1])
clock.set(dt.datetime(2025, 5, 10, 9))
for q in sys.argv[2:]:
    print(answer(engine, asker(engine, "Phan Văn Thắng", "vi"), q).text)
    print("=" * 20)
"""


def _replies(url: str, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT, url, *QUESTIONS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_answers_do_not_depend_on_the_hash_seed(tmp_path):
    url = f"sqlite:///{tmp_path / 'same.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed_737(engine)
    engine.dispose()
    first = _replies(url, "1")
    assert first.count("=" * 20) == len(QUESTIONS)
    assert _replies(url, "2") == first
    assert _replies(url, "3") == first
