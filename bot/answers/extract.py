"""Answers quoted from the plan's own text: the passages stored with the plan, cut into
sentences (an appendix row stays whole, with its owners), found with BM25 (`rank_bm25`) over
folded words, word pairs and toned words (a question typed with tone marks tells "cử" from
"cụ"), re-ranked with rapidfuzz, and quoted verbatim with their section.

Each answer carries a confidence: the IDF-weighted share of the question's meaningful words that
the quoted sentence (and its section's title) explains, words the plan never uses counting
against it. A question whose key words the plan never uses, or that asks for an amount the
nearest sentence does not give, is answered "the plan does not say" with the nearest passage.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.answers import intents
from bot.answers.lexicon import ENGLISH, english_words, plan_words
from bot.answers.normalise import FORM, SYLLABLE, TONED_EXPANSIONS, normalise, tokens
from bot.answers.retrieval import STOPWORDS, index
from bot.answers.snapshot import PassageInfo, PlanSnapshot, cite_parts
from bot.core.text import fold, nfc

QUOTE_LIMIT = 430  # characters of one quoted sentence; the reply stays under 600
RERANK = 8
AMOUNT_SURE = 0.7  # an amount is quoted only from a sentence that explains this much
OFTEN_SURE = 0.4  # … how often, from one that says how often and explains this much
NEAREST = 0.55  # the nearest passage is offered when it explains this share of the question
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HEADING = re.compile(r"^(?:[IVX]+\.|\d+(?:\.\d+)*\.)\s+\S")
# asking for an amount: the answer must carry a number
AMOUNT = ("bao nhieu", "may", "how much", "how many", "ty le", "phan tram", "so luong",
          "bao lau", "so tien")
# words of the question's form that the stop list of retrieval does not hold
EXTRA_STOP = frozenset("""
ke hoach nhac nhac den de cap quy dinh the nao nhu sao gi ca nhung nao ai dau ntn sao vay
z v oi mn moi nguoi ak a ha nhe nha khong ko k hk thi the lien quan ve viec xac dinh phai lam
plan say says said mention mentions about does do what which who how is are the of ghi
basically roughly briefly kieu
""".split())


def _cue_words() -> frozenset[str]:
    """The words of the cue phrases that decide intents: the form of a question, not its
    subject ("mảng", "lo", "hạn"), never a sign that the plan lacks something."""
    words: set[str] = set()
    for value in vars(intents).values():
        if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            for phrase in value:
                words.update(re.findall(r"[a-z]+", phrase))
    return frozenset(words)


_WHO_ASKED = re.compile(r"(?<![a-z])(?:ai|who|whom)(?![a-z])")
PEOPLE = re.compile(r"Người thực hiện|Người phối hợp|Đ/c|chịu trách nhiệm|Trưởng phòng",
                    re.IGNORECASE)
# words that join words ("theo kế hoạch", "của CCHC"): a pair holding one is no word
LINKS = frozenset("theo cua va cac nhung cho voi ve trong la tu o de den tai thi ma khi "
                  "nay do co duoc".split())

CUE_WORDS = _cue_words() | FORM
CUE_PREFIXES = tuple(p[:-1] for value in vars(intents).values() if isinstance(value, tuple)
                     for p in value if isinstance(p, str) and p.endswith("*"))


def is_form(word: str) -> bool:
    """A word of a question's form (a cue of the intents, "coordinat*" included)."""
    return word in CUE_WORDS or (len(word) > 4 and word.startswith(CUE_PREFIXES))
CUE_PHRASES = frozenset(p for value in vars(intents).values() if isinstance(value, tuple)
                        for p in value if isinstance(p, str) and " " in p)
# "mọi người ơi", "ad ơi", "cho em hỏi": addressing, not asking
VOCATIVE = re.compile(r"(?<![a-z])(?:(?:moi nguoi|ad|admin|bot|anh chi|ban|em|anh|chi) oi|"
                      r"cho (?:em|minh|toi|hoi) hoi|cho hoi|xin hoi)(?![a-z])")
SECTION_NAMES = {"head": ("phần đầu", "heading"), "preamble": ("phần căn cứ", "preamble"),
                 "signature": ("phần ký", "signature"), "recipients": ("nơi nhận", "recipients"),
                 "closing": ("lời kết", "closing"), "PL": ("Phụ lục", "appendix"),
                 "notes": ("ghi chú", "notes")}


# words of a question's form that, typed with other tone marks, are words of substance:
# "mấy" is a question, "máy" (bộ máy, máy tính) is not; "có" asks, "cơ" (cơ sở) does not
STOP_TONED = {"may": {"mấy"}, "co": {"có", "cô"}, "so": {"số", "so"}, "ban": {"bạn"},
              "can": {"cần"}, "ma": {"mà"}, "thi": {"thì"}, "de": {"để"}, "o": {"ở"},
              "tu": {"từ"}, "la": {"là"}, "do": {"do", "đó"}, "ve": {"về"}, "nao": {"nào"},
              "ai": {"ai"}, "gi": {"gì"}, "hoi": {"hỏi"}, "mot": {"một"}, "hai": {"hai"},
              "ba": {"ba", "bà"}, "bon": {"bốn"}, "tinh": {"tình"}, "hinh": {"hình"},
              "ket": {"kết"}, "qua": {"quả", "qua"}}


def rescued(question: str) -> set[str]:
    """Folded words that the stop lists would drop but that were typed as another word."""
    out = set()
    for w in _WORD.findall(nfc(question or "")):
        key = fold(w)
        if key in STOP_TONED and fold(w) != w.lower() and w.lower() not in STOP_TONED[key]:
            out.add(key)
    return out


