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


def fold_in_place(text: str) -> str:
    """`fold` letter by letter, keeping the length, so a match in the folded text points at
    the same words in the original."""
    out = []
    for ch in text:
        base = "".join(c for c in unicodedata.normalize("NFD", ch.lower().replace("đ", "d"))
                       if unicodedata.category(c) != "Mn")
        out.append(base[:1] if base else " ")
    return "".join(out)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def name_matches(full_name: str, short_name: str) -> bool:
    """Does a roster full name end with the plan's name ("Nguyễn Thị Diệu Anh" ↔ "Diệu Anh")?"""
    full, short = words(full_name), words(short_name)
    return bool(short) and full[-len(short):] == short


# --- long texts: platforms cap a message's length ---------------------------------------
def text_length(text: str) -> int:
    """Length as the platforms count it (UTF-16 code units): emoji count twice."""
    return len(text.encode("utf-16-le")) // 2


def _hard(piece: str, limit: int) -> list[str]:
    """Cut a line longer than the limit, at a space in the second half of a window if any."""
    out = []
    while text_length(piece) > limit:
        cut, size = 0, 0
        for i, ch in enumerate(piece):
            size += 2 if ord(ch) > 0xFFFF else 1
            if size > limit:
                break
            cut = i + 1
        space = piece.rfind(" ", 0, cut)
        if space >= cut // 2:
            cut = space + 1
        out.append(piece[:cut])
        piece = piece[cut:]
    return [*out, piece] if piece else out


def _pack(pieces: list[str], sep: str, limit: int, smaller) -> list[str]:
    out: list[str] = []
    current: str | None = None
    for piece in pieces:
        if text_length(piece) > limit:
            if current is not None:
                out.append(current)
            *done, current = smaller(piece) or [""]
            out.extend(done)
        elif current is None:
            current = piece
        elif text_length(current) + text_length(sep) + text_length(piece) <= limit:
            current += sep + piece
        else:
            out.append(current)
            current = piece
    if current is not None:
        out.append(current)
    return out


def split_text(text: str, limit: int) -> list[str]:
    """Messages of at most `limit`: split at paragraph breaks, then at line breaks, then hard.
    Nothing is lost but the breaks themselves; blank pieces are not sent."""
    if text_length(text) <= limit:
        return [text] if text.strip() else []

    def lines(paragraph: str) -> list[str]:
        return _pack(paragraph.split("\n"), "\n", limit, lambda line: _hard(line, limit))

    return [p for p in _pack(text.split("\n\n"), "\n\n", limit, lines) if p.strip()]


# --- text made safe at the edges ----------------------------------------------------------------
# What XML 1.0 (and so every .docx and .xlsx) cannot hold: C0 controls but tab, line feed and
# carriage return; lone surrogates; U+FFFE and U+FFFF. PostgreSQL refuses NUL in text too.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text without the characters no document can hold (and no database column takes)."""
    return _XML_ILLEGAL.sub("", text)


def safe_value(value: object) -> object:
    """`xml_safe` for strings; anything else as it is."""
    return xml_safe(value) if isinstance(value, str) else value
