"""The entry points: `answer` (a typed question), `press` (an "ask:" button), and the commands
/due, /target, /who, /status. Each picks the plan, understands, checks the role, and renders a
`Reply` drawn from the plan and the stored progress — never a guess: what is not understood is
said so, with two or three likely questions as buttons.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from bot.answers import compare, extract, facts, own, plain, slots
from bot.answers.due import due_reply, next_reply
from bot.answers.intents import (
    AREA_CONTENT,
    AREA_WORDS,
    AUDIENCE,
    CONSEQUENCE,
    COORDINATE,
    HONORIFICS,
    PARTNERS,
    PROGRESS,
    RESPONSIBLE,
    REVERSE,
    WHO,
    OfficerRef,
    Question,
    area_by_words,
    asks_actual,
    cue,
    find_people,
    target_by_code,
    understand,
)
from bot.answers.lexicon import plan_words
from bot.answers.normalise import clean, normalise, tokens
from bot.answers.retrieval import STOPWORDS
from bot.answers.snapshot import PlanSnapshot, snapshot
from bot.answers.status import behind_reply, status_reply
from bot.answers.target import selected_values, target_reply
from bot.answers.who import (
    school_level,
    who_area,
    who_many,
    who_obligation,
    who_of,
    who_target,
)
from bot.core.access import Actor, allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.replies import Button, Reply
from bot.core.text import fold
from bot.core.vocab import ButtonPrefix, Unit, ask_data, parse_button
from storage import models as m

# intent -> the command whose permission it needs (bot/core/access.py)
PERMISSION = {"due": "due", "status": "status", "behind": "status", "target": "target",
              "choose": "target", "who": "who", "who_of": "who", "plan": "plan",
              "areas": "plan", "area": "plan", "review": "plan", "obligation": "plan"}
LABEL_NAME = 38
SUGGEST = 0.3  # a plan item is suggested when it explains this share of the question


# --- which plan ---------------------------------------------------------------------------------

def choose_plan(session: Session, actor: Actor, text: str, today: dt.date) -> m.Plan | None:
    """The plan a question is about: one it names ("KH 737"), else the only active plan, else
    among the active plans running this year (or all active ones) the one the asker's unit
    issued, else the newest."""
    plans = list(session.exec(select(m.Plan).options(defer(m.Plan.document))
                              .order_by(m.Plan.id)))
    if not plans:
        return None
    norm = normalise(text or "")
    cleaned = clean(text or "")
    for plan in plans:
        number = re.match(r"\s*(\d+)", plan.number)
        if number and (re.search(rf"(?:ke hoach|plan)\s*(?:so|no|number)?\s*{number.group(1)}"
                                 r"(?!\d)", norm) or f"{number.group(1)}/kh" in cleaned):
            return plan
    active = [p for p in plans if p.active] or plans
    if len(active) == 1:
        return active[0]
    running = [p for p in active if p.period_start <= today.year <= p.period_end] or active
    own = [p for p in running if actor.unit_id is not None and p.issuer_unit_id == actor.unit_id]
    return max(own or running, key=lambda p: (p.issued_on, p.id))


def _officers(session: Session) -> list[OfficerRef]:
    return [OfficerRef(r[0], r[1], r[2]) for r in session.exec(
        select(m.Officer.id, m.Officer.full_name, m.Officer.department)
        .where(m.Officer.active).order_by(m.Officer.id)).all()]


def _refused(actor: Actor, command: str) -> Reply:
    key = "refused.guest" if not actor.is_member else "refused.role"
    return Reply(t(key, actor.language, command=command,
                   role=t(f"role.{actor.role}", actor.language)))


# --- answering ----------------------------------------------------------------------------------

def answer(engine: Engine, actor: Actor, text: str, today: dt.date | None = None,
           public_plan: bool = False) -> Reply:
    """The reply to a question typed in plain words: plain speech made plain, several questions
    split and each answered, each part by the better of the structured answerer and the plan's
    text."""
    today = today or clock.today()
    if re.fullmatch(r"\s*\d{1,3}\s*[.)]?\s*", text or ""):
        # a number with no options open (a menu's number is a button press before it gets
        # here): not "area 1" — say how to ask
        return Reply(t("answers.bare_number", actor.language, number=text.strip()))
    with Session(engine) as session:
        plan = choose_plan(session, actor, text, today)
        if plan is None:
            return Reply(t("plan.none", actor.language))
        snap = snapshot(engine, session, plan)
        officers = _officers(session)
        prepared = plain.prepare(snap, text, officers, actor.language, actor.name)
        parts = plain.split(prepared)
        if len(parts) == 1:  # (an aside after the question dropped)
            return best_answer(engine, session, plan, snap, actor, parts[0], today, officers,
                               public_plan)[0]
        answered: list[Reply] = []
        first_subject = _subject(snap, parts[0], today, officers)
        # "em phụ trách gì, đã báo cáo chưa": the asker is the subject of what follows
        first_own = actor.language == "vi" and own.asks_own(normalise(parts[0]))
        for i, part in enumerate(parts):
            reply, score = best_answer(engine, session, plan, snap, actor, part, today,
                                       officers, public_plan)
            pointing = i and (plain.refers_back(part)
                              or _names_nothing(snap, part, today, officers))
            if i and first_own and not own.asks_own(normalise(part)):
                mine = own.own_work(engine, session, snap, actor, f"của em {part}", today,
                                     officers)
                if mine is not None:
                    reply, score, pointing = mine, 0.9, False
            if i and (score < CARRY or pointing):
                # "… và ai phối hợp?", "… số liệu bao nhiêu?", "… its target?": the first
                # part's subject
                again, better = best_answer(engine, session, plan, snap, actor,
                                            f"{first_subject} {part}", today,
                                            officers, public_plan)
                said_before = any(again.text in other.text for other in answered)
                if (better > score or (pointing and better >= score)) and \
                        not (said_before and score >= KEEP_OWN and not reply.buttons):
                    reply = again  # (not what an earlier part already answered when the part's
                    # own answer is sure: "nó" is then the plan itself)
            # one answer saying all another says ("no report yet" + their work) stands for both
            answered = [other for other in answered if other.text not in reply.text]
            if all(reply.text not in other.text for other in answered):
                answered.append(reply)
        return plain.join(answered)


def _subject(snap: PlanSnapshot, part: str, today: dt.date, officers: list[OfficerRef]) -> str:
    """What a message's first part is about, for the parts after it: the plan item it names by
    its code ("SIPAS lần trước bao nhiêu, đã đạt chưa?" → "CDDH-2"), else its words without
    the question's form."""
    q = understand(snap, part, today, officers)
    if q.intent in ("target", "who") and q.target is not None:
        return q.target.code
    return plain.subject(part)


