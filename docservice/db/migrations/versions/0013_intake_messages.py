"""intake messages: the e-mails the intake handled, by mailbox and Message-ID

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'intake_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mailbox', sa.String(length=300), nullable=False),
        sa.Column('message_key', sa.String(length=500), nullable=False),
        sa.Column('uid', sa.BigInteger(), nullable=True),
        sa.Column('sender', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('document_ids', sa.Text(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('mailbox', 'message_key'),
    )
    op.create_index('ix_intake_messages_state', 'intake_messages', ['state', 'received_at'])


def downgrade() -> None:
    op.drop_index('ix_intake_messages_state', table_name='intake_messages')
    op.drop_table('intake_messages')
