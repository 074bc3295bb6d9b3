"""`parbot dashboard --as NAME`: a signed local link that opens the page, without Telegram."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from bot.channels.dashboard import local_app
from bot.core.settings import Settings
from storage.db import make_engine
from tests.cli_helpers import ROOT, parbot
from tests.dashboard_helpers import follow

# the page's reads run on both databases in tests/integration/test_dashboard_*.py
pytestmark = [pytest.mark.e2e, pytest.mark.once("the command's link and page")]


def test_parbot_dashboard_prints_a_one_time_link(db_url):
    assert parbot("db", "upgrade", db_url=db_url).returncode == 0
    roster = parbot("officers", "import", str(ROOT / "data" / "roster.example.csv"),
                    db_url=db_url)
    assert roster.returncode == 0, roster.stderr
    result = parbot("dashboard", "--as", "Văn Bình", db_url=db_url,
                    env={"PORT": "8765", "PUBLIC_BASE_URL": ""})
    assert result.returncode == 0, result.stderr
    url = re.search(r"http://127\.0\.0\.1:8765/app/login\?t=\S+", result.stdout).group(0)
    assert "single use, expires in 15 minutes" in result.stderr
    assert "--serve" in result.stderr, "says how to serve it without PUBLIC_BASE_URL"
    engine = make_engine(db_url)
    try:
        app = local_app(engine, Settings(PUBLIC_BASE_URL="http://127.0.0.1:8765"))
        with TestClient(app, base_url="http://127.0.0.1:8765") as client:
            page = follow(client, url, follow_redirects=True)
            assert page.status_code == 200
            assert "Trường THCS Lê Lợi" in page.text and 'data-code="CQS-1"' in page.text
            assert 'data-code="TTHC-1"' not in page.text, "a principal sees their school"
            assert client.get(url, follow_redirects=False).status_code == 403
    finally:
        engine.dispose()

    ambiguous = parbot("dashboard", "--as", "Văn", db_url=db_url)
    assert ambiguous.returncode != 0 and "exactly one officer" in ambiguous.stderr
