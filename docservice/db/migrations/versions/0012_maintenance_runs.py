"""maintenance runs: the checkpoint and result of the integrity check and of a reindex

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'maintenance_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('repair', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('phase', sa.String(length=16), nullable=False),
        sa.Column('cursor', sa.String(length=100), nullable=False),
        sa.Column('counts', sa.Text(), nullable=False),
        sa.Column('problems', sa.Text(), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_maintenance_runs_kind_started', 'maintenance_runs',
                    ['kind', 'started_at'])


def downgrade() -> None:
    op.drop_index('ix_maintenance_runs_kind_started', table_name='maintenance_runs')
    op.drop_table('maintenance_runs')
