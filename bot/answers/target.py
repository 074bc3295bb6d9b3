"""One target: what the plan requires per phase or year and by when, in its own words, who owns
it, and — for members — the latest figure with a progress bar, the trend and the pace needed.

When the question names a year or phase the plan sets nothing for, the answer says so and gives
what the plan does set.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.answers import figures, wording
from bot.answers.snapshot import (
    PhaseInfo,
    PlanSnapshot,
    TargetInfo,
    ValueInfo,
    cite,
    cite_parts,
)
from bot.core.access import Actor, allowed
from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.formatting import fmt_date, fmt_number, progress_bar
from bot.core.replies import Button, Reply
from bot.core.vocab import TargetState, Unit, ask_data, cmd_data
from bot.progress import Assessment, moment_of
from bot.progress.assessment import units_of
from bot.progress.wording import requirement_text, requirement_words, trend_text, value_text
from storage import models as m

STATE_ICONS = {TargetState.ACHIEVED: "✅", TargetState.ON_TRACK: "🟢", TargetState.AT_RISK: "⚠️",
               TargetState.BEHIND: "🔻", TargetState.OVERDUE: "⛔", TargetState.NO_DATA: "▫️"}


def selected_values(target: TargetInfo, year: int | None,
                    phase: PhaseInfo | None) -> list[ValueInfo]:
    if phase is not None:
        return [v for v in target.values
                if (v.phase is not None and v.phase.id == phase.id)
                or (v.phase is None and phase.start <= v.deadline <= phase.end)]
    if year is not None:
        return [v for v in target.values if v.covers_year(year)]
    return list(target.values)


def value_line(target: TargetInfo, v: ValueInfo, snap: PlanSnapshot, lang: str) -> str:
    return t("answers.target.value_line", lang, when=wording.when(v, lang),
             requirement=requirement_words(v.comparison, v.value, v.value_max, target.unit,
                                                       lang),
             deadline=fmt_date(v.deadline), source="; ".join(cite_parts(snap, v.source, lang)))


def figure_lines(target: TargetInfo, a: Assessment, lang: str,
                 each_school: str | None = None) -> list[str]:
    """The latest figure against the requirement in force, the trend and the pace (and each
    school's figure, when given, after the count of schools)."""
    lines = []
    req, fig = a.requirement, a.figure
    if fig.value is None:
        lines.append(t("answers.target.no_data", lang))
    else:
        goal = req.value if req and req.value is not None else 1.0
        shown_goal = requirement_text(req, target.unit, lang)
        reported = clock.local(fig.reported_at)
        if target.unit in (Unit.PERCENT, Unit.COUNT):
            bar = progress_bar(fig.value, goal) + " "
        else:
            bar = ""
        lines.append(t("answers.target.current", lang, bar=bar,
                       value=value_text(fig.value, target.unit, lang), goal=shown_goal,
                       date=fmt_date(reported.date())))
        if a.pace_so_far is not None:
            arrow = "↗" if a.pace_so_far > 0 else "↘" if a.pace_so_far < 0 else "→"
            lines.append(t("answers.target.trend", lang, arrow=arrow,
                           pace=trend_text(a.pace_so_far, target.unit, lang),
                           per=t(f"answers.pace.{target.unit}", lang)))
        elif target.unit != Unit.BOOLEAN:
            lines.append(t("answers.target.trend_none", lang,
                           why=trend_text(None, target.unit, lang)))
        if a.state not in (TargetState.ACHIEVED, TargetState.OVERDUE) \
                and a.pace_needed and a.pace_needed > 0:
            lines.append(t("answers.target.pace_needed", lang,
                           pace=fmt_number(round(a.pace_needed, 1), lang),
                           per=t(f"answers.pace.{target.unit}", lang),
                           deadline=fmt_date(req.deadline)))
    if target.measured_per == "school" and (fig.units_reported or fig.units_missing):
        total = len(fig.units_reported) + len(fig.units_missing)
        line = t("answers.target.schools", lang, reported=len(fig.units_reported), total=total)
        if fig.units_missing:
            names = ", ".join(fig.units_missing[:3])
            more = len(fig.units_missing) - 3
            line += " " + t("answers.target.schools_missing", lang, names=names) + \
                (t("answers.more", lang, count=more) if more > 0 else "")
        lines.append(line)
        if each_school:
            lines.append(each_school)
    if not (a.state == TargetState.NO_DATA and fig.value is None):  # "chưa có số liệu" said above
        lines.append(f"{STATE_ICONS[a.state]} {t(f'answers.state.{a.state}', lang)}")
    return lines


def target_reply(engine: Engine, session: Session, snap: PlanSnapshot, actor: Actor,
                 target: TargetInfo, today: dt.date, year: int | None = None,
                 phase: PhaseInfo | None = None, progress_first: bool = False) -> Reply:
    lang = actor.language
    name = target.name_en if lang == "en" and target.name_en else target.name
    lines = [t("answers.target.title", lang, code=target.code, name=name)]
    shown = selected_values(target, year, phase)
    if (year is not None or phase is not None) and not shown:
        asked = t("answers.when.year", lang, year=year) if phase is None else \
            t("answers.when.phase", lang, years=phase.years)
        lines.append(t("answers.target.not_set", lang, when=asked))
        lines.append(t("answers.target.plan_sets", lang))
        shown = list(target.values)
    elif year is not None and year not in range(snap.period_start, snap.period_end + 1):
        shown = list(target.values)
    for v in shown:
        lines.append(value_line(target, v, snap, lang))
    if target.baseline_year:  # "giảm 10% so với năm 2021": from what
        lines.append(t("answers.target.baseline", lang, year=target.baseline_year))
    wording_text = shown[-1].text if shown and shown[-1].text else target.text
    lines.append(t("answers.target.wording", lang, text=wording.quote(wording_text)))
    if target.responsible:
        lines.append(t("answers.who.responsible", lang, people=wording.people(
            target.responsible)))
    if target.coordinators:
        lines.append(t("answers.who.coordinators", lang, people=wording.people(
            target.coordinators)))
    if actor.is_member and year is not None and year < today.year:
        lines.append(_year_figure(session, target, year, lang))  # that year's, not today's
    elif actor.is_member and year is None and phase is not None and phase.end < today:
        # a phase gone by: its last year's figure, not today's against today's goal
        lines.append(_year_figure(session, target, phase.end.year, lang))
    elif actor.is_member:
        a = figures.assessments(engine, session, [target], today)[target.id]
        # "các trường báo cáo tới đâu rồi": each school's own latest figure
        progress = figure_lines(target, a, lang,
                                each_school(engine, session, actor, target, a, lang))
        own = _own_school(engine, session, actor, target, lang)
        if own:
            progress.insert(1, own)
        if progress_first:
            lines[1:1] = progress
        else:
            lines.extend(progress)
    lines.append(cite(snap, [v.source for v in shown], lang))
    buttons = [Button(t("answers.button.who", lang), ask_data(snap.id, "who", f"t.{target.code}"))]
    if allowed(actor.role, "report"):
        buttons.append(Button(t("answers.button.report", lang), cmd_data("report")))
    elif actor.is_member:
        buttons.append(Button(t("answers.button.status", lang), cmd_data("status")))
    return Reply("\n".join(lines), [buttons])


def _year_figure(session: Session, target: TargetInfo, year: int, lang: str) -> str:
    """The last figure reported within a past year, or that none was."""
    start = dt.datetime(year, 1, 1, tzinfo=clock.tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=clock.tz)
    row = session.exec(select(m.ProgressReport).where(
        m.ProgressReport.target_id == target.id, m.ProgressReport.reported_at >= start,
        m.ProgressReport.reported_at < end, m.ProgressReport.withdrawn_at.is_(None))
        .order_by(m.ProgressReport.reported_at.desc())).first()
    if row is None or row.value is None:
        return t("answers.target.year_none", lang, year=year)
    day = clock.local(row.reported_at).date()
    return t("answers.target.year_figure", lang, year=year,
             value=value_text(row.value, target.unit, lang, row.numerator, row.denominator),
             date=fmt_date(day))


EACH_SCHOOL_SHOWN = 5  # more schools than this reported: the count only


def each_school(engine: Engine, session: Session, actor: Actor, target: TargetInfo,
                 a: Assessment, lang: str) -> str | None:
    """Each reporting school's latest figure (for the office: a principal sees their own)."""
    reported = a.figure.units_reported
    if target.measured_per != "school" or actor.role == "principal" or not reported or \
            len(reported) > EACH_SCHOOL_SHOWN:
        return None
    ids = {name: uid for uid, name in units_of(session).names.items()}
    book, now = figures.book(engine), moment_of(None)
    parts = []
    for name in reported:
        row = book.unit_point(target.id, ids[name], now) if name in ids else None
        if row is not None and row.value is not None:
            parts.append(t("answers.target.school_figure", lang, school=name, value=value_text(
                row.value, target.unit, lang, row.numerator, row.denominator),
                date=fmt_date(clock.local(row.reported_at).date())))
    return t("answers.target.each_school", lang, schools="; ".join(parts)) if parts else None


def _own_school(engine: Engine, session: Session, actor: Actor, target: TargetInfo,
                lang: str) -> str | None:
    if target.measured_per != "school" or actor.unit_id is None or actor.role != "principal":
        return None
    row = figures.book(engine).unit_point(target.id, actor.unit_id, moment_of(None))
    if row is None or row.value is None:
        return t("answers.target.own_school_none", lang)
    day = clock.local(row.reported_at).date()
    return t("answers.target.own_school", lang, value=value_text(
        row.value, target.unit, lang, row.numerator, row.denominator), date=fmt_date(day))
