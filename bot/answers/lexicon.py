"""A question's words as the plan says them: English words (data/lexicon/en-vi.yaml) and
everyday Vietnamese and phone shorthand ("họp qua mạng", "làm gọn giấy tờ", "tgian";
data/lexicon/vi-everyday.yaml), both written from the plan's text; and the parts of an
administrative document asked for by the document's own names. The structured answerer searches
the plan's items with them too and the text answerer its passages; the intents still read the
question's own words."""

from __future__ import annotations

import re

import yaml

from bot.answers.normalise import normalise
from bot.core.settings import ROOT

LEXICON = ROOT / "data" / "lexicon" / "en-vi.yaml"
EVERYDAY_LEXICON = ROOT / "data" / "lexicon" / "vi-everyday.yaml"
# words of the question's form that the intents read in English ("due", "who is responsible"):
# said in Vietnamese they would only pull the search towards the passage of the same words
FORM_WORDS = frozenset({"plan", "target", "phase", "owner", "responsible", "coordinate",
                        "progress", "deadline", "due", "month", "year", "quarter", "report",
                        "due date", "field", "finish", "goal", "handle", "in charge", "increase",
                        "lead", "legal", "milestone", "objective", "percent", "recipient",
                        "roadmap", "schedule", "send", "signature", "submit", "summary", "task"})

# the ones said here win over the lexicon's (data/lexicon/en-vi.yaml, written from the plan);
# a plan's funding is "kinh phí", a word Plan 737 never uses: asked, the plan does not say
_CHOSEN = {
    "quality management": "quan ly chat luong", "standard": "tieu chuan",
    "standards": "tieu chuan", "documents": "van ban", "document": "van ban",
    "based on": "can cu", "basis": "can cu", "budget": "kinh phi",
    "funding": "kinh phi", "cost": "kinh phi", "costs": "kinh phi",
    "online meetings": "cuoc hop truc tuyen", "online meeting": "cuoc hop truc tuyen",
    "meetings": "cuoc hop", "legal documents": "van ban quy pham phap luat",
    "concretised": "cu the hoa", "concretized": "cu the hoa",
    "institutional reform": "cai cach the che", "recipients": "noi nhan",
    "sent to": "noi nhan", "signed": "nguoi ky", "signs": "nguoi ky", "signer": "nguoi ky",
    "reviewed": "so ket tong ket", "reviews": "so ket tong ket",
    "schools": "don vi truong hoc", "school": "truong hoc", "principles": "nguyen tac",
    "principle": "nguyen tac", "motto": "phuong cham", "slogan": "phuong cham",
    "emulation": "thi dua", "competition": "thi dua", "quarterly": "quy",
    "reporting": "bao cao", "report": "bao cao", "reports": "bao cao",
    "digital skills": "ky nang so", "training": "tap huan boi duong",
    "satisfaction": "hai long", "administrative procedures": "thu tuc hanh chinh",
    "e government": "chinh quyen dien tu", "digital government": "chinh quyen so",
    "staff": "bien che", "payroll": "bien che", "autonomy": "tu chu",
    "financial": "tai chinh", "finance": "tai chinh", "discipline": "ky luat",
    "smart school": "truong hoc thong minh", "corruption": "tham nhung",
    "purpose": "muc dich", "requirements": "yeu cau", "tasks": "nhiem vu",
    "responsibilities": "trach nhiem", "responsibility": "trach nhiem",
    "iso": "iso", "review": "so ket tong ket", "final review": "tong ket",
    "mid term review": "so ket", "issued": "ban hanh", "period": "giai doan",
    "receives": "noi nhan", "receive": "noi nhan", "staff reduction": "tinh gian bien che",
    "staff cuts": "tinh gian bien che", "downsizing": "tinh gian bien che",
    "one stop": "mot cua", "one stop shop": "mot cua lien thong", "propaganda": "tuyen truyen",
    "communication": "tuyen truyen", "awareness": "tuyen truyen", "savings": "tiet kiem",
    "waste": "lang phi", "public finance": "tai chinh cong", "civil service": "cong vu",
    "job rotation": "chuyen doi vi tri cong tac", "decree": "nghi dinh",
    "resolution": "nghi quyet", "urban government": "chinh quyen do thi",
    "database": "co so du lieu", "smart city": "thanh pho thong minh",
    "information technology": "cong nghe thong tin",
    "ethics": "dao duc nghe nghiep", "units": "don vi", "unit": "don vi",
    "self financing": "tu chu tai chinh", "self financed": "tu chu tai chinh",
    "simplified": "don gian hoa", "simplify": "don gian hoa", "on time": "dung han",
    "principal": "nguoi dung dau", "head of office": "truong phong",
    "returns": "tra lai", "return": "tra lai", "returned": "tra lai", "file": "ho so",
    "dossier": "ho so", "application": "ho so", "several times": "nhieu lan",
    "harass": "nhung nhieu", "harassment": "nhung nhieu", "punish": "ky luat",
    "punished": "ky luat", "penalty": "ky luat", "head": "nguoi dung dau",
    "meeting": "cuoc hop", "online": "truc tuyen", "procedures": "thu tuc hanh chinh",
    "procedure": "thu tuc hanh chinh", "target": "chi tieu", "targets": "chi tieu",
    "lower secondary": "trung hoc co so", "secondary school": "trung hoc co so",
    "primary": "tieu hoc", "primary school": "tieu hoc", "preschool": "mam non",
    "kindergarten": "mam non", "nursery": "mam non",
    "appendix": "phu luc", "annex": "phu luc", "according to": "theo", "as per": "theo",
    "reform": "cai cach", "cut": "tinh gian", "cuts": "tinh gian", "reduce": "giam",
    "reduced": "giam", "reduction": "giam", "organisation": "to chuc bo may",
    "organization": "to chuc bo may", "apparatus": "bo may", "institutions": "the che",
    "institutional": "the che", "civil servants": "can bo cong chuc",
    "public service": "dich vu cong", "public services": "dich vu cong",
    "direction": "chi dao dieu hanh", "leadership": "chi dao dieu hanh",
}


