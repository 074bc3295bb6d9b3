"""Who is responsible for, or coordinates, a target, a recurring report or an area — as the plan
names them and as linked on the roster — and the reverse: what one person is responsible for."""

from __future__ import annotations

import re
from collections import defaultdict

from sqlmodel import Session, select

from bot.answers import wording
from bot.answers.intents import SCHOOL_LEVELS, OfficerRef
from bot.answers.normalise import normalise
from bot.answers.snapshot import (
    AreaInfo,
    ObligationInfo,
    PersonInfo,
    PlanSnapshot,
    TargetInfo,
    cite,
)
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.formatting import fmt_date
from bot.core.replies import Button, Reply
from bot.core.text import fold, name_matches
from bot.core.vocab import ask_data
from storage import models as m


def _roster(session: Session, column, item_id: int) -> dict[str, list[str]]:
    rows = session.exec(select(m.Officer.full_name, m.Assignment.kind)
                        .join(m.Assignment, m.Assignment.officer_id == m.Officer.id)
                        .where(column == item_id, m.Officer.active)
                        .order_by(m.Officer.id)).all()
    out: dict[str, list[str]] = defaultdict(list)
    for name, kind in rows:
        out[kind].append(name)
    return out


def school_level(norm: str) -> str | None:
    """"… cấp tiểu học thì ai phụ trách": the level, in the plan's folded words."""
    for words, level in SCHOOL_LEVELS:
        if re.search(rf"(?<![a-z]){words}(?![a-z])", norm):
            return level
    return None


def _of_level(person: PersonInfo, level: str) -> bool:
    return level in normalise(person.label)


def _at_level(persons, level: str | None):
    """The people of one school level when a level is asked and some are of it: "bộ phận
    chuyên môn cấp học TH" for "tiểu học"."""
    if not level:
        return persons
    chosen = [p for p in persons if _of_level(p, level)]
    return chosen or persons


LEVEL_NAMES = {"trung hoc pho thong": "THPT", "trung hoc co so": "THCS", "tieu hoc": "TH",
               "mam non": "MN"}


def _level_lines(persons, level: str | None, lang: str) -> list[str]:
    """"cấp THPT thì ai phụ trách": nobody of that level in the plan — said, before who is."""
    if not level or any(_of_level(p, level) for p in persons):
        return []
    return [t("answers.who.no_level", lang, level=LEVEL_NAMES.get(level, level))]


def _phases(target: TargetInfo, lang: str) -> str:
    labels = []
    for v in target.values:
        label = wording.when(v, lang)
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def _owner_lines(responsible, coordinators, roster: dict[str, list[str]], lang: str,
                 coordinator_first: bool) -> list[str]:
    lines = []
    resp = t("answers.who.responsible", lang, people=wording.people(responsible)
             or t("answers.who.nobody", lang))
    coord = t("answers.who.coordinators", lang, people=wording.people(coordinators)
              or t("answers.who.nobody", lang))
    lines.extend([coord, resp] if coordinator_first else [resp, coord])
    if roster:
        parts = []
        for kind in ("responsible", "coordinator"):
            if roster.get(kind):
                parts.append(t(f"answers.who.roster_{kind}", lang,
                               names=", ".join(roster[kind])))
        lines.append(t("answers.who.roster", lang, parts="; ".join(parts)))
    return lines


def who_target(session: Session, snap: PlanSnapshot, actor: Actor, target: TargetInfo,
               coordinator_first: bool = False, level: str | None = None) -> Reply:
    lang = actor.language
    name = target.name_en if lang == "en" and target.name_en else target.name
    lines = [t("answers.who.title_target", lang, code=target.code, name=name)]
    lines += _level_lines(target.responsible, level, lang)
    lines += _owner_lines(_at_level(target.responsible, level), target.coordinators,
                          _roster(session, m.Assignment.target_id, target.id), lang,
                          coordinator_first)
    lines.append(t("answers.who.phases", lang, phases=_phases(target, lang)))
    lines.append(cite(snap, [v.source for v in target.values], lang))
    return Reply("\n".join(lines), [[Button(t("answers.button.target", lang),
                                            ask_data(snap.id, "target", target.code))]])