def _names_nothing(snap: PlanSnapshot, part: str, today: dt.date,
                   officers: list[OfficerRef]) -> bool:
    """A part of a message that names no plan item or person by itself ("đã đạt chỉ tiêu 2025
    chưa?") is about what the message's first part named."""
    q = understand(snap, part, today, officers)
    if q.intent in ("plan", "review", "areas", "due", "greeting", "thanks", "help"):
        return False  # about the plan itself, its reviews, what is due: no subject wanted
    named = q.target or q.area or q.obligation or q.review or q.people or q.officers or \
        q.choices  # a year or a phase qualifies a subject, it names none
    return not named and not any(h.confidence >= 0.4 for h in q.hits)


WHO_MANY = 3  # close targets whose people are shown side by side rather than asked back
CARRY = 0.6  # a later part answered below this is asked again with the first part's subject
TEXT_MARGIN = 0.15  # the plan's text wins over a structured answer by at least this much
SURE = 0.9  # a structured answer this sure is only beaten by "the plan does not say"
UNKNOWN_SHARE = 0.3  # words the plan never uses weigh this much: a plan item found is a guess
COVERS_MORE = 0.2  # the text, as sure, wins when it says this much more of the question's words
COVERS_MUCH_MORE = 0.4  # … or, a little less sure (TEXT_MARGIN), this much more
UNKNOWN_MOST = 0.6  # words the plan never uses are half the question: an item found is a guess
ASK_BACK = 0.4  # below this, neither answerer is sure: ask back
KEEP_OWN = 0.75  # a later part's own answer this sure stands when its carried one repeats
LIST_MARGIN = 0.25  # a list asked of what a target is about: the text's list, a little less sure
# readings that find a plan item by some of the question's words: when most of its words are
# ones the plan never uses ("nộp báo cáo quý trễ bị phạt bao nhiêu"), the item is a guess
GUESSES = ("area", "target", "choose", "who", "obligation", "review")


def structured_score(q: Question, snap: PlanSnapshot | None = None) -> float:
    """How sure the structured answerer is of its reading of the question: cue words that
    name what is asked (a deadline, the issuer, someone's work) and plan items found by name
    make it sure; a fallback (the plan's summary) or nothing found does not."""
    if q.intent in ("unknown", "not_found"):
        return 0.0
    if q.intent in ("greeting", "thanks", "help"):
        return 0.9
    if q.intent == "choose":
        return 0.9  # asking back between close targets is an answer
    taken = q.target or q.area or (q.obligation if q.intent == "who" else None)
    hit = next((h for h in q.hits if h.entity.item is taken), None) if taken else None
    if q.intent == "who" and q.target is None and q.area is not None:
        if hit is None or cue(q.text, AREA_WORDS) or snap is None or \
                area_by_words(snap, q.text, q.text) is q.area:
            return 0.9  # who owns an area named by its name
        # an area reached by some of the question's words ("xây dựng kế hoạch … hàng năm"
        # is no "Xây dựng chính quyền điện tử"): as sure as an area listed by its words
        return min(0.9, 0.6 + 0.3 * hit.confidence)
    if q.intent == "who" and q.obligation is not None and hit is None:
        return 0.95 if cue(q.text, ("bao cao", "report")) else 0.5
    if q.intent in ("target", "who"):
        if hit is None:
            return 0.95
        # as sure as the share of the question the plan item explains
        return 0.7 + 0.25 * hit.confidence if hit.confidence >= 0.4 else 0.3 + hit.confidence
    if q.intent == "area":
        if hit is None or cue(q.text, AREA_WORDS):
            return 0.9
        return min(0.9, 0.6 + 0.3 * hit.confidence)  # an area by its words: a listing
    if q.intent == "due":  # "… deadlines in this plan": the plan's schedule, not what is due now
        if q.period is None and cue(q.text, ("ke hoach", "plan", "dinh ky")):
            return 0.7
        return 0.9 if q.period is not None or cue(q.text, DUE_WORDS) else 0.7
    if q.intent == "plan":
        if q.topic == "meta":
            return 0.9 if len(tokens(clean(q.text))) <= 6 else 0.55  # as typed
        return 0.95
    if q.intent == "who_of":  # a named person: sure; a title or group may be the subject
        named = any(p.name for p in q.people) or q.officers or (q.people and cue(
            q.text, (*COORDINATE, *AREA_WORDS, "phu trach", "chiu trach nhiem", "duoc giao")))
        label = {w for p in q.people for w in tokens(normalise(p.label))}
        rest = [w for w in tokens(q.text) if w not in label and w not in STOPWORDS
                and w not in WHO_OF_WORDS]
        if named or not rest:
            return 0.95
        if snap is not None:  # the plan's word pairs count too ("quận giao", "cơ quan")
            rest += [p for p in extract.text_index(snap).query(q.text)[1]
                     if "_" in p and p.replace("_", " ") not in WHO_OF_PHRASES
                     and not set(p.split("_")) <= label]
        return 0.8 if len(set(rest)) <= 2 else 0.7  # a title, and more asked than its work
    if q.intent in ("obligation", "review", "areas"):
        return 0.95
    if q.intent == "status":  # "tình hình", "tiến độ" say it; "ra sao" alone may not
        return 0.9 if cue(q.text, STATUS_WORDS) else 0.7
    return 0.9


