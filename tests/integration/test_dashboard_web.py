"""The dashboard over HTTP (Starlette's TestClient) against a real database: who sees what, and
403 for forged, expired and replayed initData and links."""

from __future__ import annotations

import re
import time

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot.answers import status_command
from bot.answers.snapshot import snapshot
from bot.answers.status import compute, school_of
from bot.channels.dashboard import COOKIE, local_app
from bot.core.access import Actor
from bot.core.clock import clock
from bot.notify.digest import build_digest
from storage import models as m
from storage.db import session_scope
from tests.answers_seed import seed_737
from tests.chat import Chat
from tests.dashboard_helpers import (
    BASE,
    HAU_TARGETS,
    LE_LOI,
    LEADER,
    OFFICER,
    PER_SCHOOL,
    PRINCIPAL,
    TODAY,
    VAN_YEN,
    follow,
    init_data,
    link,
    link_telegram,
    officer_id,
    settings,
)
from tests.report_helpers import press, to_summary

ALL_AREAS = {"CDDH", "TC", "TTHC", "TCBM", "CV", "TCC", "CQS"}


@pytest.fixture
def office(engine):
    seed_737(engine)
    clock.set(TODAY)
    return engine


@pytest.fixture
def client(office):
    with TestClient(local_app(office, settings()), base_url=BASE) as c:
        yield c


def codes(html: str) -> set[str]:
    return set(re.findall(r'<li class="target" data-code="([^"]+)"', html))


def areas(html: str) -> set[str]:
    return set(re.findall(r'<article class="card" id="area-([^"]+)"', html))


def school_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="\d+"><th scope="row">([^<]+)</th>', html)


def reports(html: str) -> list[str]:
    return re.findall(r'<tr data-report="\d+"><td>[^<]*</td><td>([^<]+)</td>', html)


def open_as(client: TestClient, engine, name: str) -> str:
    response = follow(client, link(engine, name), follow_redirects=True)
    assert response.status_code == 200, response.text
    return response.text


