"""revoked sessions: a signed-out session's cookie stops working everywhere

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'revoked_sessions',
        sa.Column('session_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('session_hash'),
    )
    op.create_index('ix_revoked_sessions_expires_at', 'revoked_sessions', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_revoked_sessions_expires_at', table_name='revoked_sessions')
    op.drop_table('revoked_sessions')