_MONEY = re.compile(r"(?<![a-z])kinh phi(?![a-z])")  # the lexicons' word for money asked
_DISCIPLINE = re.compile(r"(?<![a-z])(?:ky luat|xu ly|discipline\w*|sanction\w*)(?![a-z])")
_FORM_OF = re.compile(r"(?<![a-z])(?:(?:muc|hinh thuc|loai|kieu) (?:nao|gi|j)|khien trach|"
                      r"canh cao|cach chuc|buoc thoi viec|what kind|which kind|what form|"
                      r"how severe)(?![a-z])")
CONSEQUENCE_SURE = 0.7  # a sentence on what follows a result must explain this much of the rest
# a sentence of the plan that says what follows a result
_SAYS_CONSEQUENCE = re.compile(r"(?<![a-z])(?:thuong|ky luat|xu ly|phat|tru diem|thi dua)"
                               r"(?![a-z])")
# the words of "what does X do": anything else asks more than X's work
WHO_OF_WORDS = frozenset(w for phrases in (RESPONSIBLE, REVERSE, COORDINATE, PARTNERS,
                                           HONORIFICS, WHO, AREA_WORDS) for p in phrases
                         for w in p.rstrip("*").split())
# kinds of documents a plan cites: asked for, only the plan's text can name them
DOCUMENT_KINDS = ("nghi dinh", "nghi quyet", "thong tu", "quyet dinh", "cong van", "chi thi",
                  "luat", "van ban nao", "van ban so", "so hieu van ban", "can cu", "decree*",
                  "circular*", "resolution*", "directive*", "which document*", "legal basis")
WHO_OF_PHRASES = frozenset(p.rstrip("*") for phrases in (RESPONSIBLE, REVERSE, COORDINATE,
                                                         PARTNERS, HONORIFICS, WHO, AREA_WORDS)
                           for p in phrases)
# "kế hoạch nói gì về …", "what does the plan say about …": its words are what is asked
TEXT_ASKED = ("noi gi ve", "noi ve", "de cap", "nhac den", "nhac toi", "quy dinh gi ve",
              "say about", "says about", "mention*", "what does the plan say")
# how something is to be done: no card of values answers it, the plan's sentences may
MANNER = ("nhu the nao", "theo huong nao", "cach nao", "bang cach nao", "ra sao", "the nao",
          "in what way", "how should", "how do", "how does", "how is", "how are")
STATUS_WORDS = ("tinh hinh", "trang thai", "tong quan", "status", "tien do", "tinh trang",
                "overview", "progress")
DUE_WORDS = ("den han", "toi han", "han", "han chot", "deadline*", "due", "nop", "sap toi")


