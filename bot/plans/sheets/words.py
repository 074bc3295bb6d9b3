"""Reading officials' wording in a plan spreadsheet: column headings, requirements written as
text ("tối thiểu 50%", "trên 85%", "từ 90 đến 95%", "giảm 10%", "Top 10"), deadlines written any
usual way, and the people cells ("Đ/c Diệu Anh (bộ phận văn phòng)", "Các tổ chuyên môn: MN; TH").

Pure functions on strings and cell values, so `bot.paperwork.plan_sheets` stays about the layout.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.text import fold, fold_in_place
from bot.core.vocab import Unit
from bot.plans.deadlines import ROMAN

# --- headings ----------------------------------------------------------------------------------

MAIN_FIELDS: dict[str, tuple[str, ...]] = {
    "tt": ("tt", "stt", "so tt", "so thu tu", "thu tu"),
    "area": ("linh vuc", "tieu chi", "linh vuc cai cach", "noi dung cai cach", "nhom tieu chi",
             "linh vuc tieu chi"),
    "code": ("ma chi tieu", "ma", "ma so", "ky hieu"),
    "name": ("ten chi tieu", "ten ngan", "ten goi"),
    "target": ("chi tieu can dat", "chi tieu", "muc tieu", "chi tieu phan dau",
               "yeu cau can dat", "ket qua can dat", "noi dung", "noi dung cong viec"),
    "text": ("noi dung chi tieu",),
    "value": ("gia tri", "muc can dat", "gia tri can dat", "chi so", "so lieu", "muc chi tieu"),
    "value_max": ("gia tri toi da", "den muc"),
    "comparison": ("so sanh", "dieu kien", "kieu so sanh"),
    "unit": ("don vi tinh", "dvt", "don vi do"),
    "deadline": ("thoi han", "thoi han hoan thanh", "thoi gian hoan thanh", "han hoan thanh",
                 "thoi gian", "han", "moc thoi gian"),
    "phase": ("giai doan", "lo trinh", "giai doan thuc hien"),
    "year": ("nam", "nam thuc hien"),
    "responsible": ("nguoi thuc hien", "chu tri", "don vi chu tri", "nguoi phu trach",
                    "phu trach", "can bo thuc hien", "don vi thuc hien", "trach nhiem thuc hien",
                    "nguoi chu tri", "ca nhan thuc hien", "can bo phu trach"),
    "coordinators": ("nguoi phoi hop", "phoi hop", "don vi phoi hop", "can bo phoi hop",
                     "ca nhan phoi hop"),
    "source": ("nguon", "can cu", "trich dan"),
    "name_en": ("ten tieng anh", "tieng anh"),
    "measured_per": ("do theo", "pham vi do", "pham vi"),
    "baseline_year": ("nam goc", "so voi nam", "nam co so"),
    "keywords": ("tu khoa",),
    "note": ("ghi chu",),
}


def heading_key(text: object) -> str:
    """"Chỉ tiêu cần đạt:" → "chi tieu can dat": folded, punctuation gone."""
    return re.sub(r"[^a-z0-9]+", " ", fold(str(text or ""))).strip()


def _score(key: str, synonym: str) -> float:
    if key == synonym:
        return 100.0
    specific = " " in synonym or len(synonym) >= 5
    if specific and re.search(rf"(^| ){re.escape(synonym)}( |$)", key):
        return 80.0 + min(len(synonym), 19) / 2
    if specific and len(key) >= 4:
        ratio = fuzz.ratio(key, synonym)
        if ratio >= 85:
            return ratio - 15.0
    return 0.0


def match_headings(cells: list[object],
                   fields: dict[str, tuple[str, ...]] = MAIN_FIELDS) -> dict[int, str]:
    """Column index → field, each field to one column: exact headings first, then headings
    that contain a known phrase, then near misses (a typo, a missing word)."""
    candidates = []
    for col, cell in enumerate(cells):
        key = heading_key(cell)
        if not key:
            continue
        for name, synonyms in fields.items():
            best = max(_score(key, s) for s in synonyms)
            if best:
                candidates.append((best, -col, name, col))
    candidates.sort(reverse=True)
    by_col: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, name, col in candidates:
        if col not in by_col and name not in taken:
            by_col[col] = name
            taken.add(name)
    return by_col


# --- requirements written as text --------------------------------------------------------------

_NUM = r"(\d+(?:[.,]\d+)?)"
_QUALIFIERS = (  # folded words just before a number, and the comparison they make
    ("khong vuot qua", "at_most"), ("khong qua", "at_most"), ("toi da", "at_most"),
    ("thap hon", "at_most"), ("it hon", "at_most"), ("duoi", "at_most"),
    ("khong duoi", "at_least"), ("khong thap hon", "at_least"), ("khong it hon", "at_least"),
    ("toi thieu", "at_least"), ("it nhat", "at_least"), ("dat", "at_least"),
    ("giam", "at_least"), ("tang", "at_least"),
    ("cao hon", "more_than"), ("vuot", "more_than"), ("tren", "more_than"), ("hon", "more_than"),
)
_COUNT_NOUNS = ("van ban", "cuoc", "hoi nghi", "lop", "nguoi", "don vi", "truong", "ho so",
                "thu tuc", "tthc", "dot", "buoi", "lan", "bai", "khoa", "sang kien", "mo hinh",
                "ke hoach", "bao cao", "cuoc hop", "dich vu")


@dataclass(frozen=True)
class Guess:
    """A requirement read from text: what was found, and the words it was read from."""

    unit: str  # percent | rank | count | boolean
    comparison: str
    value: float | None = None
    value_max: float | None = None
    words: str = ""  # the part of the text it came from ("tối thiểu 50%")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _qualifier(before: str) -> tuple[str, int | None]:
    """The comparison the words right before a number make ("trên" → more_than), and where
    those words start."""
    offset = max(0, len(before) - 30)
    window = before[offset:]
    best: tuple[int, int, str, int] | None = None
    for words, comparison in _QUALIFIERS:
        for found in re.finditer(rf"(?<![a-z]){re.escape(words)}(?![a-z])", window):
            rank = (found.end(), len(words))
            if best is None or rank > best[:2]:
                best = (*rank, comparison, offset + found.start())
    if best is None:
        return "at_least", None
    return best[2], best[3]


def _is_year(text: str, start: int, raw: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", raw)) or text[max(0, start - 4):start] == "nam "


def guess_requirement(text: str, unit_hint: str | None = None) -> Guess:
    """The requirement a sentence states. Without any number it is a yes/no (done) target.
    `words` is the part of `text` (as written) it was read from."""
    text = text or ""
    folded = fold_in_place(text)
    if match := re.search(rf"(?:tu\s+)?{_NUM}\s*%?\s*(?:den|-|–|—|toi)\s*{_NUM}\s*%", folded):
        low, high = _number(match.group(1)), _number(match.group(2))
        if low <= high <= 100:
            return Guess("percent", "range", low, high, text[match.start():match.end()])
    if match := re.search(r"(?<![a-z])top\s*(\d+)", folded) or re.search(
            r"(?<![a-z])nhom\s*(\d+)\s*(?:[a-z ]{0,30}?)dan dau", folded):
        return Guess("rank", "top", float(match.group(1)), None,
                     text[match.start():match.end()])
    if match := re.search(rf"{_NUM}\s*%", folded):
        comparison, start = _qualifier(folded[:match.start()])
        return Guess("percent", comparison, _number(match.group(1)), None,
                     text[start if start is not None else match.start():match.end()].strip())
    for match in re.finditer(_NUM, folded):
        raw = match.group(1)
        if _is_year(folded, match.start(), raw):
            continue
        after = folded[match.end():match.end() + 14].strip()
        if unit_hint == Unit.COUNT or after.startswith(_COUNT_NOUNS):
            comparison, start = _qualifier(folded[:match.start()])
            end = match.end() + len(folded[match.end():match.end() + 14].rstrip())
            return Guess("count", comparison, _number(raw), None,
                         text[start if start is not None else match.start():end].strip())
    return Guess("boolean", "done")


UNIT_WORDS = {"percent": "%", "rank": "thứ hạng", "count": "số lượng", "boolean": "có/không"}


def parse_unit(text: object) -> str | None:
    """"%" · "tỷ lệ" · "thứ hạng" · "có/không" · any counted noun ("văn bản") → count."""
    key = fold(str(text or "")).strip()
    if not key:
        return None
    if key in ("percent", "rank", "count", "boolean"):
        return key
    if "%" in key or key.startswith(("phan tram", "ty le", "ti le")):
        return "percent"
    if key.startswith(("hang", "thu hang", "xep hang", "top")):
        return "rank"
    if re.sub(r"[^a-z]", "", key) in ("cokhong", "datkhongdat", "datchuadat", "hoanthanh"):
        return "boolean"
    return "count"


COMPARISON_WORDS = {"at_least": "tối thiểu", "more_than": "trên", "at_most": "tối đa",
                    "range": "từ ... đến", "top": "top", "done": "hoàn thành"}


def parse_comparison(text: object) -> str | None:
    key = fold(str(text or "")).strip()
    if not key:
        return None
    if key in COMPARISON_WORDS:
        return key
    if key == "range" or key.startswith("khoang") or ("tu" in key.split() and "den" in key):
        return "range"
    for words, comparison in (
            (("≥", ">=", "toi thieu", "it nhat", "khong duoi", "dat"), "at_least"),
            (("≤", "<=", "toi da", "khong qua", "khong vuot", "duoi"), "at_most"),
            ((">", "tren", "hon", "vuot"), "more_than"),
            (("top", "xep hang"), "top"),
            (("hoan thanh", "done", "co khong"), "done")):
        if key.startswith(words):
            return comparison
    return None


# --- dates -------------------------------------------------------------------------------------

_ARABIC = {v.lower(): k for k, v in ROMAN.items()}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(value: object) -> dt.date | None:
    """A date cell, "31/12/2025", "2025-12-31", "quý IV/2025", "tháng 11/2023", "11/2023",
    "năm 2025", "2021-2023" (the end of the last year), 2025; None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.date(int(value), 12, 31) if 1900 <= value <= 2200 and value == int(value) \
            else None
    key = fold(str(value or "")).strip()
    if not key:
        return None
    try:
        if match := re.fullmatch(r"(?:ngay\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})",
                                 key):
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", key):
            return dt.date.fromisoformat(match.group(0))
        if match := re.search(r"quy\s*(iv|i{1,3}|[1-4])\s*(?:/|nam|-|\s)+\s*(\d{4})", key):
            quarter = _ARABIC.get(match.group(1)) or int(match.group(1))
            return _month_end(int(match.group(2)), quarter * 3)
        if match := re.fullmatch(r"(?:thang\s*)?(\d{1,2})\s*(?:/|nam|-|\s)+\s*(\d{4})", key):
            return _month_end(int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    years = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", key)
    if years and re.fullmatch(r"[a-z\s]*(?:19|20)\d\d(?:\s*(?:-|–|den|va nam|va)\s*"
                              r"(?:19|20)\d\d)?[a-z\s]*", key):
        return dt.date(max(int(y) for y in years), 12, 31)
    return None


def years_in(text: str) -> list[int]:
    return sorted({int(y) for y in re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", text or "")})


def is_phase_name(text: str) -> bool:
    """"Giai đoạn 2021-2023", "Năm 2024 và năm 2025" name phases; "Năm 2025" is a year."""
    key = fold(text or "")
    return "giai doan" in key or "lo trinh" in key or len(years_in(key)) >= 2


def lone_year(value: object) -> int | None:
    """"Năm 2025", "2025", 2025 → 2025; None for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if 1900 <= value <= 2200 and value == int(value) else None
    key = fold(str(value or ""))
    years = years_in(key)
    if len(years) == 1 and re.fullmatch(r"[a-z\s]*(?:19|20)\d\d\s*", key):
        return years[0]
    return None


def year_in_text(text: str) -> int | None:
    """"Đến năm 2023, ..." → 2023 (the year a sentence sets its target for)."""
    match = re.search(r"nam\s+((?:19|20)\d\d)(?!\d)", fold(text or ""))
    return int(match.group(1)) if match else None


# --- people ------------------------------------------------------------------------------------

_HONORIFIC = re.compile(r"^(?:đ/c|d/c|đ/\s*c|đồng chí|dong chi|ông|bà|ong|ba)\.?\s+",
                        re.IGNORECASE)
TITLE_WORDS = ("truong phong", "pho truong phong", "hieu truong", "pho hieu truong", "chu tich",
               "pho chu tich", "giam doc", "pho giam doc", "ke toan truong", "cong chuc",
               "chuyen vien", "van thu", "thu truong", "bi thu", "tong phu trach")
GROUP_WORDS = ("to ", "bo phan", "phong ", "ban ", "van phong", "cac ", "truong ", "don vi",
               "uy ban", "ubnd", "hoi dong", "nhom ", "lanh dao")


def _split_outside_parens(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch in separators and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip(" ,.;\t") for p in parts if p.strip(" ,.;\t")]


def split_people(text: object) -> list[str]:
    """One label per person: lines and semicolons separate people; "Đ/c A, Đ/c B" too; and
    "Các tổ chuyên môn: MN; TH; THCS" is three groups ("Tổ chuyên môn MN", ...)."""
    raw = str(text or "").replace("\r", "\n")
    parts = []
    for piece in _split_outside_parens(raw, "\n;"):
        parts.extend(p for p in re.split(r",\s*(?=(?:Đ/c|D/c|đ/c|d/c|Đồng chí)\s)", piece) if p)
    out, prefix = [], None
    for part in parts:
        if ":" in part and "(" not in part.split(":", 1)[0]:
            head, tail = (s.strip() for s in part.split(":", 1))
            if tail and len(tail) <= 12:
                prefix = re.sub(r"^(?:các|cac)\s+", "", head, flags=re.IGNORECASE)
                prefix = prefix[:1].upper() + prefix[1:]
                out.append(f"{prefix} {tail}")
                continue
        if prefix and len(part) <= 12 and " " not in part:
            out.append(f"{prefix} {part}")
            continue
        prefix = None
        out.append(part)
    return out


@dataclass(frozen=True)
class PersonText:
    name: str | None
    title: str | None
    department: str | None


def parse_person(label: str) -> PersonText:
    """"Đ/c Diệu Anh (bộ phận văn phòng)" → name + department; "Trưởng phòng GDĐT" → title;
    "Tổ chuyên môn MN" → a group (department)."""
    text = label.strip()
    honorific = bool(_HONORIFIC.match(text))
    text = _HONORIFIC.sub("", text).strip()
    department = None
    if match := re.search(r"\(([^()]*)\)\s*$", text):
        department = match.group(1).strip() or None
        text = text[:match.start()].strip()
    key = fold(text) + " "
    if honorific:
        return PersonText(text or None, None, department)
    if key.startswith(TITLE_WORDS):
        return PersonText(None, text, department)
    if key.startswith(GROUP_WORDS) and department is None:
        return PersonText(None, None, text)
    return PersonText(text or None, None, department)


def slug(text: str, sep: str = "_") -> str:
    """"Diệu Anh" → "DIEU_ANH"; "737/KH-PGDĐT" → "737_KH_PGDDT"."""
    return re.sub(r"[^A-Z0-9]+", sep, fold(text).upper()).strip(sep)


def initials(name: str, size: int = 6) -> str:
    """"Cải cách thủ tục hành chính" → "CCTTHC": a short area code."""
    words = re.findall(r"[a-z0-9]+", fold(name))
    return "".join(w[0] for w in words).upper()[:size] or "LV"


def target_key(text: str) -> str:
    """A target's wording without its figures, to find one target across phase rows:
    "40% số lượng TTHC được đơn giản hóa" and "80% số lượng ..." are the same target."""
    key = fold(text or "")
    key = re.sub(r"\d+(?:[.,]\d+)?\s*%?", " ", key)
    for words, _ in _QUALIFIERS:
        key = re.sub(rf"(?<![a-z]){re.escape(words)}(?![a-z])", " ", key)
    key = re.sub(r"(?<![a-z])(?:tu|den|phan dau|muc tieu)(?![a-z])", " ", key)
    return re.sub(r"[^a-z]+", " ", key).strip()


def same_target(a: str, b: str) -> bool:
    return bool(a) and (a == b or fuzz.token_sort_ratio(a, b) >= 90)
