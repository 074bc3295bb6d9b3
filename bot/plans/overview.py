"""The plan at a glance (/plan): areas, phases, counts, next milestones, and whether it is
current, finished or superseded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.catalogue import t
from bot.core.formatting import days_left_phrase, fmt_date
from bot.core.replies import Button, Reply
from bot.core.vocab import cmd_data
from bot.plans.deadlines import DueItem, due_items
from bot.plans.store import plan_by_code
from storage import models as m


@dataclass(frozen=True)
class AreaLine:
    code: str
    number: int
    name: str
    name_en: str
    targets: int


@dataclass(frozen=True)
class PhaseLine:
    code: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class PlanOverview:
    code: str
    number: str
    title: str
    title_en: str
    issuer: str
    issued_on: dt.date
    period_start: int
    period_end: int
    status: str  # current | finished | superseded | upcoming
    issuer_dissolved_on: dt.date | None
    issuer_note: str | None
    phases: list[PhaseLine]
    areas: list[AreaLine]
    targets: int
    obligations: int
    reviews: int
    next_items: list[DueItem]


def plan_status(plan: m.Plan, today: dt.date) -> str:
    if not plan.active:
        return "superseded"
    if today.year > plan.period_end:
        return "finished"
    if today.year < plan.period_start:
        return "upcoming"
    return "current"


def overview(engine: Engine, today: dt.date, plan_code: str | None = None,
             upcoming: int = 3) -> PlanOverview | None:
    with Session(engine) as session:
        plan = plan_by_code(session, plan_code)
        if plan is None:
            return None
        counts = dict(session.exec(
            select(m.Target.area_id, func.count(m.Target.id))
            .where(m.Target.plan_id == plan.id).group_by(m.Target.area_id)
        ).all())
        areas = [AreaLine(a.code, a.number, a.name, a.name_en, counts.get(a.id, 0))
                 for a in session.exec(select(m.Area).where(m.Area.plan_id == plan.id)
                                       .order_by(m.Area.number))]
        phases = [PhaseLine(p.code, p.name, p.start, p.end)
                  for p in session.exec(select(m.Phase).where(m.Phase.plan_id == plan.id)
                                        .order_by(m.Phase.start))]
        obligations = session.exec(select(func.count(m.Obligation.id))
                                   .where(m.Obligation.plan_id == plan.id)).one()
        reviews = session.exec(select(func.count(m.Review.id))
                               .where(m.Review.plan_id == plan.id)).one()
        issuer = session.get(m.Unit, plan.issuer_unit_id)
        doc_issuer = (plan.document or {}).get("issuer", {})
        dissolved = doc_issuer.get("dissolved_on")
        return PlanOverview(
            code=plan.code, number=plan.number, title=plan.title, title_en=plan.title_en,
            issuer=issuer.name, issued_on=plan.issued_on, period_start=plan.period_start,
            period_end=plan.period_end, status=plan_status(plan, today),
            issuer_dissolved_on=dt.date.fromisoformat(dissolved) if dissolved else None,
            issuer_note=doc_issuer.get("dissolved_note"), phases=phases, areas=areas,
            targets=sum(a.targets for a in areas), obligations=obligations, reviews=reviews,
            next_items=_next_distinct(due_items(session, plan, start=today), upcoming),
        )


def _next_distinct(items: list[DueItem], count: int) -> list[DueItem]:
    """The next few milestones, one per obligation (the monthly report would fill the list)."""
    seen, out = set(), []
    for item in items:
        if item.code in seen:
            continue
        seen.add(item.code)
        out.append(item)
        if len(out) == count:
            break
    return out


def due_phrase(item: DueItem, today: dt.date, lang: str) -> str:
    """"trước 01/6/2025 (còn 21 ngày)" — the date as the plan words it, and days left."""
    when = t("due.before" if item.before else "due.on", lang, date=fmt_date(item.due))
    rel = days_left_phrase(item.last_day, today, lang)
    return f"{when} ({rel})"


def render_overview(ov: PlanOverview, today: dt.date, lang: str) -> Reply:

    en = lang == "en"
    lines = [
        t("plan.header", lang, number=ov.number, date=fmt_date(ov.issued_on), issuer=ov.issuer),
        ov.title_en if en and ov.title_en else ov.title,
        t(f"plan.status.{ov.status}", lang, start=ov.period_start, end=ov.period_end),
    ]
    if ov.issuer_dissolved_on and today >= ov.issuer_dissolved_on:
        lines.append(t("plan.issuer_dissolved", lang, date=fmt_date(ov.issuer_dissolved_on)))
    lines.append(t("plan.phases", lang))
    for p in ov.phases:
        lines.append(f"• {p.code}: {p.name} ({fmt_date(p.start)} - {fmt_date(p.end)})")
    lines.append(t("plan.counts", lang, areas=len(ov.areas), targets=ov.targets,
                   obligations=ov.obligations, reviews=ov.reviews))
    for a in ov.areas:
        name = a.name_en if en and a.name_en else a.name
        lines.append(t("plan.area_line", lang, number=a.number, name=name, code=a.code,
                       targets=a.targets))
    if ov.next_items:
        lines.append(t("plan.next", lang))
        for item in ov.next_items:
            name = item.name_en if en and item.name_en else item.name
            lines.append(f"• {name} — {due_phrase(item, today, lang)}")
    else:
        lines.append(t("plan.no_next", lang))
    lines.append(t("plan.source", lang, number=ov.number))
    buttons = [[Button(t("button.due", lang), cmd_data("due")),
                Button(t("button.help", lang), cmd_data("help"))]]
    return Reply("\n".join(lines), buttons)


def targets_listing(engine: Engine, plan_code: str | None = None, lang: str = "vi") -> str | None:
    """Every target of a plan with its value per phase or year, deadline, source and owners,
    to check an import line by line against the paper plan (`parbot plan show --targets`)."""
    from bot.progress import requirements
    from bot.progress.wording import requirement_text

    with Session(engine) as session:
        plan = plan_by_code(session, plan_code)
        if plan is None:
            return None
        areas = {a.id: a for a in session.exec(select(m.Area).where(m.Area.plan_id == plan.id))}
        people = {p.id: p for p in session.exec(select(m.PlanPerson)
                                                .where(m.PlanPerson.plan_id == plan.id))}
        roles: dict[tuple[int, str], list[str]] = {}
        for role in session.exec(select(m.PlanRole).where(m.PlanRole.target_id.is_not(None))
                                 .order_by(m.PlanRole.id)):
            person = people.get(role.person_id)
            if person is not None:
                label = person.name or person.title or person.department or person.key
                roles.setdefault((role.target_id, role.kind), []).append(label)
        targets = list(session.exec(select(m.Target).where(m.Target.plan_id == plan.id)
                                    .order_by(m.Target.id)))
        lines = [t("plan.targets.title", lang, number=plan.number, count=len(targets))]
        for target in targets:
            area = areas.get(target.area_id)
            lines.append(t("plan.targets.target", lang, code=target.code, name=target.name,
                           area=area.code if area else "-", unit=target.unit,
                           per=target.measured_per))
            for req in requirements(session, target):
                lines.append(t("plan.targets.value", lang, label=req.label,
                               requirement=requirement_text(req, target.unit, lang),
                               deadline=fmt_date(req.deadline), source=req.source or "-"))
            none = t("plan.targets.nobody", lang)
            lines.append(t("plan.targets.owners", lang,
                           responsible="; ".join(roles.get((target.id, "responsible"), []))
                           or none,
                           coordinators="; ".join(roles.get((target.id, "coordinator"), []))
                           or none))
        return "\n".join(lines)