def best_answer(engine: Engine, session: Session, plan: m.Plan, snap: PlanSnapshot,
                actor: Actor, text: str, today: dt.date, officers: list[OfficerRef],
                public_plan: bool = False) -> tuple[Reply, float]:
    """The better of the structured answer and the plan's text, with its score."""
    lang = actor.language
    mine = own.own_work(engine, session, snap, actor, text, today, officers)
    school = own.school_words(text, actor)
    plain_text = school or text  # "trường mình": the plan's words
    if mine is not None:
        return mine, 0.9
    q = understand(snap, text, today, officers)
    compared = compare.compare_reply(snap, actor, q, text)
    if compared is not None:
        return compared, 0.85
    outside = _outside_period(snap, actor, q)
    if outside is not None and q.intent != "target":
        return outside, 0.85
    _by_value(q)
    if school:
        _per_school(q)
    if q.intent == "choose" and (q.phase is not None or q.year is not None):
        fitting = [tg for tg in q.choices if selected_values(tg, q.year, q.phase)]
        if len(fitting) == 1:  # only one of the close targets is set for the phase asked
            q.intent, q.target = "target", fitting[0]
    if q.intent == "target" and q.target is not None and q.phase is not None and \
            not selected_values(q.target, q.year, q.phase):
        _fitting_neighbour(q)
    structured = respond(engine, session, plan, snap, actor, q, today, public_plan)
    if q.intent == "obligation" and q.obligation is not None:  # the plan's own words too
        said = extract.source_sentence(snap, q.obligation.source, text)
        if said is not None and said.text not in structured.text:
            lines = structured.text.split("\n")
            at = len(lines) - 1 if lines[-1].startswith("(") else len(lines)
            lines.insert(at, t("answers.target.wording", lang,
                               text=extract.clip(said.text, 300)))
            structured = Reply("\n".join(lines), structured.buttons)
    detail = extract.detail_asked(snap, text)
    if detail:
        # "gửi báo cáo quý về email nào": the report is the plan's, its email is not (beside
        # one item's card; never a whole area's numbers as if they answered)
        said = _not_said(snap, lang, f"“{detail}”")
        if q.intent in ("obligation", "target", "review", "who"):
            return _above(said, structured), 0.9
        return Reply(said), 0.9
    if q.intent in ("target", "area") and asks_actual(normalise(text), q.year, today):
        # "SIPAS năm 2023 thực tế đạt bao nhiêu": the plan sets aims, the reports say results
        when = t("answers.actual.year", lang, year=q.year) if q.year else ""
        return _above(t("answers.actual", lang, plan=snap.short(lang), when=when),
                      structured), 0.9
    thing = extract.counted(plain_text)  # (money asked has its own answer, below)
    if thing and (q.intent in ("target", "area") or q.intent == "plan" and q.topic is None) \
            and not _counts(snap, q, thing) and not _MONEY.search(plan_words(normalise(text))):
        # "mỗi trường cần bao nhiêu máy tính": the plan counts in its own units, not this
        what = f"“{extract.counted_typed(extract.text_index(snap), plain_text, thing, lang)}”"
        if q.intent != "plan":
            return _above(t("answers.not_counted", lang, plan=snap.short(lang), what=what),
                          structured), 0.9
        return Reply(_not_said(snap, lang, t("answers.number_of", lang, what=what))), 0.9
    if outside is not None:  # a target asked for a year the plan does not reach
        structured = _above(outside.text, structured)
    score = structured_score(q, snap)
    command = PERMISSION.get(q.intent)
    if command and not allowed(actor.role, command, public_plan):
        return structured, 1.0
    if not allowed(actor.role, "plan", public_plan):
        return structured, score
    others = extract.other_documents(snap, text)
    if school and q.intent == "target" and q.target is not None and \
            q.target.measured_per == "school" and score >= ASK_BACK:
        return structured, score  # "trường mình … họp trực tuyến": the school's figure
    if extract.named_section(extract.text_index(snap), plain_text):
        found = extract.text_answer(snap, plain_text, lang, t)  # "mục IV.3", "phụ lục": asked
        if found is not None:
            return Reply(found.text), found.score
    listed = extract.asks_list(plain_text) and not extract.asks_amount(plain_text)
    plain_norm = normalise(plain_text)
    if q.intent in ("target", "area", "choose", "obligation") and \
            _MONEY.search(plan_words(plain_norm)) and \
            "kinh_phi" not in extract.text_index(snap).idf:
        # "budget for the online meeting system": the plan gives no money figure at all
        return _above(_not_said(snap, lang, t("answers.money", lang)), structured), 0.9
    if _DISCIPLINE.search(plain_norm) and _FORM_OF.search(plain_norm):
        # "kỷ luật mức nào, khiển trách hay cảnh cáo": the plan says a breach is disciplined,
        # never in what form or how much — said so, with what it does say
        said = _not_said(snap, lang, t("answers.discipline_form", lang))
        found = extract.text_answer(snap, plain_text, lang, t)
        return Reply(f"{said}\n{found.text}" if found is not None and found.said else said), 0.9
    if cue(plain_norm, CONSEQUENCE):
        # "đạt 85% thì được thưởng gì", "penalty for late reports": no card says what follows a
        # result; a sentence of the plan that says it, sure of the rest, may
        found = extract.text_answer(snap, plain_text, lang, t)
        if found is not None and found.said and found.score >= CONSEQUENCE_SURE and \
                _SAYS_CONSEQUENCE.search(fold(found.text)):
            return Reply(found.text), found.score
        said = _not_said(snap, lang, t("answers.consequence", lang))
        if q.intent in ("target", "area", "choose", "obligation", "review"):
            return _above(said, structured), 0.9
        return Reply(said), 0.9
    # a report found by its name may still be the lesser answer: the plan's sentence that
    # says more of the question ("kết quả nhiệm vụ quận giao báo cáo về đâu") is weighed
    weighed = q.intent == "obligation" and q.obligation is not None
    audience = cue(normalise(plain_text), AUDIENCE)  # "tới những ai": the text says to whom
    if score >= SURE and not others and not (listed and q.intent == "target") and \
            not weighed and not audience and (
            q.intent not in GUESSES or not extract.text_index(snap).unknown(plain_text)):
        return structured, score  # the text cannot win: do not search it
    found = extract.text_answer(snap, plain_text, lang, t)
    if found is None:
        return structured, score
    if others and not (score >= 0.9 and q.intent in ("target", "who")
                       and all(f"{n}/" in structured.text for n in others)):
        return Reply(found.text), found.score  # never another document's facts as this one's
    # "những kỹ năng gì": a list from the text beats a card of values
    margin = -LIST_MARGIN if listed and q.intent == "target" else 0.0 if listed and \
        q.intent in ("area", "who_of", "choose") else TEXT_MARGIN
    if (cue(normalise(plain_text), TEXT_ASKED) or audience) and \
            q.intent in ("area", "target", "choose") or \
            cue(normalise(plain_text), MANNER) and q.intent in ("area", "choose") or \
            q.intent == "area" and _area_by_some_words(plain_text):
        # "kế hoạch nói gì về …", "theo hướng nào", or an area reached only by some of the
        # question's words (not "lĩnh vực …"): the plan's sentence, when it is about as sure
        margin = -TEXT_MARGIN
    if q.intent in ("area", "choose") and extract.asks_date(plain_text) and \
            extract.dated(found.text):
        margin = min(margin, -2 * TEXT_MARGIN)  # "bắt đầu từ hôm nào": a card has no such date
    if found.said and found.score >= max(score + margin, ASK_BACK):
        return Reply(found.text), found.score
    if q.intent == "area" and extract.asks_date(plain_text) and \
            not cue(normalise(plain_text), AREA_WORDS):
        return Reply(found.text), found.score  # "kiểm tra vào tháng mấy": an area has no date
    if found.said and school and found.score >= max(score - TEXT_MARGIN, ASK_BACK) and \
            q.intent in ("target", "area", "choose", "plan", "who", "unknown", "not_found"):
        return Reply(found.text), found.score  # "trường mình phải làm gì": the school's duties
    if found.said and found.score >= max(score - TEXT_MARGIN, ASK_BACK):
        more = extract.coverage(snap, plain_text, found.text) - \
            extract.coverage(snap, plain_text, structured.text)
        if more >= COVERS_MORE and found.score >= score or more >= COVERS_MUCH_MORE:
            return Reply(found.text), found.score  # the plan's words answer more of it
    if found.said and found.score >= ASK_BACK and cue(normalise(plain_text), DOCUMENT_KINDS) \
            and extract.other_documents(snap, found.text) \
            and not extract.other_documents(snap, structured.text):
        return Reply(found.text), found.score  # "dẫn nghị định số mấy": only the text cites
    if not found.said and found.unknown and (
            found.unknown_share >= UNKNOWN_MOST and q.intent in GUESSES
            or q.intent in ("obligation", "review") and extract.asks_amount(plain_text)
            and not cue(normalise(plain_text), ("thang may", "ngay may", "nam may", "quy may"))):
        # "… bị phạt bao nhiêu": a report's or a review's card gives no amount
        return Reply(found.text), found.score  # "số điện thoại đường dây nóng TTHC": not said
    if not found.said and (score < 0.4 or (found.unknown and (
            score < 0.75 or q.intent == "choose" or (found.unknown_share >= UNKNOWN_SHARE
                                                     and score < 0.85)))):
        # the plan does not say it: say so, with the nearest passage if one comes near, and
        # the structured answerer's own "not found" with its buttons
        if q.intent in ("unknown", "not_found"):
            return _above(found.text, structured), found.score
        return Reply(found.text), found.score  # not a near miss's card, nor its buttons
    if q.intent == "due" and q.period is None and q.topic is None and not found.said and \
            found.nearest and found.sentences and extract.asks_date(plain_text):
        # "nộp kế hoạch của trường trước ngày nào": a thing the plan gives no date for, not
        # this quarter's list
        return Reply(found.text), found.score
    if score < ASK_BACK and found.score < ASK_BACK:
        return ask_back(snap, actor, q, text, public_plan), score
    if score < ASK_BACK:
        return Reply(found.text), found.score
    return structured, score


