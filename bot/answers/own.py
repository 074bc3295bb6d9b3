"""The asker's own work, per role: an officer's targets and reports (what they are responsible
for and what they coordinate, each with its figure and next deadline); a principal's school (what
it has not reported yet this quarter); a leader's team (who has not reported, with days since
their last report). "Việc của em", "chỉ tiêu của anh", "tổ em phối hợp gì", "my targets",
"trường mình còn thiếu báo cáo nào", "những ai chưa gửi số liệu"."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.answers import figures, slots, wording
from bot.answers.intents import COORDINATE, PARTNERS, WHO, OfficerRef, cue, find_people, phase_in
from bot.answers.normalise import has_phrase, normalise
from bot.answers.snapshot import PlanSnapshot, TargetInfo, cite
from bot.answers.target import each_school, selected_values
from bot.answers.who import who_of
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.formatting import fmt_date
from bot.core.replies import Reply
from bot.core.text import fold, nfc
from bot.core.vocab import TargetState
from bot.progress.wording import value_text
from bot.reporting import Refusal
from bot.reporting.history import History, history
from bot.reporting.rules import HISTORY_LIMIT
from bot.reporting.views import history_view
from storage import models as m

ME = r"(?:em|e|toi|minh|tui|tao|anh|a|chi)"  # "e", "a": how "em", "anh" are typed on phones
# the first person as the one who works: "em phụ trách", "tôi được giao", "a phối hợp"
_WORKS = (r"(?:duoc giao|duoc phan|phu trach|phoi hop|thuc hien|lam|co nhiem vu|dang|nhan|"
          r"chiu trach nhiem|"
          r"con|chua|da|bao cao|gui|nop|nhap|cap nhat|dung ten|lo|co dung|co phu|co phai|"
          r"co nhung|co chi tieu|co bao nhieu|bao(?! nhieu)|moi (?:bao|nop|gui)|"
          r"la nguoi (?:phoi hop|thuc hien|phu trach)|"
          # "em phải làm gì", not "em cần danh sách"
          r"(?:phai|can) (?:lam|nop|bao cao|gui|dat|hoan thanh|phu trach|phoi hop|lo|"
          r"thuc hien|gi|nhung))")
_ONLY = r"(?:chi |cung |van |thi )?"  # "em chỉ là người phối hợp", "chị cũng phụ trách"
# "ngành mình", "phòng mình": ours, the office's — not the asker's own work
_OURS = re.compile(r"(?<![a-z])(?:nganh|phong|quan|ke hoach|so|chung ta) (?:minh|em|toi|ta)"
                   r"(?![a-z])")
_OWN = re.compile(
    # "của em", "của tôi" whatever follows ("chỉ tiêu của em giờ đạt bao nhiêu")
    r"(?:cua|voi) (?:em|e|toi|minh|tui|tao)(?:\s|$)"
    # "của anh/chị" unless a name follows: only words that cannot be one
    r"|(?:cua|voi) (?:anh|a|chi|c)(?:\s+(?:la|trong|giai|nam|o|the|thi|co|gom|con|phai|can|gi|"
    r"nhe|theo|"
    r"a|vay|nay|bao|dat|hien|nhi|gio|roi|chua|da|duoc|ve|tien do|den dau|toi dau|\d+)"
    r"(?:\s|$)|\s*$)"
    rf"|(?:^|\s)(?:em|toi|minh|tui) {_ONLY}{_WORKS}(?:\s|$)"
    # "năm nay anh phải đạt", "mảng chị phụ trách" — not "cô Diệu Anh phụ trách"
    rf"|(?:^|(?:^|\s)(?:nay|thi|ma|va|con|la|mang|viec|phan|vuc|cai|nhung)\s)"
    rf"(?:anh|a|chi|c|e) {_ONLY}{_WORKS}(?:\s|$)"
    # "tổ em", "tổ e" — not "to e-government"
    r"|(?:^|\s)(?:to|bo phan|nhom) (?:em|e(?! government)|toi|minh|chung em|chung toi)(?:\s|$)"
    r"|(?:^|\s)(?:my|mine)(?:\s|$)|(?:^|\s)(?:am i|do i|have i|i have to|i must|"
    r"i am (?:responsible|in charge|assigned)|i coordinate)(?:\s|$)")
_SCHOOL = re.compile(r"(?:^|\s)(?:truong|don vi) (?:em|e|toi|minh|chung em|chung toi)(?:\s|$)"
                     # "trường chị đã nộp chưa": the asker's, when no name follows
                     r"|(?:^|\s)truong (?:chi|c|anh|a|co|thay)(?= (?:da|con|chua|bao cao|nop|"
                     r"gui|phai|can|co|duoc|minh)(?:\s|$))"
                     r"|(?:^|\s)(?:my|our) school")
_MISSING = ("chua bao cao", "chua nop", "chua gui", "con thieu", "thieu bao cao", "chua co so lieu",
            "not reported", "not yet reported", "missing", "haven t", "hasn t")
_GAP = ("con thieu", "so voi", "con cach", "how far")  # a figure's gap: the target's card
_HOW_FAR = ("bao nhieu", "so voi", "how much", "how far", "con cach", "thieu may")
_WHO_REPORTED = ("nhung ai gui", "nhung ai bao cao", "nhung ai da", "ai da gui", "ai da bao cao",
                 "ai gui bao cao", "ai gui bc", "co ai gui", "co ai bao cao", "ai nop roi",
                 "ai gui roi", "ai bao cao roi", "who has reported", "who reported",
                 "who has sent", "who sent")
_WHO_MISSING = ("ai chua", "nhung ai chua", "nguoi nao chua", "who has not", "who hasn t",
                "who haven t", "ai con thieu")
# "lần trước em báo cáo …", "tôi đã gửi số liệu gì", "my last report"
_MY_REPORTS = re.compile(
    rf"(?:^|\s)(?:{ME}|thay) (?:da |vua |moi )?(?:bao cao|bao(?! nhieu)|gui|nop|nhap|cap nhat)"
    r"(?:\s|$)"
    r"|(?:^|\s)bao cao(?: [a-z]+){0,3} cua (?:truong |to |bo phan )?(?:em|toi|minh)(?:\s|$)"
    r"|(?:^|\s)bao cao(?: [a-z]+){0,3} cua truong (?:chi|c|co|thay|anh|a)(?:\s|$)"
    r"|(?:^|\s)truong em (?:[a-z]+ ){0,2}(?:bao cao|nop|gui)(?:\s|$)"
    r"|(?:^|\s)(?:my (?:last|latest|recent|previous) reports?|did i report|i reported|"
    r"have i reported|(?:my|our) school (?:last |latest )?report(?:ed)?|did (?:my|our) school "
    r"report)(?:\s|$)")
_BEFORE = ("lan truoc", "lan cuoi", "gan nhat", "moi nhat", "gan day", "truoc do", "vua roi",
           "da bao cao", "may lan", "bao nhieu lan", "may roi", "tuan truoc", "thang truoc",
           "quy truoc",
           "da gui", "da nop", "bao cao chua", "nop chua", "gui chua", "hom nao", "ngay nao",
           "nao roi", "gi roi", "bao nhieu roi", "nhieu roi", "bao cao roi", "nop roi",
           "gui roi",
           "last", "latest", "previous", "recent*", "yet", "so far")
# "… báo cáo tiến độ chưa ạ": a question that ends asking whether it is done
_DONE_YET = re.compile(r"(?:^|\s)(?:roi )?chua(?: (?:a|nhi|vay|ha|nhe|the|ak|e|em|c|chi|anh))?"
                       r"\s*$")
# "đã đạt chỉ tiêu chưa", "báo cáo đến đâu rồi": where their figures stand
_PROGRESS_ASKED = ("dat chi tieu", "dat chua", "den dau", "toi dau", "the nao roi", "ra sao roi",
                   "on track", "reached")
_DEADLINE_ASKED = ("truoc ngay", "han", "deadline*", "due", "phai nop", "can nop")
LIMIT = 1400
COMPACT = 6  # an officer with more items than this sees each without its values …
VALUES_ASKED = ("bao nhieu", "chi tieu", "dat", "muc tieu", "%", "target*", "how much", "value*")
# … unless the question asks them


def asks_own(norm: str) -> bool:
    return bool(_OWN.search(_OURS.sub(" ", norm)))


def school_words(text: str, actor: Actor | None = None) -> str | None:
    """"trường mình phải báo cáo thế nào" → "đơn vị trường học phải báo cáo thế nào": the
    plan's words for the asker's own school (a principal's "việc của tôi" is the school's),
    or None when the question is not about it."""
    norm = normalise(text)
    if _SCHOOL.search(norm):
        return _SCHOOL.sub(" don vi truong hoc ", norm).strip()
    if actor is not None and actor.role == "principal" and asks_own(norm):
        return f"don vi truong hoc {_OWN.sub(' ', norm)}".strip()
    return None


def own_work(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor, text: str,
             today: dt.date, officers: list[OfficerRef]) -> Reply | None:
    """The asker's own work, reports and school, or None when the question is not about them
    (`officers`: the roster's active officers, read once by the caller)."""
    norm = normalise(text)
    if actor.officer_id is None:
        return None
    if cue(norm, _WHO_MISSING) and actor.role in ("leader", "admin"):
        return not_reported(engine, session, snap, actor, today)
    if cue(norm, _WHO_REPORTED) and actor.role in ("leader", "admin"):
        # "những ai gửi báo cáo tiến độ rồi": everyone's latest reports, newest first
        return _history_reply(history(engine, actor), actor)
    if _names_another(snap, actor, text, officers):
        # "chị Diệu Anh đã báo cáo gì chưa": hers, not the asker's ("anh đã báo cáo" inside)
        return their_reports(engine, session, snap, actor, text, officers)
    mine = " ".join(_SCHOOL.sub(" truong em ", norm).split())  # "trường chị đã nộp": the school
    reported_yet = asks_own(norm) and _DONE_YET.search(norm) and cue(norm, ("bao cao", "nop",
                                                                              "gui", "report*"))
    if (_MY_REPORTS.search(mine) or _MY_REPORTS.search(norm) or reported_yet) and \
            (cue(norm, _BEFORE) or _DONE_YET.search(norm) or cue(norm, _PROGRESS_ASKED)
             or _ON_DAY.search(norm) and cue(norm, ("bao nhieu", "la gi", "the nao"))) and \
            not cue(norm, _DEADLINE_ASKED) and (not cue(norm, _GAP) or actor.role == "principal"):
        if cue(norm, _PROGRESS_ASKED) and actor.role == "officer":
            # "em nộp 92 rồi, đã đạt chỉ tiêu chưa": their targets' figures against the goals
            work = officer_work(engine, session, snap, actor, norm, today)
            if work is not None:
                return work
        found = my_history(engine, actor, norm)
        reports = _history_reply(found, actor) or \
            Reply(t("answers.own.nothing", actor.language, name=actor.name, plan=""))
        if isinstance(found, History) and found.lines and actor.role == "principal" and \
                actor.unit_id is not None:
            # "trường mình báo 30/50, (đạt chỉ tiêu chưa)": the school's figures against the
            # goals, which a principal's next question is about
            return _with_goals(engine, session, snap, actor, found, reports, today)
        if isinstance(found, History) and not found.lines and actor.role == "officer":
            # none yet: what they are to report, so the answer says what to do next
            work = officer_work(engine, session, snap, actor, norm, today)
            if work is not None:
                return Reply(f"{reports.text}\n\n{work.text}", work.buttons)
        return reports
    theirs = their_reports(engine, session, snap, actor, text, officers)
    if theirs is not None:
        return theirs
    if asks_own(norm) and cue(norm, WHO) and (cue(norm, PARTNERS) or cue(norm, COORDINATE)):
        # "tôi phối hợp với ai", "chị phối hợp … người thực hiện chính là ai"
        department = session.get(m.Officer, actor.officer_id).department
        return who_of(session, snap, actor, [], [OfficerRef(actor.officer_id, actor.name,
                                                             department)], "partners")
    if _SCHOOL.search(norm) or (actor.role == "principal" and cue(norm, _MISSING)):
        if cue(norm, _HOW_FAR) and actor.role == "principal" and cue(norm, _AGAINST):
            # "trường mình còn thiếu gì so với chỉ tiêu": the school's figures against the goals
            found = my_history(engine, actor, norm)
            if isinstance(found, History) and found.lines and actor.unit_id is not None:
                return _with_goals(engine, session, snap, actor, found,
                                   _history_reply(found, actor), today)
        if cue(norm, _HOW_FAR):
            return None  # "còn thiếu bao nhiêu so với chỉ tiêu": one target's gap, not a list
        if cue(norm, _MISSING) and actor.unit_id is not None:
            return school_missing(engine, session, snap, actor, today)
        return None
    if cue(norm, _MISSING) and asks_own(f"{norm} ") and not cue(norm, _HOW_FAR):
        return officer_missing(session, snap, actor, today)
    period = slots.parse_period(norm, today)
    if not asks_own(norm) or (period is not None and period.kind != "year") or \
            cue(norm, ("nop", "den han", "han", "submit", "due")):
        return None  # "tháng này mình phải nộp gì": what is due, for the asker's role
    return officer_work(engine, session, snap, actor, norm, today)


def _names_another(snap: PlanSnapshot, actor: Actor, text: str,
                   officers: list[OfficerRef]) -> bool:
    """Does the question name an officer other than the asker, by honorific and given name?
    A word typed with other tone marks is another word ("chị đứng tên" names no Dũng)."""
    norm = normalise(text)
    if not _HONORED_NAME.search(norm):
        return False
    _, named = find_people(snap, norm, officers)
    typed = re.findall(r"\w+", nfc(text).lower())
    return any(o.id != actor.officer_id and _typed_as_named(typed, o.full_name) for o in named)


def _typed_as_named(typed: list[str], full_name: str) -> bool:
    """The name's last word is typed as it is spelt or without marks, not as another word."""
    given = nfc(full_name).split()[-1].lower()
    alike = [w for w in typed if fold(w) == fold(given)]
    return not alike or any(w in (given, fold(given)) for w in alike)


# someone else by honorific and name — not "em …", how the asker speaks of themself
_HONORED_NAME = re.compile(r"(?<![a-z])(?:co|thay|chi|anh|ba|ong|dong chi|c|a) [a-z]+")


def their_reports(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                  text: str, officers: list[OfficerRef]) -> Reply | None:
    """"Anh Ngọc Dũng báo cáo lần gần nhất hôm nào?", "THCS Lê Lợi nộp mấy lần rồi": one named
    officer's or school's latest reports, for a leader or an administrator (a principal: their
    own school's)."""
    norm = normalise(text)
    if actor.role not in ("leader", "admin", "principal") or \
            not (cue(norm, _BEFORE) or cue(norm, _PROGRESS_ASKED) or _DONE_YET.search(norm)) or \
            not (cue(norm, ("bao cao", "gui", "nop", "report*")) or _REPORTED_WORD.search(norm)):
        return None
    schools = [unit_id for unit_id, name in session.exec(select(m.Unit.id, m.Unit.name)).all()
               if (own := _own_name(name)) and has_phrase(norm, own)]
    if actor.role == "principal":  # their own school named: its reports ("Lê Lợi nộp mấy lần")
        return _history_reply(history(engine, actor), actor) \
            if schools == [actor.unit_id] else None
    _, named = find_people(snap, norm, officers)
    named = [o for o in named if o.id != actor.officer_id]
    if named:  # "thầy Bình với cô Mai báo cáo bao nhiêu rồi": each one's
        return _histories(actor, [history(engine, actor, officer_id=o.id) for o in named])
    if schools:  # "THCS Lê Lợi (với Văn Yên) báo cáo mấy lần rồi": each school's reports
        return _histories(actor, [history(engine, actor, unit_id=u) for u in schools])
    return None


def _histories(actor: Actor, found: list[History | Refusal]) -> Reply | None:
    """Several histories in one reply, one after another (the refused ones left out)."""
    replies = [r for r in (_history_reply(f, actor) for f in found) if r is not None]
    return Reply("\n\n".join(r.text for r in replies), replies[0].buttons) if replies else None


_UNIT_KIND = frozenset("truong thcs th thpt mn tieu hoc trung co so mam non pho thong phong "
                       "giao duc dao tao quan".split())


def _own_name(unit_name: str) -> str:
    """A school's own name without its kind ("Trường THCS Lê Lợi" → "le loi")."""
    words = normalise(unit_name).split()
    while words and words[0] in _UNIT_KIND:
        words = words[1:]
    return " ".join(words) if len(words) >= 2 else ""


_REPORTED_WORD = re.compile(r"(?<![a-z])bao(?! nhieu| gio| lau)(?![a-z])")  # "chị ấy báo 'đạt'"
_ON_DAY = re.compile(r"(?<![a-z])(?:hom|ngay|luc|on) \d{1,2}/\d{1,2}")  # "e nhập hôm 1/4"
_LATEST = ("lan gan nhat", "lan cuoi", "moi nhat", "gan nhat", "latest", "last", "most recent")


_AGAINST = ("chi tieu", "muc tieu", "so voi", "target*", "goal")


def school_against(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                   found: History, today: dt.date) -> str:
    """Each target in a school's reports: what the plan requires, the school's own figure (the
    one assessment, on that school's reports) and how it stands."""
    lang = actor.language
    by_code = {tg.code: tg for tg in snap.targets}
    targets = [by_code[c] for c in dict.fromkeys(line.code for line in found.lines)
               if c in by_code]
    states = figures.assessments(engine, session, targets, today, unit_id=actor.unit_id)
    lines, sources = [t("answers.own.against", lang)], []
    for tg in targets:
        a = states.get(tg.id)
        name = tg.name_en if lang == "en" and tg.name_en else tg.name
        now = selected_values(tg, today.year, None) or list(tg.values)  # today's goal
        line = f"• {tg.code} {name}: {wording.requirements(now, tg.unit, lang)}"
        sources += [v.source for v in now]
        if a is not None and a.figure.value is not None:
            line += t("answers.own.school_figure", lang, value=value_text(
                a.figure.value, tg.unit, lang), date=fmt_date(
                clock.local(a.figure.reported_at).date()))
            state = t("answers.state.achieved", lang) if a.state == TargetState.ACHIEVED else \
                t("answers.own.not_yet", lang, state=t(f"answers.area_state.{a.state}", lang)) \
                if f"{a.state}" in ("on_track", "at_risk", "behind") else \
                t(f"answers.state.{a.state}", lang)
            line += f" — {state}"
        lines.append(line)
    lines.append(cite(snap, sources, lang))
    return "\n".join(lines)


def _with_goals(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                found: History, reports: Reply, today: dt.date) -> Reply:
    """A school's history with its figures against today's goals below it."""
    against = school_against(engine, session, snap, actor, found, today)
    return Reply(f"{reports.text}\n\n{against}", reports.buttons)


def my_history(engine: Engine, actor: Actor, norm: str = "") -> History | Refusal:
    """The asker's own latest reports, whatever their role ("lần gần nhất": the one latest)."""
    limit = 1 if cue(norm, _LATEST) else HISTORY_LIMIT
    return history(engine, actor, own_only=True, limit=limit)


def _history_reply(found: History | Refusal, actor: Actor) -> Reply | None:
    """The one history view of what was found, or None when it was refused."""
    return history_view(found, actor.language) if isinstance(found, History) else None


def _values(target: TargetInfo, snap: PlanSnapshot, norm: str, lang: str,
            today: dt.date | None = None) -> str:
    year = slots.explicit_year(norm)
    if year is None and today is not None:  # "năm nay", "năm sau"
        period = slots.parse_period(norm, today)
        year = period.start.year if period is not None and period.kind == "year" else None
    phase = phase_in(snap, norm)
    shown = selected_values(target, year, phase) if (year or phase) else list(target.values)
    return wording.requirements(shown or list(target.values), target.unit, lang)


def _next_deadline(target: TargetInfo, today: dt.date) -> dt.date | None:
    ahead = [v.deadline for v in target.values if v.deadline >= today]
    return min(ahead) if ahead else None


# "đứng tên chính … còn mảng nào chỉ phối hợp", "thực hiện hay phối hop": both kinds asked
_LEADS = ("phu trach", "responsible", "duoc giao", "thuc hien", "dung ten", "chinh", "chu tri",
          "lead*", "in charge", "own*")


def officer_work(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor, norm: str,
                 today: dt.date) -> Reply | None:
    lang = actor.language
    rows = session.exec(select(m.Assignment).where(m.Assignment.officer_id == actor.officer_id)
                        .order_by(m.Assignment.id)).all()
    targets = {tg.id: tg for tg in snap.targets}
    obligations = {o.id: o for o in snap.obligations}
    kinds = ("coordinator",) if cue(norm, COORDINATE) and not cue(norm, _LEADS) \
        else ("responsible", "coordinator")
    mine = [(a.kind, targets.get(a.target_id), obligations.get(a.obligation_id)) for a in rows]
    mine = [x for x in mine if x[1] is not None or x[2] is not None]
    if not mine:
        if actor.role == "principal":
            return None  # the school's duties, from the plan's text
        return Reply(t("answers.own.nothing", lang, name=actor.name, plan=snap.short(lang)))
    found = figures.assessments(engine, session, [tg for _, tg, _ in mine if tg], today)
    areas = {a.code: a for a in snap.areas}
    titles = {p.title for _, tg, _ in mine if tg for p in tg.responsible if p.title and not p.name}
    department = session.get(m.Officer, actor.officer_id).department
    roles = sorted(titles) or ([department] if department else [])
    head = actor.name + (f" ({', '.join(roles)})" if roles else "")
    lines = [t("answers.own.title", lang, name=head, plan=snap.short(lang))]
    sources: list[str] = []
    for kind in kinds:
        chosen = [(tg, ob) for k, tg, ob in mine if k == kind]
        if not chosen:
            continue
        lines.append(t(f"answers.who.of_{kind}", lang, count=len(chosen)))
        area_shown, led = None, False
        # many items, no value asked: their names, figures and next deadlines
        compact = len(mine) > COMPACT and not cue(norm, VALUES_ASKED) and \
            slots.parse_period(norm, today) is None and phase_in(snap, norm) is None
        for tg, ob in chosen:
            item = tg or ob
            area = areas.get(item.area_code) if item.area_code else None
            if area is not None and area.code != area_shown:
                header = t("answers.who.area_header", lang,
                           name=area.name_en if lang == "en" and area.name_en else area.name)
                leads = {wording.people(x.responsible) for x, _ in chosen
                         if x is not None and x.area_code == area.code and x.responsible}
                led = kind == "coordinator" and len(leads) == 1
                if led:  # whom one helps, once for the area when one person leads it all
                    header = header.rstrip(":") + t("answers.own.led_by", lang,
                                                    people=next(iter(leads)))
                lines.append(header)
                area_shown = area.code
            name = item.name_en if lang == "en" and item.name_en else item.name
            if tg is None:
                lines.append(t("answers.who.item", lang, code=ob.code, name=name))
                sources.append(ob.source)
                continue
            line = f"• {tg.code} {name}" if compact else \
                f"• {tg.code} {name}: {_values(tg, snap, norm, lang, today)}"
            a = found.get(tg.id)
            if a is not None and a.figure.value is not None:
                line += t("answers.own.figure", lang, value=value_text(
                    a.figure.value, tg.unit, lang), date=fmt_date(
                    clock.local(a.figure.reported_at).date()))
            deadline = _next_deadline(tg, today)
            if deadline is not None:
                line += t("answers.own.deadline", lang, date=fmt_date(deadline))
            if kind == "coordinator" and tg.responsible and not led:  # whom one helps
                line += t("answers.own.led_by", lang, people=wording.people(tg.responsible))
            lines.append(line)
            schools = each_school(engine, session, actor, tg, a, lang) if a else None
            if schools:  # "trường nào báo cáo rồi": each school's figure behind the pooled one
                lines.append(f"  {schools}")
            sources.extend(v.source for v in tg.values)
    lines.append(cite(snap, sources, lang))
    return Reply(_fit(lines))


def _fit(lines: list[str]) -> str:
    out, size = [], 0
    for line in lines:
        if size + len(line) > LIMIT:
            out.append("…")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def _quarter(today: dt.date) -> slots.Period:
    return slots.this_quarter(today)


def officer_missing(session: Session, snap: PlanSnapshot, actor: Actor,
                    today: dt.date) -> Reply:
    """The targets an officer is responsible for that they have not reported this quarter."""
    lang = actor.language
    period = _quarter(today)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=clock.tz)
    mine = set(session.exec(select(m.Assignment.target_id).where(
        m.Assignment.officer_id == actor.officer_id, m.Assignment.kind == "responsible",
        m.Assignment.target_id.is_not(None))).all())
    rows = session.exec(select(m.ProgressReport).where(
        m.ProgressReport.officer_id == actor.officer_id, m.ProgressReport.reported_at >= start,
        m.ProgressReport.reported_at <= clock.now(), m.ProgressReport.withdrawn_at.is_(None))
        .order_by(m.ProgressReport.reported_at.desc())).all()
    latest: dict[int, m.ProgressReport] = {}
    for row in rows:
        latest.setdefault(row.target_id, row)
    missing = [tg for tg in snap.targets if tg.id in mine and tg.id not in latest]
    label = wording.period_label(period, lang)
    lines = [t("answers.own.officer_missing", lang, period=label, count=len(missing))
             if missing else t("answers.own.officer_done", lang, period=label)]
    lines += [f"• {tg.code} {tg.name_en if lang == 'en' and tg.name_en else tg.name}"
              for tg in missing]
    sent = [(tg, latest[tg.id]) for tg in snap.targets if tg.id in latest]
    if sent:  # what is done, so "còn thiếu gì" is answered both ways
        lines.append(t("answers.own.officer_sent", lang, period=label))
        lines += [f"• {tg.code} {tg.name_en if lang == 'en' and tg.name_en else tg.name}: "
                  f"{value_text(row.value, tg.unit, lang, row.numerator, row.denominator)} "
                  f"({fmt_date(clock.local(row.reported_at).date())})" for tg, row in sent]
    return Reply(_fit(lines))


