"""Comparisons across phases or years ("chỉ tiêu X giai đoạn đầu và cuối khác gì", "SIPAS 2025
cao hơn 2023 bao nhiêu", "how do … differ"): every value the plan sets for the target side by
side, with the change between the first and the last when both are numbers; for an area, each
of its targets' values per phase."""

from __future__ import annotations

import re

from bot.answers import wording
from bot.answers.intents import COMPARE, Question, cue
from bot.answers.snapshot import AreaInfo, PlanSnapshot, TargetInfo, cite
from bot.core.access import Actor
from bot.core.catalogue import t
from bot.core.formatting import fmt_number
from bot.core.replies import Reply
from bot.core.vocab import Unit

CLOSE = 0.85


_PERIOD = re.compile(r"(?:giai doan|gd|phase)\s*(\d{4})\s*-\s*(\d{4})"
                     r"|(?:giai doan|gd|phase)\s*(\d)(?!\d)"
                     r"|(?<![\d-])(\d{4})\s*-\s*(\d{4})(?![\d-])"
                     r"|(?<![\d/-])(20\d\d)(?![\d/-])")


def named_periods(norm: str) -> set[str]:
    """The phases and years a question names: "gđ1 và gđ2", "2021-2023 với 2024-2025"."""
    out = set()
    for m in _PERIOD.finditer(norm):
        if m.group(1) or m.group(4):
            out.add(f"{m.group(1) or m.group(4)}-{m.group(2) or m.group(5)}")
        elif m.group(3):
            out.add(f"phase {m.group(3)}")
        else:
            out.add(m.group(6))
    return out


# "so với năm 2015": a baseline; "so với chỉ tiêu": how far from the target — neither compares
_BASELINE = re.compile(r"so voi (?:(?:nam )?\d{4}(?!\s*-)|(?:cac |nhung )?(?:chi tieu|muc tieu|"
                       r"yeu cau|ke hoach|target)|(?:nam |moc )?nao)")


# "2 giai đoạn", "hai giai đoạn", "các giai đoạn", "giữa 2 gđ": the phases together, by count
_BOTH = re.compile(r"(?<![a-z0-9])(?:2|hai|cac|ca 2|ca hai|both|two|the two)\s+"
                   r"(?:giai doan|gd|phases?)(?![a-z])")


def across_phases(norm: str) -> bool:
    """Two phases or years named, or the phases named together by count."""
    return len(named_periods(norm)) >= 2 or bool(_BOTH.search(norm))


def asks_compare(norm: str) -> bool:
    """Comparing words, or two phases or years named together ("so với năm 2021" is the
    baseline of a target, not a comparison); "có gì khác" across the phases."""
    norm = _BASELINE.sub(" ", norm)
    return cue(norm, COMPARE) or len(named_periods(norm)) >= 2 or (
        bool(_BOTH.search(norm)) and cue(norm, ("khac",)))


def _target(q: Question) -> TargetInfo | None:
    if q.target is not None and len(q.target.values) > 1:
        return q.target
    hits = [h for h in q.hits if h.entity.kind == "target"]
    if not hits or hits[0].confidence < 0.25:  # the comparing words dilute the item's share
        return q.target
    close = [h.entity.item for h in hits if h.score >= CLOSE * hits[0].score]
    return max(close, key=lambda tg: len({(v.phase, v.year) for v in tg.values}))


def _area(q: Question) -> AreaInfo | None:
    """The area a comparison names when no target fits ("chỉ tiêu thể chế 2 giai đoạn có gì
    khác": the comparing words dilute the area's share as they do a target's)."""
    if q.hits and q.hits[0].entity.kind == "area" and q.hits[0].confidence >= 0.25 and \
            across_phases(q.text):
        return q.hits[0].entity.item
    return None


def compare_reply(snap: PlanSnapshot, actor: Actor, q: Question, text: str) -> Reply | None:
    if not asks_compare(q.text):
        return None
    lang = actor.language
    target = None if q.intent == "area" else _target(q)
    area = q.area if q.area is not None or target is not None else _area(q)
    if target is None and area is not None:
        lines = [t("answers.compare.area", lang, name=area.name_en if lang == "en"
                   else area.name)]
        sources = []
        for tg in snap.area_targets(area.code):
            name = tg.name_en if lang == "en" and tg.name_en else tg.name
            lines.append(f"• {tg.code} {name}: {wording.requirements(tg.values, tg.unit, lang)}")
            sources += [v.source for v in tg.values]
        lines.append(cite(snap, sources, lang))
        return Reply("\n".join(lines))
    if target is None or len(target.values) < 2:
        return None
    name = target.name_en if lang == "en" and target.name_en else target.name
    lines = [t("answers.target.title", lang, code=target.code, name=name)]
    lines += [f"• {wording.when(v, lang)}: {wording.value_requirement(v, target.unit, lang)}"
              for v in target.values]
    first, last = target.values[0], target.values[-1]
    if first.value is not None and last.value is not None and target.unit == Unit.PERCENT:
        diff = (last.value_max or last.value) - first.value if last.value_max else \
            last.value - first.value
        low = last.value - first.value
        change = fmt_number(round(low, 1), lang) if not last.value_max else \
            f"{fmt_number(round(low, 1), lang)}-{fmt_number(round(diff, 1), lang)}"
        lines.append(t("answers.compare.change", lang, first=wording.when(first, lang),
                       last=wording.when(last, lang), change=change))
    lines.append(cite(snap, [v.source for v in target.values], lang))
    return Reply("\n".join(lines))