def _above(line: str, reply: Reply) -> Reply:
    """A reply with a line said before it (what the plan does not say, then what it does)."""
    return Reply(f"{line}\n{reply.text}", reply.buttons)


def _not_said(snap: PlanSnapshot, lang: str, what: str) -> str:
    return t("answers.text.not_said", lang, plan=snap.short(lang), what=what)


def _counts(snap: PlanSnapshot, q: Question, thing: list[str]) -> bool:
    """Does the plan item found count the thing asked ("bao nhiêu cán bộ" of a target about
    cán bộ)? A target of another thing, a share, or the plan itself gives no such number."""
    if q.intent == "target" and q.target is not None:
        targets = [q.target]
    elif q.intent == "area" and q.area is not None:
        targets = snap.area_targets(q.area.code)
    else:
        targets = []
    # a share is no count: "tối thiểu bao nhiêu cuộc" of the % of meetings held online
    targets = [tg for tg in targets if tg.unit != Unit.PERCENT]
    said = " ".join(normalise(f"{tg.name} {tg.text} {' '.join(tg.keywords)}") for tg in targets)
    return f" {thing[0]} " in f" {said} "


NEIGHBOUR = 0.6  # a target explaining this share of what the one found does may stand in


def _fitting_neighbour(q: Question) -> None:
    """The target found sets nothing for the phase asked, one found nearly as well does
    ("giai đoạn 21-23 bao nhiêu % thủ tục được làm gọn giấy tờ"): that one."""
    taken = next((h for h in q.hits if h.entity.item is q.target), None)
    if taken is None:
        return
    for h in q.hits:
        if h.entity.kind == "target" and h.entity.item is not q.target and \
                h.confidence >= NEIGHBOUR * taken.confidence and \
                selected_values(h.entity.item, q.year, q.phase):
            q.target = h.entity.item
            return


