"""End-to-end harness for Zalo: the real `parbot run` against the fake Zalo Bot API server
(and the fake Telegram one too, for both channels in one process).

    async with FakeZalo() as zl, ZaloBotProcess(zl, db_url) as bot:
        zl.send_text("u-1", "/start")
        await zl.wait_for_message("u-1", "Xin chào")

    async with FakeTelegram() as tg, FakeZalo() as zl, ZaloBotProcess(zl, db_url, telegram=tg):
        ...

Like `tests.bot_process.BotProcess` (database prepared, SIGTERM stop, restart, logs), with the Zalo
settings; it waits until the bot polls Zalo (or sets its webhook: `ready_method="setWebhook"`),
and Telegram too when given.
"""

from __future__ import annotations

from pathlib import Path

from tests.bot_process import ROSTER, BotProcess
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo


class ZaloBotProcess(BotProcess):
    def __init__(self, zalo: FakeZalo, db_url: str, telegram: FakeTelegram | None = None,
                 env: dict[str, str] | None = None, roster: Path | None = ROSTER,
                 zalo_token: str | None = None, prepare: bool = True, wait_ready: bool = True,
                 ready_method: str = "getUpdates", telegram_ready: str = "getUpdates") -> None:
        first = telegram if telegram is not None else zalo
        super().__init__(first, db_url, env=env, roster=roster, prepare=prepare,
                         wait_ready=wait_ready,
                         ready_method=telegram_ready if telegram is not None else ready_method)
        self.zalo = zalo
        self.telegram = telegram
        self.zalo_token = zalo_token or zalo.token
        self.zalo_ready = ready_method

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in super().env().items()
               if not k.startswith(("ZALO_", "PUBLIC_"))}
        if self.telegram is None:
            env.pop("TELEGRAM_BOT_TOKEN", None)
            env.pop("TELEGRAM_API_BASE_URL", None)
        env.update({"ZALO_BOT_TOKEN": self.zalo_token, "ZALO_API_BASE_URL": self.zalo.root,
                    "ZALO_MEDIA_HOSTS": self.zalo.root})  # the fake serves users' photos
        env.update(self.extra_env)
        return env

    def fakes(self) -> list:
        return [self.zalo] + ([self.telegram] if self.telegram is not None else [])

    async def start(self) -> ZaloBotProcess:
        since = len(self.zalo.calls)
        await super().start()
        if self.telegram is not None and self.wait_ready:
            try:
                await self.zalo.wait_for_call(self.zalo_ready, timeout=30, since=since)
            except AssertionError:
                raise AssertionError(f"parbot did not start on Zalo:\n{self.logs()}") from None
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:  # shown by pytest with the failure
            print(f"--- parbot log (end) ---\n{self.logs()[-8000:]}")
        await super().__aexit__(exc_type, *exc)
