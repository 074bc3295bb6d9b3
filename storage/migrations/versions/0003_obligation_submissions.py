"""recurring-report submissions as a table

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:35:00

Creates `submission` and moves the BotState rows of kind "obligation_done" (key
"<obligation id>:<period>", data {"officer_id", "at"}) into it; downgrade moves them back.
"""
import datetime as dt
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

DONE_KIND = "obligation_done"


def _table():
    return sa.table(
        'submission',
        sa.column('id', sa.Integer()),
        sa.column('obligation_id', sa.Integer()),
        sa.column('period', sa.String()),
        sa.column('officer_id', sa.Integer()),
        sa.column('unit_id', sa.Integer()),
        sa.column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column('by_officer_id', sa.Integer()),
        sa.column('note', sa.String()),
        sa.column('evidence', sa.JSON()),
    )


def _botstate():
    return sa.table(
        'botstate',
        sa.column('id', sa.Integer()),
        sa.column('kind', sa.String()),
        sa.column('key', sa.String()),
        sa.column('data', sa.JSON()),
        sa.column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime()),
    )


def upgrade() -> None:
    op.create_table(
        'submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('obligation_id', sa.Integer(), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('by_officer_id', sa.Integer(), nullable=True),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('evidence', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['by_officer_id'], ['officer.id'], ),
        sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], ),
        sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], ),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_obligation_period', ['obligation_id', 'period'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_submission_officer_id'), ['officer_id'],
                              unique=False)

    bind = op.get_bind()
    state = _botstate()
    rows = bind.execute(sa.select(state.c.id, state.c.key, state.c.data, state.c.updated_at)
                        .where(state.c.kind == DONE_KIND)).all()
    officers = dict(bind.execute(sa.text("SELECT id, unit_id FROM officer")).all())
    obligations = {r[0] for r in bind.execute(sa.text("SELECT id FROM obligation")).all()}
    moved = []
    for row_id, key, data, updated_at in rows:
        data = json.loads(data) if isinstance(data, str) else (data or {})
        obligation, _, period = key.partition(":")
        if not obligation.isdigit() or int(obligation) not in obligations or not period:
            continue
        officer = data.get("officer_id")
        at = dt.datetime.fromisoformat(data["at"]) if data.get("at") else updated_at
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.timezone.utc)
        moved.append({"obligation_id": int(obligation), "period": period,
                      "officer_id": officer if officer in officers else None,
                      "unit_id": officers.get(officer), "submitted_at": at,
                      "by_officer_id": officer if officer in officers else None,
                      "note": None, "evidence": []})
    if moved:
        op.bulk_insert(_table(), moved)
    if rows:
        bind.execute(sa.delete(state).where(state.c.kind == DONE_KIND))


def downgrade() -> None:
    bind = op.get_bind()
    sub = _table()
    rows = bind.execute(sa.select(sub.c.obligation_id, sub.c.period, sub.c.by_officer_id,
                                  sub.c.submitted_at)).all()
    seen = set()
    back = []
    for obligation, period, by, at in rows:
        key = f"{obligation}:{period}"
        if key in seen:
            continue
        seen.add(key)
        back.append({"kind": DONE_KIND, "key": key,
                     "data": {"officer_id": by, "at": at.isoformat()}, "updated_at": at})
    if back:
        op.bulk_insert(_botstate(), back)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_officer_id'))
        batch_op.drop_index('ix_submission_obligation_period')
    op.drop_table('submission')
