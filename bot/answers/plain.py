"""Plain speech made plain before a question is understood: words misspelt by a letter mapped to
the plan's vocabulary or the roster's names (rapidfuzz with a floor: a dropped, doubled or
swapped letter is forgiven, a wild guess is not); several questions in one message split into
parts; the parts' answers joined into one message of at most 1,500 characters.

Teen code and phone abbreviations are data: `bot.answers.normalise.ABBREVIATIONS`.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.answers.extract import (
    CUE_PHRASES,
    CUE_WORDS,
    EXTRA_STOP,
    is_form,
    machine_apart,
    text_index,
    toned,
)
from bot.answers.intents import HONORIFICS
from bot.answers.normalise import ABBREVIATIONS, VARIANTS, normalise, tokens
from bot.answers.retrieval import STOPWORDS, index
from bot.answers.snapshot import PlanSnapshot
from bot.core.replies import Reply
from bot.core.text import fold, fold_in_place, nfc

LIMIT = 1500
FLOOR_LONG = 80  # rapidfuzz ratio for words of 4 letters or more
FLOOR_SHORT = 85  # three-letter words: one dropped letter ("tiu" → "tieu")
ALONE = 6  # a fix of a shorter word typed without tone marks must make a plan pair
PAIRED_SHORT = 66  # a toned three-letter word, one letter off, when its fix makes a plan pair
PAIRED = 75  # … a four-letter one ("cải cánh" → "cải cách")
_RAW_WORD = re.compile(r"[^\W_]+", re.UNICODE)


_CUES = CUE_WORDS
_DATA = {w for k, v in ABBREVIATIONS.items() for w in f"{k} {v}".split()} | set(VARIANTS) | \
    set(VARIANTS.values())


def vocabulary(snap: PlanSnapshot, officers) -> tuple[set[str], list[str], set[str]]:
    """(every word a question may use as it is, the words a typo is mapped to, the word pairs
    the plan uses)."""
    key = ("vocabulary", tuple(o.id for o in officers))
    found = snap.extra.get(key)
    if found is None:
        features = set(text_index(snap).idf) | set(index(snap).idf)
        plan_words = {w for w in features if w.isalpha()}
        pairs = {w for w in features if " " in w}
        names = {w for o in officers for w in tokens(normalise(o.full_name))}
        names |= {w for p in snap.people for w in tokens(normalise(
            " ".join(x for x in (p.name, p.title, p.department) if x)))}
        # "anh Dũng", "chị Nhung": an honorific and a given name make a pair too
        given = {normalise(o.full_name).split()[-1] for o in officers if o.full_name.strip()}
        given |= {normalise(p.name).split()[-1] for p in snap.people if p.name}
        pairs |= {f"{h} {g}" for h in HONORIFICS for g in given if " " not in h}
        # … and the question's own two-word cues ("phụ trách", "khi nào"): "phụ tráhc"
        pairs |= {p for p in CUE_PHRASES if p.count(" ") == 1 and p.replace(" ", "").isalpha()}
        targets = plan_words | names
        known = targets | _CUES | _DATA | STOPWORDS | EXTRA_STOP
        # acronyms as typed ("tthc", "sipas"): a swapped letter is mapped to them too
        targets |= {k for k in ABBREVIATIONS if k.isalpha() and len(k) >= 4}
        found = snap.extra[key] = (known, sorted(w for w in targets if len(w) >= 3), pairs)
    return found


def _real_word_slip(word: str, folded: str, before: str, after: str, known_toned: set[str],
                    pairs: set[str], known: set[str]) -> bool:
    """A word typed with its tone marks that the plan never writes so, which makes no pair
    the plan uses with its neighbours, and is no word of a question's form: maybe a slip."""
    return len(folded) >= 3 and folded.isalpha() and fold(word) != word.lower() and \
        f"~{toned(word)}" not in known_toned and folded not in STOPWORDS and \
        folded not in EXTRA_STOP and folded not in CUE_WORDS and not is_form(folded) and \
        f"{before} {folded}" not in pairs and f"{folded} {after}" not in pairs and \
        folded in known and bool(before or after)


_TONE_KEYS = "sfrxj"  # Telex's tone keys, typed after the word when no keyboard turns them


