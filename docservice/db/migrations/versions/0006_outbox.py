"""outbox: side effects of a change, written in its transaction and run by jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outbox_state_available', 'outbox', ['state', 'available_at'])
    op.create_index('ix_outbox_kind_state', 'outbox', ['kind', 'state'])


def downgrade() -> None:
    op.drop_index('ix_outbox_kind_state', table_name='outbox')
    op.drop_index('ix_outbox_state_available', table_name='outbox')
    op.drop_table('outbox')
