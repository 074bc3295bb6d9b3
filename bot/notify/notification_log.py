"""The notification log: every message the bot sends on its own goes out once.

Each item of a message (a nudge for one deadline, one escalation, one weekly digest) is a row of
NotificationLog with a unique key (channel, kind, recipient, item, period). The row is written
`pending` before the message is sent and marked `sent` after, so a second tick, a restart or a
retry never sends it twice:

- pending: claimed, not sent yet. While a send is in flight `sent_at` holds the moment it
  started (a pending row with `sent_at` is in flight). A transient failure (429 after the rate
  limiter's retries, 5xx, a network error) leaves it pending with `retry_at` for a later tick;
  after PARBOT_NOTIFY_ATTEMPTS attempts it is failed.
- sent: delivered (`sent_at`). A message of several parts (the digest's chart and text) records
  `parts_sent` after each part, so a retry resumes after the last part delivered.
- failed: given up: the user blocked the bot (403), Telegram refused the message, or the outcome
  is unknown — a send was in flight when the process died or timed out. Unknown outcomes are
  not retried: a reminder must never arrive twice.
- skipped: never to be sent: its deadline passed before it could go out, a newer reminder
  replaced it, or the officer turned reminders off.

`late` marks a message sent after the day it was due (caught up after the bot was down).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.clock import clock
from storage import models as m
from storage.db import insert_for, session_scope

FINAL = frozenset({"sent", "failed", "skipped"})
CHUNK = 500  # keys per IN (...) query


@dataclass(frozen=True)
class Claim:
    """A row to write before sending."""

    key: str
    officer_id: int | None
    kind: str
    late: bool = False
    detail: dict = field(default_factory=dict, compare=False, hash=False)


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(keys), CHUNK):
        yield keys[i:i + CHUNK]


def _rows(session: Session, keys: Iterable[str]) -> dict[str, m.NotificationLog]:
    keys = list(dict.fromkeys(keys))
    out: dict[str, m.NotificationLog] = {}
    for part in _chunks(keys):
        for row in session.exec(select(m.NotificationLog).where(m.NotificationLog.key.in_(part))):
            out[row.key] = row
    return out


def _insert_missing(session: Session, claims: list[Claim], status: str) -> None:
    """Insert rows that do not exist yet; a row another process wrote first is left alone."""
    if not claims:
        return
    dialect = session.get_bind().dialect.name
    insert = insert_for(dialect)
    now = clock.now()
    values = [{"key": c.key, "officer_id": c.officer_id, "kind": c.kind, "status": status,
               "created_at": now, "late": c.late, "detail": dict(c.detail)} for c in claims]
    for i in range(0, len(values), CHUNK):
        stmt = insert(m.NotificationLog).values(values[i:i + CHUNK])
        session.exec(stmt.on_conflict_do_nothing(index_elements=["key"]))


def statuses(engine: Engine, keys: Iterable[str]) -> dict[str, str]:
    """The status of each key that has a row (keys without a row are absent)."""
    with Session(engine) as session:
        return {k: r.status for k, r in _rows(session, keys).items()}


def claim(engine: Engine, claims: list[Claim], token: str) -> dict[str, int]:
    """Write `claims` as pending (or take up their pending rows) before sending.

    Returns {key: parts already sent} for the keys this caller may send now. Rows already final
    are refused; a pending row waiting for its retry time is refused for now; a pending row with
    a send in flight from a run that never finished is marked failed (outcome unknown)."""
    if not claims:
        return {}
    now = clock.now()
    granted: dict[str, int] = {}
    with session_scope(engine) as session:
        _insert_missing(session, [replace(c, detail={**c.detail, "owner": token})
                                  for c in claims], "pending")
        rows = _rows(session, (c.key for c in claims))
        for c in claims:
            row = rows.get(c.key)
            if row is None or row.status != "pending":
                continue
            detail = dict(row.detail or {})
            if row.sent_at is not None:  # in flight when its run ended: delivered or not?
                row.status = "failed"
                row.detail = {**detail, "reason": "uncertain",
                              "reason_detail": f"send in flight by {detail.get('owner')}"}
                session.add(row)
                continue
            retry_at = detail.get("retry_at")
            if retry_at and dt.datetime.fromisoformat(retry_at) > now:
                continue
            if detail.get("owner") != token or (c.late and not row.late):  # taken up again
                row.late = row.late or c.late
                row.detail = {**detail, **{k: v for k, v in c.detail.items()
                                           if k not in detail}, "owner": token}
                session.add(row)
            granted[c.key] = int(detail.get("parts_sent", 0))
    return granted


def _update(engine: Engine, keys: list[str], change) -> None:
    with session_scope(engine) as session:
        for row in _rows(session, keys).values():
            change(row)
            session.add(row)


def _mark(engine: Engine, keys: list[str], **values: object) -> None:
    """One UPDATE for pending rows (the hot path of a fan-out: no rows loaded)."""
    with engine.begin() as conn:
        for part in _chunks(keys):
            conn.execute(update(m.NotificationLog)
                         .where(m.NotificationLog.key.in_(part),
                                m.NotificationLog.status == "pending")
                         .values(**values))


def begin(engine: Engine, keys: list[str]) -> None:
    """Mark a send in flight (committed before the request leaves)."""
    _mark(engine, keys, sent_at=clock.now())


def mark_many(engine: Engine, begun: list[str], sent: list[str]) -> None:
    """`begin` for some keys and `part_sent(done)` of one-part messages for others, in one
    transaction: the sends of a fan-out share their commits."""
    now = clock.now()
    with engine.begin() as conn:
        for keys, values in ((begun, {"sent_at": now}), (sent, {"status": "sent",
                                                                "sent_at": now})):
            for part in _chunks(keys):
                conn.execute(update(m.NotificationLog)
                             .where(m.NotificationLog.key.in_(part),
                                    m.NotificationLog.status == "pending")
                             .values(**values))


def part_sent(engine: Engine, keys: list[str], parts_sent: int, done: bool) -> None:
    """A part was delivered; with `done`, the whole message."""
    if done and parts_sent == 1:
        _mark(engine, keys, status="sent", sent_at=clock.now())
        return
    now = clock.now()

    def change(row: m.NotificationLog) -> None:
        row.detail = {**(row.detail or {}), "parts_sent": parts_sent}
        row.status, row.sent_at = ("sent", now) if done else (row.status, None)
    _update(engine, keys, change)


def retry_later(engine: Engine, keys: list[str], reason: str, max_attempts: int,
                delay: dt.timedelta = dt.timedelta(minutes=1)) -> None:
    """A transient failure: try again at a later tick, or give up after `max_attempts`."""
    now = clock.now()

    def change(row: m.NotificationLog) -> None:
        detail = dict(row.detail or {})
        attempts = int(detail.get("attempts", 0)) + 1
        detail.update(attempts=attempts, reason=reason,
                      retry_at=(now + delay * attempts).isoformat())
        if attempts >= max_attempts:
            row.status = "failed"
        row.detail, row.sent_at = detail, None
    _update(engine, keys, change)


def fail(engine: Engine, keys: list[str], reason: str) -> None:
    def change(row: m.NotificationLog) -> None:
        row.status, row.sent_at = "failed", None
        row.detail = {**(row.detail or {}), "reason": reason}
    _update(engine, keys, change)


def skip(engine: Engine, claims: list[Claim], reason: str) -> None:
    """Record that these will never be sent (rows not final yet become skipped)."""
    if not claims:
        return
    with session_scope(engine) as session:
        _insert_missing(session, claims, "skipped")
        for row in _rows(session, (c.key for c in claims)).values():
            if row.status == "pending" and row.sent_at is None:
                row.status = "skipped"
            if row.status == "skipped":
                row.detail = {**(row.detail or {}), "reason": reason}
                session.add(row)


def expire(engine: Engine, channel: str) -> int:
    """Pending rows of `channel` whose time has passed (a deadline gone by) become skipped."""
    now = clock.now()
    count = 0
    with session_scope(engine) as session:
        rows = session.exec(select(m.NotificationLog).where(
            m.NotificationLog.status == "pending",
            m.NotificationLog.key.startswith(f"{channel}:")))
        for row in rows:
            detail = dict(row.detail or {})
            expires = detail.get("expires")
            if row.sent_at is not None or not expires:
                continue
            if dt.datetime.fromisoformat(expires) <= now:
                row.status = "skipped"
                row.detail = {**detail, "reason": "expired"}
                session.add(row)
                count += 1
    return count


def set_blocked(engine: Engine, channel: str, external_id: str | int, blocked: bool) -> bool:
    """The user blocked (403) or unblocked the bot on `channel`. Returns whether a linked
    account changed."""
    with session_scope(engine) as session:
        result = session.exec(
            update(m.ChannelIdentity)
            .where(m.ChannelIdentity.channel == channel,
                   m.ChannelIdentity.external_id == str(external_id),
                   m.ChannelIdentity.blocked == (not blocked))
            .values(blocked=blocked))
        changed = bool(result.rowcount)
        if changed:
            session.add(m.AuditLog(at=clock.now(), action="identity.blocked" if blocked
                                   else "identity.unblocked", entity="channelidentity",
                                   detail={"channel": channel, "external_id": str(external_id)}))
        return changed


@dataclass(frozen=True)
class LogEntry:
    key: str
    officer_id: int | None
    kind: str
    status: str
    late: bool
    created_at: dt.datetime
    sent_at: dt.datetime | None
    detail: dict


def entries(engine: Engine, prefix: str = "", status: str | None = None) -> list[LogEntry]:
    """Rows whose key starts with `prefix` (a channel, "telegram:nudge:"...), oldest first."""
    with Session(engine) as session:
        query = select(m.NotificationLog).order_by(m.NotificationLog.id)
        if prefix:
            query = query.where(m.NotificationLog.key.startswith(prefix))
        if status:
            query = query.where(m.NotificationLog.status == status)
        return [LogEntry(r.key, r.officer_id, r.kind, r.status, r.late, r.created_at,
                         r.sent_at, dict(r.detail or {})) for r in session.exec(query)]
