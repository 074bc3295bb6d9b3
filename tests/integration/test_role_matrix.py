"""The role matrix (bot.core.access.PERMISSIONS), in-process: every role sends every command and
is answered or refused exactly as the table says. (Over the wire, the e2e tests check the refusal
reaches Telegram; the table itself needs no subprocess.)"""

from __future__ import annotations

import pytest

import handlers
from bot.core.access import PERMISSIONS
from bot.core.catalogue import t
from tests.chat import Chat
from tests.report_helpers import office_fixture  # noqa: F401  (the `office` fixture)

REFUSED = (t("refused.guest", "vi", command="X").split("/X")[0],
           t("refused.role", "vi", command="X", role="").split("/X")[0])
ROLE_USERS = {"officer": "Tuấn An", "principal": "Văn Bình", "leader": "Thắng", "admin": "Quân",
              "guest": None}


@pytest.mark.once("the role matrix: the same code on both databases")
async def test_role_matrix(office, db_url):
    commands = [name for name, _ in handlers.commands() if name not in ("start", "help")]
    assert set(commands) <= set(PERMISSIONS), "every command is in the role matrix"
    async with Chat(office) as chat:
        for role, name in ROLE_USERS.items():
            user = chat.officer(name) if name else chat.user()
            for command in commands:
                texts = await chat.text(user, f"/{command}")
                assert texts, f"{role} /{command}: no answer"
                refused = any(marker in texts for marker in REFUSED)
                expected = role in PERMISSIONS[command]
                assert refused != expected, f"{role} /{command}: {texts[:200]}"
                if not refused:
                    await chat.text(user, "/cancel")  # leave any conversation it opened
