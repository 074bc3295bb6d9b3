"""The dashboard in a real browser: headless Chromium from Debian's packages, driven by Playwright
with the system browser (`executable_path`, no browser download).

The page is served by the bot's own web server composition (`bot.channels.webhooks.build_app`
with the dashboard's routes) on a free port, against a real SQLite database; Telegram's Mini App
script is replaced by a stand-in served by the same server that sets `initData` to a string this
test signed (there is no telegram.org here). Set PARBOT_SCREENSHOTS=1 to write the three views
to docs/dashboard-{leader,principal,officer}.png.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import threading
import time

import pytest
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels import dashboard, webhooks
from bot.core.clock import clock
from storage.db import make_engine, upgrade
from tests.answers_seed import seed_737
from tests.bot_process import free_port
from tests.conftest import ROOT
from tests.dashboard_helpers import (
    HAU_TARGETS,
    LE_LOI,
    LEADER,
    OFFICER,
    PER_SCHOOL,
    PRINCIPAL,
    TODAY,
    init_data,
    link,
    link_telegram,
    settings,
)

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium binary (Debian: apt-get install -y chromium); .ci/run installs it",
                allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (Python) is not installed: pip install -e '.[dev]'")

SIZES = [(360, 740), (1280, 800)]
STAND_IN: dict[str, str] = {"init_data": ""}


class Server:
    def __init__(self, engine, port: int) -> None:
        base = f"http://127.0.0.1:{port}"
        self.base = base
        self.settings = settings(PUBLIC_BASE_URL=base,
                                 TELEGRAM_WEBAPP_JS=f"{base}/test/telegram-web-app.js")

        async def telegram_js(request: Request) -> Response:
            data = json.dumps(STAND_IN["init_data"])
            script = ("window.Telegram = {WebApp: {initData: " + data + ", ready: function () {}, "
                      "expand: function () {}, themeParams: {}}};")
            return Response(script, media_type="text/javascript")

        async def health():
            return True, {}

        app = webhooks.build_app([], health, None,
                                 pages=dashboard.routes(engine, self.settings)
                                 + [Route("/test/telegram-web-app.js", telegram_js)])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_config=None, access_log=False,
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'parbot.db'}")
    upgrade(engine)
    seed_737(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def server(office):
    with Server(office, free_port()) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _frozen():
    clock.set(TODAY)
    yield


def new_page(browser, width: int = 1280, height: int = 800):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def shown_codes(page) -> set[str]:
    return set(page.eval_on_selector_all("li.target", "els => els.map(e => e.dataset.code)"))


def check_structure(page, lang: str = "vi") -> None:
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("h1").count() == 1
    assert page.locator("h2").count() >= 4
    for table in page.locator("table").all():
        assert table.locator("thead th[scope=col]").count() >= 2
    widths = page.evaluate("[document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal overflow at {page.viewport_size}: {widths}"


VIEWS = [
    (LEADER, "leader", None),
    (PRINCIPAL, "principal", PER_SCHOOL),
    (OFFICER, "officer", HAU_TARGETS),
]


@pytest.mark.parametrize("name, role, expected", VIEWS, ids=[v[1] for v in VIEWS])
def test_each_role_sees_exactly_its_scope_without_overflow(browser, server, office, name, role,
                                                           expected):
    context, page, errors = new_page(browser)
    try:
        page.goto(link(office, name, base=server.base))
        page.click("#open")
        page.wait_for_url(f"{server.base}/app/")
        codes = shown_codes(page)
        if expected is None:
            assert len(codes) == 25 and page.locator("article.card").count() == 7
        else:
            assert codes == expected
        rows = page.eval_on_selector_all("#schools tbody th[scope=row]",
                                         "els => els.map(e => e.textContent)")
        if role == "principal":
            assert rows == [LE_LOI]
        if role == "leader":
            assert len(rows) == 2
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            check_structure(page)
        if os.environ.get("PARBOT_SCREENSHOTS"):
            width = 1280 if role == "leader" else 360
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=str(ROOT / "docs" / f"dashboard-{role}.png"), full_page=True)
        page.emulate_media(media="print")
        assert page.eval_on_selector("form.filters", "e => getComputedStyle(e).display") == "none"
        page.emulate_media(media="screen")
        page.goto(f"{server.base}/app/?lang=en")
        check_structure(page, "en")
        assert errors == [], errors
    finally:
        context.close()


def test_opened_as_a_mini_app_it_signs_in_with_init_data(browser, server, office):
    link_telegram(office, LEADER, 900_001)
    STAND_IN["init_data"] = init_data(900_001)
    context, page, errors = new_page(browser, 360, 740)
    try:
        page.goto(f"{server.base}/app/")
        page.wait_for_selector("li.target", timeout=15_000)
        assert len(shown_codes(page)) == 25
        check_structure(page)
        assert errors == [], errors
    finally:
        context.close()
        STAND_IN["init_data"] = ""


@pytest.mark.parametrize("make", [
    lambda: init_data(900_002).replace("900002", "900001"),  # forged: another user's id
    lambda: init_data(900_002, auth_date=time.time() - 2 * 86400),  # expired
    lambda: init_data(900_404),  # a stranger
], ids=["forged", "expired", "stranger"])
def test_a_bad_mini_app_session_sees_nothing(browser, server, office, make):
    link_telegram(office, OFFICER, 900_002)
    STAND_IN["init_data"] = make()
    context, page, _ = new_page(browser, 360, 740)
    try:
        page.goto(f"{server.base}/app/")
        # a locator, not wait_for_function: the page's CSP forbids the eval a string predicate
        # needs, and Chromium applies it to that predicate now and then
        page.locator("#msg", has_text="Không mở").wait_for(timeout=15_000)
        assert page.locator("li.target").count() == 0
    finally:
        context.close()
        STAND_IN["init_data"] = ""


def test_a_used_or_forged_link_shows_nothing(browser, server, office):
    url = link(office, OFFICER, base=server.base)
    context, page, _ = new_page(browser)
    try:
        assert page.goto(url).status == 200
        page.click("#open")
        page.wait_for_url(f"{server.base}/app/")
        assert page.locator("li.target").count() == len(HAU_TARGETS)
        context.clear_cookies()
        again = page.goto(url)
        assert again.status == 403 and page.locator("li.target").count() == 0
        forged = page.goto(url[:-3] + "abc")
        assert forged.status == 403
    finally:
        context.close()


def test_the_page_says_when_figures_were_computed(browser, server, office):
    clock.set(TODAY + dt.timedelta(minutes=7))
    context, page, _ = new_page(browser)
    try:
        page.goto(link(office, LEADER, base=server.base))
        page.click("#open")
        page.wait_for_url(f"{server.base}/app/")
        assert "09:07" in page.text_content("#computed")
    finally:
        context.close()


def test_the_page_prints_on_a4_landscape(browser, server, office):
    context, page, _ = new_page(browser)
    try:
        page.goto(link(office, LEADER, base=server.base))
        page.click("#open")
        page.wait_for_url(f"{server.base}/app/")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert boxes, "no page in the PDF"
        for width, height in boxes:
            assert abs(float(width) - 841.9) < 2 and abs(float(height) - 595.3) < 2, boxes[0]
        page.emulate_media(media="print")
        assert page.eval_on_selector("form.filters", "e => getComputedStyle(e).display") == "none"
        assert page.eval_on_selector(".cards", "e => getComputedStyle(e).gridTemplateColumns"
                                     ).count("px") == 3, "three cards a row on paper"
    finally:
        context.close()
