"""scheduled runs: one row per periodic task and period, the lease that makes it run once

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduled_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task', sa.String(length=64), nullable=False),
        sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('manual', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('task', 'period_start', name='uq_scheduled_run_period'),
    )
    op.create_index('ix_scheduled_runs_task_started', 'scheduled_runs', ['task', 'started_at'])


def downgrade() -> None:
    op.drop_index('ix_scheduled_runs_task_started', table_name='scheduled_runs')
    op.drop_table('scheduled_runs')