def _telex(word: str, known: set[str], targets, paired=lambda w: False) -> str | None:
    """A word typed in Telex without an input method ("hocj", "hcoj"): its letters without
    the trailing tone key, when that is a word the plan or the question's form uses (of two
    letter swaps, the one that makes a pair the plan uses with a neighbour)."""
    if len(word) < 3 or word[-1] not in _TONE_KEYS:
        return None
    base = word[:-1]
    if base in known:
        return base
    swaps = [s for s in _swaps(base) if s in targets] if len(base) >= 3 else []
    return next((s for s in swaps if paired(s)), swaps[0] if swaps else None)


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)
            if word[i] != word[i + 1]]


def _swapped(word: str, words) -> str | None:
    """The word meant when two letters side by side were typed the other way ("ttch" →
    "tthc"), if the plan or the glossary has it."""
    return next((candidate for candidate in _swaps(word) if candidate in words), None)


# "Chị Diệu Anh hỏi: …", "Thầy Bình đây. …": who is asking, or for whom, is no part of the
# question (the asker is known from the chat)
_INTRO = re.compile(r"^\s*(?:thầy|cô|anh|chị|em|bác|chú)\s+((?:\w+\s+){0,2}\w+)\s+"
                    r"(?:hỏi|đây|nhờ hỏi|hỏi giúp|xin hỏi|hỏi là)(?:\s*[:.,!]\s*|\s+)",
                    re.IGNORECASE)


# "Xin chào, tôi là hiệu trưởng Trường THCS Lê Lợi." / "Xin hỏi hai việc:"
_GREETING = re.compile(r"^\s*(?:(?:xin )?chào[^,.!:]{0,20}[,.!:]\s*)?"
                       r"(?:(?:tôi|em|mình) là [^.!?:]{3,80}[.!:]\s+"
                       r"|(?:xin |cho (?:em |tôi |mình )?)?hỏi (?:hai|2|ba|3|mấy) "
                       r"(?:việc|câu|ý|điều)\s*[:,.]\s*)", re.IGNORECASE)


# "thay Binh day …", "c Sa nè, …", "ừ anh Dũng đây …", "Em là Mai TH Văn Yên, …": the asker
# names themself, typed any way, with or without a stop after it (read folded, letter by letter)
_SELF = re.compile(r"^\s*(?:(?:u|uh|um|da|vang|alo|a lo|hi|hello)[\s,.!]+)?"
                   r"(?:(?:thay|co|anh|chi|em|bac|chu|c|a|e)\s+([a-z]+(?:\s+[a-z]+){0,2})\s+"
                   r"(?:day|ne|hoi|nho hoi|xin hoi|hoi la)(?: (?:hai|2|ba|3) (?:viec|cau|y))?"
                   r"(?:\s*[:.,!]+\s*|\s+)"
                   r"|(?:em|toi|minh|t|e) la ([a-z]+)(?=[\s,.!])[^,.!?:]{0,40}"
                   r"[,.!:]\s*)")


def _without_self(text: str, asker: str | None) -> str:
    """The message without the asker naming themself, when the name is theirs."""
    if not asker:
        return text
    m = _SELF.match(fold_in_place(text))
    own = set(fold(asker).split())
    if m and set((m.group(1) or m.group(2) or "").split()) <= own and text[m.end():].strip():
        return text[m.end():]
    return text


# "nói ngắn gọn thì …", "tóm lại …": how one sums up, no part of what is asked
_SUMMING = re.compile(r"^\s*(?:noi (?:ngan gon|tom lai|chung|gon)|tom lai|dai khai|nhin chung|"
                      r"in short|briefly|basically)(?: la| thi)?[\s,:]+")


def _without_intro(text: str, asker: str | None = None) -> str:
    text = _without_self(text, asker)
    summing = _SUMMING.match(fold_in_place(text))
    if summing and text[summing.end():].strip():
        text = text[summing.end():]
    m = _INTRO.match(text)
    if m and all(w[:1].isupper() for w in m.group(1).split()):
        text = text[m.end():]
    m = _GREETING.match(text)
    return text[m.end():] if m and text[m.end():].strip() else text


# "hằng năm" and "hàng năm" are one word, two spellings: the plan writes "hàng"
_EVERY = re.compile(r"(?<!\w)([hH])ằng(?=\s+(?:năm|tháng|quý|tuần|ngày)(?!\w))")