def test_a_link_starts_an_8_hour_cookie_session(client, office):
    url = link(office, LEADER)
    button = client.get(url)
    assert button.status_code == 200 and 'id="open"' in button.text and "Văn Thắng" in button.text
    assert COOKIE not in button.headers.get("set-cookie", ""), "a GET uses nothing up"
    response = follow(client, url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Max-Age=28800", "Path=/app/"):
        assert attribute.lower() in cookie.lower(), (attribute, cookie)
    page = client.get("/app/")
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    assert page.headers["cache-control"] == "private, no-store"


def test_no_secure_flag_over_plain_http_without_https_base(office):
    app = local_app(office, settings(PUBLIC_BASE_URL="http://127.0.0.1:8443"))
    with TestClient(app, base_url="http://127.0.0.1:8443") as c:
        response = follow(c, link(office, LEADER, base="http://127.0.0.1:8443"),
                          follow_redirects=False)
        assert "secure" not in response.headers["set-cookie"].lower()
        assert c.get("/app/").status_code == 200


def test_leader_sees_everything(client, office):
    html = open_as(client, office, LEADER)
    assert areas(html) == ALL_AREAS
    assert len(codes(html)) == 25
    assert school_rows(html) == [LE_LOI, VAN_YEN]
    assert {r.split(" · ")[0] for r in reports(html)} >= {"CQS-1", "TTHC-1", "CDDH-2"}
    for heading in ("Tiến độ theo lĩnh vực", "Theo trường", "Quá hạn", "Báo cáo gần đây"):
        assert heading in html
    assert "Số liệu tính lúc 09:00 ngày 10/5/2025" in html
    pooled = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    assert "Chung các trường" in pooled and "70%" in pooled, "CQS-1 pooled: (40+30)/(50+50)"


def test_the_page_says_what_status_says(client, office):
    """The counts by state on the page are /status's counts (the same assessments)."""
    html = open_as(client, office, LEADER)
    with Session(office) as session:
        leader = session.get(m.Officer, officer_id(office, LEADER))
    text = status_command(office, Actor(leader.id, leader.full_name, "leader"), "",
                          TODAY.date()).text
    # "/status": "✅ đạt 3 · 🟢 đúng tiến độ 2 · ..." — the page: "✅ Đạt: 3"
    said = dict((k, int(v)) for k, v in re.findall(
        r"(đạt|đúng tiến độ|nguy cơ|chậm|quá hạn|chưa có số liệu) (\d+)", text.split("\n")[1]))
    words = {"đạt": "Đạt", "đúng tiến độ": "Đúng tiến độ", "nguy cơ": "Nguy cơ chậm",
             "chậm": "Chậm", "quá hạn": "Quá hạn", "chưa có số liệu": "Chưa có số liệu"}
    for word, count in said.items():
        assert f"{words[word]}: {count}</li>" in html, (word, count)


@pytest.mark.parametrize("name", [LEADER, PRINCIPAL, OFFICER, "Minh Quân"])
def test_every_target_has_the_state_status_and_the_digest_give_it(client, office, name):
    """No fourth computation: each target's state on the page is /status's (for a principal,
    their school's) and the digest's."""
    html = open_as(client, office, name)
    page = dict(re.findall(r'data-code="([^"]+)" data-state="([^"]+)"', html))
    with Session(office) as session:
        me = session.get(m.Officer, officer_id(office, name))
        actor = Actor(me.id, me.full_name, me.role, me.unit_id)
        plan = session.exec(select(m.Plan).where(m.Plan.active)).first()
        snap = snapshot(office, session, plan)
        said = {ts.target.code: str(ts.state)
                for a in compute(office, session, snap, TODAY.date(), actor) for ts in a.targets}
    assert page and all(said[code] == state for code, state in page.items()), (page, said)
    digest = build_digest(office, clock.now(), unit_id=school_of(actor))
    in_digest = {row.code: str(row.state) for area in digest.areas for row in area.targets}
    assert all(in_digest[code] == state for code, state in page.items())
    if me.role in ("leader", "admin"):
        assert set(page) == set(in_digest) == set(said)


def test_principal_sees_their_school_only(client, office):
    html = open_as(client, office, PRINCIPAL)
    assert codes(html) == PER_SCHOOL
    assert school_rows(html) == [LE_LOI]
    assert VAN_YEN not in html
    shown = reports(html)
    assert shown and all(r == f"CQS-1 · {LE_LOI}" for r in shown), shown
    assert "Phạm vi: trường của Anh/Chị" in html
    assert 'name="school"' not in html, "no school filter for a principal"


def test_officer_sees_their_own_targets(client, office):
    html = open_as(client, office, OFFICER)
    assert codes(html) == HAU_TARGETS
    assert areas(html) == {"TTHC"}
    assert {r.split(" · ")[0] for r in reports(html)} <= HAU_TARGETS
    assert "CQS-1" not in html


def test_filters_by_area_and_school(client, office):
    open_as(client, office, LEADER)
    html = client.get("/app/", params={"area": "CQS"}).text
    assert areas(html) == {"CQS"} and codes(html) == {"CQS-1"}
    with Session(office) as session:
        van_yen = session.exec(select(m.Unit).where(m.Unit.name == VAN_YEN)).one().id
    html = client.get("/app/", params={"school": van_yen}).text
    assert school_rows(html) == [VAN_YEN]
    assert all(VAN_YEN in r for r in reports(html) if "·" in r)
    html = client.get("/app/", params={"lang": "en", "area": "CQS"}).text
    assert '<html lang="en">' in html and "Progress by area" in html


def test_without_a_session_the_gate_shows_no_figures(client):
    response = client.get("/app/")
    assert response.status_code == 200
    assert "CQS-1" not in response.text and "/dashboard" in response.text
    assert "telegram-web-app.js" in response.text


def test_a_stranger_is_refused(client, office):
    response = client.post("/app/auth/telegram",
                           headers={"Authorization": f"tma {init_data(999_999)}"})
    assert response.status_code == 403
    assert COOKIE not in response.headers.get("set-cookie", "")


def test_init_data_opens_a_session_once(client, office):
    link_telegram(office, LEADER, 700_001)
    good = init_data(700_001)
    response = client.post("/app/auth/telegram", headers={"Authorization": f"tma {good}"})
    assert response.status_code == 200 and COOKIE in response.headers["set-cookie"]
    cookie = response.headers["set-cookie"].lower()
    for attribute in ("httponly", "secure", "samesite=none", "partitioned", "max-age=28800"):
        assert attribute in cookie, "a Mini App session works inside Telegram Web's iframe"
    assert len(codes(client.get("/app/").text)) == 25
    client.cookies.clear()
    replay = client.post("/app/auth/telegram", headers={"Authorization": f"tma {good}"})
    assert replay.status_code == 403, "the same initData twice"


@pytest.mark.parametrize("make", [
    lambda: init_data(700_002).replace("700002", "700003"),  # forged user
    lambda: init_data(700_002, token="999:another-bot"),  # signed for another bot
    lambda: init_data(700_002, auth_date=time.time() - 3601),  # older than the max age
    lambda: "",
])
def test_forged_or_expired_init_data_is_refused(client, office, make):
    link_telegram(office, LEADER, 700_002)
    link_telegram(office, OFFICER, 700_003)
    response = client.post("/app/auth/telegram", headers={"Authorization": f"tma {make()}"})
    assert response.status_code == 403
    assert client.get("/app/").text.count("data-code=") == 0


def test_a_link_works_once(client, office):
    url = link(office, LEADER)
    for _ in range(3):  # link previews, virus scanners: GETs use nothing up
        assert client.get(url).status_code == 200
    assert follow(client, url, follow_redirects=False).status_code == 303
    client.cookies.clear()
    again = client.get(url, follow_redirects=False)
    assert again.status_code == 403 and "đã được dùng" in again.text
    token = url.split("t=", 1)[1]
    assert client.post("/app/login", data={"t": token}).status_code == 403
    assert COOKIE not in client.cookies


def test_forged_and_expired_links_are_refused(client, office):
    url = link(office, OFFICER)
    token = url.split("t=", 1)[1]
    body, mac = token.split(".")
    from bot.dashboard import keys

    raw = keys._unb64(body).replace(f'"o":{officer_id(office, OFFICER)}'.encode(),
                                    f'"o":{officer_id(office, LEADER)}'.encode())
    forged = f"{BASE}/app/login?t={keys._b64(raw)}.{mac}"
    assert client.get(forged, follow_redirects=False).status_code == 403
    assert client.post("/app/login", data={"t": f"{keys._b64(raw)}.{mac}"}).status_code == 403
    expired = link(office, LEADER, seconds=-1)
    assert client.get(expired, follow_redirects=False).status_code == 403
    other_key = link(office, LEADER, secret="not the server's key")
    assert client.get(other_key, follow_redirects=False).status_code == 403
    client.cookies.set(COOKIE, "forged.cookie", path="/app/")
    assert "data-code=" not in client.get("/app/").text


def test_someone_removed_from_the_roster_loses_the_page(client, office):
    open_as(client, office, OFFICER)
    with session_scope(office) as session:
        session.get(m.Officer, officer_id(office, OFFICER)).active = False
    assert client.get("/app/").status_code == 403


async def test_a_report_confirmed_in_the_chat_shows_on_the_next_load(client, office):
    html = open_as(client, office, LEADER)
    assert "85% (17/20)" not in html
    async with Chat(office) as chat:
        mai = chat.officer("Thị Mai")
        await to_summary(chat, mai, "CQS-1", "17/20")
        out = await press(chat, mai, "rep:ok:")
        assert "Đã ghi nhận" in out
    clock.advance(minutes=5)
    html = client.get("/app/").text
    assert f"CQS-1 · {VAN_YEN}" in reports(html)[0]
    assert "85% (17/20)" in html
    assert "Số liệu tính lúc 09:05" in html


def test_evidence_links_follow_the_scope(client, office, tmp_path):
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(b"%PDF-1.4 test")
    with Session(office) as session:
        report = session.exec(select(m.ProgressReport).join(m.Target)
                              .where(m.Target.code == "CQS-1")
                              .order_by(m.ProgressReport.id.desc())).first()
    with session_scope(office) as session:
        row = m.Evidence(report_id=report.id, channel="zalo", file_id="z1",
                         file_name="bien-ban.pdf", mime_type="application/pdf",
                         local_path=str(path))
        session.add(row)
        session.flush()
        evidence_id = row.id
    html = open_as(client, office, LEADER)
    assert f'href="/app/evidence/{evidence_id}"' in html
    got = client.get(f"/app/evidence/{evidence_id}")
    assert got.status_code == 200 and got.content == b"%PDF-1.4 test"
    client.cookies.clear()
    assert client.get(f"/app/evidence/{evidence_id}").status_code == 403
    open_as(client, office, OFFICER)  # CQS-1 is not Bích Hậu's
    assert client.get(f"/app/evidence/{evidence_id}").status_code == 404


def test_reports_made_after_now_count_nowhere(client, office):
    """PARBOT_AS_OF on a database holding later reports: the page as of then."""
    from tests.answers_seed import report

    report(office, "CQS-1", "Thị Mai", "19/20", TODAY.replace(month=9))
    clock.set(TODAY)
    html = open_as(client, office, LEADER)
    assert "95% (19/20)" not in html and "95%" not in "".join(reports(html))
    row = re.search(rf'<th scope="row">{VAN_YEN}</th>(.*?)</tr>', html, re.S).group(1)
    assert "60%" in row and "95%" not in row, "the school's report of 05/5, not the later one"


def test_used_credentials_are_kept_while_they_could_be_replayed(client, office):
    from bot.core import state_store
    from bot.dashboard import keys

    keys.use_once(office, "link:long-expired", time.time() - 3600)
    url = link(office, LEADER)
    assert follow(client, url, follow_redirects=False).status_code == 303
    used = state_store.all_of(office, keys.USED_KIND)
    assert "link:long-expired" not in used, "expired: could not be replayed anyway"
    assert any(k.startswith("link:") for k in used), "the fresh link stays used"
    client.cookies.clear()
    assert client.get(url, follow_redirects=False).status_code == 403
