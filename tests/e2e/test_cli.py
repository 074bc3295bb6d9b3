"""The `parbot` command end to end: migrations, plans side by side, console chat, refusals.

`parbot db upgrade` runs on both databases; the other commands' reads and writes run on both in
tests/integration, so here, where the subject is the command (its arguments, its output, its
exit code), they run once (tests/conftest.py)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, func, select

from storage import models as m
from storage.db import make_engine
from tests.cli_helpers import parbot
from tests.conftest import DATA

ONCE = pytest.mark.once("the command's arguments, output and exit code")


def _count(db_url: str, table) -> int:
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            return s.exec(select(func.count()).select_from(table)).one()
    finally:
        engine.dispose()


@ONCE
def test_unmigrated_database_is_refused(db_url):
    result = parbot("console", db_url=db_url, stdin="/plan\n")
    assert result.returncode == 2
    assert "parbot db upgrade" in result.stderr


def test_upgrade_loads_plan_and_console_shows_it(db_url):
    """On both databases: what a deployer runs first, against PostgreSQL too."""
    up = parbot("db", "upgrade", db_url=db_url)
    assert up.returncode == 0, up.stderr
    assert "737-KH-PGDDT-2021" in up.stderr
    assert _count(db_url, m.Plan) == 1
    # a second upgrade neither re-imports nor fails
    assert parbot("db", "upgrade", db_url=db_url).returncode == 0
    assert _count(db_url, m.Plan) == 1

    chat = parbot("console", db_url=db_url, stdin="/start\n/help\n/plan\n",
                  env={"PARBOT_AS_OF": "2025-05-10T09:00:00"})
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert "Xin chào" in out and "/plan" in out
    for area in ("Công tác chỉ đạo, điều hành", "Cải cách thể chế", "Cải cách thủ tục hành chính",
                 "tổ chức bộ máy", "chế độ công vụ", "tài chính công", "chính quyền số"):
        assert area in out
    assert "7 lĩnh vực" in out
    assert "Giai đoạn 2021-2023" in out and "Năm 2024 và năm 2025" in out
    # next milestones as of 10/5/2025: the Q2 CCHC report before 01/6/2025, 21 days left
    assert "trước 01/6/2025 (còn 21 ngày)" in out
    assert "đang thực hiện" in out


@ONCE
def test_plan_after_reorganisation_says_it_ended(db_url):
    parbot("db", "upgrade", db_url=db_url)
    chat = parbot("console", db_url=db_url, stdin="/plan\n",
                  env={"PARBOT_AS_OF": "2026-11-25T09:00:00"})
    assert "đã kết thúc" in chat.stdout
    assert "01/7/2025" in chat.stdout  # the issuing office was dissolved
    assert "Không còn mốc nào" in chat.stdout


@ONCE
def test_console_buttons_are_numbered_and_english_works(db_url):
    parbot("db", "upgrade", db_url=db_url)
    first = parbot("console", db_url=db_url, stdin="/start\n")
    option = re.search(r"(\d+)\. ❓ Hướng dẫn", first.stdout)
    assert option, first.stdout
    chat = parbot("console", db_url=db_url,
                  stdin=f"/start\n{option.group(1)}\n/lang en\n/plan\n",
                  env={"PARBOT_AS_OF": "2025-05-10T09:00:00"})
    out = chat.stdout
    # typing the option's number pressed the help button: the command list follows
    assert out.index("Các lệnh dành cho") > out.index("❓ Hướng dẫn")
    assert "Switched to English" in out and "Next milestones:" in out
    assert "before 01/6/2025 (21 days left)" in out


@ONCE
def test_second_plan_side_by_side(db_url):
    parbot("db", "upgrade", db_url=db_url)
    ward = DATA / "plan-2026-ward.yaml"
    first = parbot("plan", "import", str(ward), db_url=db_url)
    assert first.returncode == 0, first.stderr
    assert "Imported plan" in first.stdout
    again = parbot("plan", "import", str(ward), db_url=db_url)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert _count(db_url, m.Plan) == 2
    engine = make_engine(db_url)
    with Session(engine) as s:
        plans = {p.code: p for p in s.exec(select(m.Plan))}
        assert all(p.active for p in plans.values())  # different issuing units
        ward_plan = next(p for p in plans.values() if p.period_start == 2026)
        phases = s.exec(select(m.Phase).where(m.Phase.plan_id == ward_plan.id)).all()
        assert sorted((p.start.year, p.end.year) for p in phases) == [(2026, 2027), (2028, 2030)]
    engine.dispose()
    shown = parbot("plan", "show", "--code", ward_plan.code, db_url=db_url,
                   env={"PARBOT_AS_OF": "2026-11-25T09:00:00"})
    assert shown.returncode == 0 and "2026" in shown.stdout and "đang thực hiện" in shown.stdout


@ONCE
def test_broken_plan_file_lists_problems_and_changes_nothing(db_url, tmp_path):
    parbot("db", "upgrade", db_url=db_url)
    broken = tmp_path / "broken.yaml"
    text = (DATA / "plan-2026-ward.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("period_end: 2030", "period_end: 2027"), encoding="utf-8")
    checked = parbot("plan", "validate", str(broken), db_url=db_url)
    assert checked.returncode == 1
    problems = checked.stderr.strip().splitlines()
    assert problems and all(line.startswith(f"{broken}:") for line in problems)
    imported = parbot("plan", "import", str(broken), db_url=db_url)
    assert imported.returncode == 1
    assert _count(db_url, m.Plan) == 1 and _count(db_url, m.Target) == 25


@ONCE
def test_run_without_token_explains(db_url):
    result = parbot("run", db_url=db_url)
    assert result.returncode == 2
    assert "BotFather" in result.stderr and "parbot console" in result.stderr


@ONCE
def test_help_everywhere(db_url):
    for args in ([], ["db"], ["plan"], ["officers"], ["console"], ["ask"], ["run"]):
        result = parbot(*args, "--help", db_url=db_url)
        assert result.returncode == 0 and "Usage" in result.stdout


@ONCE
def test_plan_show_targets_for_checking_an_import(db_url):
    parbot("db", "upgrade", db_url=db_url)
    assert _count(db_url, m.PlanPassage) > 30  # the plan's text came with it
    shown = parbot("plan", "show", "--targets", db_url=db_url)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("Kế hoạch 737/KH-PGDĐT — 25 chỉ tiêu")
    assert len(re.findall(r"^[A-Z]+-\d+ · ", out, re.MULTILINE)) == 25
    assert "  Năm 2024 và năm 2025: ≥ 85% — hạn 31/12/2025 (Phụ lục B.6; I.3.7)\n" in out
    missing = parbot("plan", "show", "--targets", "--code", "NO-SUCH", db_url=db_url)
    assert missing.returncode != 0


@ONCE
def test_cli_preview_prints_the_digest_and_writes_the_chart(db_url, tmp_path):
    from bot.paperwork.charts import png_size

    assert parbot("db", "upgrade", db_url=db_url).returncode == 0
    assert parbot("officers", "import", "data/roster.example.csv", db_url=db_url).returncode == 0
    chart = tmp_path / "digest.png"
    done = parbot("digest", "--preview", "--to", str(chart), db_url=db_url,
                  env={"PARBOT_AS_OF": "2025-05-19T07:30:00"})
    assert done.returncode == 0, done.stderr
    assert "📊 Bản tin tuần 21/2025 — KH 737/KH-PGDĐT" in done.stdout
    assert "7. Xây dựng chính quyền điện tử, chính quyền số" in done.stdout
    assert "hạn 31/5/2025 (còn 12 ngày) — Bích Hậu, Minh Lý, Kim Sa" in done.stdout
    assert png_size(chart.read_bytes())[0] == 1080
    english = parbot("digest", "--preview", "--lang", "en", db_url=db_url,
                     env={"PARBOT_AS_OF": "2025-05-19T07:30:00"})
    assert "Weekly digest 21/2025" in english.stdout
    refused = parbot("digest", db_url=db_url)
    assert refused.returncode == 2 and "--preview" in refused.stderr