def prepare(snap: PlanSnapshot, text: str, officers, lang: str = "vi",
            asker: str | None = None) -> str:
    """The question with misspelt words replaced by the word of the plan or roster meant (not
    in English: an English word is no misspelt Vietnamese one). A word typed with its tone
    marks is meant as typed ("tết" is no "tiết") unless the plan never uses it and a close
    word makes a pair the plan uses with its neighbour ("tài chín công" → "tài chính công",
    "côg dẫn" after "tài chính" → "công")."""
    raw = _EVERY.sub(r"\1àng", _without_intro(nfc(text or ""), asker))
    if lang == "en":
        return raw
    known, targets, pairs = vocabulary(snap, officers)
    known_toned = snap.extra.get("known_toned")
    if known_toned is None:  # the words the plan writes with their marks, read once a plan
        known_toned = snap.extra["known_toned"] = {f for f in text_index(snap).idf
                                                   if f.startswith("~")}
    matches = list(_RAW_WORD.finditer(raw))
    plain_words = [fold(m.group(0)).lower() for m in matches]
    out, at = [], 0
    for i, match in enumerate(matches):
        word = match.group(0)
        folded = plain_words[i]
        fixed = word
        before = plain_words[i - 1] if i else ""  # already mended, as the pairs are read
        after = plain_words[i + 1] if i + 1 < len(plain_words) else ""
        if len(folded) >= 3 and folded.isalpha() and folded not in known and \
                normalise(folded) == folded:
            floor = FLOOR_LONG if len(folded) >= 4 else FLOOR_SHORT
            near = {f"{before} ", f" {after}"}
            telex = _telex(folded, known, targets, lambda w, near=near: any(
                (f"{n}{w}" if n.endswith(" ") else f"{w}{n}") in pairs for n in near)) \
                if fold(word) == word.lower() else None
            teen = f"d{folded[1:]}" if folded.startswith("z") else None
            if telex:
                fixed = telex  # "hocj": "học" typed in Telex without its marks
            elif teen in targets:
                fixed = teen  # "a Zung": teen code writes "d" as "z" ("zui", "Zũng")
            elif fold(word) == word.lower():
                swapped = _swapped(folded, targets)
                best = process.extractOne(folded, targets, scorer=fuzz.ratio, score_cutoff=floor)
                fixed = swapped or (best[0] if best else word)
                if best and not swapped and len(folded) < ALONE and not word.isupper() and \
                        before + " " + best[0] not in pairs and \
                        best[0] + " " + after not in pairs and (before or after):
                    fixed = word  # "điện thoai" is no "điện thoi": a short fix needs a pair
            else:
                swapped = _swapped(folded, targets)  # "phụ tráhc": "trach", with "phu"
                if swapped and (f"{before} {swapped}" in pairs or f"{swapped} {after}" in pairs):
                    fixed = swapped
                paired = PAIRED_SHORT if len(folded) == 3 else PAIRED if len(folded) == 4 \
                    else floor  # the pair vouches
                for candidate, _, _ in [] if fixed != word else process.extract(
                        folded, targets, scorer=fuzz.ratio, score_cutoff=paired, limit=8):
                    if candidate[0] == folded[0] and (f"{before} {candidate}" in pairs
                                                      or f"{candidate} {after}" in pairs):
                        fixed = candidate  # a slip inside the word, not of its first letter
                        break
        elif fixed == word and _real_word_slip(word, folded, before, after, known_toned,
                                                  pairs, known):
            # "bái cáo": a word of its own ("bái") the plan never uses, one letter from
            # the word that makes the plan's pair with its neighbour
            for candidate, _, _ in process.extract(folded, targets, scorer=fuzz.ratio,
                                                   score_cutoff=PAIRED_SHORT, limit=8):
                if candidate[0] == folded[0] and (f"{before} {candidate}" in pairs
                                                  or f"{candidate} {after}" in pairs):
                    fixed = candidate  # a slip inside the word, not of its first letter
                    break
        plain_words[i] = fold(fixed).lower()
        out.append(raw[at:match.start()] + fixed)
        at = match.end()
    out.append(raw[at:])
    return "".join(out)


# --- several questions in one --------------------------------------------------------------

_ASKS = ("ai", "gi", "nao", "hoi", "chi tieu", "bao nhieu", "may", "khi nao", "bao gio", "dau",
         "sao", "the nao", "la", "who", "what", "whats", "when", "which", "how", "where", "bn",
         "j", "ko", "khong")