def who_many(session: Session, snap: PlanSnapshot, actor: Actor,
             targets: list[TargetInfo]) -> Reply:
    """The people of a few targets the question fits equally ("tự chủ tài chính ai làm"): each
    with who is responsible and who coordinates, and a button to each target."""
    lang = actor.language
    lines = [t("answers.who.many", lang, count=len(targets))]
    for tg in targets:
        name = tg.name_en if lang == "en" and tg.name_en else tg.name
        lines.append(t("answers.who.many_line", lang, code=tg.code, name=name,
                       responsible=wording.people(tg.responsible) or t("answers.who.nobody", lang),
                       coordinators=wording.people(tg.coordinators)
                       or t("answers.who.nobody", lang)))
    lines.append(cite(snap, [v.source for tg in targets for v in tg.values], lang))
    return Reply("\n".join(lines), [[Button(f"🎯 {tg.code}", ask_data(snap.id, "target", tg.code))
                                     for tg in targets]])


def who_obligation(session: Session, snap: PlanSnapshot, actor: Actor, ob: ObligationInfo,
                   coordinator_first: bool = False, level: str | None = None) -> Reply:
    lang = actor.language
    name = ob.name_en if lang == "en" and ob.name_en else ob.name
    lines = [t("answers.who.title_obligation", lang, name=name)]
    lines += _level_lines(ob.responsible, level, lang)
    lines += _owner_lines(_at_level(ob.responsible, level), ob.coordinators,
                          _roster(session, m.Assignment.obligation_id, ob.id), lang,
                          coordinator_first)
    if ob.recipient:
        lines.append(t("answers.obligation.recipient", lang, recipient=ob.recipient))
    lines.append(cite(snap, ob.source, lang))
    return Reply("\n".join(lines), [[Button(t("answers.button.deadline", lang),
                                            ask_data(snap.id, "obligation", ob.code))]])


def who_area(snap: PlanSnapshot, actor: Actor, area: AreaInfo,
             session: Session | None = None, level: str | None = None) -> Reply:
    """Who is responsible and who coordinates in an area, each with their items; a person of
    the plan named as on the roster too ("Hoà (bộ phận văn phòng) — Trần Thị Hòa")."""
    lang = actor.language
    roster = list(session.exec(select(m.Officer.full_name).where(m.Officer.active)).all()) \
        if session else []

    def label(p: PersonInfo) -> str:  # tone marks placed either way: "Hoà" is "Hòa"
        full = [n for n in roster if p.name and name_matches(fold(n), fold(p.name))]
        return f"{p.label} — {', '.join(full)}" if len(full) == 1 else p.label
    name = area.name_en if lang == "en" and area.name_en else area.name
    lines = [t("answers.who.title_area", lang, number=area.number, name=name, code=area.code)]
    lines += _level_lines([p for tg in snap.area_targets(area.code) for p in tg.responsible],
                          level, lang)
    sources = [area.source]
    for kind in ("responsible", "coordinators"):
        owners: dict[str, list[str]] = {}
        items = [(tg.code, getattr(tg, kind)) for tg in snap.area_targets(area.code)]
        items += [(o.code, getattr(o, kind)) for o in snap.obligations
                  if o.area_code == area.code]
        for code, persons in items:
            for p in (_at_level(persons, level) if kind == "responsible" else persons):
                owners.setdefault(label(p), []).append(code)
        if owners:
            lines.append(t(f"answers.who.area_{kind}", lang))
            lines += [f"• {who}: {', '.join(codes)}" for who, codes in owners.items()]
    for tg in snap.area_targets(area.code):
        sources += [v.source for v in tg.values]
    lines.append(cite(snap, sources, lang))
    return Reply("\n".join(lines), [[Button(t("answers.button.area", lang),
                                            ask_data(snap.id, "area", area.code))]])


def _roles_of(snap: PlanSnapshot, person: PersonInfo):
    for tg in snap.targets:
        if person in tg.responsible:
            yield "responsible", tg.code, tg, tg.values[-1].deadline if tg.values else None
        if person in tg.coordinators:
            yield "coordinator", tg.code, tg, tg.values[-1].deadline if tg.values else None
    for ob in snap.obligations:
        if person in ob.responsible:
            yield "responsible", ob.code, ob, None
        if person in ob.coordinators:
            yield "coordinator", ob.code, ob, None