def toned(word: str) -> str:
    """A word with its tone as a suffix, so "hoà" and "hòa" (old and new placement) agree."""
    parts = unicodedata.normalize("NFD", word.lower().replace("đ", "dd"))
    tone = "".join(c for c in parts if c in TONES)
    base = "".join(c for c in parts if c not in TONES)
    return unicodedata.normalize("NFC", base) + tone


def toned_words(text: str) -> list[str]:
    """The words typed with tone marks or vowel marks (their folded form differs)."""
    out = []
    for w in _WORD.findall(nfc(text or "")):
        if fold(w) != w.lower():
            out.append("~" + toned(w))
    return out


def _pairs(words: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class Sentence:
    passage: PassageInfo
    text: str  # verbatim
    position: int
    features: frozenset[str]
    folded: str = ""


def _sentences(line: str) -> list[str]:
    if " | " in line or len(line) <= 300:
        return [line]
    pieces = re.split(r"(?<=\.)\s+", line)
    out: list[str] = []
    for piece in pieces:
        if out and piece[:1].islower():
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def _units(passage: PassageInfo) -> list[str]:
    """The quotable pieces of a passage: its sentences; a list of short items (who receives the
    plan) stays whole; numbered headings and lines in capitals (titles) are left out."""
    bodies, lines = [], []
    for line in passage.text.splitlines():
        body = line.strip()
        body = body[2:].strip() if body.startswith("- ") else body
        if not body or (_HEADING.match(body) and len(body) < 90) or body == "Phụ lục":
            continue
        if body.isupper() and len(body) > 20:
            continue
        bodies.append(body)
        lines.append(line.strip())
    if len(bodies) > 2 and all(len(b) < 60 for b in bodies):
        return [" ".join(lines)]  # as written, bullets and all
    return [piece for body in bodies for piece in _sentences(body)]


def _features(text: str) -> list[str]:
    words = tokens(normalise(text))
    spelled = [TONED_EXPANSIONS[w] for w in dict.fromkeys(re.findall(r"[a-z]+", fold(text)))
               if w in TONED_EXPANSIONS]  # "cấp học MN": "mầm non" as typed too
    return [*words, *_pairs(words), *toned_words(" ".join([text, *spelled]))]


_DATE_ASKED = re.compile(r"(?<![a-z])(?:ngay nao|tu ngay|khi nao|bao gio|tu bao gio|bat dau tu|"
                         r"thang may|thang nao|vao thang|nam nao|"
                         r"thoi diem nao|when|what date|since when)(?![a-z])")
_DATE = re.compile(r"(?<!\d)\d{1,2}/\d{1,2}/\d{4}(?!\d)")


# "X là gì", "X là những gì": a definition; the sentence "X (của …) là …" gives it
# "X là gì", "what is X", "X tập trung vào cái gì" (its "trọng tâm … là")
_DEFINITION = re.compile(r"(?<![a-z])(?:la (?:gi|nhung gi|cai gi|j)|tap trung (?:vao )?(?:cai )?"
                         r"(?:gi|j)|focus\w*|what (?:is|are|s))(?![a-z])")
DEFINES_BONUS = 0.15


def _defines(folded: str, words: list[str]) -> bool:
    """Does a sentence say what the question's words are: all of them before its first "là"?"""
    subject, is_, _ = folded.partition(" la ")
    said = set(tokens(normalise(subject)))
    return bool(is_) and bool(words) and all(w in said for w in words)


# "bắt đầu từ ngày nào", "since when": the sentence that says from which date
_START_ASKED = re.compile(r"(?<![a-z])(?:tu ngay nao|tu khi nao|tu bao gio|bat dau|since when|"
                          r"from when|from what date|start\w*)(?![a-z])")
_STARTS = re.compile(r"(?<![a-z])tu (?:ngay )?\d{1,2}/\d{1,2}/\d{4}")


def asks_date(question: str) -> bool:
    return bool(_DATE_ASKED.search(fold(question or "")))


_WHEN = re.compile(r"(?<![a-z])(?:thang \d{1,2}|nam 20\d\d|quy [ivx1-4]+|\d{1,2}/20\d\d)"
                   r"(?![a-z0-9])")


def dated(text: str) -> bool:
    return bool(_DATE.search(text))


def says_when(text: str) -> bool:
    """Does a sentence say a time: a date, a month, a year, a quarter, or how often?"""
    return dated(text) or bool(_WHEN.search(normalise(text))) or says_often(text)


class TextIndex:
    def __init__(self, snap: PlanSnapshot) -> None:
        self.sentences: list[Sentence] = []
        docs = []
        for passage in snap.passages:
            title = _features(passage.title)
            for piece in _units(passage):
                    feats = _features(piece)
                    docs.append(feats + title + title)  # a section's title weighs twice
                    self.sentences.append(Sentence(passage, piece, len(self.sentences),
                                                   frozenset(feats + title), fold(piece)))
        from rank_bm25 import BM25Okapi  # numpy: loaded with the first index, not at start

        self.bm25 = BM25Okapi(docs) if docs else None
        n = max(len(docs), 1)
        df: dict[str, int] = {}
        for doc in docs:
            for f in set(doc):
                df[f] = df.get(f, 0) + 1
        self.df = df
        # the plan's other words: its targets' keywords, aliases and English names
        self.known = frozenset(f for f in index(snap).idf if " " not in f)
        self.idf = {f: math.log(1 + n / c) for f, c in df.items()}
        self.max_idf = max(self.idf.values(), default=1.0)
        self.folded_text = " ".join(normalise(s.text) for s in self.sentences)

    def query(self, question: str) -> tuple[list[str], ...]:
        """(BM25 query, meaningful words, unknown words, word pairs, words of the question's
        form the plan does not use) of a question."""
        # "bao lâu 1 lần": how often is the question's form, its "lần" no word to find
        words = tokens(plan_words(_OFTEN_ASKED.sub(" ", VOCATIVE.sub(" ", normalise(question)))))
        stop = STOPWORDS | EXTRA_STOP
        meant = rescued(question)
        content = [w for w in dict.fromkeys(words) if (w not in stop or w in meant)
                   and not w.isdigit() and w != "%"]
        kept = set(words)  # a word the lexicons said as the plan's is no typed word any more
        typed = [w for w in toned_words(question) if fold(w[1:]) not in stop
                 and (plain := fold(w[1:]).replace("dd", "d")) not in FORM and plain in kept]
        unknown = [w for w in content if w not in self.idf and w not in self.known
                   and not is_form(w)]
        form = [w for w in content if w not in self.idf and is_form(w)]
        unknown += [w for w in typed if w not in self.idf and fold(w[1:]) in self.idf]
        pairs = [p for p in _pairs(words) if p in self.idf]
        # a word of the plan made of two syllables that alone are only a question's form
        # ("mức độ", "cơ chế"): the pair itself is meaningful
        content += [p for p in pairs if not any(w in content for w in p.split("_"))
                    and p.replace("_", " ") not in CUE_PHRASES
                    and (not all(w in CUE_WORDS for w in p.split("_")) or self.df[p] <= 3)
                    and not any(w in LINKS for w in p.split("_"))]
        # two syllables side by side that the plan never puts together, neither of them in
        # a pair the plan knows: a word the plan does not use ("học phí", "phụ cấp")
        backed = {w for p in pairs for w in p.split("_")}
        meaningful = set(content)  # sets: a 10,000-character message stays linear
        loose = {w for w in words if w in meaningful and w not in backed and len(w) < 5
                 and w.isalpha()}
        seen = set(unknown)
        for a, b in zip(words, words[1:], strict=False):
            if a in loose and b in loose and a != b and f"{a} {b}" not in CUE_PHRASES \
                    and not (a in CUE_WORDS and b in CUE_WORDS):
                for w in (a, b):
                    if w not in seen:
                        seen.add(w)
                        unknown.append(w)
        return (content + pairs + [w for w in typed if w in self.idf], content, unknown, pairs,
                form)

    def explained(self, content: list[str], pairs: list[str], s: Sentence,
                  typed: dict[str, str] | None = None) -> float:
        """The weight of the question's words a sentence explains: a syllable fully when a word
        pair of the question that holds it is in the sentence too (Vietnamese words are mostly
        two syllables), when it is long enough to mean something alone, or when it was typed
        with its tone marks and the sentence has it so ("ký" is not "kỳ"), else a third."""
        backed = {w for p in pairs if p in s.features for w in p.split("_")}
        total = 0.0
        for w in content:
            if w in s.features:
                marked = (typed or {}).get(w)
                if marked is not None and marked not in s.features:
                    total += self.idf[w] * 0.2  # "lương" typed, "lượng" found
                    continue
                alone = w in backed or len(w) >= 5 or not w.isalpha() or self.df[w] <= 2 \
                    or (marked is not None and marked in s.features and self.df[marked] <= 3)
                total += self.idf[w] * (1.0 if alone else 0.3)
        return total

    def search(self, question: str) -> list[tuple[float, Sentence]]:
        """The sentences nearest the question, best first, each with its confidence."""
        if self.bm25 is None:
            return []
        query, content, unknown, pairs, form = self.query(question)
        if not content:
            return []
        typed = {fold(w[1:]).replace("dd", "d"): w for w in toned_words(question)}
        scores = self.bm25.get_scores(query)
        top = sorted(range(len(scores)), key=lambda i: -scores[i])[:RERANK]
        # words the plan never uses count against; a word of a question's form a little
        total = sum(self.idf.get(w, 0.0) for w in content if w in self.idf) + \
            self.max_idf * len(unknown) + 0.5 * self.max_idf * len(form)
        best = max(scores[top[0]], 1e-9) if top else 1.0
        folded = fold(question)
        years = set(re.findall(r"(?<!\d)(20\d\d)(?!\d)", question or ""))
        asks_who = bool(_WHO_ASKED.search(folded)) and \
            not intents.cue(normalise(question), intents.AUDIENCE)  # "tới những ai": no owner
        date_asked = asks_date(question)
        start_asked = bool(_START_ASKED.search(folded))
        often = asks_often(question)
        head = list_head(question)
        defined = _DEFINITION.search(folded) and [w for w in content if "_" not in w
                                                  and w in self.idf]  # the plan's words
        # the appendix's rows are the targets' table, which the structured answer reads: for
        # what is to be done (not an amount, a person, a year) the plan's sections come first
        rows_last = not (asks_amount(question) or asks_who or years)
        # "kế hoạch số 2387" is a citation, not one of a list
        listed = re.compile(rf"(?<![a-z]){re.escape(head)}(?! so \d)(?![a-z])") if head else None
        out = []
        for i in top:
            if scores[i] <= 0:
                continue
            s = self.sentences[i]
            confidence = self.explained(content, pairs, s, typed) / total if total else 0.0
            similarity = fuzz.token_set_ratio(folded, s.folded) / 100
            rank = 0.45 * scores[i] / best + 0.4 * confidence + 0.15 * similarity
            if asks_who and PEOPLE.search(s.text):  # "ai …": the sentences naming people
                rank += 0.15
            if date_asked and dated(s.text):  # "từ ngày nào": the sentences with a date
                rank += 0.15
                if start_asked and _STARTS.search(s.folded):  # "… từ 01/7/2021": a start
                    rank += 0.15
            if often and says_often(s.text):  # "bao lâu một lần": the sentences that say it
                rank += 0.15
            if rows_last and s.passage.section.startswith(APPENDIX):
                rank -= ROW_PENALTY
            if defined and _defines(s.folded, defined):  # "trọng tâm CCHC là gì"
                rank += DEFINES_BONUS
            if listed:  # "những kế hoạch nào": the sentence that lists several of them
                rank += min(LIST_BONUS, 0.1 * (len(listed.findall(s.folded)) - 1))
            if years:  # a year asked: the sentences of that year or phase first
                said = set(re.findall(r"(?<!\d)(20\d\d)(?!\d)",
                                      f"{s.text} {s.passage.title}"))
                rank += 0.3 if years & said else -0.2 if said else 0.0
            out.append((rank, confidence, s))
        out.sort(key=lambda r: (-r[0], r[2].position))
        return [(confidence, s) for _, confidence, s in out]

    def unknown(self, question: str) -> list[str]:
        return self.query(question)[2]

    def unknown_share(self, question: str) -> float:
        """The weight of the words the plan never uses among the question's meaningful ones
        (a short word typed without tone marks, likely shorthand, does not count)."""
        _, content, unknown, _, _ = self.query(question)
        unknown = [w for w in unknown if w.startswith("~") or len(w) >= 4]
        known = sum(self.idf[w] for w in content if w in self.idf)
        missing = self.max_idf * len(unknown)
        return missing / (known + missing) if known + missing else 0.0


def coverage(snap: PlanSnapshot, question: str, reply: str) -> float:
    """The share (by weight) of the question's meaningful words that a reply says: what an
    answer leaves out of the question, it did not answer."""
    found = text_index(snap)
    _, content, _, pairs, _ = found.query(question)
    # its words and its word pairs ("quận giao"): most Vietnamese words are two syllables
    words = list(dict.fromkeys([w for w in content if "_" not in w and w in found.idf]
                               + [p for p in pairs if p in found.idf]))
    if not words:
        return 0.0
    replied = tokens(plan_words(normalise(reply)))
    said = set(replied) | set(_pairs(replied))
    total = sum(found.idf[w] for w in words)
    return sum(found.idf[w] for w in words if w in said) / total


def text_index(snap: PlanSnapshot) -> TextIndex:
    found = snap.extra.get("text_index")
    if found is None:
        found = snap.extra["text_index"] = TextIndex(snap)
    return found


def where(snap: PlanSnapshot, passage: PassageInfo, lang: str) -> str:
    """"mục IV.3", "Phụ lục, GĐ 2024-2025, dòng 3", "nơi nhận"."""
    section = passage.section
    appendix = re.match(r"^PL\.([A-Za-z0-9]+)\.(\d+)$", section)
    if appendix:
        return cite_parts(snap, f"Phụ lục {appendix.group(1)}.{appendix.group(2)}", lang)[0]
    base = re.sub(r"\s*\(\d+\)$", "", section)
    if re.match(r"^[IVX]+(\.\d+)*$", base):
        return f"{'section' if lang == 'en' else 'mục'} {base}"
    names = SECTION_NAMES.get(base)
    if names:
        return names[1] if lang == "en" else names[0]
    return passage.title or section


def _around(text: str, pattern: re.Pattern, limit: int) -> str:
    """A long sentence quoted where it cites what was asked: from its start when that fits,
    else from a few words before the citation."""
    m = pattern.search(text)
    if m is None or m.end() + 40 <= limit:
        return clip(text, limit)
    start = text.rfind(" ", 0, max(0, m.start() - 60)) + 1
    return "…" + clip(text[start:], limit)


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


_MACHINE = re.compile(r"(?<![^\W\d_])m(?:áy|aý)(?![^\W\d_])", re.IGNORECASE)


def machine_apart(question: str) -> str:
    """"máy" (a machine, "máy tính", "bộ máy") typed with its tone is no "mấy" (how many)."""
    return _MACHINE.sub("maymoc", nfc(question or ""))


def asks_amount(question: str) -> bool:
    norm = f" {normalise(machine_apart(question))} ".replace(" bo may ", " ")  # "bộ máy"
    return any(f" {w} " in norm for w in AMOUNT)


# "bao lâu một lần", "how often": a sentence that says how often answers it, number or not
_COUNTED = re.compile(r"(?<![a-z])(?:bao nhieu|how many|how much|(?<!bo )may)\s+([a-z]+)"
                      r"(?:\s+([a-z]+))?")
# what an amount is counted in, not a thing counted: a target's own units and the plan's parts
UNITS = frozenset("""% phan tram ty le chi tieu muc tieu linh vuc giai doan bao cao lan ngay thang
nam quy tuan gio top hang thu diem percent percentage per cent target targets time times day
days month months year years quarter quarters phase phases area areas report reports
cai chiec con loai dieu nhom buoc dot chang kieu noi phan muc van ban ke hoach""".split())


# "how much higher": a difference asked, not a thing counted
COMPARATIVES = frozenset("higher lower more less bigger larger smaller greater hon".split())


_WHAT = re.compile(r"(?<![a-z])(?:gi|j|nao|ai)(?![a-z])")


def counted(question: str) -> list[str]:
    """The thing a question counts ("bao nhiêu trường", "bn máy tính" → its words), empty when
    it asks a bare amount, a share or a time ("bao nhiêu %", "mấy lần")."""
    norm = plan_words(normalise(machine_apart(question)))
    m = _COUNTED.search(norm)
    if not m or m.group(1) in UNITS | COMPARATIVES or m.group(1) in STOPWORDS | EXTRA_STOP | FORM:
        return []  # "bn vậy ad", "tăng từ bao nhiêu lên bao nhiêu": no thing named
    if m.group(0).startswith("may") and _WHAT.search(norm):
        return []  # "mấy khóa bồi dưỡng phải chú trọng kỹ năng gì": "mấy" is "the", not a count
    return [w for w in m.groups() if w and w not in STOPWORDS and w not in UNITS]


# how to reach someone: a plan names people and offices, rarely their addresses
_DETAIL = re.compile(r"(?<![a-z])(e ?mail|so dien thoai|sdt|dien thoai|phone(?: number)?|"
                     r"hotline|duong day nong|dia chi|address|website|trang web|link|fax|zalo)"
                     r"(?![a-z])")


def detail_asked(snap: PlanSnapshot, question: str) -> str | None:
    """A contact detail asked ("email nào", "số điện thoại") that the plan's text never gives."""
    m = _DETAIL.search(normalise(question))
    if m is None or f" {m.group(1)} " in f" {text_index(snap).folded_text} ":
        return None
    return m.group(1)


def counted_typed(index: TextIndex, question: str, thing: list[str], lang: str) -> str:
    """The counted thing as typed: in English the word after "how many" ("schools"), not the
    plan's Vietnamese it was said as."""
    if lang == "en":
        m = _COUNTED.search(fold(question))
        return m.group(1) if m else thing[0]
    return counted_as_typed(index, question, thing)


_NUMBER_WORD = r"(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|one|two|three|four|five)"
# (unlike _COUNTED, "bộ máy" is not told apart here: "sắp xếp bộ máy: một việc thì mấy tổ
# chức" reads "máy một việc" — kept as it is, a known miss)
_HOW_MANY_OF = re.compile(r"(?<![a-z])(?:may|bao nhieu|how many)\s+([a-z]+(?:\s+[a-z]+)?)")


def says_count(question: str, text: str) -> bool:
    """A count written in words ("một tổ chức chủ trì") of the very thing a question counts
    ("mấy tổ chức chủ trì")."""
    m = _HOW_MANY_OF.search(normalise(machine_apart(question)))
    if m is None:
        return False
    return bool(re.search(rf"(?<![a-z]){_NUMBER_WORD}\s+{re.escape(m.group(1))}(?![a-z])",
                          normalise(text)))


def counts_in(text: str, thing: list[str]) -> bool:
    """Does a sentence give a number of the thing counted ("40 trường", "100% cán bộ")?"""
    return bool(re.search(rf"(?<![\d/])\d+(?:[.,]\d+)?\s*%?\s+(?:[a-z]+\s+)?{re.escape(thing[0])}"
                          r"(?![a-z])", normalise(text)))


def counted_as_typed(index: TextIndex, question: str, words: list[str]) -> str:
    """The counted thing's words as the question typed them: one word, two when they are a
    word pair of the plan ("học sinh"), or "máy" with the word after it ("máy tính")."""
    typed = _WORD.findall(nfc(question or ""))
    folded = ["maymoc" if _MACHINE.fullmatch(w) else fold(w) for w in typed]
    for i, w in enumerate(folded):
        if w == words[0]:
            pair = "_".join(folded[i:i + 2])
            n = 2 if w == "maymoc" or pair in index.idf else 1
            return " ".join(typed[i:i + n]).lower()
    return words[0]


_OFTEN_ASKED = re.compile(r"(?<![a-z])(?:bao lau (?:[a-z]+ ){0,2}(?:mot|1) lan|may lan|"
                          r"bao nhieu lan|"
                          r"how often|how frequently|dinh ky khong|co dinh ky)(?![a-z])")
_OFTEN = re.compile(r"(?<![a-z])(?:hang|moi) (?:nam|thang|quy|tuan|ngay)|dinh ky|"
                    r"thuong xuyen|\d+ thang (?:mot|1) lan(?![a-z])")


def asks_often(question: str) -> bool:
    return bool(_OFTEN_ASKED.search(normalise(question)))


def says_often(text: str) -> bool:
    return bool(_OFTEN.search(normalise(text)))


def has_number(text: str) -> bool:
    """Does a sentence give an amount (a number that is not a year or a date)?"""
    for m in re.finditer(r"(?<![\d/])(\d+(?:[.,]\d+)?)(?![\d/])", text):
        value = float(m.group(1).replace(",", "."))
        if not 1900 <= value <= 2100:
            return True
    return False


# --- replies --------------------------------------------------------------------------------

OTHER_DOC = re.compile(
    r"(?<![\d/])(\d{1,5})\s*/\s*(?:\d{4}\s*/\s*)?(?:[A-Za-zĐđ]{2})"  # 2387/KH-…, 97/2019/QH14
    r"|(?<!\w)(?:kế hoạch|ke hoach|kh|nghị định|nghi dinh|nđ|nd|nghị quyết|nghi quyet|nq|"
    r"thông tư|thong tu|quyết định|quyet dinh|qđ|qd|công văn|cong van)\s+(?:số\s+|so\s+)?"
    r"(\d{1,5})"
    r"(?![\d%])", re.IGNORECASE)


def other_documents(snap: PlanSnapshot, question: str) -> list[str]:
    """Numbers of documents the question names that are not this plan ("KH 206", "59/2019")."""
    own = re.match(r"\s*(\d+)", snap.number)
    found = []
    for m in OTHER_DOC.finditer(question or ""):
        number = m.group(1) or m.group(2)
        if number and (own is None or number != own.group(1)) and number not in found:
            if m.group(2) and int(number) >= 1900 and int(number) <= 2100:
                continue  # "kế hoạch 2025": a year
            found.append(number)
    return found


@dataclass
class TextAnswer:
    text: str
    score: float
    said: bool  # False: the plan does not say it
    sentences: list[Sentence]
    nearest: bool = True  # False: nothing in the plan comes near
    unknown: bool = False  # the question uses words the plan never uses
    unknown_share: float = 0.0  # their share of the question's meaningful words


def _typed(question: str, unknown: list[str]) -> list[str]:
    """The words of the question, as typed, that the plan never uses; side by side they stay
    together ("kinh phí")."""
    phrases: list[str] = []
    run: list[str] = []
    for w in re.findall(r"[^\W_]+", nfc(question or ""), re.UNICODE):
        if fold(w) in unknown or "~" + toned(w) in unknown:
            run.append(w.lower())
            continue
        if run:
            phrases.append(" ".join(run))
            run = []
    if run:
        phrases.append(" ".join(run))
    return list(dict.fromkeys(phrases))


def _english_typed(question: str, unknown: list[str]) -> list[str]:
    """The English words of a question whose Vietnamese the plan never uses ("budget")."""
    said = dict.fromkeys(m.group(1) for m in english_words(fold(question or "")))
    return [k for k in said if any(w in unknown for w in ENGLISH[k].split())]


# a question that asks for everything of a kind: duties, tasks, what must be done
LIST = ("nhung gi", "nhung viec", "nhung viec gi", "lam gi", "lam nhung gi", "ky nang gi",
        "noi dung gi", "giai phap gi", "bien phap gi", "yeu cau gi",
        "nhiem vu gi", "trach nhiem gi", "cac nhiem vu", "nhung nhiem vu", "trach nhiem cua",
        "what must", "what should", "what do", "what kind", "what type", "what sort",
        "which kind", "which type", "duties", "responsibilities", "which tasks")
PARTLY = 0.6  # a sentence explaining this much of the rest is quoted beside a missing word
PARTLY_ALONE = 0.7  # … and one sentence, not a list, when it explains this much
PARTLY_UNKNOWN = 0.35  # … when the missing words are less than this share of the question
LIST_LIMIT = 900  # characters of a list's quotes: more than one fact, still one screen or two


_LIST_OF = re.compile(r"(?<![a-z])nhung (?:[a-z]+ ){1,3}(?:gi|nao)(?![a-z])")  # những … gì/nào


_LIST_HEAD = re.compile(r"(?<![a-z])(?:nhung|cac) ([a-z]+(?: [a-z]+)?) (?:[a-z]+ ){0,5}"
                        r"(?:gi|nao)(?![a-z])")
LIST_BONUS = 0.5
APPENDIX = "PL"  # the section ids of the appendix's rows ("PL.A.5")
ROW_PENALTY = 0.1


def list_head(question: str) -> str | None:
    """The thing a question asks a list of ("những kế hoạch CCHC nào" → "ke hoach"), as the
    plan's folded sentences write it."""
    m = _LIST_HEAD.search(normalise(question))
    if not m:
        return None
    words = [w for w in m.group(1).split() if w not in ("gi", "nao")]
    return " ".join(words) or None


def asks_list(question: str) -> bool:
    """"những kỹ năng gì", "trường phải làm những gì": a list the plan's text gives (not the
    targets, whose list is an area's card)."""
    norm = normalise(question)
    if list_head(question) in ("chi tieu", "muc tieu", "linh vuc"):
        return False
    return intents.cue(norm, LIST) or bool(_LIST_OF.search(norm))


LIST_WHOLE = 5  # a passage of at most this many sentences is quoted whole as a list


def _list_of(index: TextIndex, best: Sentence, found: list[tuple[float, Sentence]],
             confidence: float) -> list[Sentence]:
    """The list a question asks for: the best sentence's passage, whole when short; of a long
    one ("trách nhiệm của phòng" has a dozen), the sentences about the question, in order."""
    items = [s for s in index.sentences if s.passage == best.passage]
    if len(items) <= LIST_WHOLE:
        return items
    near = {s.position for c, s in found if s.passage == best.passage and c >= 0.5 * confidence}
    return [s for s in items if s.position in near or s is best]


def _without(question: str, words: list[str]) -> str:
    """The question without the words the plan never uses (as folded)."""
    drop = {fold(w.lstrip("~")) for w in words}
    return " ".join(w for w in (question or "").split()
                    if fold(w).strip(",.?!:;") not in drop)


ITEM_LIMIT = 300  # characters of one quoted item of a list …
BEST_ITEM_LIMIT = 520  # … and of the item that answers most, which is not cut where it answers


def _list_lines(snap: PlanSnapshot, items: list[Sentence], lang: str, t,
                best: Sentence | None = None) -> list[str]:
    """A passage's sentences as a list, each quoted, the section named once at the end."""
    lines, size = [], 0
    for n, s in enumerate(items):
        line = f"– “{clip(s.text, BEST_ITEM_LIMIT if s is best else ITEM_LIMIT)}”"
        if size + len(line) > LIST_LIMIT:
            lines.append(t("answers.more_line", lang, count=len(items) - n))
            break
        lines.append(line)
        size += len(line) + 1
    lines.append(f"({snap.short(lang)}, {where(snap, items[0].passage, lang)})")
    return lines


def _quote_lines(snap: PlanSnapshot, chosen: list[Sentence], lang: str,
                 who: bool = False) -> list[str]:
    """The sentences quoted with their section; asked who, a section whose title names the
    party ("Trách nhiệm của Trưởng phòng GDĐT") is named too when the sentence does not."""
    lines = []
    budget = 560
    for s in chosen:
        quoted = clip(s.text, min(QUOTE_LIMIT, budget - 40))
        place = where(snap, s.passage, lang)
        if who and not PEOPLE.search(s.text) and PEOPLE.search(s.passage.title or ""):
            place += f" — {s.passage.title.split(' (')[0].split(':')[0].strip()}"
        line = f"“{quoted}” ({snap.short(lang)}, {place})"
        if len(line) > budget:
            break
        budget -= len(line)
        lines.append(line)
    return lines


_SECTION_ASKED = re.compile(r"(?<![a-z])(?:muc|section|phan|doan)\s+([ivx]+(?:\.\d+)*)"
                            r"(?![a-z0-9.])")


# the appendix asked about as a whole ("phụ lục kèm theo là về cái gì", "phụ lục gồm những gì")
_APPENDIX_ASKED = re.compile(r"(?<![a-z])(?:phu luc|appendix|annex)(?: kem theo)?(?: ke hoach)?"
                             r"(?: nay)?,? (?:la |gom |co |noi |co ten )?(?:ve )?(?:cai gi|gi|"
                             r"nhung gi|la gi|ten la gi)(?![a-z])|(?:what|which) is (?:in )?the "
                             r"(?:appendix|annex)|(?:name|title) of the (?:appendix|annex)")
# "phần nơi nhận", "nơi nhận gồm những ai": the recipients block, by its own name
_RECIPIENTS_ASKED = re.compile(r"(?<![a-z])(?:phan noi nhan|noi nhan (?:gom|co|la)|who receives|"
                               r"recipients)(?![a-z])")
# … or the plan itself said to be sent somewhere ("KH 737 gửi cho những nơi nào")
_PLAN_SENT = re.compile(r"(?<![a-z])(?:ke hoach|van ban nay|plan)(?: [a-z0-9]+){0,3} "
                        r"(?:duoc )?(?:gui|gui di|phat di|phat hanh|phat) (?:cho |den |toi |ve )?"
                        r"(?:nhung |cac )?(?:co quan|noi|"
                        r"don vi|dau|ai)(?: nao)?(?![a-z])|(?:plan|it) (?:is |was )?(?:sent|"
                        r"distributed) to")


def named_section(index: TextIndex, question: str) -> list[Sentence]:
    """The first sentences of a section the question names by its number ("mục IV.3"), or of
    the appendix asked about as a whole."""
    norm = normalise(question or "")
    if _APPENDIX_ASKED.search(norm):
        return [s for s in index.sentences if s.passage.section == APPENDIX][:3]
    if _RECIPIENTS_ASKED.search(norm) or _PLAN_SENT.search(norm):
        return [s for s in index.sentences if s.passage.section == "recipients"][:2]
    m = _SECTION_ASKED.search(fold(question or ""))
    if not m:
        return []
    wanted = m.group(1).upper()
    found = [s for s in index.sentences
             if re.sub(r"\s*\(\d+\)$", "", s.passage.section).upper() == wanted]
    return found[:2]


def text_answer(snap: PlanSnapshot, question: str, lang: str, t) -> TextAnswer | None:
    """The plan's sentence(s) that answer the question, or that the plan does not say it."""
    index = text_index(snap)
    if index.bm25 is None:
        return None
    section = named_section(index, question)
    if section:  # "mục IV.3 nói gì": that section, by its title, from its start
        title = section[0].passage.title
        return TextAnswer("\n".join([t("answers.text.says", lang)]
                                    + ([f"{title}:"] if title else [])
                                    + _quote_lines(snap, section, lang)), 0.95, True, section)
    others = other_documents(snap, question)
    found = index.search(question)
    if others:
        pattern = re.compile("|".join(rf"(?<!\d){n}(?!\d)" for n in others))
        cited = [(c, s) for c, s in found if pattern.search(s.text)]
        if not cited:
            cited = [(0.9, s) for s in index.sentences if pattern.search(s.text)][:2]
        if not cited:
            what = ", ".join(others)
            return TextAnswer(t("answers.text.other_unknown", lang, plan=snap.short(lang),
                                number=what), 0.9, False, [])
        # every place that cites it, up to two ("Nghị định 32" is cited in II.4 and in II.6)
        chosen = [s for _, s in cited[:1]]
        chosen += [s for s in [*(s for _, s in cited[1:]), *index.sentences]
                   if s.passage.section != chosen[0].passage.section
                   and pattern.search(s.text)][:1]
        lines = [t("answers.text.about_other", lang, plan=snap.short(lang))]
        lines += [f"“{_around(s.text, pattern, 260)}” ({snap.short(lang)}, "
                  f"{where(snap, s.passage, lang)})" for s in chosen]
        return TextAnswer("\n".join(lines), 0.95, True, chosen)
    unknown = [w for w in index.unknown(question) if w.startswith("~") or len(w) >= 3]
    if lang == "en":  # an English word the glossary does not know is no sign of anything
        typed_words = set(fold(question).split()) | set(re.findall(r"[a-z]+", fold(question)))
        # … but an acronym is no English word ("PAPI"): the plan lacks it
        acronyms = {w.lower() for w in re.findall(r"\b[A-Z]{3,}\b", question or "")}
        unknown = [w for w in unknown if w not in typed_words or w in acronyms]
    if not found:
        if not any(SYLLABLE.match(w) for w in unknown if not w.startswith("~")) and \
                not any(w.startswith("~") for w in unknown):
            return None  # no word at all ("asdkjh"): not understood, not "not said"
        typed = _typed(question, unknown) or (
            _english_typed(question, unknown) if lang == "en"
            else [w for w in unknown if not w.startswith("~")])
        if not unknown:
            return None
        what = ", ".join(f"“{w}”" for w in typed) if typed else t("answers.text.this", lang)
        return TextAnswer(t("answers.text.not_said", lang, plan=snap.short(lang), what=what),
                          0.5, False, [], False, True, index.unknown_share(question))
    confidence, best = found[0]
    typed = _typed(question, unknown) or (
        _english_typed(question, unknown) if lang == "en"
        else [w for w in unknown if not w.startswith("~")])
    # an amount asked: a number of a sentence about something else is a guess
    often = asks_often(question) and says_often(best.text) and confidence >= OFTEN_SURE
    thing = counted(question)
    missing_amount = asks_amount(question) and not often and (
        not (has_number(best.text) or says_count(question, best.text))
        or confidence < AMOUNT_SURE
        or bool(thing) and not counts_in(best.text, thing)) or \
        asks_date(question) and not says_when(best.text)  # "trước ngày nào": no time said
    rest = _without(question, unknown) if (typed or unknown) and not missing_amount \
        and index.unknown_share(question) < PARTLY_UNKNOWN else None
    found_rest = index.search(rest) if rest else []
    if found_rest and found_rest[0][0] >= (PARTLY if asks_list(question) else PARTLY_ALONE):
        # "về kinh phí, tài chính công yêu cầu làm gì": the plan lacks a word, not the answer
        what = ", ".join(f"“{w}”" for w in typed) if typed else t("answers.text.this", lang)
        confidence, best = found_rest[0]
        # a list asked: the passage's items; else the one sentence that answers the rest
        items = _list_of(index, best, found_rest, confidence) if asks_list(question) else [best]
        lines = [t("answers.text.not_said", lang, plan=snap.short(lang), what=what),
                 t("answers.text.rest", lang)] + _list_lines(snap, items, lang, t, best)
        return TextAnswer("\n".join(lines), confidence * 0.9, True, items)
    if typed or unknown or missing_amount:
        what = ", ".join(f"“{w}”" for w in typed) if typed else t(
            "answers.number_of", lang, what=f"“{counted_typed(index, question, thing, lang)}”") \
            if thing else t("answers.text.this", lang)
        lines = [t("answers.text.not_said", lang, plan=snap.short(lang), what=what)]
        near = confidence >= NEAREST
        if near:
            lines.append(t("answers.text.nearest", lang))
            lines += _quote_lines(snap, [best], lang)
        return TextAnswer("\n".join(lines), 0.5 if typed or unknown else 0.45, False, [best],
                          near, bool(typed or unknown), index.unknown_share(question))
    chosen = [(confidence, best)]
    for c, s in found[1:5]:
        if c >= 0.5 * confidence and c >= 0.3 and s.passage == best.passage:
            chosen.append((c, s))
            break
    else:  # the sentence after, in the same passage, if it is about the question too
        after = best.position + 1
        near = {s.position: c for c, s in found}
        if after < len(index.sentences) and index.sentences[after].passage == best.passage \
                and near.get(after, 0.0) >= 0.3:
            chosen.append((near[after], index.sentences[after]))
    if asks_list(question):  # "trường học phải làm những gì": the whole list, in order
        items = _list_of(index, best, found, confidence)
        if len(items) > len(chosen):
            lines = [t("answers.text.says", lang)] + _list_lines(snap, items, lang, t, best)
            return TextAnswer("\n".join(lines), confidence, True, items)
    if sum(len(s.text) for _, s in chosen) > QUOTE_LIMIT + 60:
        chosen = [max(chosen, key=lambda cs: cs[0])]  # two do not fit: the one that explains
    quoted = sorted((s for _, s in chosen), key=lambda s: s.position)
    who = bool(_WHO_ASKED.search(fold(question)))
    lines = [t("answers.text.says", lang)] + _quote_lines(snap, quoted, lang, who)
    return TextAnswer("\n".join(lines), confidence, True, quoted)


def quote_at(snap: PlanSnapshot, position: str, lang: str, t) -> str | None:
    """The sentence a "text" button points at, quoted with its section."""
    index = text_index(snap)
    if not position.isdigit() or int(position) >= len(index.sentences):
        return None
    chosen = [index.sentences[int(position)]]
    return "\n".join([t("answers.text.says", lang)] + _quote_lines(snap, chosen, lang))


def nearest(snap: PlanSnapshot, question: str, floor: float = 0.15) -> list[Sentence]:
    """Two sentences of different sections that come closest, to ask back with."""
    out: list[Sentence] = []
    for confidence, s in text_index(snap).search(question):
        if confidence >= floor and all(s.passage != o.passage for o in out):
            out.append(s)
        if len(out) == 2:
            break
    return out


def source_sentence(snap: PlanSnapshot, sources: str, question: str) -> Sentence | None:
    """The plan's own sentence behind an item cited as `sources` ("IV.3", "I.3.1; II.1"): of
    that section's sentences, the one nearest the question."""
    wanted = {piece.strip() for piece in (sources or "").split(";") if piece.strip()}
    if not wanted:
        return None
    index = text_index(snap)

    def base(s: Sentence) -> str:
        return re.sub(r"\s*\(\d+\)$", "", s.passage.section)

    for _, s in index.search(question):
        if base(s) in wanted:
            return s
    return next((s for s in index.sentences if base(s) in wanted), None)