_SPLIT = re.compile(r"(\s*(?:\?+|;|\+|,?\s+(?:và|va|and|với lại|với cả|voi ca|rồi|roi)\s+|,)\s*"
                    # English typed on without a stop: "who handles X whats the Y target"
                    r"|\s+(?=(?:whats|what's|what is|what are|when is|when's|who is|who's|"
                    r"how many|how much)\s)"
                    # "ai lo mảng X còn ai lo mảng Y": a second "who" after "còn"
                    r"|\s+(?:còn|con)\s+(?=ai\s)"
                    # "1. … 2. … 3. …": a numbered list of questions
                    r"|\s+\d[.)]\s+)", re.IGNORECASE)


_WHEN_LAST = re.compile(r"\s((?:là )?(?:khi nào|khi nao|bao giờ|bao gio|hôm nào|hom nao|ngày nào|"
                        r"ngay nao|lúc nào|luc nao|when))\s*\??\s*$", re.IGNORECASE)


def _asks(part: str) -> bool:
    # "what's" asks as "what"; "dùng máy tính" does not ask "mấy"
    norm = f" {re.sub(r'[^a-z0-9]+', ' ', fold(machine_apart(part)).lower())} "
    return any(f" {w} " in norm for w in _ASKS)


_FIRST_NUMBER = re.compile(r"^\s*\d[.)]\s+")  # "1. tổng kết khi nào 2. …": the list's first mark


def split(text: str) -> list[str]:
    """The questions of one message: each sentence ended by "?" is one at least; inside it,
    split at ";", "và"/"and", commas and numbered items, a piece that asks nothing by itself
    staying with the one before it."""
    text = _FIRST_NUMBER.sub("", text or "")
    parts: list[str] = []
    bare = 0  # sentences ended by "?" with no question word ("còn tỷ lệ DVCTT 2025?")
    for sentence in _ASKED.split(text or ""):
        pieces = _pieces(sentence)
        if not pieces:
            continue
        asks = any(_asks(p) for p in pieces)
        bare += not asks
        if parts and (len(tokens(normalise(" ".join(pieces)))) < 2 or not asks and bare > 1):
            # "… là?" "bao nhiêu?"; and one bare question a message, not a string of them
            parts[-1] = f"{parts[-1]}, {' '.join(pieces)}"
            continue
        parts += pieces
    most = MAX_PARTS if len(text or "") <= LONG else 2
    if len(parts) > most:  # a message is a few questions; the rest stays with the last
        parts = parts[:most - 1] + [", ".join(parts[most - 1:])]
    aside = len(parts) == 1 and parts[0] != text.strip() and _ASIDE.search(
        fold(text[len(parts[0]):]).lower().lstrip(" ,.;"))
    return parts if len(parts) > 1 or aside else [text]


MAX_PARTS = 4  # questions answered in one message (each costs a search; one screen holds 4)
LONG = 400  # … and in a message longer than this (a paste, not questions typed): two


_ASKED = re.compile(r"(?<=\?)")  # after a question mark (its run kept with it)


def _pieces(sentence: str) -> list[str]:
    if len(sentence) > LONG:  # a paste, not questions typed: whole (and linear to read)
        return [sentence.strip()] if sentence.strip() else []
    # the pieces and what was typed between them ("rồi" may be "then" or "already": a piece
    # kept with the one before keeps the word)
    split = _SPLIT.split(sentence)
    pieces, joints, joint = [], [], ""
    for i, chunk in enumerate(split):
        if i % 2:
            joint += chunk
        elif chunk.strip():
            pieces.append(chunk.strip())
            joints.append(joint if len(pieces) > 1 else "")
            joint = ""
    parts: list[str] = []
    carried = ""  # a piece that asks nothing, after a whole question: it begins the next one
    for i, piece in enumerate(pieces):
        later = pieces[i + 1] if i + 1 < len(pieces) else ""
        glue = _glue(joints[i])
        if carried:
            piece, carried = f"{carried}{glue}{piece}", ""
        if parts and _asks(parts[-1]) and not _asks(piece) and later and _asks(later) and \
                len(tokens(normalise(piece))) >= 5 and not _WHEN_LAST.search(later):
            carried = piece  # "…bao nhiêu, và tỷ lệ hồ sơ … đúng hạn, trước hạn là bao nhiêu"
            continue
        when = _WHEN_LAST.search(later)
        if when and not _asks(piece) and len(tokens(normalise(piece))) >= 3 and \
                not _WHEN_LAST.search(piece):
            # "hạn báo cáo quý 2 và tổng kết khi nào": the question at the end asks both
            parts.append(f"{piece} {when.group(1)}")
            continue
        if parts and not later and not _asks(piece) and _asks(parts[-1]) and \
                _ASIDE.match(fold(piece).lower()):
            continue  # "…, a cần nhắc hiệu trưởng": why the asker asks, nothing to search
        if parts and (not _asks(piece) or not _asks(parts[-1]) or len(tokens(
                normalise(piece))) < 2):
            parts[-1] = f"{parts[-1]}{glue}{piece}"
        else:
            parts.append(piece)
    return [p for p in parts if p]


