"""Facts of the plan itself: its number, issuer, dates and status (current, finished,
superseded — and, after the 2025 reorganisation, that its issuing office no longer exists), its
phases, purposes and legal bases, how many areas and targets, what an area contains, when the
reviews are, and the dates of the recurring reports."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session, select

from bot.answers import wording
from bot.answers.due import dissolved_lines, plan_items
from bot.answers.slots import Period
from bot.answers.snapshot import AreaInfo, ObligationInfo, PlanSnapshot, ReviewInfo, cite
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.formatting import fmt_date, fmt_short_date
from bot.core.replies import Button, Reply
from bot.core.vocab import ask_data, cmd_data
from bot.plans.deadlines import DueItem
from bot.plans.overview import due_phrase, plan_status
from bot.progress.wording import requirement_words
from storage import models as m

TASKS_SHOWN = 6  # an area's tasks, all of them in this plan (each cut shorter when many)
TASK_LIMIT = {True: 130, False: 160}


def _title(snap: PlanSnapshot, lang: str) -> str:
    return snap.title_en if lang == "en" and snap.title_en else snap.title


def _status_line(plan: m.Plan, snap: PlanSnapshot, today: dt.date, lang: str) -> str:
    return t(f"plan.status.{plan_status(plan, today)}", lang, start=snap.period_start,
             end=snap.period_end)


def plan_reply(session: Session, plan: m.Plan, snap: PlanSnapshot, actor: Actor, topic: str,
               today: dt.date) -> Reply:
    lang = actor.language
    header = t("plan.header", lang, number=snap.number, date=fmt_date(snap.issued_on),
               issuer=snap.issuer)
    doc = snap.document or {}
    lines: list[str]
    sources: list[str] = []
    if topic == "issuer":  # with its title: what the plan is, and for which years
        lines = [t("answers.plan.issuer", lang, issuer=snap.issuer, number=snap.number,
                   date=fmt_date(snap.issued_on)), _title(snap, lang),
                 *dissolved_lines(snap, today, lang)]
    elif topic == "issued":
        lines = [t("answers.plan.issued", lang, number=snap.number,
                   date=fmt_date(snap.issued_on), issuer=snap.issuer)]
    elif topic in ("status", "successor"):
        lines = [header, _title(snap, lang), _status_line(plan, snap, today, lang)]
        if plan_status(plan, today) == "superseded":
            newer = session.exec(select(m.Plan).where(
                m.Plan.issuer_unit_id == plan.issuer_unit_id, m.Plan.active)).first()
            if newer is not None:
                lines.append(t("answers.plan.superseded_by", lang, number=newer.number,
                               date=fmt_date(newer.issued_on)))
        if snap.phases:
            last = snap.phases[-1]
            lines.append(t("answers.plan.ends", lang, date=fmt_date(last.end)))
        lines += dissolved_lines(snap, today, lang)
        note = ((doc.get("issuer") or {}).get("dissolved_note") or "").strip()
        if note and dissolved_lines(snap, today, lang):
            if note.endswith(")") and " (" in note:  # "<Vietnamese> (<English>)"
                vi, en = note[:-1].rsplit(" (", 1)
                note = en if lang == "en" else vi
            lines.append(wording.quote(note, 400))
        if topic == "successor":  # who carries it on: the plan cannot say
            lines.append(t("answers.plan.no_successor", lang))
    elif topic == "signer":  # the signature block as written, or the plan does not say
        signed = next((p for p in snap.passages if p.section == "signature"), None)
        lines = [t("answers.plan.signer", lang, signature=" ".join(signed.text.split()),
                   issuer=snap.issuer) if signed and signed.text.strip()
                 else t("answers.plan.no_signer", lang)]
        if snap.issued_on:  # "who signed it and when": the date it was signed and issued
            lines.append(t("answers.plan.issued", lang, number=snap.number,
                           date=fmt_date(snap.issued_on), issuer=snap.issuer))
    elif topic == "phases":
        lines = [t("answers.plan.phases", lang, count=len(snap.phases),
                   start=snap.period_start, end=snap.period_end)]
        lines += [t("answers.plan.phase_line", lang, code=p.code, name=p.name,
                    start=fmt_date(p.start), end=fmt_date(p.end)) for p in snap.phases]
    elif topic in ("purposes", "legal", "requirements"):
        field = {"purposes": "purposes", "legal": "legal_bases",
                 "requirements": "requirements"}[topic]
        items = doc.get(field) or []
        if not items:
            lines = [t("answers.plan.not_stated", lang)]
        else:
            lines = [t(f"answers.plan.{topic}", lang, count=len(items))]
            lines += [f"• {wording.quote(x, 300)}" for x in items]
    elif topic == "targets":
        lines = [t("answers.plan.targets", lang, count=len(snap.targets),
                   areas=len(snap.areas))]
        for a in snap.areas:
            name = a.name_en if lang == "en" and a.name_en else a.name
            lines.append(t("plan.area_line", lang, number=a.number, name=name, code=a.code,
                           targets=len(snap.area_targets(a.code))))
    else:  # meta
        lines = [header, _title(snap, lang), _status_line(plan, snap, today, lang),
                 *dissolved_lines(snap, today, lang),
                 t("answers.plan.counts", lang, areas=len(snap.areas),
                   targets=len(snap.targets), obligations=len(snap.obligations),
                   reviews=len(snap.reviews))]
    lines.append(cite(snap, [s for s in sources if s], lang))
    return Reply("\n".join(lines), [[Button(t("answers.button.plan", lang), cmd_data("plan"))]])


def areas_reply(snap: PlanSnapshot, actor: Actor) -> Reply:
    lang = actor.language
    lines = [t("answers.areas.header", lang, count=len(snap.areas), plan=snap.short(lang))]
    for a in snap.areas:
        name = a.name_en if lang == "en" and a.name_en else a.name
        lines.append(t("plan.area_line", lang, number=a.number, name=name, code=a.code,
                       targets=len(snap.area_targets(a.code))))
    lines.append(cite(snap, [a.source for a in snap.areas], lang))
    # the bridge numbers the options itself: a label of its own number read "1. 1. CDDH"
    rows = [[Button(f"🗂 {a.code}", ask_data(snap.id, "area", a.code))
             for a in snap.areas[i:i + 4]] for i in range(0, len(snap.areas), 4)]
    return Reply("\n".join(lines), rows)


def area_reply(snap: PlanSnapshot, actor: Actor, area: AreaInfo, today: dt.date) -> Reply:
    lang = actor.language
    name = area.name_en if lang == "en" and area.name_en else area.name
    targets = snap.area_targets(area.code)
    obligations = [o for o in snap.obligations if o.area_code == area.code]
    lines = [t("answers.area.header", lang, number=area.number, name=name, code=area.code,
               targets=len(targets), obligations=len(obligations))]
    sources = [area.source]
    for tg in targets:
        tname = tg.name_en if lang == "en" and tg.name_en else tg.name
        last = tg.values[-1] if tg.values else None
        if last is None:
            lines.append(f"• {tg.code} {tname}")
            continue
        lines.append(t("answers.area.target_line", lang, code=tg.code, name=tname,
                       requirement=requirement_words(last.comparison, last.value, last.value_max,
                                                       tg.unit, lang),
                       when=wording.when(last, lang), deadline=fmt_date(last.deadline)))
        sources += [v.source for v in tg.values]
    for o in obligations:
        oname = o.name_en if lang == "en" and o.name_en else o.name
        lines.append(t("answers.area.obligation_line", lang, name=oname,
                       rule=obligation_rule(o, lang)))
        sources.append(o.source)
    if area.tasks:
        lines.append(t("answers.area.tasks", lang, count=len(area.tasks)))
        limit = TASK_LIMIT[len(area.tasks) > 3]
        lines += [f"  – {wording.quote(x, limit)}" for x in area.tasks[:TASKS_SHOWN]]
        if len(area.tasks) > TASKS_SHOWN:
            lines.append("  " + t("answers.more_line", lang, count=len(area.tasks) - TASKS_SHOWN))
    lines.append(cite(snap, sources, lang))
    buttons = [Button(t("answers.button.who", lang), ask_data(snap.id, "who", f"a.{area.code}")),
               Button(t("answers.button.area_status", lang, code=area.code),
                      ask_data(snap.id, "status", area.code))]
    return Reply("\n".join(lines), [buttons])


def review_reply(snap: PlanSnapshot, actor: Actor, review: ReviewInfo | None,
                 today: dt.date, day_asked: bool = False) -> Reply:
    lang = actor.language
    reviews = [review] if review is not None else snap.reviews
    if not reviews:
        return Reply("\n".join([t("answers.review.none", lang), cite(snap, [], lang)]))
    lines = []
    for r in reviews:
        name = r.name_en if lang == "en" and r.name_en else r.name
        month_end = dt.date(r.year, r.month, 1)
        if (r.year, r.month) < (today.year, today.month):
            rel = t("answers.review.past", lang)
        elif (r.year, r.month) == (today.year, today.month):
            rel = t("answers.review.this_month", lang)
        else:
            rel = t("answers.review.ahead", lang, days=(month_end - today).days)
        lines.append(t("answers.review.line", lang, name=name, month=r.month, year=r.year,
                       rel=rel))
    if day_asked:  # the plan sets a month: the day is not the plan's to say
        lines.append(t("answers.review.no_day", lang))
    lines.append(cite(snap, [r.source for r in reviews], lang))
    return Reply("\n".join(lines))


def obligation_rule(o: ObligationInfo, lang: str) -> str:
    """When the plan says a recurring report is due: "quý I trước 01/3; quý II trước 01/6"; a
    report the plan gives no day for ("hàng tháng … đúng thời gian quy định") is said so, with
    the day the bot counts (the last of the month, quarter or year)."""
    if o.due:
        parts = []
        for d in o.due:
            day = fmt_short_date(dt.date(2000, d["month"], d["day"]))
            key = "answers.obligation.rule_before" if d.get("before", True) else \
                "answers.obligation.rule_on"
            label = d["label"]
            quarter = re.fullmatch(r"[Qq]uý\s+([IV]+)", label.strip())
            if lang == "en" and quarter:  # "Quý II" in the plan's data: "Quarter II" in English
                label = f"Quarter {quarter.group(1)}"
            parts.append(t(key, lang, label=label, date=day))
        return "; ".join(parts)
    if o.frequency == "monthly":
        rule = o.due_rule or "last_day"
        if rule.startswith("day:"):
            return t("answers.obligation.rule_monthly_day", lang, day=rule[4:])
        return t("answers.obligation.rule_monthly_last", lang)
    if o.frequency == "quarterly":
        return t("answers.obligation.rule_quarterly", lang)
    return t("answers.obligation.rule_yearly", lang)


def _occurrence_key(o: ObligationInfo, period: Period) -> str | None:
    if period.kind == "quarter" and o.frequency == "quarterly":
        return f"{period.year}-Q{period.number}"
    if period.kind == "month" and o.frequency == "monthly":
        return f"{period.year}-{period.number:02d}"
    if period.kind == "year" and o.frequency == "yearly":
        return str(period.year)
    return None


def no_such_report(snap: PlanSnapshot, actor: Actor, frequency: str) -> Reply:
    """A report of a frequency the plan does not set ("báo cáo 6 tháng"): said so, with the
    recurring reports it does set."""
    lang = actor.language
    lines = [t("answers.obligation.no_such", lang, plan=snap.short(lang),
               frequency=t(f"answers.frequency.{frequency}", lang))]
    for o in snap.obligations:
        name = o.name_en if lang == "en" and o.name_en else o.name
        lines.append(f"• {name}: {obligation_rule(o, lang)}")
    lines.append(cite(snap, [o.source for o in snap.obligations], lang))
    return Reply("\n".join(lines))


def obligation_reply(session: Session, plan: m.Plan, snap: PlanSnapshot, actor: Actor,
                     o: ObligationInfo, period: Period | None, today: dt.date) -> Reply:
    lang = actor.language
    name = o.name_en if lang == "en" and o.name_en else o.name
    lines = [t("answers.obligation.title", lang, name=name)]
    items = [i for i in plan_items(session, plan, snap)
             if i.kind == "obligation" and i.code == o.code]
    key = _occurrence_key(o, period) if period is not None else None
    if period is not None and period.kind in ("quarter", "month") and key is not None:
        asked = wording.period_label(period, lang)
        found = [i for i in items if i.period == key]
        if found:
            lines.append(t("answers.obligation.occurrence", lang, period=asked,
                           when=due_phrase(found[0], today, lang)))
        elif snap.period_start <= period.year <= snap.period_end:
            lines.append(t("answers.obligation.not_set", lang, period=asked))
        else:
            lines.append(t("answers.obligation.outside", lang, period=asked,
                           start=snap.period_start, end=snap.period_end))
    elif period is not None and period.kind in ("quarter", "month"):
        lines.append(t("answers.obligation.other_frequency", lang,
                       frequency=t(f"answers.frequency.{o.frequency}", lang)))
    upcoming: list[DueItem] = [i for i in items if i.last_day >= today]
    lines.append(t("answers.obligation.rule", lang, rule=obligation_rule(o, lang),
                   start=snap.period_start, end=snap.period_end))
    if upcoming and (period is None or key is None):
        lines.append(t("answers.obligation.next", lang, label=wording.occurrence(upcoming[0], lang),
                       when=due_phrase(upcoming[0], today, lang)))
    elif not upcoming and items:
        lines.append(t("answers.obligation.last", lang, label=wording.occurrence(items[-1], lang),
                       when=due_phrase(items[-1], today, lang)))
    if o.recipient:
        lines.append(t("answers.obligation.recipient", lang, recipient=o.recipient))
    if o.responsible:
        lines.append(t("answers.who.responsible", lang, people=wording.people(o.responsible)))
    lines.append(cite(snap, o.source, lang))
    return Reply("\n".join(lines), [[Button(t("answers.button.who", lang),
                                            ask_data(snap.id, "who", f"o.{o.code}")),
                                     Button(t("answers.button.due_quarter", lang),
                                            ask_data(snap.id, "due", "quarter"))]])
