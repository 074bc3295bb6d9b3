"""What a domain answer looks like before a channel renders it: text plus button rows.

Buttons are plain (label, data) pairs; `handlers/` turns them into inline keyboards for Telegram,
and the console and Zalo layers into numbered options.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data (≤ 64 bytes)


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    ask_contact: bool = False  # offer "share my phone number"
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None  # (file name, content)