# the asker's own aside after a question ("a cần nhắc hiệu trưởng", "em mới vào làm")
_ASIDE = re.compile(r"^(?:a|anh|e|em|c|chi|t|toi|minh|thay|co) (?:can|muon|moi|dang|se|phai|"
                    r"hoi de|hoi cho|chua ro|khong ro)(?![a-z])")


def _glue(joint: str) -> str:
    """What joins two pieces kept together: the words typed between them ("rồi", "và"), else
    a comma."""
    words = joint.strip(" ,;+?")
    return f" {words} " if words else ", "


_FORM = re.compile(r"\b(?:là|la|bao nhiêu|bao nhieu|bn|mấy|may|gì|gi|j|nào|nao|ai|khi nào|"
                   r"khi nao|what|who|when|which|is|are)\b.*$", re.IGNORECASE)


def subject(part: str) -> str:
    """What the first question is about, without its question words ("chỉ tiêu tự chủ tài
    chính giai đoạn 1 là bao nhiêu" → "chỉ tiêu tự chủ tài chính giai đoạn 1"; "who handles
    e-government" → "e government")."""
    before = _FORM.sub("", part).strip(" ,")
    if before:
        return before
    stop = STOPWORDS | EXTRA_STOP
    words = [w for w in _RAW_WORD.findall(part)
             if not is_form(fold(w).lower()) and fold(w).lower() not in stop]
    return " ".join(words) or part


# a later part that points back at the first one's subject ("its target", "của nó")
_BACK = re.compile(r"(?<![a-z])(?:its|it|their|them|cua no|no|chi tieu do|linh vuc do|"
                   r"mang do|viec do|cai do|bao cao do|tieu chi do|"
                   r"(?:co|chi|anh|em|thay|ong|ba) (?:ay|do)|nguoi (?:ay|do)|him|her|"
                   # "…, so (với) chỉ tiêu còn thiếu bao nhiêu": the gap of what came before
                   r"^so (?:voi )?(?:chi tieu|muc tieu)|^(?:vay )?con thieu)(?![a-z])")


def refers_back(part: str) -> bool:
    return bool(_BACK.search(fold(part).lower()))


def _shares(sizes: list[int], budget: int) -> list[int]:
    """Each answer's room in one message: a short one keeps its length, what it leaves goes
    to the longer ones in equal parts."""
    shares = [0] * len(sizes)
    left = list(range(len(sizes)))
    while left:
        each = budget // len(left)
        fitting = [i for i in left if sizes[i] <= each]
        if not fitting:
            for i in left:
                shares[i] = each
            break
        for i in fitting:
            shares[i] = sizes[i]
            budget -= sizes[i]
        left = [i for i in left if i not in fitting]
    return shares


def join(replies: list[Reply]) -> Reply:
    """One message: each part's answer, the whole under 1,500 characters."""
    texts = [r.text.strip() for r in replies if r.text.strip()]
    shares = _shares([len(text) for text in texts], LIMIT - 4 * len(texts))
    out = []
    for text, share in zip(texts, shares, strict=True):
        if len(text) > share:
            text = text[: share - 1].rsplit("\n", 1)[0] if "\n" in text[:share] else \
                text[: share - 1]
            text = text.rstrip() + "…"
        out.append(text)
    buttons = next((r.buttons for r in replies if r.buttons), [])
    return Reply("\n\n".join(out), buttons)