def _area_by_some_words(text: str) -> bool:
    """An area reached by some of a longer question's words, which asks neither for the area
    ("lĩnh vực …", "… gồm những gì", "chỉ tiêu …") nor just names it ("par index")."""
    norm = normalise(text)
    return not cue(norm, AREA_WORDS) and not cue(norm, AREA_CONTENT) and \
        not cue(norm, ("chi tieu", "muc tieu", "target*")) and \
        len([w for w in tokens(clean(text)) if w not in STOPWORDS]) > 3  # as typed


def _by_value(q: Question) -> None:
    """A figure typed in the question ("chỉ tiêu 4% tự chủ tài chính") picks, among the
    targets it came close to, the one that sets that value."""
    typed = {float(n.replace(",", ".")) for n in re.findall(r"(\d+(?:[.,]\d+)?)\s*%", q.text)}
    if not typed or q.target is not None and any(v.value in typed for v in q.target.values):
        return
    hits = [h for h in q.hits if h.entity.kind == "target" and h.confidence >= 0.25]
    fitting = [h.entity.item for h in hits if any(v.value in typed for v in h.entity.item.values)]
    if len(fitting) != 1:
        return
    q.target, q.choices = fitting[0], []
    if q.intent in ("choose", "area", "target", "not_found", "unknown"):
        q.intent = "who" if cue(q.text, WHO) else "target"
    elif q.intent == "who":
        q.area = q.obligation = None


def _per_school(q: Question) -> None:
    """"tiến độ họp trực tuyến của trường em": among targets the words came equally close to,
    the one measured school by school is the school's."""
    hits = [h for h in q.hits if h.entity.kind == "target" and h.confidence >= 0.3]
    if q.target is not None or not hits or q.intent not in ("status", "choose", "target"):
        return
    close = [h.entity.item for h in hits if h.score >= 0.85 * hits[0].score]
    mine = [tg for tg in close if tg.measured_per == "school"]
    if len(mine) == 1 and q.area is None:
        progress = q.intent == "status" or cue(q.text, PROGRESS)
        q.intent, q.target, q.choices = "target", mine[0], []
        q.topic = "progress" if progress else q.topic


def ask_back(snap: PlanSnapshot, actor: Actor, q: Question, text: str,
             public_plan: bool = False) -> Reply:
    """Neither answerer is sure: the sections of the plan that came closest, then the plan
    items, as two or three buttons."""
    reply = not_understood(snap, actor, q, public_plan)
    passages = [Button(_short(f"📄 {s.passage.title}", LABEL_NAME + 12),
                       ask_data(snap.id, "text", s.position))
                for s in extract.nearest(snap, text)]
    if not passages:
        return reply
    others = [row[0] for row in reply.buttons if row]
    return Reply(reply.text, [[b] for b in (passages + others)[:3]])


def _outside_period(snap: PlanSnapshot, actor: Actor, q: Question) -> Reply | None:
    """A year after or before the plan's period: the plan sets nothing for it (a baseline, "so
    với năm 2015", is no year asked)."""
    text = slots.BASELINE_YEAR.sub(" ", q.text)
    year: int | str | None = q.year
    if year is None:  # "giai đoạn 2026-2030": every year named is outside the plan
        years = slots.years_named(text)
        if years and all(not snap.period_start <= y <= snap.period_end for y in years):
            year = "-".join(str(y) for y in dict.fromkeys(years))
    if year is None or isinstance(year, int) and snap.period_start <= year <= snap.period_end:
        return None
    if q.intent not in ("target", "area", "choose", "not_found", "unknown", "plan", "status"):
        return None
    return Reply(t("answers.outside_period", actor.language, plan=snap.short(actor.language),
                   year=year, start=snap.period_start, end=snap.period_end))


def respond(engine: Engine, session: Session, plan: m.Plan, snap: PlanSnapshot, actor: Actor,
            q: Question, today: dt.date, public_plan: bool = False) -> Reply:
    command = PERMISSION.get(q.intent)
    if command and not allowed(actor.role, command, public_plan):
        return _refused(actor, command)
    if q.intent == "due" and q.topic in ("next", "next_reports"):
        return next_reply(session, plan, snap, actor, today, q.area,
                          reports_only=q.topic == "next_reports")
    if q.intent == "due":
        return due_reply(engine, session, plan, snap, actor, q.period or slots.this_quarter(today),
                         today, q.area, reports_only=q.topic == "reports")
    if q.intent == "target" and q.target is not None:
        year = q.year
        if year is None and q.period is not None and q.period.kind == "year":
            year = q.period.year
        return target_reply(engine, session, snap, actor, q.target, today, year, q.phase,
                            progress_first=q.topic == "progress")
    if q.intent == "who":
        if q.target is not None:
            return who_target(session, snap, actor, q.target, q.topic == "coordinator",
                              school_level(q.text))
        if q.obligation is not None:
            return who_obligation(session, snap, actor, q.obligation, q.topic == "coordinator",
                                  school_level(q.text))
        if q.area is not None:
            return who_area(snap, actor, q.area, session, school_level(q.text))
    if q.intent == "who_of":
        return who_of(session, snap, actor, q.people, q.officers, q.topic)
    if q.intent == "status":
        return status_reply(engine, session, snap, actor, today, q.area)
    if q.intent == "behind":
        return behind_reply(engine, session, snap, actor, today, q.area)
    if q.intent == "plan":
        return facts.plan_reply(session, plan, snap, actor, q.topic or "meta", today)
    if q.intent == "areas":
        return facts.areas_reply(snap, actor)
    if q.intent == "area" and q.area is not None:
        return facts.area_reply(snap, actor, q.area, today)
    if q.intent == "review":
        return facts.review_reply(snap, actor, q.review, today, day_asked=q.topic == "day")
    if q.intent == "obligation" and (q.topic or "").startswith("frequency:"):
        return facts.no_such_report(snap, actor, q.topic.partition(":")[2])
    if q.intent == "obligation" and q.obligation is not None:
        return facts.obligation_reply(session, plan, snap, actor, q.obligation, q.period, today)
    if q.intent == "choose" and q.topic == "who" and 1 < len(q.choices) <= WHO_MANY:
        return who_many(session, snap, actor, q.choices)  # each one's people, side by side
    if q.intent == "choose" and q.choices:
        return _choose(snap, actor, q)
    return not_understood(snap, actor, q, public_plan)


