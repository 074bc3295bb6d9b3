"""Every dated thing a plan asks for: recurring reports, target deadlines, reviews.

`due_items` expands a plan's recurring obligations into dated occurrences and merges them with
target deadlines and reviews, so "what falls due between two dates" is one question for the
answers, the nudges and the digest alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from storage import models as m

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class DueItem:
    kind: str  # obligation | target | review
    code: str  # obligation/target/review code
    name: str
    name_en: str
    due: dt.date
    before: bool  # True: "trước ngày <due>" — the last day is the day before
    period: str  # "2025-Q2", "2025-05", "A", "2025"
    label: str  # "Quý II/2025", "tháng 5/2025", phase name
    source: str
    plan_code: str
    item_id: int  # obligation/target/review id
    area_code: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def last_day(self) -> dt.date:
        return self.due - dt.timedelta(days=1) if self.before else self.due

    def days_left(self, today: dt.date) -> int:
        """Days until the last allowed day (0 = today, negative = overdue)."""
        return (self.last_day - today).days

    def key(self) -> str:
        return f"{self.plan_code}:{self.kind}:{self.code}:{self.period}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _obligation_items(plan: m.Plan, ob: m.Obligation, area: str | None) -> list[DueItem]:
    items = []
    common = dict(kind="obligation", code=ob.code, name=ob.name, name_en=ob.name_en,
                  source=ob.source, plan_code=plan.code, item_id=ob.id, area_code=area)
    for year in range(plan.period_start, plan.period_end + 1):
        if ob.due:
            for d in ob.due:
                period = f"{year}-{d['period']}"
                items.append(DueItem(due=dt.date(year, d["month"], d["day"]),
                                     before=d.get("before", True), period=period,
                                     label=f"{d['label']}/{year}", **common))
        elif ob.frequency == "monthly":
            day_rule = ob.due_rule or "last_day"
            for month in range(1, 13):
                if day_rule.startswith("day:"):
                    due = dt.date(year, month, int(day_rule[4:]))
                else:
                    due = _month_end(year, month)
                items.append(DueItem(due=due, before=False, period=f"{year}-{month:02d}",
                                     label=f"{month}/{year}", **common))
        elif ob.frequency == "quarterly":
            for q in range(1, 5):
                items.append(DueItem(due=_month_end(year, q * 3), before=False,
                                     period=f"{year}-Q{q}", label=f"{ROMAN[q]}/{year}",
                                     **common))
        else:
            items.append(DueItem(due=dt.date(year, 12, 31), before=False, period=str(year),
                                 label=str(year), **common))
    return items


def due_items(session: Session, plan: m.Plan, start: dt.date | None = None,
              end: dt.date | None = None) -> list[DueItem]:
    """All dated items of a plan whose due date lies in [start, end], by date."""
    areas = {a.id: a.code for a in session.exec(select(m.Area).where(m.Area.plan_id == plan.id))}
    phases = {p.id: p for p in session.exec(select(m.Phase).where(m.Phase.plan_id == plan.id))}
    items: list[DueItem] = []
    for ob in session.exec(select(m.Obligation).where(m.Obligation.plan_id == plan.id)):
        items.extend(_obligation_items(plan, ob, areas.get(ob.area_id)))
    rows = session.exec(
        select(m.TargetValue, m.Target).join(m.Target).where(m.Target.plan_id == plan.id)
    )
    for value, target in rows:
        phase = phases.get(value.phase_id)
        items.append(DueItem(
            kind="target", code=target.code, name=target.name, name_en=target.name_en,
            due=value.deadline, before=False,
            period=phase.code if phase else str(value.year),
            label=phase.name if phase else str(value.year), source=value.source,
            plan_code=plan.code, item_id=target.id, area_code=areas.get(target.area_id),
            extra={"value_id": value.id},
        ))
    for review in session.exec(select(m.Review).where(m.Review.plan_id == plan.id)):
        items.append(DueItem(
            kind="review", code=review.code, name=review.name, name_en=review.name_en,
            due=_month_end(review.year, review.month), before=False,
            period=f"{review.year}-{review.month:02d}", label=f"{review.month}/{review.year}",
            source=review.source, plan_code=plan.code, item_id=review.id,
        ))
    items = [i for i in items if (start is None or i.last_day >= start)
             and (end is None or i.last_day <= end)]
    items.sort(key=lambda i: (i.last_day, i.kind, i.code))
    return items
