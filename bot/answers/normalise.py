"""Questions as officials type them, made comparable: NFC, lower case, no tone marks, đ→d, the
glossary's abbreviations spelled out, and the usual spelling variants ("kĩ"/"kỹ", "quí"/"quý")
merged. The plan's own words go through the same function, so both sides meet half way.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.text import fold, nfc

# Abbreviations of /work/shared/docs/domain-glossary.md, and the chat shorthand people use.
# Keys are folded and may span several words (matched on word boundaries, longest first).
ABBREVIATIONS: dict[str, str] = {
    "cchc": "cai cach hanh chinh",
    "tthc": "thu tuc hanh chinh",
    "dvctt": "dich vu cong truc tuyen",
    "dvc": "dich vu cong",
    "vbqppl": "van ban quy pham phap luat",
    "vb qppl": "van ban quy pham phap luat",
    "qppl": "quy pham phap luat",
    "sipas": "sipas muc do hai long",
    "par index": "par index chi so cai cach hanh chinh",
    "parindex": "par index chi so cai cach hanh chinh",
    "papi": "papi",
    "cb cc vc": "can bo cong chuc vien chuc",
    "cbccvc": "can bo cong chuc vien chuc",
    "cbcc": "can bo cong chuc",
    "cbgvnv": "can bo giao vien nhan vien",
    "dvsn": "don vi su nghiep",
    "dv su nghiep": "don vi su nghiep",
    "vb": "van ban",
    "cq do thi": "chinh quyen do thi",
    "gd nao": "giai doan nao",
    "mn": "mam non",
    "th": "tieu hoc",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "gd dt": "giao duc dao tao",
    "gddt": "giao duc dao tao",
    "pgd": "phong giao duc dao tao",
    "pgddt": "phong giao duc dao tao",
    "sgd": "so giao duc dao tao",
    "sgddt": "so giao duc dao tao",
    "kh": "ke hoach",
    "bc": "bao cao",
    "qd": "quyet dinh",
    "nd cp": "nghi dinh",
    "nd": "nghi dinh",
    "nq": "nghi quyet",
    "pakn": "phan anh kien nghi",
    "cntt": "cong nghe thong tin",
    "cm": "chuyen mon",
    "to cm": "to chuyen mon",
    "dc": "duoc",
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "hok": "khong",
    "hem": "khong",
    "bn": "bao nhieu",
    "thg": "thang",
    "ng": "nguoi",
    "cv": "cv",
    "bnhieu": "bao nhieu",
    "j": "gi",
    "ntn": "nhu the nao",
    "nv": "nhiem vu",
    "tp": "thanh pho",
    "vs": "voi",
    # teen code and phone shorthand
    "hk": "khong",
    "hong": "khong",
    "khg": "khong",
    "z": "vay",
    "v": "vay",
    "dz": "vay",
    "nhiu": "nhieu",
    "bnh": "bao nhieu",
    # "e" for "em" only where it cannot be English ("e-government")
    "cua e": "cua em",
    "cho e": "cho em",
    "e hoi": "em hoi",
    "e duoc": "em duoc",
    "e phu trach": "em phu trach",
    "e phoi hop": "em phoi hop",
    "e phai": "em phai",
    "e can": "em can",
    "e bao cao": "em bao cao",
    "e bc": "em bao cao",
    "e da": "em da",
    "e nop": "em nop",
    "e gui": "em gui",
    "e lam": "em lam",
    "viec e": "viec em",
    "mk": "minh",
    "r": "roi",
    "ji": "gi",
    "gv": "giao vien",
    "hs": "hoc sinh",
    "hs tthc": "ho so thu tuc hanh chinh",
    "mn oi": "moi nguoi oi",
    # "… vậy mn", "… ko mn": "mọi người" addressed at the end, not "mầm non" — dropped
    **{f"{p} mn": said for p, said in (
        ("vay", "vay"), ("z", "vay"), ("v", "vay"), ("nhe", "nhe"), ("nha", "nha"), ("a", "a"),
        ("ak", "a"), ("ha", "ha"), ("ko", "khong"), ("k", "khong"), ("khong", "khong"),
        ("hk", "khong"), ("oi", "oi"), ("voi", "voi"), ("nhi", "nhi"))},
    "ae": "anh em",
    "trg": "truong",
    "ngta": "nguoi ta",
    "kq": "ket qua",
    "cbgv": "can bo giao vien",
    "may gd": "may giai doan",
    "moi gd": "moi giai doan",
    "cac gd": "cac giai doan",
    "2 gd": "2 giai doan",
    "hai gd": "hai giai doan",
    "lm": "lam",
    "nhg": "nhung",
    "nhug": "nhung",
    "gd1": "giai doan 1",
    "gd2": "giai doan 2",
    "vd": "vi du",
    "phong gd": "phong giao duc",
    "so gd": "so giao duc",
    "nganh gd": "nganh giao duc",
    "bik": "biet",
    "trc": "truoc",
    "ng ta": "nguoi ta",
    "dk": "duoc",
    "bit": "biet",
    "hum": "hom",
    "ntn z": "nhu the nao vay",
    "sao z": "sao vay",
}

# The plan's acronyms with their words as typed with tones: a question that spells "mầm non" out
# asks what the plan writes "MN" (the text index knows the toned words of both)
TONED_EXPANSIONS = {"mn": "mầm non", "th": "tiểu học", "thcs": "trung học cơ sở",
                    "thpt": "trung học phổ thông", "cchc": "cải cách hành chính",
                    "tthc": "thủ tục hành chính", "cntt": "công nghệ thông tin",
                    "ubnd": "ủy ban nhân dân", "hdnd": "hội đồng nhân dân",
                    "gddt": "giáo dục đào tạo", "dvctt": "dịch vụ công trực tuyến",
                    "qppl": "quy phạm pháp luật", "dvsn": "đơn vị sự nghiệp",
                    "cbccvc": "cán bộ công chức viên chức", "pgddt": "phòng giáo dục đào tạo"}

# Same word, two spellings (the i/y of "kĩ/kỹ", "lí/lý", "quí/quý", "tỉ/tỷ").
VARIANTS = {"ki": "ky", "li": "ly", "mi": "my", "si": "sy", "ti": "ty", "qui": "quy"}

# words of a question's form beyond the intents' cues: comparing, asking, addressing
FORM = frozenset("""
khac nhau so sanh them moi truoc sau cao hon thap chenh lech bang nhu nao the
oi hoi cho biet giup voi nhe nha a ak ha hay duoc dung sai roi chua xong
chuyen cai kia do nay nhi the sao vay thoi ma ay day thieu con
vuot chiem lau lan gan chang neu giua chung
len xuong
thuc te
""".split())

# a Vietnamese syllable, folded: what a word the plan lacks looks like (not "asdkjh", not
# "internal")
SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                      r"[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$")
_KEEP = re.compile(r"[^a-z0-9%/\-\s]")
_SPACES = re.compile(r"\s+")
_ABBR = re.compile(
    r"(?<![a-z0-9])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len,
                                                           reverse=True)) + r")(?![a-z0-9])"
)
_TOKEN = re.compile(r"[a-z]+|\d+|%")


def clean(text: str) -> str:
    """Folded text with only letters, digits, %, / and - left (so "Q.II/2025" keeps its
    shape), "&" and punctuation turned into spaces."""
    folded = fold(nfc(text or ""))
    folded = re.sub(r"(?<![a-z])d/c(?![a-z])", " dong chi ", folded)  # "Đ/c Hoà"
    folded = folded.replace("&", " ").replace("_", " ")
    # between words a hyphen or slash is a space ("CB-CC-VC"); between digits it stays a range
    # or a date (2021-2023, 01/6/2025)
    folded = re.sub(r"(?<=[a-z])[-/]|[-/](?=[a-z])", " ", folded)
    return _SPACES.sub(" ", _KEEP.sub(" ", folded)).strip()


# "gđ 2", "gđ1", "gđ 2021-2023": a phase, not "Sở GD"
_PHASE = re.compile(r"(?<![a-z0-9])gd\s*(\d(?![0-9])|(?=20\d\d))")


# "gđ 21-23", "2024-25": years of a phase written short
_SHORT_RANGE = re.compile(r"(?<![\d/.])(?:20)?(2\d)\s*-\s*(?:20)?(2\d)(?![\d/%.])")


def _years(m: re.Match) -> str:
    first, last = int(m.group(1)), int(m.group(2))
    return f"20{first}-20{last}" if 0 < last - first <= 5 else m.group(0)


def expand(cleaned: str) -> str:
    cleaned = _SHORT_RANGE.sub(_years, cleaned)
    out = _ABBR.sub(lambda m: ABBREVIATIONS[m.group(1)], _PHASE.sub(r"giai doan \1", cleaned))
    return " ".join(VARIANTS.get(w, w) for w in out.split())


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """The comparable form of a question or of the plan's words."""
    return expand(clean(text))


def tokens(normalised: str) -> list[str]:
    return _TOKEN.findall(normalised)


def has_phrase(normalised: str, phrase: str) -> bool:
    """Does the normalised text contain the normalised phrase on word boundaries?"""
    if not phrase:
        return False
    return f" {phrase} " in f" {normalised} "