def school_missing(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                   today: dt.date) -> Reply:
    """The targets measured per school that the asker's school has not reported this quarter."""
    lang = actor.language
    period = _quarter(today)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=clock.tz)
    per_school = [tg for tg in snap.targets if tg.measured_per == "school"]
    reported = set(session.exec(select(m.ProgressReport.target_id).where(
        m.ProgressReport.unit_id == actor.unit_id, m.ProgressReport.reported_at >= start,
        m.ProgressReport.withdrawn_at.is_(None),
        m.ProgressReport.target_id.in_([tg.id for tg in per_school] or [0]))).all())
    missing = [tg for tg in per_school if tg.id not in reported]
    label = wording.period_label(period, lang)
    if not missing:
        return Reply(t("answers.own.school_done", lang, period=label))
    lines = [t("answers.own.school_missing", lang, period=label, count=len(missing))]
    lines += [f"• {tg.code} {tg.name_en if lang == 'en' and tg.name_en else tg.name}"
              for tg in missing]
    return Reply(_fit(lines))


def not_reported(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                 today: dt.date) -> Reply:
    """Officers responsible for targets who have sent no report this quarter, with the days
    since their last report."""
    lang = actor.language
    period = _quarter(today)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=clock.tz)
    ids = [tg.id for tg in snap.targets]
    rows = session.exec(select(m.Assignment.officer_id, m.Assignment.target_id).where(
        m.Assignment.kind == "responsible", m.Assignment.target_id.in_(ids or [0]))).all()
    codes: dict[int, list[str]] = {}
    by_id = {tg.id: tg for tg in snap.targets}
    for officer_id, target_id in rows:
        codes.setdefault(officer_id, []).append(by_id[target_id].code)
    last = dict(session.exec(select(m.ProgressReport.officer_id,
                                    func.max(m.ProgressReport.reported_at))
                             .where(m.ProgressReport.target_id.in_(ids or [0]),
                                    m.ProgressReport.withdrawn_at.is_(None))
                             .group_by(m.ProgressReport.officer_id)).all())
    names = dict(session.exec(select(m.Officer.id, m.Officer.full_name)
                              .where(m.Officer.id.in_(list(codes) or [0]))).all())
    label = wording.period_label(period, lang)
    missing = []
    for officer_id, target_codes in codes.items():
        when = last.get(officer_id)
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)  # SQLite returns times without a zone
        if when is not None and when >= start:
            continue
        days = (today - clock.local(when).date()).days if when is not None else None
        missing.append((names.get(officer_id, "?"), target_codes, days))
    if not missing:
        return Reply(t("answers.own.all_reported", lang, period=label))
    lines = [t("answers.own.not_reported", lang, period=label, count=len(missing))]
    for name, target_codes, days in sorted(missing, key=lambda x: x[0]):
        since = t("answers.own.never", lang) if days is None else \
            t("answers.own.days", lang, days=days)
        lines.append(f"• {name} — {', '.join(target_codes)} ({since})")
    return Reply(_fit(lines))
