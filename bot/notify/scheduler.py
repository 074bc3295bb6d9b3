"""Scheduled work follows the one clock: a short repeating tick asks "what is due now?".

There are no cron triggers on the system clock and nothing important in memory. Every
PARBOT_TICK_SECONDS (30 s) the application's JobQueue runs one tick (handlers.digest.tick), which
calls `prepare`: it works out from the database and `bot.core.clock` which nudges, escalations and
digests are due for this channel's accounts, writes them to the notification log (pending)
before anything is sent, and returns the messages to send. A restart, a second tick or a retry
therefore never sends twice, and whatever was due while the bot was down is found by the next
tick (caught up once, or skipped when no longer useful — see bot.notify.nudges).

One Application serves one channel (Telegram, Zalo, the console); each sends to its own
channel's accounts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.core.clock import clock
from bot.core.replies import Reply
from bot.core.settings import Settings
from bot.notify import digest, nudges
from bot.notify import notification_log as notifications
from bot.notify.messages import render_notices
from bot.notify.notification_log import Claim
from bot.notify.workdays import load_calendar

log = logging.getLogger("parbot.scheduler")
JOB_NAME = "parbot-notifications"


@dataclass
class Delivery:
    """One message (of one or more parts) for one account, already claimed in the log."""

    officer_id: int
    chat_id: str
    kind: str  # notice | digest
    keys: list[str]
    language: str
    replies: list[Reply]
    parts_sent: int = 0
    late: bool = False
    items: list[str] = field(default_factory=list)  # what it is about, for logs and tests


def _claim(channel: str, key: str, officer_id: int, kind: str, late: bool,
           **detail: Any) -> Claim:
    return Claim(f"{channel}:{key}", officer_id, kind, late,
                 {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                  for k, v in detail.items()})


def _notice_claim(channel: str, n: nudges.Notice) -> Claim:
    return _claim(channel, n.key, n.officer_id, n.kind, n.late, item=n.item.key(),
                  scheduled=n.scheduled, expires=n.expires, stage=n.stage)


def prepare(engine: Engine, channel: str, settings: Settings, token: str,
            now: dt.datetime | None = None) -> list[Delivery]:
    """Everything due now on `channel`, claimed in the log, ready to send."""
    now = now or clock.now()
    rules = nudges.Rules.from_settings(settings)
    calendar = load_calendar(settings.holidays_file)
    notifications.expire(engine, channel)
    with Session(engine) as session:
        people = nudges.recipients(session, channel)
        if not people:
            return []
        def settled(keys: list[str]) -> set[str]:
            found = notifications.statuses(engine, [f"{channel}:{k}" for k in keys])
            return {k.split(":", 1)[1] for k, status in found.items()
                    if status in notifications.FINAL}

        notices = nudges.plan_notices(session, now, rules, calendar, people, settled) \
            if nudges.sending_hours(now, rules, calendar) else []
    digests = digest.due_digests(people, now)
    keys = [f"{channel}:{n.key}" for n in notices] + [f"{channel}:{d.key}" for d in digests]
    keys += [f"{channel}:{k}" for n in notices for k in n.superseded]
    status = notifications.statuses(engine, keys)

    def open_(key: str) -> bool:
        return status.get(f"{channel}:{key}") not in notifications.FINAL

    superseded = [_claim(channel, k, n.officer_id, n.kind, False, item=n.item.key())
                  for n in notices for k in n.superseded if open_(k)]
    notifications.skip(engine, superseded, "superseded")
    by_officer: dict[int, list[nudges.Notice]] = defaultdict(list)
    for n in notices:
        if open_(n.key):
            by_officer[n.officer_id].append(n)
    sendable: dict[int, list[nudges.Notice]] = {}
    off: list[Claim] = []
    for officer_id, group in by_officer.items():
        r = people[officer_id]
        if not r.prefs.reminders_on:
            off += [_notice_claim(channel, n) for n in group if n.kind in nudges.OWN_KINDS]
            group = [n for n in group if n.kind not in nudges.OWN_KINDS]
        if group and not nudges.hold_reason(r, now, rules, calendar):
            sendable[officer_id] = group
    notifications.skip(engine, off, "reminders_off")
    granted = notifications.claim(engine, [_notice_claim(channel, n) for group in
                                           sendable.values() for n in group], token)
    deliveries: list[Delivery] = []
    for officer_id, group in sendable.items():
        r = people[officer_id]
        group = [n for n in group if f"{channel}:{n.key}" in granted]
        if not group:
            continue
        reply = render_notices(group, r, now, rules.stale_days)
        deliveries.append(Delivery(
            officer_id, r.external_id, "notice", [f"{channel}:{n.key}" for n in group],
            r.language, [reply], max(granted[f"{channel}:{n.key}"] for n in group),
            any(n.late for n in group), [f"{n.kind}:{n.item.key()}" for n in group]))
    deliveries.extend(_digests(engine, channel, settings, token, now, people, calendar,
                               [d for d in digests if open_(d.key)]))
    if deliveries:
        log.info("tick", extra={"fields": {"channel": channel, "deliveries": len(deliveries),
                                           "notices": sum(len(d.keys) for d in deliveries
                                                          if d.kind == "notice")}})
    return deliveries


def _digests(engine: Engine, channel: str, settings: Settings, token: str, now: dt.datetime,
             people: dict[int, nudges.Recipient], calendar, due: list[digest.DigestDue]
             ) -> list[Delivery]:
    content: digest.Digest | None = None
    out = []
    for d in due:
        r = people[d.officer_id]
        if digest.digest_hold(r, now, calendar):
            continue
        claim = _claim(channel, d.key, d.officer_id, "digest", d.late, scheduled=d.scheduled,
                       expires=d.expires)
        granted = notifications.claim(engine, [claim], token)
        if claim.key not in granted:
            continue
        content = content or digest.build_digest(engine, now, settings.digest_ahead_days,
                                                 settings.stale_days)
        if content is None:
            notifications.skip(engine, [claim], "no_plan")
            continue
        lang = r.language
        replies = digest.digest_replies(content, lang, d.scheduled.date() if d.late else None)
        out.append(Delivery(d.officer_id, r.external_id, "digest", [claim.key], lang, replies,
                            granted[claim.key], d.late, [d.key]))
    return out


