"""A plan's own text as passages: the corrected full text shipped beside the plan's YAML
(`<name>.text.md`: `## <section> | <title>` then the text), or, for a plan without one (imported
from a spreadsheet), its rows — legal bases, purposes, requirements, each target's wording per
phase with its owners, the areas' tasks, the recurring reports, reviews and notes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.plans import schema as ps

_HEADING = re.compile(r"^##\s+(.+?)\s*\|\s*(.*?)\s*$")


@dataclass(frozen=True)
class Passage:
    section: str
    title: str
    text: str


def text_file_for(plan_file: Path) -> Path:
    """"data/plans/737-KH-PGDDT-2021.yaml" → "data/plans/737-KH-PGDDT-2021.text.md"."""
    return plan_file.with_name(f"{plan_file.stem}.text.md")


def parse_text(markdown: str) -> list[Passage]:
    """The passages of a `.text.md` file, in order; text before the first heading is skipped."""
    out: list[Passage] = []
    section = title = None
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if section is not None and body:
            out.append(Passage(section, title or "", body))

    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            section, title, lines = heading.group(1), heading.group(2), []
        elif section is not None:
            lines.append(line)
    flush()
    return out


def read_text_file(path: Path) -> list[Passage]:
    return parse_text(path.read_text(encoding="utf-8")) if path.exists() else []


def _people(plan: ps.Plan, keys: list[str]) -> str:
    by_key = {p.key: p for p in plan.people}
    labels = []
    for key in keys:
        p = by_key.get(key)
        if p is None:
            labels.append(key)
        elif p.name:
            labels.append(f"{p.name} ({p.department})" if p.department else p.name)
        else:
            labels.append(p.title or p.department or key)
    return "; ".join(labels)


def from_rows(plan: ps.Plan) -> list[Passage]:
    """Passages made of a plan's rows, for a plan that comes without its full text."""
    out: list[Passage] = []
    if plan.legal_bases:
        out.append(Passage("preamble", "Căn cứ", "\n".join(f"- {b}" for b in plan.legal_bases)))
    if plan.purposes:
        out.append(Passage("I.1", "Mục đích", "\n".join(f"- {p}" for p in plan.purposes)))
    if plan.requirements:
        out.append(Passage("I.2", "Yêu cầu", "\n".join(f"- {r}" for r in plan.requirements)))
    areas = {a.code: a for a in plan.areas}
    phases = {p.code: p.name for p in plan.phases}
    for t in plan.targets:
        area = areas.get(t.area)
        lines = [] if any(v.text == t.text for v in t.values) else [t.text]
        for v in t.values:  # each phase's or year's wording, said whose it is
            when = phases.get(v.phase, v.phase) if v.phase else (f"Năm {v.year}" if v.year
                                                                 else "")
            if v.text:
                lines.append(f"{when}: {v.text}" if when else v.text)
        owners = _people(plan, t.responsible)
        if owners:
            lines.append(f"Người thực hiện: {owners}")
        partners = _people(plan, t.coordinators)
        if partners:
            lines.append(f"Người phối hợp: {partners}")
        source = (t.values[0].source if t.values else "") or t.code
        title = f"{area.name}: {t.name}" if area else t.name
        # one row, as the appendix of a plan's text has it: quoted whole, owners and all
        out.append(Passage(source, title, "- " + " | ".join(lines)))
    for a in plan.areas:
        if a.tasks:
            out.append(Passage(a.source.split(";")[0].strip() or a.code, f"Nhiệm vụ: {a.name}",
                               "\n".join(f"- {task}" for task in a.tasks)))
    for o in plan.obligations:
        parts = [o.name]
        if o.recipient:
            parts.append(f"Gửi: {o.recipient}")
        parts += [f"{d.label}: {'trước ' if d.before else ''}ngày {d.day:02d}/{d.month}"
                  for d in o.due]
        out.append(Passage(o.source or o.code, o.name, "\n".join(f"- {p}" for p in parts)))
    for r in plan.reviews:
        out.append(Passage(r.source or r.code, r.name,
                           f"{r.name}: dự kiến tháng {r.month}/{r.year}."))
    if plan.notes:
        out.append(Passage("notes", "Ghi chú", "\n".join(f"- {n}" for n in plan.notes)))
    return out
