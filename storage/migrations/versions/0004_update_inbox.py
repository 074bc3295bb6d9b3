"""update inbox: every incoming update stored before it is acknowledged

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'updateinbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('update_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('raw', sa.JSON(), nullable=True),
        sa.Column('calls', sa.JSON(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'update_key'),
    )
    with op.batch_alter_table('updateinbox', schema=None) as batch_op:
        batch_op.create_index('ix_updateinbox_status', ['status', 'channel'], unique=False)
        batch_op.create_index('ix_updateinbox_received', ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('updateinbox', schema=None) as batch_op:
        batch_op.drop_index('ix_updateinbox_received')
        batch_op.drop_index('ix_updateinbox_status')
    op.drop_table('updateinbox')
