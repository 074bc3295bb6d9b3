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

from bot.answers import facts, slots
from bot.answers.due import due_reply
from bot.answers.intents import (
    OfficerRef,
    Question,
    area_by_words,
    find_people,
    target_by_code,
    understand,
)
from bot.answers.normalise import clean, normalise
from bot.answers.snapshot import PlanSnapshot, snapshot
from bot.answers.status import behind_reply, status_reply
from bot.answers.target import target_reply
from bot.answers.who import who_area, who_obligation, who_of, who_target
from bot.core.access import Actor, allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.replies import Button, Reply
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
    """The reply to a question typed in plain words."""
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
        q = understand(snap, text, today, _officers(session))
        return respond(engine, session, plan, snap, actor, q, today, public_plan)


def respond(engine: Engine, session: Session, plan: m.Plan, snap: PlanSnapshot, actor: Actor,
            q: Question, today: dt.date, public_plan: bool = False) -> Reply:
    command = PERMISSION.get(q.intent)
    if command and not allowed(actor.role, command, public_plan):
        return _refused(actor, command)
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
            return who_target(session, snap, actor, q.target, q.topic == "coordinator")
        if q.obligation is not None:
            return who_obligation(session, snap, actor, q.obligation, q.topic == "coordinator")
        if q.area is not None:
            return who_area(snap, actor, q.area)
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
        return facts.review_reply(snap, actor, q.review, today)
    if q.intent == "obligation" and q.obligation is not None:
        return facts.obligation_reply(session, plan, snap, actor, q.obligation, q.period, today)
    if q.intent == "choose" and q.choices:
        return _choose(snap, actor, q)
    return not_understood(snap, actor, q, public_plan)


def _choose(snap: PlanSnapshot, actor: Actor, q: Question) -> Reply:
    lang = actor.language
    kind = "who:t." if q.topic == "who" else "target:"
    rows = [[Button(_short(f"{tg.code} · {tg.name_en if lang == 'en' else tg.name}"),
                    f"ask:{snap.id}:{kind}{tg.code}")] for tg in q.choices]
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
                              f"ask:{snap.id}:target:{e.code}"))
        elif e.kind == "area" and allowed(actor.role, "plan", public_plan):
            out.append(Button(t("answers.suggest.area", lang, name=name),
                              f"ask:{snap.id}:area:{e.code}"))
        elif e.kind == "obligation" and allowed(actor.role, "plan", public_plan):
            out.append(Button(t("answers.suggest.obligation", lang, name=name),
                              f"ask:{snap.id}:obligation:{e.code}"))
        elif e.kind == "review" and allowed(actor.role, "plan", public_plan):
            out.append(Button(t("answers.suggest.review", lang, name=name),
                              f"ask:{snap.id}:review:{e.code}"))
    defaults = [("due", "answers.suggest.due", f"ask:{snap.id}:due:quarter"),
                ("status", "answers.suggest.status", f"ask:{snap.id}:status:"),
                ("plan", "answers.suggest.areas", f"ask:{snap.id}:areas:")]
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
    parts = (data or "").split(":", 3)
    if len(parts) != 4 or parts[0] != "ask" or not parts[1].isdigit():
        return Reply(t("answers.stale", actor.language))
    _, plan_id, intent, arg = parts
    with Session(engine) as session:
        plan = session.get(m.Plan, int(plan_id))
        if plan is None:
            return Reply(t("answers.stale", actor.language))
        snap = snapshot(engine, session, plan)
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
