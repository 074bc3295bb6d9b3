"""Plain speech made plain before a question is understood: words misspelt by a letter mapped to
the plan's vocabulary or the roster's names (rapidfuzz with a floor: a dropped, doubled or
swapped letter is forgiven, a wild guess is not); several questions in one message split into
parts; the parts' answers joined into one message of at most 1,500 characters.

Teen code and phone abbreviations are data: `bot.answers.normalise.ABBREVIATIONS`.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.answers.extract import CUE_WORDS, EXTRA_STOP, text_index
from bot.answers.normalise import ABBREVIATIONS, VARIANTS, normalise, tokens
from bot.answers.retrieval import STOPWORDS, index
from bot.answers.snapshot import PlanSnapshot
from bot.core.replies import Reply
from bot.core.text import fold, nfc

LIMIT = 1500
FLOOR_LONG = 80  # rapidfuzz ratio for words of 4 letters or more
FLOOR_SHORT = 85  # three-letter words: one dropped letter ("tiu" → "tieu")
_RAW_WORD = re.compile(r"[^\W_]+", re.UNICODE)


_CUES = CUE_WORDS
_DATA = {w for k, v in ABBREVIATIONS.items() for w in f"{k} {v}".split()} | set(VARIANTS) | \
    set(VARIANTS.values())


def vocabulary(snap: PlanSnapshot, officers) -> tuple[set[str], list[str]]:
    """(every word a question may use as it is, the words a typo is mapped to)."""
    key = ("vocabulary", tuple(o.id for o in officers))
    found = snap.extra.get(key)
    if found is None:
        plan_words = {w for w in text_index(snap).idf if w.isalpha()}
        plan_words |= {w for w in index(snap).idf if " " not in w}
        names = {w for o in officers for w in tokens(normalise(o.full_name))}
        names |= {w for p in snap.people for w in tokens(normalise(
            " ".join(x for x in (p.name, p.title, p.department) if x)))}
        targets = plan_words | names
        known = targets | _CUES | _DATA | STOPWORDS | EXTRA_STOP
        found = snap.extra[key] = (known, sorted(w for w in targets if len(w) >= 3))
    return found


def prepare(snap: PlanSnapshot, text: str, officers, lang: str = "vi") -> str:
    """The question with misspelt words replaced by the word of the plan or roster meant (not
    in English: an English word is no misspelt Vietnamese one)."""
    if lang == "en":
        return nfc(text or "")
    known, targets = vocabulary(snap, officers)

    def fix(match: re.Match) -> str:
        word = match.group(0)
        folded = fold(word)
        if len(folded) < 3 or not folded.isalpha() or folded in known or \
                normalise(folded) != folded:
            return word
        if fold(word) != word.lower():
            return word  # a word typed with its tone marks is meant ("tết" is no "tiết")
        floor = FLOOR_LONG if len(folded) >= 4 else FLOOR_SHORT
        best = process.extractOne(folded, targets, scorer=fuzz.ratio, score_cutoff=floor)
        return best[0] if best else word

    return _RAW_WORD.sub(fix, nfc(text or ""))


# --- several questions in one --------------------------------------------------------------

_ASKS = ("ai", "gi", "nao", "hoi", "chi tieu", "bao nhieu", "may", "khi nao", "dau", "sao",
         "the nao", "la", "who", "what", "when", "which", "how", "where", "bn", "j", "ko", "khong")
_SPLIT = re.compile(r"\s*(?:\?+|;|,?\s+(?:và|va|and|vs|với lại)\s+|,)\s*", re.IGNORECASE)


def _asks(part: str) -> bool:
    norm = f" {fold(part)} "
    return any(f" {w} " in norm for w in _ASKS)


def split(text: str) -> list[str]:
    """The questions of one message: split at "?", ";", "và"/"and" and commas, a piece that asks
    nothing by itself staying with the one before it."""
    pieces = [p.strip() for p in _SPLIT.split(text or "") if p and p.strip()]
    parts: list[str] = []
    for piece in pieces:
        if parts and (not _asks(piece) or not _asks(parts[-1]) or len(tokens(
                normalise(piece))) < 2):
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
    merged = [p for p in parts if p]
    return merged if len(merged) > 1 else [text]


_FORM = re.compile(r"\b(?:là|la|bao nhiêu|bao nhieu|bn|mấy|may|gì|gi|j|nào|nao|ai|khi nào|"
                   r"khi nao|what|who|when|which|is|are)\b.*$", re.IGNORECASE)


def subject(part: str) -> str:
    """What the first question is about, without its question words ("chỉ tiêu tự chủ tài
    chính giai đoạn 1 là bao nhiêu" → "chỉ tiêu tự chủ tài chính giai đoạn 1")."""
    return _FORM.sub("", part).strip(" ,") or part


def join(replies: list[Reply]) -> Reply:
    """One message: each part's answer, the whole under 1,500 characters."""
    texts = [r.text.strip() for r in replies if r.text.strip()]
    share = (LIMIT - 4 * len(texts)) // max(len(texts), 1)
    out = []
    for text in texts:
        if len(text) > share:
            text = text[: share - 1].rsplit("\n", 1)[0] if "\n" in text[:share] else \
                text[: share - 1]
            text = text.rstrip() + "…"
        out.append(text)
    buttons = next((r.buttons for r in replies if r.buttons), [])
    return Reply("\n\n".join(out), buttons)
