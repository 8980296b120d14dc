"""API tokens expire, and end with a password change unless kept

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:40:00
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('keep_after_password_change', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    # Tokens made before expiry existed get the default lifetime from now, not from creation
    # (which would end some at once and break scripts without warning).
    tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(tokens.update().values(expires_at=datetime.now(UTC) + timedelta(days=90)))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('keep_after_password_change')
        batch_op.drop_column('expires_at')