def who_of(session: Session, snap: PlanSnapshot, actor: Actor, people: list[PersonInfo],
           officers: list[OfficerRef], topic: str | None = None) -> Reply:
    """What the named people are responsible for / coordinate (topic "coordinator": only what
    they coordinate; "partners": who coordinates with them on what they are responsible for).
    A roster officer's own assignments are used when the name is theirs; plan people cover
    groups and titles."""
    coordinator_only = topic == "coordinator"
    lang = actor.language
    areas = {a.code: a for a in snap.areas}
    blocks, sources = [], []
    covered: set[int] = set()
    for officer in officers:
        rows = session.exec(select(m.Assignment).where(m.Assignment.officer_id == officer.id)
                            .order_by(m.Assignment.id)).all()
        items = []
        for a in rows:
            item = next((tg for tg in snap.targets if tg.id == a.target_id), None) \
                if a.target_id else next((o for o in snap.obligations
                                          if o.id == a.obligation_id), None)
            if item is not None:
                deadline = item.values[-1].deadline if isinstance(item, TargetInfo) and \
                    item.values else None
                items.append((a.kind, item.code, item, deadline))
        for p in people:
            if p.name and name_matches(officer.full_name, p.name):
                covered.add(p.id)
                if not items:
                    items = list(_roles_of(snap, p))
        label = f"{officer.full_name} ({officer.department})" if officer.department \
            else officer.full_name
        blocks.append(_block(label, items, lang, coordinator_only, sources, topic, areas))
    for p in people:
        if p.id in covered:
            continue
        blocks.append(_block(p.label, list(_roles_of(snap, p)), lang, coordinator_only,
                             sources, topic, areas))
    if not blocks:
        return Reply(t("answers.who.nobody_named", lang))
    lines = [*blocks, cite(snap, sources, lang)]
    return Reply("\n".join(lines))


def _block(label: str, items, lang: str, coordinator_only: bool, sources: list[str],
           topic: str | None = None, areas: dict | None = None) -> str:
    lines = [t("answers.who.person", lang, name=label)]
    if topic == "partners":  # both ways: who helps on theirs, whom they help on the others'
        for kind, title, line, others in (
                ("responsible", "answers.who.partners", "answers.who.partner_line",
                 "coordinators"),
                ("coordinator", "answers.who.partners_led", "answers.who.leader_line",
                 "responsible")):
            chosen = [item for k, _, item, _ in items if k == kind]
            if not chosen and kind == "coordinator":
                continue
            lines.append(t(title, lang, count=len(chosen)))
            groups: dict[str, list] = {}  # the same partners once, with all their items
            for item in chosen:
                groups.setdefault(wording.people(getattr(item, others))
                                  or t("answers.who.nobody", lang), []).append(item)
            for partners, group in groups.items():
                first = group[0]
                name = first.name_en if lang == "en" and first.name_en else first.name
                if len(group) > 1:  # several items: their area's name, when they share one
                    shared = {getattr(i, "area_code", None) for i in group}
                    area = (areas or {}).get(shared.pop()) if len(shared) == 1 else None
                    name = (area.name_en if lang == "en" and area.name_en else area.name) \
                        if area is not None else ""
                code = ", ".join(i.code for i in group)
                lines.append(t(line, lang, code=code, name=name,
                               people=partners).replace("  ", " "))
            for item in chosen:
                if isinstance(item, TargetInfo):
                    sources.extend(v.source for v in item.values)
                else:
                    sources.append(item.source)
        return "\n".join(lines)
    kinds = ("coordinator",) if coordinator_only else ("responsible", "coordinator")
    for kind in kinds:
        chosen = [(code, item, deadline) for k, code, item, deadline in items if k == kind]
        lines.append(t(f"answers.who.of_{kind}", lang, count=len(chosen)))
        area_shown = None
        for code, item, deadline in chosen:
            area = (areas or {}).get(getattr(item, "area_code", None))
            if area is not None and area.code != area_shown:
                lines.append(t("answers.who.area_header", lang,
                               name=area.name_en if lang == "en" and area.name_en else area.name))
                area_shown = area.code
            name = item.name_en if lang == "en" and item.name_en else item.name
            if isinstance(item, TargetInfo) and item.values:  # what it asks, per phase
                name = f"{name}: {wording.requirements(item.values, item.unit, lang)}"
            if deadline is not None:
                lines.append(t("answers.who.item_deadline", lang, code=code, name=name,
                               deadline=fmt_date(deadline)))
            else:
                lines.append(t("answers.who.item", lang, code=code, name=name))
            if isinstance(item, TargetInfo):
                sources.extend(v.source for v in item.values)
            else:
                sources.append(item.source)
    if not items:
        lines = [t("answers.who.person", lang, name=label), t("answers.who.no_roles", lang)]
    return "\n".join(lines)
