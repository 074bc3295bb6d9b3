"""Small JSON documents kept in the BotState table, one row per (kind, key), written at once.

The chat layer's persistence (user and chat data, conversation states) and the report drafts
both live here, so a crash or restart finds them as they were last written.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import clock
from storage import models as m
from storage.db import session_scope


def get(engine: Engine, kind: str, key: str) -> dict | None:
    with Session(engine) as session:
        row = session.exec(select(m.BotState).where(m.BotState.kind == kind,
                                                    m.BotState.key == key)).first()
        return dict(row.data or {}) if row is not None else None


def all_of(engine: Engine, kind: str) -> dict[str, dict]:
    """Every row of one kind, by key."""
    with Session(engine) as session:
        rows = session.exec(select(m.BotState).where(m.BotState.kind == kind))
        return {row.key: dict(row.data or {}) for row in rows}


def keys_of(engine: Engine, kind: str) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(m.BotState.key).where(m.BotState.kind == kind)))


def put(engine: Engine, kind: str, key: str, data: dict) -> None:
    """Insert or replace one row (committed before returning)."""
    for attempt in (1, 2):
        try:
            with session_scope(engine) as session:
                row = session.exec(select(m.BotState).where(m.BotState.kind == kind,
                                                            m.BotState.key == key)).first()
                if row is None:
                    session.add(m.BotState(kind=kind, key=key, data=data,
                                           updated_at=clock.now()))
                else:
                    row.data = data
                    row.updated_at = clock.now()
            return
        except IntegrityError:  # inserted by someone else meanwhile: update it instead
            if attempt == 2:
                raise


def delete(engine: Engine, kind: str, key: str) -> bool:
    """Remove one row; True if there was one."""
    with session_scope(engine) as session:
        row = session.exec(select(m.BotState).where(m.BotState.kind == kind,
                                                    m.BotState.key == key)).first()
        if row is None:
            return False
        session.delete(row)
        return True


def claim(engine: Engine, kind: str, key: str, data: dict) -> bool:
    """Insert one row only if none exists: True for the first caller, False for every later
    one (one-time tokens; concurrent callers race on the unique (kind, key))."""
    try:
        with session_scope(engine) as session:
            if session.exec(select(m.BotState.id).where(m.BotState.kind == kind,
                                                        m.BotState.key == key)).first():
                return False
            session.add(m.BotState(kind=kind, key=key, data=data, updated_at=clock.now()))
        return True
    except IntegrityError:
        return False

