"""plan passages: the plan's own text, split by section

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planpassage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('planpassage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planpassage_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('planpassage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planpassage_plan_id'))
    op.drop_table('planpassage')
