"""Vietnamese text as people type it on phones: fold case, tone marks and đ before matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, single spaces: "Hoà" and "hòa" and "HOA" all fold alike."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def name_matches(full_name: str, short_name: str) -> bool:
    """Does a roster full name end with the plan's name ("Nguyễn Thị Diệu Anh" ↔ "Diệu Anh")?"""
    full, short = words(full_name), words(short_name)
    return bool(short) and full[-len(short):] == short
