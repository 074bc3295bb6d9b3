"""The console chat: the production Application and handlers, talking through a terminal.

Typed lines become updates; the bot's messages are printed, inline keyboards as numbered options
(type the number to press). Files the bot sends (charts, reports) are saved under `var/console/`
and their path printed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from telegram import Update
from telegram.ext import Application

from bot.channels.bridge import BridgeRequest, Outgoing
from bot.core.clock import clock
from bot.core.settings import ROOT

CONSOLE_USER_ID = 1000


class ConsoleRequest(BridgeRequest):
    channel = "console"

    def __init__(self, out: TextIO | None = None, files_dir: Path | None = None) -> None:
        super().__init__()
        self.out = out or sys.stdout
        self.files_dir = files_dir or ROOT / "var" / "console"

    def file_path(self, message: Outgoing) -> Path:
        """Where a file the bot sends is saved: its own name, or for a photo (PTB names it
        "application.octet-stream") "photo-<time>.png"; never over an earlier file."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = message.file_name or ""
        if message.kind == "photo" or not name or name.startswith("application."):
            suffix = ".png" if message.file_bytes[:8] == b"\x89PNG\r\n\x1a\n" else ".bin"
            name = f"{message.kind}-{clock.now():%Y%m%d-%H%M%S}{suffix}"
        path = self.files_dir / Path(name).name
        n = 1
        while path.exists():
            n += 1
            path = self.files_dir / f"{Path(name).stem}-{n}{Path(name).suffix}"
        return path

    async def deliver(self, message: Outgoing) -> None:
        lang = self.chat_lang.get(message.chat_id, "vi")
        text = message.render(lang)
        if message.file_bytes is not None:
            path = self.file_path(message)
            path.write_bytes(message.file_bytes)
            text = f"📎 {path}\n{text}" if text else f"📎 {path}"
        prefix = "bot> "
        self.out.write(prefix + text.replace("\n", "\n" + " " * len(prefix)) + "\n")
        self.out.flush()


async def chat(app: Application, request: ConsoleRequest, lines: TextIO,
               name: str = "Console", language_code: str = "vi",
               prompt: bool = False) -> None:
    """Feed typed lines to the application one by one, each handled before the next."""
    user = request.user(CONSOLE_USER_ID, name, language_code)
    loop = asyncio.get_running_loop()
    await app.initialize()
    await app.start()
    try:
        while True:
            if prompt:
                request.out.write("> ")
                request.out.flush()
            line = await loop.run_in_executor(None, lines.readline)
            if not line:
                break
            line = line.strip()
            if line in ("/quit", "/exit", "/thoat"):
                break
            if not line:
                continue
            update = Update.de_json(request.text_update(user, line), app.bot)
            await app.process_update(update)
    finally:
        await app.stop()
        await app.shutdown()
