"""Running the real `parbot` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parbot(*args: str, db_url: str, stdin: str | None = None, env: dict | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PARBOT_", "TELEGRAM_"))}
    full_env.update({"DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)})
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True,
        text=True, env=full_env, cwd=ROOT, timeout=timeout,
    )
