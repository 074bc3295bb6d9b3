"""Who is talking: channel accounts ↔ roster officers, invite codes and phone matching."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import phonenumbers
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.access import GUEST, Actor
from bot.core.clock import clock
from bot.core.text import fold
from storage import models as m
from storage.db import session_scope

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def normalise_phone(raw: str) -> str | None:
    """E.164 for a Vietnamese number typed any usual way (+84…, 84…, 0…); None if invalid."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.startswith("84") and not raw.startswith("+"):
        raw = "+" + raw
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _actor(officer: m.Officer) -> Actor:
    return Actor(officer_id=officer.id, name=officer.full_name, role=officer.role,
                 unit_id=officer.unit_id, language=officer.language)


def guest(language: str = "vi") -> Actor:
    return Actor(officer_id=None, name="", role=GUEST, language=language)


def resolve(engine: Engine, channel: str, external_id: str | int,
            language: str = "vi") -> Actor:
    with Session(engine) as session:
        row = session.exec(
            select(m.Officer).join(m.ChannelIdentity)
            .where(m.ChannelIdentity.channel == channel,
                   m.ChannelIdentity.external_id == str(external_id),
                   m.Officer.active)
        ).first()
        return _actor(row) if row else guest(language)


def officer_actor(engine: Engine, officer_id: int) -> Actor | None:
    with Session(engine) as session:
        officer = session.get(m.Officer, officer_id)
        return _actor(officer) if officer else None


def find_officers(engine: Engine, name: str) -> list[tuple[int, str]]:
    """Officers whose folded full name contains the folded words typed. Whole words first:
    "hung" is Trịnh Văn Hùng, not also Đỗ Thị Tuyết Nhung, whose name only contains it."""
    key = fold(name)
    if not key:
        return []
    with Session(engine) as session:
        rows = list(session.exec(select(m.Officer).where(m.Officer.active)
                                 .order_by(m.Officer.id)))
    words = key.split()
    whole = [o for o in rows if _has_words(fold(o.full_name).split(), words)]
    found = whole or [o for o in rows if key in fold(o.full_name)]
    return [(o.id, o.full_name) for o in found]


def _has_words(name: list[str], words: list[str]) -> bool:
    """The typed words appear in the name as whole words, in order and next to each other."""
    n = len(words)
    return any(name[i:i + n] == words for i in range(len(name) - n + 1))


def _link(session: Session, officer: m.Officer, channel: str, external_id: str) -> None:
    for old in session.exec(select(m.ChannelIdentity).where(
            m.ChannelIdentity.channel == channel,
            m.ChannelIdentity.officer_id == officer.id)):
        session.delete(old)
    session.flush()
    session.add(m.ChannelIdentity(officer_id=officer.id, channel=channel,
                                  external_id=external_id, linked_at=clock.now()))
    session.add(m.AuditLog(at=clock.now(), actor_officer_id=officer.id, action="identity.link",
                           entity="officer", entity_id=officer.id, detail={"channel": channel}))


def link_account(engine: Engine, officer_id: int, channel: str, external_id: str | int) -> Actor:
    """Link directly (console `--as`, roster ids)."""
    with session_scope(engine) as session:
        officer = session.get(m.Officer, officer_id)
        existing = session.exec(select(m.ChannelIdentity).where(
            m.ChannelIdentity.channel == channel,
            m.ChannelIdentity.external_id == str(external_id))).first()
        if existing is None or existing.officer_id != officer_id:
            if existing is not None:
                session.delete(existing)
                session.flush()
            _link(session, officer, channel, str(external_id))
        return _actor(officer)


@dataclass(frozen=True)
class Invite:
    officer_id: int
    full_name: str
    code: str
    expires_at: dt.datetime


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def create_invites(engine: Engine, officer_ids: list[int], days: int) -> list[Invite]:
    now = clock.now()
    out = []
    with session_scope(engine) as session:
        for officer_id in officer_ids:
            officer = session.get(m.Officer, officer_id)
            code = new_code()
            expires = now + dt.timedelta(days=days)
            session.add(m.Invite(code=code, officer_id=officer_id, created_at=now,
                                 expires_at=expires))
            session.add(m.AuditLog(at=now, action="invite.create", entity="officer",
                                   entity_id=officer_id))
            out.append(Invite(officer_id, officer.full_name, code, expires))
    return out


def _canonical_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else text.strip().upper()


@dataclass(frozen=True)
class LinkOutcome:
    status: str  # linked | invalid | expired | used | not_own | no_match
    actor: Actor | None = None


def redeem_invite(engine: Engine, channel: str, external_id: str | int, text: str) -> LinkOutcome:
    code = _canonical_code(text)
    now = clock.now()
    with session_scope(engine) as session:
        invite = session.exec(select(m.Invite).where(m.Invite.code == code)).first()
        if invite is None:
            return LinkOutcome("invalid")
        if invite.used_at is not None:
            return LinkOutcome("used")
        if clock.local(invite.expires_at) < now:
            return LinkOutcome("expired")
        officer = session.get(m.Officer, invite.officer_id)
        invite.used_at = now
        other = session.exec(select(m.ChannelIdentity).where(
            m.ChannelIdentity.channel == channel,
            m.ChannelIdentity.external_id == str(external_id))).first()
        if other is not None:
            session.delete(other)
            session.flush()
        _link(session, officer, channel, str(external_id))
        return LinkOutcome("linked", _actor(officer))


def link_by_phone(engine: Engine, channel: str, external_id: str | int, phone: str,
                  contact_user_id: str | int | None) -> LinkOutcome:
    """A shared contact links only if it is the sender's own and the number is on the roster."""
    if contact_user_id is None or str(contact_user_id) != str(external_id):
        return LinkOutcome("not_own")
    number = normalise_phone(phone)
    if number is None:
        return LinkOutcome("no_match")
    with session_scope(engine) as session:
        officers = list(session.exec(select(m.Officer).where(
            m.Officer.phone == number, m.Officer.active)))
        if len(officers) != 1:
            return LinkOutcome("no_match")
        _link(session, officers[0], channel, str(external_id))
        return LinkOutcome("linked", _actor(officers[0]))


def set_language(engine: Engine, officer_id: int, language: str) -> None:
    with session_scope(engine) as session:
        officer = session.get(m.Officer, officer_id)
        officer.language = language
        session.add(m.AuditLog(at=clock.now(), actor_officer_id=officer_id,
                               action="officer.language", entity="officer",
                               entity_id=officer_id, detail={"language": language}))


def unlink_channel(engine: Engine, channel: str) -> None:
    """Forget every account of one channel (the console's user between sessions)."""
    with session_scope(engine) as session:
        for row in session.exec(select(m.ChannelIdentity).where(
                m.ChannelIdentity.channel == channel)):
            session.delete(row)


@dataclass(frozen=True)
class Account:
    external_id: str
    officer_id: int
    role: str
    language: str
    blocked: bool


def linked_accounts(engine: Engine, channel: str) -> list[Account]:
    """Every active officer's account on one channel (for command menus and fan-outs)."""
    with Session(engine) as session:
        rows = session.exec(
            select(m.ChannelIdentity, m.Officer).join(m.Officer)
            .where(m.ChannelIdentity.channel == channel, m.Officer.active)
            .order_by(m.ChannelIdentity.id)
        ).all()
        return [Account(ci.external_id, o.id, o.role, o.language, ci.blocked) for ci, o in rows]


def deep_link(username: str, code: str) -> str:
    """The t.me link that starts a chat with the bot carrying an invite code."""
    return f"https://t.me/{username}?start={code}"