def _choose(snap: PlanSnapshot, actor: Actor, q: Question) -> Reply:
    lang = actor.language
    intent, mark = ("who", "t.") if q.topic == "who" else ("target", "")
    rows = [[Button(_short(f"{tg.code} · {tg.name_en if lang == 'en' else tg.name}"),
                    ask_data(snap.id, intent, f"{mark}{tg.code}"))] for tg in q.choices]
    return Reply(t("answers.choose", lang, count=len(q.choices), plan=snap.short(lang)), rows)


def _short(text: str, limit: int = LABEL_NAME + 12) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def suggestions(snap: PlanSnapshot, actor: Actor, q: Question | None,
                public_plan: bool = False) -> list[list[Button]]:
    """Two or three questions the asker probably meant: the plan items the words came closest
    to, then the usual questions this role may ask."""
    lang = actor.language
    out: list[Button] = []
    seen: set[str] = set()
    for hit in (q.hits if q else [])[:6]:
        e = hit.entity
        if e.code in seen or len(out) == 2 or hit.confidence < SUGGEST:
            continue
        seen.add(e.code)
        name = getattr(e.item, "name_en", "") if lang == "en" else getattr(e.item, "name", "")
        name = _short(name or e.code, LABEL_NAME)
        if e.kind == "target" and allowed(actor.role, "target", public_plan):
            out.append(Button(t("answers.suggest.target", lang, code=e.code, name=name),
                              ask_data(snap.id, "target", e.code)))
        elif e.kind == "area" and allowed(actor.role, "plan", public_plan):
            out.append(Button(t("answers.suggest.area", lang, name=name),
                              ask_data(snap.id, "area", e.code)))
        elif e.kind == "obligation" and allowed(actor.role, "plan", public_plan):
            out.append(Button(t("answers.suggest.obligation", lang, name=name),
                              ask_data(snap.id, "obligation", e.code)))
        elif e.kind == "review" and allowed(actor.role, "plan", public_plan):
            out.append(Button(t("answers.suggest.review", lang, name=name),
                              ask_data(snap.id, "review", e.code)))
    defaults = [("due", "answers.suggest.due", ask_data(snap.id, "due", "quarter")),
                ("status", "answers.suggest.status", ask_data(snap.id, "status", "")),
                ("plan", "answers.suggest.areas", ask_data(snap.id, "areas", ""))]
    for command, key, data in defaults:
        if len(out) >= 3:
            break
        if allowed(actor.role, command, public_plan):
            out.append(Button(t(key, lang), data))
    return [[b] for b in out]


def not_understood(snap: PlanSnapshot, actor: Actor, q: Question | None,
                   public_plan: bool = False) -> Reply:
    lang = actor.language
    intent = q.intent if q else "unknown"
    if intent in ("greeting", "thanks", "help"):
        text = t(f"answers.{intent}", lang, plan=snap.short(lang))
    elif intent == "not_found":
        text = t(f"answers.not_found.{q.topic or 'target'}", lang, plan=snap.short(lang))
    else:
        text = t("answers.unknown", lang, plan=snap.short(lang))
    return Reply(text, suggestions(snap, actor, q, public_plan))


# --- buttons ------------------------------------------------------------------------------------

def press(engine: Engine, actor: Actor, data: str, today: dt.date | None = None,
          public_plan: bool = False) -> Reply:
    """An "ask:<plan id>:<intent>:<argument>" button: that question, asked again."""
    today = today or clock.today()
    parts = parse_button(data or "", ButtonPrefix.ASK, 3)
    if parts is None or not parts[0].isdecimal() or not parts[0].isascii() \
            or len(parts[0]) > 18:  # a forged id: no overflow
        return Reply(t("answers.stale", actor.language))
    plan_id, intent, arg = parts
    with Session(engine) as session:
        plan = session.get(m.Plan, int(plan_id))
        if plan is None:
            return Reply(t("answers.stale", actor.language))
        snap = snapshot(engine, session, plan)
        if intent == "text":
            quoted = extract.quote_at(snap, arg, actor.language, t) \
                if allowed(actor.role, "plan", public_plan) else None
            return Reply(quoted) if quoted else Reply(t("answers.stale", actor.language))
        q = _question(snap, intent, arg, today)
        if q is None:
            return Reply(t("answers.stale", actor.language))
        return respond(engine, session, plan, snap, actor, q, today, public_plan)


