"""Finding what a question is about among the plan's own words, offline.

Every target, recurring report, review and area becomes a bag of normalised words and word pairs
— its name, English name, keywords, aliases and code weigh fully; its long text, the wording of
each value and the area's tasks weigh half. A question's words are matched against them with
IDF weights (rare words such as "sipas" or "họp" decide, common ones such as "cải cách" barely
count); words misspelt by a letter or two are first mapped to the plan's vocabulary with
rapidfuzz. A hit carries a confidence: the share of the question's meaningful words it explains,
so a question about something the plan does not contain does not get a random answer.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.answers.normalise import FORM, normalise, tokens
from bot.answers.snapshot import PlanSnapshot

# Words that carry the question's form, not its subject (folded, after normalise()).
STOPWORDS = frozenset("""
la gi cua va cac nhung co khong duoc bao nhieu nao ai khi gio the nay do voi cho ve trong theo
den tu o thi ma de hay hoac roi chua da dang se can phai muon biet hoi xin oi a nhe nhi vay day
kia ay tren duoi sau truoc nam thang quy tuan ngay hom mot hai ba bon may moi tat ca het luc
em anh chi toi minh ban thay co ong dong chi cho biet giup xem tra cuu voi lam sao nhu the nao ra
bang phan tram ty le muc tieu ke hoach yeu cau dat duoc hien nay hien tai do tinh hinh
ket qua han khi nao bao gio phu trach phoi hop chiu trach nhiem thuc hien nguoi giao nhiem vu
linh vuc gom bao gom noi dung hoi the nao con lai hien giai doan nua ca
den han sap toi han chot viec can nop duoc khong chua co khong nhu ntn vay a ha u uh ok
the a an is are was were be been what which who whom whose when where why how much many does
do did of to in on at by for from with about this that these those our we us i me my you your
it its plan plans target targets goal goals value values percent percentage responsible charge
owner owns due deadline deadlines date status progress current so far far show tell me please
list give and or per year years quarter month week phase area areas there have has had will
shall should would can could must need needs set sets reached reach achieved
kind kinds type types sort want wants wanted actually actual really
q i ii iii iv
""".split())
CUE_PHRASES = ("chi tieu", "muc tieu", "ke hoach", "bao nhieu", "phan tram", "ty le",
               "chiu trach nhiem", "phu trach", "phoi hop", "chu tri", "dam nhiem", "dam nhan",
               "lam chinh", "point person", "point of contact", "contact person", "look after",
               "looks after", "take care of", "takes care of", "in charge")
UNKNOWN_WEIGHT = 3.0


@dataclass(frozen=True)
class Entity:
    kind: str  # target | obligation | review | area
    code: str
    item: object
    strong: frozenset[str]
    weak: frozenset[str]
    whole: frozenset[str]  # one-token words that mean something alone ("sipas", "online")
    phrases: tuple[str, ...]  # its keywords and aliases, normalised


@dataclass(frozen=True)
class Hit:
    entity: Entity
    score: float
    confidence: float
    matched: tuple[str, ...]


# English words a pair never starts or ends with — not those that are Vietnamese syllables
# too, folded ("thể chế", "cụ thể hóa", "tổ chuyên môn", "Tuấn An", "bản in", "ổn định")
_ENGLISH_STOP = frozenset("of at by for from with and or is are its it s".split())


def _pairs(words: list[str]) -> set[str]:
    """Adjacent word pairs: Vietnamese words are mostly two syllables ("biên chế", "họp trực
    tuyến"), so a pair carries the meaning a lone syllable does not."""
    out = set()
    for a, b in zip(words, words[1:], strict=False):
        if a in _ENGLISH_STOP or b in _ENGLISH_STOP:
            continue
        if (a.isdigit() and len(a) > 2) or (b.isdigit() and len(b) > 2) or "%" in (a, b):
            continue
        out.add(f"{a} {b}")
    return out


def _features(text: str) -> set[str]:
    words = tokens(normalise(text))
    feats = {w for w in words if w not in STOPWORDS and not w.isdigit() and w != "%"}
    return feats | _pairs(words)


def _whole(*texts: str) -> set[str]:
    return {w for text in texts for w in tokens(normalise(text))
            if w not in STOPWORDS and not w.isdigit() and len(w) > 1}


def _single(phrases) -> set[str]:
    return {tokens(normalise(p))[0] for p in phrases if len(tokens(normalise(p))) == 1}


def _code_words(code: str) -> str:
    return code.replace("-", " ")


FREQUENCY_WORDS = {"monthly": "hang thang thang monthly month",
                   "quarterly": "hang quy quy dinh ky quarterly quarter",
                   "yearly": "hang nam nam yearly annual year"}


def _phrases(*groups) -> tuple[str, ...]:
    out = []
    for group in groups:
        for p in group:
            n = normalise(p)
            if len(n.split()) >= 2 and n not in out:
                out.append(n)
    return tuple(out)


def _entities(snap: PlanSnapshot) -> list[Entity]:
    out = []
    for t in snap.targets:
        strong = " | ".join([t.name, t.name_en, _code_words(t.code), *t.keywords])
        weak = " | ".join([t.text, *(v.text or "" for v in t.values)])
        out.append(Entity("target", t.code, t, frozenset(_features(strong)),
                          frozenset(_features(weak)),
                          frozenset(_whole(t.name_en) | _single(t.keywords)
                                    | {t.code.split("-")[0].lower()}),
                          _phrases(t.keywords)))
    for o in snap.obligations:
        strong = " | ".join([o.name, o.name_en, _code_words(o.code), "bao cao report",
                             FREQUENCY_WORDS.get(o.frequency, "")])
        out.append(Entity("obligation", o.code, o, frozenset(_features(strong)),
                          frozenset(_features(o.recipient)),
                          frozenset(_whole(o.name_en, "report", FREQUENCY_WORDS.get(
                              o.frequency, "")) - {"thang", "quy", "nam", "hang"}),
                          ()))
    for r in snap.reviews:
        strong = " | ".join([r.name, r.name_en, _code_words(r.code)])
        out.append(Entity("review", r.code, r, frozenset(_features(strong)), frozenset(),
                          frozenset(_whole(r.name_en)), ()))
    for a in snap.areas:
        strong = " | ".join([a.name, a.name_en, a.code.lower(), *a.aliases])
        out.append(Entity("area", a.code, a, frozenset(_features(strong)),
                          frozenset(_features(" | ".join(a.tasks))),
                          frozenset(_whole(a.name_en) | _single(a.aliases) | {a.code.lower()}),
                          _phrases(a.aliases, [a.name])))
    return out


class Index:
    def __init__(self, snap: PlanSnapshot) -> None:
        self.entities = _entities(snap)
        df: Counter[str] = Counter()
        for e in self.entities:
            df.update(e.strong | e.weak)
        n = len(self.entities)
        self.idf = {f: math.log(1 + n / c) for f, c in df.items()}
        self.vocab = sorted({f for f in df if " " not in f and len(f) >= 5})

    def correct(self, word: str) -> str:
        """A word of the question, or the plan's word it is a typo of (long words only: a
        one-letter change in a Vietnamese syllable is another word)."""
        if word in self.idf or len(word) < 6 or word.isdigit() or word in STOPWORDS:
            return word
        found = process.extractOne(word, self.vocab, scorer=fuzz.ratio, score_cutoff=84)
        return found[0] if found else word

    def query(self, normalised: str) -> tuple[list[str], set[str], str]:
        """(content words, features, corrected text) of a normalised question."""
        text = f" {normalised} "
        for phrase in CUE_PHRASES:
            text = text.replace(f" {phrase} ", " ")
        words = [self.correct(w) for w in tokens(text)]
        content = [w for w in words if w not in STOPWORDS and not w.isdigit() and w != "%"]
        feats = set(content) | {p for p in _pairs(words) if p in self.idf}
        return content, feats, " ".join(words)

    def unknown(self, normalised: str) -> list[str]:
        """Meaningful words of the question the plan never uses."""
        content, _, _ = self.query(normalised)
        return [w for w in dict.fromkeys(content) if w not in self.idf]

    def search(self, normalised: str, kinds: tuple[str, ...] | None = None,
               form: frozenset[str] = frozenset()) -> list[Hit]:
        """Items the question names, best first. `form`: words of the question's form that
        are no subject when the plan never uses them ("ai lo …": "lo" is not an unknown thing
        asked about)."""
        content, feats, corrected = self.query(normalised)
        if not content:
            return []
        known = [w for w in dict.fromkeys(content) if w in self.idf]
        unknown = [w for w in dict.fromkeys(content) if w not in self.idf and w not in form]
        total = sum(self.idf[w] for w in known) + UNKNOWN_WEIGHT * len(unknown)
        pairs = [f for f in feats if " " in f]
        hits = []
        for e in self.entities:
            if kinds and e.kind not in kinds:
                continue
            score, explained, matched = 0.0, 0.0, []
            supported = {w for p in pairs if p in e.strong or p in e.weak for w in p.split()}
            for f in sorted(feats):  # one order: float sums, and so ties, alike every run
                weight = 1.0 if f in e.strong else 0.5 if f in e.weak else 0.0
                if not weight:
                    continue
                matched.append(f)
                if " " in f:
                    score += weight * self.idf[f]
                    continue
                # a syllable that is also a question's form word ("cái") means the item only
                # beside its pair ("cải cách")
                alone = (f in e.whole and f not in FORM) or f in supported
                score += weight * self.idf[f] * (1.0 if alone else 0.3)
                if alone:
                    explained += (0.5 + weight / 2) * self.idf[f]
            for phrase in e.phrases:
                if f" {phrase} " in f" {corrected} ":
                    score += sum(self.idf.get(w, 0.0) for w in phrase.split())
            if score > 0:
                hits.append(Hit(e, score, explained / total if total else 0.0,
                                tuple(sorted(matched))))
        hits.sort(key=lambda h: (-h.score, -h.confidence, h.entity.code))
        return hits


def index(snap: PlanSnapshot) -> Index:
    found = snap.extra.get("index")
    if found is None:
        found = snap.extra["index"] = Index(snap)
    return found