def _load(path) -> dict[str, str]:
    words = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {str(k): str(v) for k, v in (words or {}).items()}


def _alternation(keys) -> str:
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


# the plan's words as the search sees them: its abbreviations spelled out ("dvctt")
ENGLISH = {**{k.lower(): normalise(v) for k, v in _load(LEXICON).items()
              if k not in FORM_WORDS}, **_CHOSEN}
_ENGLISH = re.compile(rf"(?<![a-z])({_alternation(ENGLISH)})(?:s|es|ed|ing)?(?![a-z])")
EVERYDAY = {key: value for key, value in ((normalise(k), normalise(v))
                                          for k, v in _load(EVERYDAY_LEXICON).items())
            if key and key != value}
_EVERYDAY = re.compile(rf"(?<![a-z0-9/])({_alternation(EVERYDAY)})(?![a-z0-9/])")


# how people ask for the parts of an administrative document, as the document names them
PARTS = {"gui cho": "noi nhan", "gui den": "noi nhan", "gui toi": "noi nhan",
         "gui nhung noi": "noi nhan", "sent to": "noi nhan",
         # the plan's legal basis, not "cấp ngân sách dựa trên kết quả"
         "ke hoach dua tren": "ke hoach can cu thuc hien",
         "ke hoach dua vao": "ke hoach can cu thuc hien",
         "dua tren van ban": "can cu van ban", "dua tren nhung van ban": "can cu van ban",
         "dua vao van ban": "can cu van ban", "dua vao nhung van ban": "can cu van ban"}
_PARTS = re.compile(r"(?<![a-z])(" + "|".join(
    re.escape(k) for k in sorted(PARTS, key=len, reverse=True)) + r")(?![a-z])")


def english_words(text: str):
    """The lexicon's English words and phrases in a folded text, as matches (group 1)."""
    return _ENGLISH.finditer(text)


def plan_words(normalised: str) -> str:
    """A normalised question with its English and everyday words replaced by the plan's words
    for them, and the parts of a document asked for by the document's own names."""
    # everyday words first: the plan's words an English word became are not rewritten again
    text = _EVERYDAY.sub(lambda m: EVERYDAY[m.group(1)], normalised)
    text = _ENGLISH.sub(lambda m: ENGLISH[m.group(1)], text)
    return _PARTS.sub(lambda m: PARTS[m.group(1)], text)