def _question(snap: PlanSnapshot, intent: str, arg: str, today: dt.date) -> Question | None:
    q = Question(intent)
    if intent == "due":
        if arg in ("", "quarter"):
            q.period = slots.this_quarter(today)
        elif arg == "next":
            q.period = slots.parse_period("quy sau", today)
        else:
            q.period = slots.parse_due_argument(arg, today)
        return q if q.period is not None else None
    if intent in ("target", "who"):
        kind, _, code = arg.partition(".") if intent == "who" else ("t", "", arg)
        if kind == "t":
            q.target = snap.target(code)
        elif kind == "o":
            q.obligation = snap.obligation(code)
        elif kind == "a":
            q.area = snap.area(code)
        return q if (q.target or q.obligation or q.area) else None
    if intent in ("area", "status", "behind"):
        q.area = snap.area(arg) if arg else None
        return q if (q.area or (intent != "area" and not arg)) else None
    if intent == "obligation":
        q.obligation = snap.obligation(arg)
        return q if q.obligation else None
    if intent == "review":
        q.review = snap.review(arg) if arg else None
        return q
    if intent == "plan":
        q.topic = arg or "meta"
        return q
    if intent == "areas":
        return q
    return None


# --- commands -----------------------------------------------------------------------------------

def _with_plan(engine: Engine, actor: Actor, text: str, today: dt.date, build) -> Reply:
    with Session(engine) as session:
        plan = choose_plan(session, actor, text, today)
        if plan is None:
            return Reply(t("plan.none", actor.language))
        return build(session, plan, snapshot(engine, session, plan))


def due_command(engine: Engine, actor: Actor, argument: str = "",
                today: dt.date | None = None) -> Reply:
    """/due [tuần|tháng|quý|năm|<quý>/<năm>] — this quarter by default."""
    today = today or clock.today()

    def build(session: Session, plan: m.Plan, snap: PlanSnapshot) -> Reply:
        norm = normalise(argument)
        area = None
        period = slots.parse_due_argument(norm, today) if norm else slots.this_quarter(today)
        if period is None:
            area = area_by_words(snap, norm, clean(argument))
            if area is None:
                return Reply(t("answers.due.usage", actor.language))
            period = slots.this_quarter(today)
        return due_reply(engine, session, plan, snap, actor, period, today, area)

    return _with_plan(engine, actor, argument, today, build)


def target_command(engine: Engine, actor: Actor, argument: str = "",
                   today: dt.date | None = None, public_plan: bool = False) -> Reply:
    today = today or clock.today()

    def build(session: Session, plan: m.Plan, snap: PlanSnapshot) -> Reply:
        if not argument.strip():
            return Reply(t("answers.target.usage", actor.language),
                         facts.areas_reply(snap, actor).buttons)
        q = understand(snap, argument, today, [])
        found = target_by_code(snap, clean(argument))
        if found is not None:
            q.intent, q.target = "target", found
        elif q.intent not in ("target", "choose", "area"):
            q.intent, q.topic = "not_found", "target"
        return respond(engine, session, plan, snap, actor, q, today, public_plan)

    return _with_plan(engine, actor, argument, today, build)


def who_command(engine: Engine, actor: Actor, argument: str = "",
                today: dt.date | None = None, public_plan: bool = False) -> Reply:
    today = today or clock.today()

    def build(session: Session, plan: m.Plan, snap: PlanSnapshot) -> Reply:
        if not argument.strip():
            return Reply(t("answers.who.usage", actor.language))
        officers = _officers(session)
        people, found = find_people(snap, normalise(argument), officers)
        if people or found:
            q = Question("who_of", people=people, officers=found)
        else:
            q = understand(snap, f"ai phụ trách {argument}", today, [])
            if q.intent not in ("who", "choose"):
                q.intent, q.topic = "not_found", "who"
        return respond(engine, session, plan, snap, actor, q, today, public_plan)

    return _with_plan(engine, actor, argument, today, build)


def status_command(engine: Engine, actor: Actor, argument: str = "",
                   today: dt.date | None = None) -> Reply:
    today = today or clock.today()

    def build(session: Session, plan: m.Plan, snap: PlanSnapshot) -> Reply:
        q = Question("status")
        if argument.strip():
            norm, cleaned = normalise(argument), clean(argument)
            q.area = area_by_words(snap, norm, cleaned)
            if q.area is None:
                found = target_by_code(snap, cleaned)
                if found is not None:
                    q = Question("target", target=found, topic="progress")
                else:
                    understood = understand(snap, argument, today, [])
                    if understood.area is not None:
                        q.area = understood.area
                    elif understood.target is not None:
                        q = Question("target", target=understood.target, topic="progress")
                    else:
                        return Reply(t("answers.status.unknown_area", actor.language),
                                     facts.areas_reply(snap, actor).buttons)
        return respond(engine, session, plan, snap, actor, q, today)

    return _with_plan(engine, actor, argument, today, build)


REPORT_PHRASES = frozenset({"bao cao", "baocao"})


def is_report_phrase(text: str | None) -> bool:
    """"báo cáo" typed alone starts the /report conversation: it is not a question."""
    return clean(text or "") in REPORT_PHRASES
