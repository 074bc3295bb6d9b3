"""What a question asks: an intent and its slots, decided by cue words on the normalised text,
the plan's codes and names, the people it names, and retrieval for the rest.

The cues are phrases of the normalised text (no tone marks, abbreviations spelt out), in
Vietnamese and English. The order of the rules below matters and is the whole policy: who →
reviews → reports' deadlines → what is behind → what is due → areas → the plan itself → status
and progress → targets and areas by name → not understood.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bot.answers import slots
from bot.answers.lexicon import plan_words
from bot.answers.normalise import FORM, SYLLABLE, clean, has_phrase, normalise, tokens
from bot.answers.retrieval import STOPWORDS, Hit, index
from bot.answers.snapshot import (
    AreaInfo,
    ObligationInfo,
    PersonInfo,
    PhaseInfo,
    PlanSnapshot,
    ReviewInfo,
    TargetInfo,
)
from bot.core.vocab import Unit


@dataclass(frozen=True)
class OfficerRef:
    id: int
    full_name: str
    department: str | None = None


@dataclass
class Question:
    intent: str
    text: str = ""  # normalised
    period: slots.Period | None = None
    year: int | None = None
    phase: PhaseInfo | None = None
    target: TargetInfo | None = None
    choices: list[TargetInfo] = field(default_factory=list)
    obligation: ObligationInfo | None = None
    review: ReviewInfo | None = None
    area: AreaInfo | None = None
    people: list[PersonInfo] = field(default_factory=list)
    officers: list[OfficerRef] = field(default_factory=list)
    topic: str | None = None
    hits: list[Hit] = field(default_factory=list)


# --- cue words ----------------------------------------------------------------------------------

WHO = ("ai", "nguoi nao", "bo phan nao", "can bo nao", "don vi nao", "dong chi nao",
       "who", "whom", "whose", "which colleague", "which officer", "point person",
       "point of contact", "contact person")
RESPONSIBLE = ("phu trach", "chiu trach nhiem", "thuc hien", "dam nhiem", "dam nhan", "duoc giao",
               "phoi hop", "chu tri", "quan ly", "lo", "responsible", "in charge", "owner",
               "owns", "coordinat*", "assigned", "handle*", "lead", "leads", "nhiem vu", "lam",
               "lam chinh", "phu trach chinh", "chiu trach nhiem chinh", "dang om", "om nhung",
               "ganh", "dam trach", "on the hook", "phu giup",
               "duoc phan", "duoc phan cong", "look after",
               "looks after", "take care of", "takes care of", "driving", "runs", "run by",
               "deal with", "deals with")
# school levels as typed, in the plan's folded words ("cấp 1" is tiểu học)
SCHOOL_LEVELS = (("trung hoc pho thong", "trung hoc pho thong"),
                 ("thpt", "trung hoc pho thong"), ("cap 3", "trung hoc pho thong"),
                 ("upper secondary", "trung hoc pho thong"),
                 ("high school", "trung hoc pho thong"),
                 ("trung hoc co so", "trung hoc co so"), ("thcs", "trung hoc co so"),
                 ("cap 2", "trung hoc co so"), ("tieu hoc", "tieu hoc"), ("cap 1", "tieu hoc"),
                 ("mam non", "mam non"), ("lower secondary", "trung hoc co so"),
                 ("primary", "tieu hoc"), ("preschool", "mam non"), ("kindergarten", "mam non"))
_LEVEL_WORDS = re.compile(r"(?<![a-z])(?:ben |o |khoi |cap hoc )?(?:"
                          + "|".join(words for words, _ in SCHOOL_LEVELS) + r")(?![a-z0-9])")
# "tuyên truyền tới những ai": to whom something goes, which the plan's text says — no owner
AUDIENCE = ("toi nhung ai", "den nhung ai", "cho nhung ai", "toi nhung doi tuong nao",
            "den doi tuong nao", "to whom", "reach whom")
PARTNERS = ("phoi hop voi", "cung voi", "lam cung", "with", "cung")
COORDINATE = ("phoi hop", "coordinat*", "ho tro", "support*", "phu giup", "giup do", "giup suc",
              "back up", "backs up", "backing up")
REVERSE = ("nhung gi", "nhung viec gi", "viec gi", "lam gi", "gi", "chi tieu nao",
           "nhung chi tieu", "nhiem vu", "what", "which")
REPORT_LISTING = ("co gi", "nhung gi", "bao cao gi", "bao cao nao", "nhung bao cao",
                  "cac bao cao", "which", "what reports", "nao sap", "gi phai nop", "nop gi",
                  "co han", "co phai nop", "any report*")  # "tháng này có hạn báo cáo không"
# the two reviews by their everyday names: the mid-term one (sơ kết), the final one (tổng kết)
MIDTERM = ("so ket", "mid term", "midterm", "giua chang", "giua ky", "giua ke hoach",
           "danh gia giua", "midpoint", "mid-point")
FINAL = ("tong ket", "cuoi chang", "wrap-up", "wrap up")
REVIEW = (*MIDTERM, *FINAL, "review", "reviews", "stocktake", "stock-take", "final evaluation")
REPORT = ("bao cao", "report", "reports", "reporting")
DEADLINE = ("khi nao", "bao gio", "ngay nao", "thoi han", "han", "han nop", "han cuoi", "when",
            "what date", "by when", "luc nao", "thang nao", "nop truoc", "truoc ngay",
            "deadline", "due date", "due", "nop", "gui", "send", "submit*", "bao lau",
            "may lan", "how often", "tan suat", "cutoff", "cut off", "cut-off", "latest date",
            "scheduled", "take place", "happen")
DUE_STRICT = ("den han", "toi han", "sap den han", "sap toi han", "sap het han", "han chot",
              "deadlines",
              "due", "upcoming", "phai nop", "can nop", "sap toi", "what s due", "whats due",
              "to do", "todo", "viec can lam", "moc", "milestone*",
              "coming up", "han gan nhat", "moc gan nhat", "han tiep theo", "nearest deadline",
              "next deadline", "closest deadline")
# with a period only: "tháng sau cần chuẩn bị gì", "tuần này phải làm gì" (without one, what
# must be done is the plan's tasks)
DUE_LOOSE = ("co gi", "viec gi", "lam gi", "nhung gi", "what", "nhung viec", "deadline",
             "han", "lich", "schedule", "phai nop", "nop gi", "phai lam", "can lam",
             "chuan bi", "anything", "to file", "hand in", "turn in", "send in")
DONE = ("xong", "da nop", "da gui", "nop roi", "gui roi", "done", "submitted", "qua roi",
        "het roi", "qua han")
NEXT = ("tiep theo", "ke tiep", "gan nhat", "som nhat", "sap toi", "next", "nearest", "closest",
        "con han nao", "con moc nao", "con han gi", "con moc gi", "nop tiep", "han tiep",
        "soonest", "upcoming", "coming up")
WHEN_DUE = ("han", "han chot", "deadline*", "due", "khi nao", "bao gio", "ngay nao", "when", "moc")
# report frequencies a plan may lack ("báo cáo 6 tháng"): asked, the plan's own are listed
OTHER_FREQUENCIES = {"6 thang": "semiannual", "sau thang": "semiannual", "nua nam": "semiannual",
                     "semi annual": "semiannual", "half year*": "semiannual",
                     "hang tuan": "weekly", "bao cao tuan": "weekly", "weekly": "weekly",
                     "hang ngay": "daily", "daily": "daily"}
DAY_ASKED = ("ngay may", "ngay nao", "hom nao", "ngay bao nhieu", "ngay cu the", "what day",
             "which day", "exact date", "what date")
RECIPIENT = ("gui ai", "gui cho ai", "nop cho ai", "gui ve dau", "nop ve dau", "to whom",
             "recipient*", "noi nhan", "sent to", "submitted to", "cho ai")
BEHIND = ("cham", "tre han", "bi tre", "cham tre", "qua han", "nguy co", "rui ro", "chua dat",
          "khong dat", "behind schedule", "falling behind", "fallen behind", "fell behind",
          "targets behind", "items behind", "running behind", "what is behind", "what s behind",
          "whats behind", "anything behind", "which are behind", "late", "overdue", "at risk",
          "lagging",
          "off track", "van de",
          "can chu y", "yeu kem", "tut lai", "worst", "not on track", "kem")
# what follows a result: a penalty or a reward
CONSEQUENCE = ("bi phat", "phat bao nhieu", "phat tien", "bi tru", "tru bao nhieu", "tru diem",
               "thuong thi dua", "tien thuong",
               "bi xu ly gi", "duoc thuong", "thuong bao nhieu", "thuong gi", "khen thuong",
               "what reward", "any reward", "a reward", "rewards", "rewarded", "penalty for",
               "penalties", "what penalty", "a penalty", "penalised", "penalized", "punished",
               "sanctions", "fined", "bonus")
NOT_BEHIND = ("cham soc", "cham diem", "cham cong", "cham thi", "phuong cham", "kem theo")
STATUS = ("tinh hinh", "trang thai", "tong quan", "status", "the nao roi", "ra sao", "tinh trang",
          "chua co ai bao cao", "chua ai bao cao", "chua co so lieu", "no figures",
          "overview", "how are we", "how is", "how are", "how s", "dien bien")
PROGRESS = ("tien do", "da dat", "dat duoc", "hien dat", "hien tai", "hien nay", "den dau",
            "toi dau", "so lieu", "bao cao gan nhat", "moi nhat", "progress", "so far", "currently",
            "latest", "how far", "thuc hien duoc", "bao nhieu roi", "duoc bao nhieu",
            "dat bao nhieu roi", "gan nhat", "reached", "achieved")
VALUE = ("chi tieu", "muc tieu", "bao nhieu", "phan tram", "%", "ty le", "yeu cau", "phai dat",
         "can dat", "dat muc", "target", "targets", "goal", "how much", "how many", "percent*",
         "what level", "require*", "top", "phan dau", "la gi", "what is", "what s", "dat",
         "achiev*", "actual*", "thuc te")
AREA_WORDS = ("linh vuc", "mang", "area", "areas", "noi dung cai cach", "field", "domain")
AREAS_LIST = ("bao nhieu linh vuc", "may linh vuc", "cac linh vuc", "nhung linh vuc",
              "danh sach linh vuc", "bao nhieu mang", "may mang", "how many areas",
              "which areas", "what areas", "list areas", "list the areas", "list of areas",
              "areas of the plan", "areas does", "areas are", "linh vuc nao", "gom may",
              "gom nhung linh vuc")
AREA_CONTENT = ("gom", "bao gom", "co nhung", "nhung gi", "noi dung", "nhiem vu", "co gi",
                "chi tieu nao", "cac chi tieu", "nhung chi tieu", "what does", "contain*",
                "include*", "consist*", "what is in", "task*", "lam gi", "co bao nhieu",
                "bao nhieu chi tieu", "may chi tieu", "what", "about", "ve")
TARGET_COUNT = ("bao nhieu chi tieu", "may chi tieu", "how many targets", "tong so chi tieu",
                "so chi tieu", "number of targets", "bao nhieu muc tieu")
PLAN = ("ke hoach", "plan", "van ban nay")
ISSUER = ("which office issued", "what office issued", "which agency issued", "which body issued",
          "which unit issued", "issuing office", "ai ban hanh", "co quan ban hanh",
          "don vi ban hanh", "ban hanh boi", "who issued",
          "issuer", "issued by", "noi ban hanh", "ke hoach cua ai", "ke hoach nay cua ai",
          "van ban cua ai", "cua co quan nao", "co quan nao",
          "don vi nao ban hanh", "ban hanh khong", "ban hanh phai khong", "quan nao",
          "pham vi", "ap dung cho don vi nao", "ap dung cho ai", "ap dung o dau",
          "ap dung cho dau", "cua don vi nao",
          "which district", "put this out", "put out", "put it out", "put the plan out",
          "put this plan out", "published by", "who published")
SIGNER = ("ai ky", "nguoi ky", "ky ten", "dung ten ky", "ky ke hoach", "ky van ban", "ky ban hanh",
          "do ai ky",
          "who signed", "signed by", "signer", "signature", "who signs")
ISSUED = ("ngay ban hanh", "ban hanh ngay", "ban hanh khi nao", "ban hanh nam", "when was",
          "issued on", "date of", "ban hanh luc nao", "ban hanh bao gio", "ky ngay",
          "issued when", "when issued", "ban hanh hom nao", "ban hanh ngay nao",
          "ky hom nao", "ra doi", "ra hom nao", "ra ngay nao", "ra khi nao", "ra luc nao",
          "ky ngay nao", "ky khi nao", "ngay nao ban hanh", "hom nao ban hanh",
          "khi nao ban hanh", "bao gio ban hanh")
PLAN_STATUS = ("ap dung den", "ap dung toi", "den khi nao", "toi khi nao", "den nam nao",
               "toi nam nao", "tu nam nao",
               "keo dai den", "until when", "how long",
               "con hieu luc", "hieu luc", "het hieu luc", "het han", "ket thuc", "con dung",
               "con ap dung", "con thuc hien", "still", "current", "valid", "finish*", "end",
               "ended", "ends", "expire*", "supersed*", "thay the", "moi nhat", "active",
               "da xong", "con khong", "in force", "which years", "what years", "what period",
               "nhung nam nao", "thoi gian thuc hien", "trong bao lau", "may nam")
DISSOLVED = ("giai the", "sap nhap", "chinh quyen 2 cap", "chinh quyen hai cap", "dissolv*",
             "reorganis*", "reorganiz*", "khong con", "con ton tai", "quan ha dong",
             "sap xep lai")
SUCCESSOR = ("giao cho ai", "giao cho phuong", "phuong nao", "don vi nao tiep", "ai tiep tuc",
             "tiep tuc thuc hien", "tiep nhan", "chuyen giao", "ke thua", "thay the boi",
             "who takes over", "taken over", "take over", "successor", "handed over",
             "transferred to", "which ward")
ABOUT = ("ve cai gi", "noi ve gi", "ve gi", "ve viec gi", "is about", "plan about",
         "what about")
# the phases asked for: a count or a list word beside "giai đoạn" ("chia mấy giai đoạn",
# "giai đoạn nào"), not "giai đoạn 2021-2025 … bao nhiêu" about something in them
_PHASES_ASKED = re.compile(
    r"(?<![a-z])(?:(?:may|bao nhieu|nhung|cac|gom|chia(?: lam)?(?: may)?) (?:giai doan|chang)"
    r"|(?:giai doan|chang) nao|giai doan (?:la gi|gom)|lo trinh|roadmap|how many (?:phase|stage)"
    r"|giai doan (?:\d|[ab])(?: cua ke hoach)?(?: nay)? (?:la gi|gom|la nhung nam nao|tu nam nao)"
    r"|which (?:phase|stage)s?|what (?:phase|stage)s?|(?:list|the) (?:phase|stage)s"
    r"|phases?|stages)(?![a-z])")
# the result reached, not the one aimed for: a plan states aims only
ACTUAL = ("thuc te", "actual*", "in fact", "in reality", "ket qua thuc")
# a rank or a result reached, asked of a year gone by ("năm 2024 đứng thứ mấy")
REACHED = ("dung thu may", "dung thu bao nhieu", "xep thu", "hang may", "ranked",
           "what rank*", "da dat", "dat duoc", "achieved", "reached")


def asks_actual(norm: str, year: int | None, today: dt.date) -> bool:
    """A question about a result reached ("thực tế đạt bao nhiêu", "năm 2023 đã đạt được bao
    nhiêu"): the plan only sets aims; the figures reached are the reports."""
    return cue(norm, ACTUAL) or year is not None and year < today.year and cue(norm, REACHED)


PHASES = ("giai doan", "phases", "phase", "lo trinh", "roadmap", "chang", "stage*")
PURPOSE = ("muc dich", "purpose*", "muc tieu chung", "objective*", "aims", "aim of")
LEGAL = ("can cu", "legal", "basis", "based on",
         # "kế hoạch này dựa trên / dựa vào / làm theo kế hoạch nào của Sở"
         *(f"ke hoach {how}" for how in ("dua tren", "dua vao")),
         *(f"{how} {which}van ban" for how in ("dua tren", "dua vao")
           for which in ("", "nhung ", "cac ")),
         *(f"{how} {kind} nao" for how in ("dua tren", "dua vao", "theo", "lam theo",
                                           "thuc hien theo")
           for kind in ("ke hoach", "van ban", "cong van")))
REQUIREMENTS = ("yeu cau chung", "phuong cham", "5 de", "nam de", "principle*")
NUMBER = ("so hieu", "so may", "so bao nhieu", "ten ke hoach", "ke hoach so", "ke hoach nao",
          "ke hoach gi", "title", "plan number", "which plan", "ten goi", "ten day du",
          "trich yeu", "about the plan", "tom tat", "summary", "summar*", "what is the plan",
          "la gi", "gioi thieu", "thong tin", "what period", "cover", "covers")
COMPARE = ("khac gi", "khac nhau", "so voi", "so sanh", "cao hon", "thap hon", "chenh lech",
           "chenh nhau", "chenh bao nhieu",
           "tang bao nhieu", "giam bao nhieu", "thay doi", "differ*", "compar*", "versus",
           "higher than", "lower than", "change between", "changes between", "change from",
           "increase*", "go up", "tang tu", "giam tu", "len bao nhieu", "xuong bao nhieu",
           "from what to what", "go from", "went from", "how much higher", "how much lower",
           "how much more", "how much bigger")
GREETING = ("xin chao", "chao", "hello", "hi", "alo", "hey", "chao bot", "good morning")
THANKS = ("cam on", "thanks", "thank you", "ok", "cam on nhe", "tot", "good")
HELP = ("giup", "help", "huong dan", "lam duoc gi", "biet gi", "hoi gi", "what can you do",
        "hoi duoc gi")
HONORIFICS = ("dong chi", "chi", "anh", "co", "thay", "ba", "ong", "em", "ban", "ms", "mr",
              "mrs")


def _single_words(*groups: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p for g in groups for p in g if " " not in p and not p.endswith("*"))


def cue(text: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {text} "
    for p in phrases:
        if p.endswith("*"):
            if re.search(rf"(?<![a-z0-9]){re.escape(p[:-1])}[a-z]*(?![a-z0-9])", text):
                return True
        elif f" {p} " in padded:
            return True
    return False


WHO_FORM = _single_words(WHO, RESPONSIBLE, COORDINATE)


# --- slots from the plan's own words -------------------------------------------------------------

_CODE = re.compile(r"(?<![a-z0-9])([a-z]{1,6})\s*-?\s*(\d{1,2})(?![0-9])")


def target_by_code(snap: PlanSnapshot, cleaned: str) -> TargetInfo | None:
    codes = {t.code.lower().replace("-", ""): t for t in snap.targets}
    for m in _CODE.finditer(cleaned):
        found = codes.get(f"{m.group(1)}{m.group(2)}")
        if found is not None:
            return found
    return None


def _by_code(items, raw: str):
    """A report or review named by its code as written ("BC-CCHC-QUY", "SO-KET")."""
    for item in items:
        if re.search(rf"(?<![\w-]){re.escape(item.code)}(?![\w-])", raw, re.IGNORECASE):
            return item
    return None


def area_by_words(snap: PlanSnapshot, norm: str, cleaned: str) -> AreaInfo | None:
    """An area named by its number ("lĩnh vực 3", or "3" alone as in /status 3), its code
    ("CQS") after an area word or alone, or its name / one of its aliases (the longest phrase
    wins)."""
    m = re.search(r"(?:linh vuc|mang|area|noi dung)\s*(?:thu|so|number|no)?\s*(\d{1,2})"
                  r"(?![0-9/])", norm) or re.fullmatch(r"\s*(\d{1,2})\s*", norm)
    if m:
        found = next((a for a in snap.areas if a.number == int(m.group(1))), None)
        if found:
            return found
    words = cleaned.split()
    for a in snap.areas:
        code = a.code.lower()
        if words == [code] or (code in words and cue(norm, AREA_WORDS)) or \
                re.search(rf"(?:linh vuc|area|mang)\s+{code}(?![a-z0-9])", cleaned):
            return a
    best, best_len = None, 0
    for a in snap.areas:
        for phrase in (a.name, a.name_en, *a.aliases):
            p = normalise(phrase)
            n = len(p.split())
            if p and has_phrase(norm, p) and n > best_len:
                best, best_len = a, n
    return best


_PLAN_WORD = re.compile(r"(?<![a-z])(?:ke hoach|plan)((?:\s+[a-z]+)+)")


def without_plan_name(snap: PlanSnapshot, norm: str) -> str:
    """The question without the words that name the plan itself after "kế hoạch" ("theo kế
    hoạch cải cách hành chính ngành giáo dục"): they name the whole plan, not one of its items,
    though each item's name repeats them."""
    key = ("title words",)
    title = snap.extra.get(key)
    if title is None:
        title = snap.extra[key] = set(tokens(normalise(f"{snap.title} {snap.title_en}"))) - \
            {"ke", "hoach", "plan"}

    def strip(m: re.Match) -> str:
        words = m.group(1).split()
        kept = 0
        while kept < len(words) and words[kept] in title:
            kept += 1
        return " ".join(["", *words[kept:]]) if kept >= 2 else m.group(0)

    return _PLAN_WORD.sub(lambda m: " " + strip(m).strip(), norm).strip()


def phase_in(snap: PlanSnapshot, norm: str) -> PhaseInfo | None:
    years = slots.year_range(norm)
    if years:
        for p in snap.phases:
            if (p.start.year, p.end.year) == years:
                return p
    word = slots.phase_word(norm)
    if word:
        for i, p in enumerate(snap.phases, 1):
            if word in (p.code.lower(), str(i)) or word == p.code.lower().lstrip("gd"):
                return p
    return None


def find_people(snap: PlanSnapshot, norm: str,
                officers: list[OfficerRef]) -> tuple[list[PersonInfo], list[OfficerRef]]:
    """The plan's people and the roster's officers a question names. A one-word name ("Hoà")
    counts only after an honorific ("chị Hoà", "đ/c Hoà") or as the subject that opens the
    question, since it is also an ordinary word ("hoá")."""
    people, exact = [], []
    for p in snap.people:
        if p.name:
            name = normalise(p.name)
            if len(name.split()) >= 2:
                hit = has_phrase(norm, name)
            else:
                hit = any(has_phrase(norm, f"{h} {name}") for h in HONORIFICS) or \
                    norm.startswith(f"{name} ")
        else:
            hit = False
            for label in (p.title, p.department):
                if not label:
                    continue
                phrase = normalise(label)
                short = " ".join(phrase.split()[:2])
                # "tổ chuyên môn": every group of that name, whatever its level ("… MN")
                group = " ".join(phrase.split()[:3]) if len(phrase.split()) >= 4 else None
                if has_phrase(norm, phrase):
                    exact.append(p)
                # "tổ THCS" is "Tổ chuyên môn THCS"
                bare = phrase.replace(" chuyen mon ", " ") if " chuyen mon " in phrase else None
                if bare and has_phrase(norm, bare):
                    exact.append(p)
                if has_phrase(norm, phrase) or (p.title == label and has_phrase(norm, short)) \
                        or (p.department == label and group and has_phrase(norm, group)) \
                        or (bare and has_phrase(norm, bare)):
                    hit = True
        if hit:
            people.append(p)
    if exact:  # "tổ chuyên môn tiểu học": that group, not every "tổ chuyên môn"
        people = [p for p in people if p.name or p in exact]
    found = []
    for o in officers:
        full = normalise(o.full_name)
        given = " ".join(full.split()[-2:])
        if has_phrase(norm, full) or (len(full.split()) >= 3 and has_phrase(norm, given)):
            found.append(o)
    # "a Dũng vs c Kim Sa": one named whole, the other by honorific and given name — both
    more_people, more_found = _given_names(snap, norm, officers, loose=not people and not found)
    people += [p for p in more_people if p not in people]
    found += [o for o in more_found if o not in found]
    return people, found


_HONORED = re.compile(r"(?<![a-z])(?:dong chi|chi|anh|co|thay|ba|ong|em|ban|a|c|e)\s+([a-z]+)"
                      r"(?:\s+([a-z]+))?")
NAME_FLOOR = 88  # the same without an honorific: stricter
GIVEN_FLOOR = 80  # rapidfuzz ratio for a two-word given name typed with a slip ("Kim Xa")
# words after which an honorific and a name may stand ("hỏi chị Nhung", "của anh An")
AFTER = ("cua", "voi", "hoi", "cho", "va", "la", "gap", "bao", "nho", "giup", "thi", "oi",
         "con")  # "…, còn chị Nhung phụ trách gì"


def _given_names(snap: PlanSnapshot, norm: str, officers: list[OfficerRef],
                 loose: bool = True) -> tuple[list[PersonInfo], list[OfficerRef]]:
    """People named by an honorific and their given name, whole ("chị Tuyết Nhung"), its last
    word ("chị Nhung", "thầy Hùng") or with a slip ("cô Kim Xa", "chị Diệu Ah"); `loose`: a
    two-word given name with a slip and no honorific too ("Tuấn Ann")."""
    people: list[PersonInfo] = []
    found: list[OfficerRef] = []

    def named(words: list[str], first: str, second: str | None) -> bool:
        if not words:
            return False
        if first == words[-1]:
            return True
        return second is not None and len(words) >= 2 and \
            fuzz.ratio(f"{first} {second}", " ".join(words[-2:])) >= GIVEN_FLOOR
    for m in _HONORED.finditer(norm):
        before = norm[: m.start()].split()[-1:]
        if before and before[0] not in AFTER:
            continue  # "thể chế có những chỉ tiêu nào": "có những" is no "cô Nhung"
        first, second = m.group(1), m.group(2)
        for p in snap.people:
            if p.name and p not in people and named(normalise(p.name).split(), first, second):
                people.append(p)
        for o in officers:
            if o not in found and named(normalise(o.full_name).split(), first, second):
                found.append(o)
        # every one named: "anh Dũng với chị Nhung mỗi người phụ trách gì"
    if loose and not people and not found:  # a two-word given name with a slip ("Tuấn Ann")
        words = norm.split()
        vocabulary = index(snap).idf  # a pair the plan itself uses is a word, not a name
        for a, b in zip(words, words[1:], strict=False):
            pair = f"{a} {b}"
            if pair in vocabulary:
                continue
            for p in snap.people:
                name = normalise(p.name or "")
                if len(name.split()) == 2 and name[0] == pair[0] and p not in people and (
                        fuzz.ratio(pair, name) >= NAME_FLOOR
                        # "Kim Xa": the first word whole, one letter of the second off
                        # … not a word of the question's form ("mình là" is no "Minh Lý")
                        or a == name.split()[0] and len(b) >= 2 and b not in STOPWORDS
                        and Levenshtein.distance(b, name.split()[1]) == 1):
                    people.append(p)
    return people, found


# --- the decision -------------------------------------------------------------------------------

STRONG = 0.55  # confidence of a retrieval hit taken without a cue
WITH_CUE = 0.4  # confidence enough when the question's form says what it wants
AREA_ALIAS = 0.67  # an area named by an alias alone must explain two thirds of the question


RIVAL_GAP = 0.2  # a close second that explains this much less of the question is no rival


def _rival(best: Hit, other: Hit, floor: float) -> bool:
    return other.score >= 0.85 * best.score and other.confidence >= floor and \
        other.confidence > best.confidence - RIVAL_GAP


def _clear(hits: list[Hit], floor: float) -> Hit | None:
    if not hits or hits[0].confidence < floor:
        return None
    if len(hits) > 1 and _rival(hits[0], hits[1], floor) and \
            hits[1].entity.kind == hits[0].entity.kind:
        return None
    return hits[0]


def _close(hits: list[Hit], floor: float) -> list[Hit]:
    if not hits or hits[0].confidence < floor:
        return []
    return [hits[0], *(h for h in hits[1:] if _rival(hits[0], h, floor))][:4]


def _obligation_for(snap: PlanSnapshot, norm: str, period: slots.Period | None,
                    hits: list[Hit]) -> ObligationInfo | None:
    ob_hits = [h for h in hits if h.entity.kind == "obligation"]
    named = [h for h in ob_hits if set(h.matched) - {"bao", "cao", "bao cao", "report",
                                                     "thang", "quy", "hang thang", "hang quy"}]
    if named and named[0].confidence >= WITH_CUE:
        return named[0].entity.item
    wanted = {"quarter": "quarterly", "month": "monthly", "year": "yearly"}
    if period is not None and period.kind in wanted:
        of_kind = [o for o in snap.obligations if o.frequency == wanted[period.kind]]
        if len(of_kind) == 1:
            return of_kind[0]
    for word, frequency in (("hang thang", "monthly"), ("monthly", "monthly"),
                            ("bao cao thang", "monthly"), ("bao cao quy", "quarterly"),
                            ("hang quy", "quarterly"), ("quarterly", "quarterly"),
                            ("dinh ky", "quarterly"), ("hang nam", "yearly")):
        if has_phrase(norm, word):
            of_kind = [o for o in snap.obligations if o.frequency == frequency]
            if len(of_kind) == 1:
                return of_kind[0]
    if ob_hits and ob_hits[0].confidence >= STRONG:
        return ob_hits[0].entity.item
    if len(snap.obligations) == 1:
        return snap.obligations[0]
    return None


def understand(snap: PlanSnapshot, text: str, today: dt.date,
               officers: list[OfficerRef] | None = None) -> Question:
    raw = (text or "")[:500]
    norm = normalise(raw)
    cleaned = clean(raw)
    q = Question("unknown", norm)
    if not tokens(norm):
        return q
    q.period = slots.parse_period(norm, today)
    q.year = slots.explicit_year(norm)
    q.phase = phase_in(snap, norm)
    if q.phase is not None and q.period is not None and q.period.kind == "year" \
            and q.year is None:
        q.period = None
    words = tokens(norm)
    found_index = index(snap)
    about = without_plan_name(snap, norm)  # "theo kế hoạch CCHC": the plan, no item of it
    # "ai lo …": a who-question's own words the plan never uses are no unknown subject, nor
    # a school level ("thủ tục bên cấp 1 thì ai lo": the level picks the people, not the item)
    form = WHO_FORM if cue(norm, WHO) else frozenset()
    if form:
        about = _LEVEL_WORDS.sub(" ", about)
    hits = found_index.search(about, form=form) if tokens(about) else []
    # a word of a who-question's form the plan never uses ("ai lo …") is no unknown subject
    unknown = [w for w in found_index.unknown(norm) if w not in WHO_FORM and w not in FORM]
    translated = plan_words(about)
    if translated != about:  # English words said as the plan's own: the better of both
        # (the English words left are the sentence's own, not things the plan lacks)
        english = frozenset(w for w in tokens(translated) if not SYLLABLE.match(w))
        hits = _merge(hits, found_index.search(translated, form=form | english))
        unknown = [w for w in unknown if w in set(found_index.unknown(plan_words(norm)))]
    q.hits = hits
    with_cue = STRONG if unknown else WITH_CUE  # a word the plan never uses: be stricter
    code_target = target_by_code(snap, cleaned)
    code_obligation = _by_code(snap.obligations, raw)
    code_review = _by_code(snap.reviews, raw)
    area = area_by_words(snap, norm, cleaned)
    area_hit = next((h for h in hits if h.entity.kind == "area" and h.entity.item == area), None)
    by_alias = area is not None and not cue(norm, AREA_WORDS) and \
        area.code.lower() not in cleaned.split() and not re.fullmatch(r"\s*\d+\s*", norm)
    if by_alias and (unknown or area_hit is None or area_hit.confidence < AREA_ALIAS):
        area = None  # named only through an alias ("ngân sách"): the rest must fit too
    people, found_officers = find_people(snap, norm, officers or [])
    target_hits = [h for h in hits if h.entity.kind == "target"]
    top = hits[0] if hits else None

    if len(words) <= 4 and not hits and not people and not code_target:
        if cue(norm, THANKS):
            return _set(q, "thanks")
        if cue(norm, GREETING):
            return _set(q, "greeting")
    if cue(norm, HELP) and not hits and not code_target:
        return _set(q, "help")

    if cue(norm, SIGNER) and not found_officers and all(not p.name for p in people):
        # "ai ký", "trưởng phòng ký kế hoạch tên gì": the signature block, not the title's work
        return _set(q, "plan", topic="signer")  # "ai ký": "ký" is no "định kỳ"

    # who is responsible — and the reverse, what someone is responsible for
    asks_who = cue(norm, WHO) and not cue(norm, AUDIENCE)
    if (people or found_officers) and asks_who and cue(norm, PARTNERS):
        q.people, q.officers, q.topic = people, found_officers, "partners"
        return _set(q, "who_of")
    if (people or found_officers) and not (asks_who and (code_target or area or (
            top and top.confidence >= WITH_CUE))):
        if cue(norm, RESPONSIBLE) or cue(norm, REVERSE) or len(words) <= 4:
            q.people, q.officers = people, found_officers
            q.topic = "coordinator" if cue(norm, COORDINATE) and not cue(
                norm, ("phu trach", "responsible")) else None
            return _set(q, "who_of")
    if asks_who and (cue(norm, RESPONSIBLE) or code_target or area or hits):
        q.topic = "coordinator" if cue(norm, COORDINATE) and not cue(
            norm, ("phu trach", "responsible", "chiu trach nhiem")) else None
        if cue(norm, ISSUER) or (cue(norm, PLAN) and cue(norm, ("ban hanh", "issued"))):
            q.topic = "issuer"
            return _set(q, "plan")
        if code_target:
            q.target = code_target
            return _set(q, "who")
        if code_obligation or (cue(norm, REPORT) and snap.obligations):
            q.obligation = code_obligation or _obligation_for(snap, norm, q.period, hits)
            if q.obligation and cue(norm, WHEN_DUE) and cue(norm, RECIPIENT):
                return _set(q, "obligation")  # "when, and to whom": its card says both
            if q.obligation:
                return _set(q, "who")
        best = _clear([h for h in hits if h.entity.kind in ("target", "obligation", "area")],
                      with_cue)
        if best is not None and not (area and best.entity.kind == "target"
                                     and not _beyond_area(best, area)):
            _take(q, best)
            return _set(q, "who")
        choices = _close(target_hits, with_cue)
        area_conf = area_hit.confidence if area_hit is not None else 0.0
        if area and not (len(choices) > 1 and choices[0].confidence > area_conf):
            q.area = area
            return _set(q, "who")
        if len(choices) > 1:
            q.choices = [h.entity.item for h in choices]
            q.topic = "who"
            return _set(q, "choose")
        return _set(q, "not_found", topic="who")

    # reviews (sơ kết, tổng kết) — unless a period is asked for all it holds ("tháng sau có
    # mốc gì, nghe nói sơ kết?": the month's list, the review in it)
    timely = q.period is not None and (q.period.kind != "year" or q.period.relative)
    whole_period = timely and not code_review and (cue(norm, DUE_STRICT) or cue(norm, DUE_LOOSE))
    if (cue(norm, REVIEW) or code_review) and not whole_period:
        q.review = code_review or _review_for(snap, norm)
        return _set(q, "review", topic="day" if cue(norm, DAY_ASKED) else None)

    # the nearest deadlines ("hạn báo cáo tiếp theo", "next deadline"), unless one report is
    # named by its kind ("báo cáo quý tiếp theo": that report's next date)
    # "quý 2 nộp xong rồi, mốc tiếp theo là gì": a period already over names what is done
    done = q.period is not None and (q.period.end < today or cue(norm, DONE))
    if cue(norm, NEXT) and (cue(norm, WHEN_DUE) or cue(norm, DUE_LOOSE)) and \
            (q.period is None or done) and not (code_target or code_obligation or code_review):
        reports = cue(norm, REPORT)
        named = _obligation_for(snap, norm, None, hits) if reports and \
            len(snap.obligations) > 1 else None
        if named is None:
            q.area = area
            return _set(q, "due", topic="next_reports" if reports else "next")

    # a recurring report of a frequency the plan does not have ("báo cáo 6 tháng")
    if cue(norm, REPORT) and not code_obligation and not code_target:
        lacking = [f for words, f in OTHER_FREQUENCIES.items() if cue(norm, (words,))
                   and not any(o.frequency == f for o in snap.obligations)]
        if lacking:
            return _set(q, "obligation", topic=f"frequency:{lacking[0]}")

    # the deadline of a recurring report ("báo cáo quý II hạn khi nào?")
    if (cue(norm, REPORT) or code_obligation) and snap.obligations and not code_target:
        listing = cue(norm, REPORT_LISTING) and not code_obligation
        if listing and (q.period is not None or cue(norm, DUE_STRICT)):
            return _set(q, "due", topic="reports")  # "tháng này có báo cáo gì?"
        if not listing and (cue(norm, DEADLINE) or code_obligation or (
                q.period is not None and q.period.kind in ("quarter", "month"))
                or cue(norm, ("gui ai", "gui cho ai", "recipient", "to whom", "noi nhan"))):
            q.obligation = code_obligation or _obligation_for(snap, norm, q.period, hits)
            if q.obligation is not None:
                return _set(q, "obligation")
            if q.period is not None:  # "lịch nộp báo cáo năm 2025": every report due then
                return _set(q, "due", topic="reports")

    # what is behind — not "không đạt thì bị phạt bao nhiêu": what follows a miss, which the
    # plan's text says or does not
    if cue(norm, BEHIND) and not code_target and not cue(norm, NOT_BEHIND) and \
            not cue(norm, CONSEQUENCE) and not (
                timely and (cue(norm, DUE_STRICT) or cue(norm, NEXT))):  # "còn mốc nào cần chú ý"
        q.area = area
        return _set(q, "behind")

    # what falls due
    clear_target = _best_target(target_hits, None, STRONG)
    asks_due = cue(norm, DUE_STRICT) or (timely and cue(norm, DUE_LOOSE))
    if asks_due and not code_target and not clear_target:
        if not (area and cue(norm, AREA_CONTENT) and not cue(norm, DUE_STRICT)):
            q.area = area if area and not _target_beats_area(target_hits, area) else None
            return _set(q, "due")

    # the areas of the plan
    if cue(norm, AREAS_LIST) and not (area and cue(norm, ("chi tieu", "target*"))):
        return _set(q, "areas")

    # the plan itself
    topic = _plan_topic(norm, len(cleaned.split()))
    if topic == "phases" and (area or (hits and hits[0].confidence >= WITH_CUE)) and \
            (q.phase is not None or slots.year_range(norm) or not cue(norm, PLAN)):
        # "… giai đoạn 2021-2023" about a target names a phase, not the phases; "kế hoạch này
        # áp dụng cho giai đoạn nào" asks the plan's
        topic = None
    if topic is not None and not code_target:
        return _set(q, "plan", topic=topic)

    # status and progress
    if cue(norm, STATUS) and not code_target:
        named_area = area is not None and (cue(norm, AREA_WORDS) or
                                           not _target_beats_area(target_hits, area))
        best = None if named_area else _best_target(target_hits, None, STRONG)
        if best is not None:
            q.target = best
            return _set(q, "target", topic="progress")
        q.area = area
        return _set(q, "status")
    if cue(norm, PROGRESS):
        best = code_target or _best_target(target_hits, area, with_cue)
        if best is not None:
            q.target = best
            return _set(q, "target", topic="progress")
        q.area = area
        return _set(q, "status")

    # targets and areas by name
    if cue(norm, TARGET_COUNT) and not code_target:
        if area:
            q.area = area
            return _set(q, "area")
        return _set(q, "plan", topic="targets")
    if code_target:
        q.target = code_target
        return _set(q, "target")
    asks_value = cue(norm, VALUE) or cue(norm, DEADLINE)
    floor = with_cue if asks_value else STRONG
    best_target = _best_target(target_hits, area, floor)
    if area is not None and best_target is None and asks_value \
            and not cue(norm, AREA_CONTENT):
        # "tinh giản biên chế bao nhiêu %"; "mảng bộ máy: tự chủ tài chính bao nhiêu %" when
        # the target explains the question well
        inside = _best_target(target_hits, None, STRONG if cue(norm, AREA_WORDS) else floor)
        if inside is not None and inside.area_code == area.code:
            best_target = inside
    choices = _close(target_hits, floor)
    if area and best_target is None and by_alias and len(choices) > 1 and \
            not cue(norm, AREA_CONTENT) and choices[0].score > area_hit.score:
        q.choices = [h.entity.item for h in choices]  # "tự chủ tài chính": TCBM-2 or TCC-2?
        return _set(q, "choose")
    if area and best_target is None:
        if asks_value or cue(norm, AREA_CONTENT) or cue(norm, AREA_WORDS) or \
                len(words) <= 5:
            q.area = area
            return _set(q, "area")
    if best_target is not None:
        q.target = best_target
        return _set(q, "target")
    if len(choices) > 1:
        q.choices = [h.entity.item for h in choices]
        return _set(q, "choose")
    best = _clear(hits, STRONG)
    if best is not None:
        _take(q, best)
        kind = best.entity.kind
        return _set(q, {"target": "target", "area": "area", "obligation": "obligation",
                        "review": "review"}[kind])
    if asks_value and cue(norm, ("chi tieu", "muc tieu", "target*", "goal")):
        return _set(q, "not_found", topic="target")
    return q


def _merge(hits: list[Hit], more: list[Hit]) -> list[Hit]:
    """Two searches' hits, each plan item with its better one, best first."""
    best: dict[str, Hit] = {}
    for h in [*hits, *more]:
        key = f"{h.entity.kind}:{h.entity.code}"
        if key not in best or h.score > best[key].score:
            best[key] = h
    return sorted(best.values(), key=lambda h: (-h.score, -h.confidence, h.entity.code))


_SHARE_ASKED = re.compile(r"(?<![a-z])(?:%|phan tram|ty le|percent\w*)")


def _set(q: Question, intent: str, topic: str | None = None) -> Question:
    q.intent = intent
    if topic is not None:
        q.topic = topic
    if intent == "choose" and _SHARE_ASKED.search(normalise(q.text)):
        # "tự chủ tài chính 2025 bn %": of the close targets, the one counted in percent
        shares = [tg for tg in q.choices if tg.unit == Unit.PERCENT]
        if len(shares) == 1:
            q.intent, q.target = "target" if q.topic != "who" else "who", shares[0]
    return q


def _take(q: Question, hit: Hit) -> None:
    kind = hit.entity.kind
    if kind == "target":
        q.target = hit.entity.item
    elif kind == "obligation":
        q.obligation = hit.entity.item
    elif kind == "area":
        q.area = hit.entity.item
    elif kind == "review":
        q.review = hit.entity.item


def _beyond_area(hit: Hit, area: AreaInfo) -> bool:
    """Does a target hit explain words that the area's own name and aliases do not?"""
    area_words: set[str] = set()
    for phrase in (area.name, area.name_en, *area.aliases):
        area_words |= set(tokens(normalise(phrase)))
    return any(" " not in f and f not in area_words for f in hit.matched)


def _target_beats_area(target_hits: list[Hit], area: AreaInfo) -> bool:
    return bool(target_hits) and target_hits[0].confidence >= WITH_CUE and \
        _beyond_area(target_hits[0], area) and \
        (len(target_hits) == 1 or target_hits[1].score < 0.85 * target_hits[0].score)


def _best_target(target_hits: list[Hit], area: AreaInfo | None,
                 floor: float = WITH_CUE) -> TargetInfo | None:
    best = _clear(target_hits, floor)
    if best is None:
        return None
    if area is not None and not _beyond_area(best, area):
        return None
    return best.entity.item


def _review_for(snap: PlanSnapshot, norm: str) -> ReviewInfo | None:
    kinds = ((*MIDTERM, "mid"), (*FINAL, "final"))
    if all(cue(norm, words) for words in kinds):
        return None  # both: list them all
    for words in kinds:
        if cue(norm, words):
            for r in snap.reviews:
                if cue(normalise(f"{r.code} {r.name} {r.name_en}"), words):
                    return r
    return None


def _plan_topic(norm: str, typed_words: int) -> str | None:
    about_plan = cue(norm, PLAN)
    if cue(norm, DISSOLVED):
        return "successor" if cue(norm, SUCCESSOR) else "status"
    if cue(norm, ISSUER):
        return "issuer"
    if _PHASES_ASKED.search(norm):  # "mấy giai đoạn, mỗi giai đoạn đến năm nào"
        return "phases"
    if about_plan and cue(norm, PLAN_STATUS):  # its card says when it was issued too
        return "status"
    if cue(norm, ISSUED) and (about_plan or cue(norm, ("ban hanh", "issued"))):
        return "issued"
    if cue(norm, ("con hieu luc", "het hieu luc", "in force", "superseded")):
        return "status"
    if cue(norm, PURPOSE) and (about_plan or cue(norm, ("muc dich",))):
        return "purposes"
    if cue(norm, LEGAL) and (about_plan or cue(norm, ("can cu van ban", "can cu vao",
                                                       "can cu nhung", "can cu gi"))):
        return "legal"  # "căn cứ văn bản nào" after "kế hoạch ký ngày nào" is the plan's
    if cue(norm, REQUIREMENTS):
        return "requirements"
    if about_plan and cue(norm, NUMBER):
        return "meta"
    if about_plan and cue(norm, ABOUT):  # "kế hoạch này về cái gì", "what is the plan about"
        return "meta"
    if about_plan and typed_words <= 3:
        return "meta"
    return None
