"""The pack of verification documents ("tài liệu kiểm chứng") for the PAR Index review.

A ZIP arranged area / target code / unit with an index sheet; every file is fetched through a
function the caller passes in (the Bot API for Telegram files), and a file that can no longer be
fetched is listed as missing, never silently left out.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.catalogue import t
from bot.core.clock import clock
from bot.core.files import FileUnavailable
from bot.core.xlsx_tables import Column, write_table
from bot.paperwork.periods import Period
from bot.paperwork.quarterly import NoPlan
from bot.paperwork.workbook import header, sheet_title
from bot.plans.store import plan_by_code
from bot.progress import made_by_now
from bot.progress.wording import value_text
from storage import models as m


@dataclass(frozen=True)
class EvidenceItem:
    evidence_id: int
    report_id: int
    channel: str
    file_id: str
    file_name: str | None
    mime_type: str | None
    size: int | None
    local_path: str | None
    area_number: int
    area_name: str
    target_code: str
    target_name: str
    unit_name: str | None
    officer: str
    reported_at: dt.datetime
    value: str


Fetch = Callable[[EvidenceItem], Awaitable[bytes]]


def evidence_items(engine: Engine, period: Period, plan_code: str | None = None,
                   lang: str = "vi") -> list[EvidenceItem]:
    """Every evidence file attached to a live report of the period, by area and target."""
    start, end = period.utc_bounds()
    with Session(engine) as session:
        plan = plan_by_code(session, plan_code)
        if plan is None:
            raise NoPlan(plan_code or "")
        units = {u.id: u.name for u in session.exec(select(m.Unit))}
        officers = {o.id: o for o in session.exec(select(m.Officer))}
        rows = session.exec(
            select(m.Evidence, m.ProgressReport, m.Target, m.Area)
            .join(m.ProgressReport, m.ProgressReport.id == m.Evidence.report_id)
            .join(m.Target, m.Target.id == m.ProgressReport.target_id)
            .join(m.Area, m.Area.id == m.Target.area_id)
            .where(m.Target.plan_id == plan.id, m.ProgressReport.withdrawn_at.is_(None),
                   m.ProgressReport.reported_at >= start, m.ProgressReport.reported_at < end,
                   made_by_now())
            .order_by(m.Area.number, m.Target.code, m.ProgressReport.reported_at,
                      m.Evidence.id))
        items = []
        for ev, report, target, area in rows:
            officer = officers.get(report.officer_id)
            unit_id = report.unit_id if report.unit_id is not None else \
                (officer.unit_id if officer else None)
            items.append(EvidenceItem(
                ev.id, report.id, ev.channel, ev.file_id, ev.file_name, ev.mime_type, ev.size,
                ev.local_path, area.number, area.name, target.code, target.name,
                units.get(unit_id), officer.full_name if officer else "?", report.reported_at,
                value_text(report.value, target.unit, lang) if report.value is not None else "",
            ))
        return items


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}


def _safe(part: str, limit: int = 80) -> str:
    cleaned = _UNSAFE.sub("_", part).strip(" .")
    return cleaned[:limit] or "_"


def zip_path(item: EvidenceItem, lang: str = "vi") -> str:
    """"07. Xây dựng chính quyền điện tử.../CQS-1/Trường THCS Lê Lợi/12-3-bien-ban.pdf"."""
    name = item.file_name or f"{item.channel}-file{_EXTENSIONS.get(item.mime_type or '', '')}"
    unit = item.unit_name or t("exports.evidence.no_unit", lang)
    return "/".join((_safe(f"{item.area_number:02d}. {item.area_name}"), _safe(item.target_code),
                     _safe(unit), _safe(f"{item.report_id}-{item.evidence_id}-{name}", 120)))


@dataclass
class EvidencePack:
    content: bytes
    stored: list[tuple[str, EvidenceItem]] = field(default_factory=list)
    missing: list[tuple[EvidenceItem, str]] = field(default_factory=list)


def with_local_copies(fetch: Fetch | None) -> Fetch:
    """Read a file from its downloaded copy (PARBOT_EVIDENCE_DIR) when there is one, otherwise
    through `fetch`."""

    async def fetch_any(item: EvidenceItem) -> bytes:
        if item.local_path and Path(item.local_path).is_file():
            return Path(item.local_path).read_bytes()
        if fetch is None:
            raise FileUnavailable(item.channel)
        return await fetch(item)

    return fetch_any


INDEX_NAME = "danh-muc-tai-lieu-kiem-chung.xlsx"


def _index(stored: list[tuple[str, EvidenceItem]], missing: list[tuple[EvidenceItem, str]],
           lang: str) -> bytes:
    columns = [Column(header(k, lang), w, kind) for k, w, kind in (
        ("tt", 6, "int"), ("file", 60, "text"), ("file_name", 28, "text"),
        ("status", 26, "wrap"), ("area", 26, "wrap"), ("code", 10, "text"),
        ("unit", 26, "text"), ("report_id", 9, "int"), ("officer", 24, "text"),
        ("reported_at", 17, "datetime"), ("value", 11, "text"), ("size", 11, "int"))]
    entries = [(path, item, t("exports.evidence.ok", lang)) for path, item in stored]
    entries += [("", item, t("exports.evidence.missing", lang, reason=reason))
                for item, reason in missing]
    entries.sort(key=lambda e: (e[1].area_number, e[1].target_code, e[1].reported_at,
                                e[1].evidence_id))
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_title("evidence_index", lang)
    write_table(ws, columns, [
        [n, path, item.file_name, status, f"{item.area_number}. {item.area_name}",
         item.target_code, item.unit_name, item.report_id, item.officer, item.reported_at,
         item.value, item.size]
        for n, (path, item, status) in enumerate(entries, 1)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def evidence_pack(items: list[EvidenceItem], fetch: Fetch,
                        lang: str = "vi") -> EvidencePack:
    """Fetch every file (one after another: the Bot API limits downloads too) into a ZIP."""
    pack = EvidencePack(b"")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            try:
                data = await fetch(item)
            except FileUnavailable as exc:
                pack.missing.append((item, str(exc) or item.channel))
                continue
            path = zip_path(item, lang)
            local = clock.local(item.reported_at)
            info = zipfile.ZipInfo(path, local.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            pack.stored.append((path, item))
        archive.writestr(INDEX_NAME, _index(pack.stored, pack.missing, lang))
    pack.content = buffer.getvalue()
    return pack


def evidence_file_name(period: Period) -> str:
    return f"tai-lieu-kiem-chung-{period.code}.zip"
