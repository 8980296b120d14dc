"""usage events and their daily rollups; team leads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'usage_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.Column('query', sa.String(length=500), nullable=True),
        sa.Column('normalized', sa.String(length=500), nullable=True),
        sa.Column('filters', sa.String(length=500), nullable=True),
        sa.Column('results', sa.Integer(), nullable=True),
        sa.Column('took_ms', sa.Float(), nullable=True),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_usage_events_at', 'usage_events', ['at'])
    op.create_index('ix_usage_events_user', 'usage_events', ['user_id', 'at'])
    op.create_table(
        'usage_daily',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_usage_daily_day_doc', 'usage_daily', ['day', 'document_id'])
    op.create_index('ix_usage_daily_doc_day', 'usage_daily', ['document_id', 'day'])
    op.create_table(
        'search_daily',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('normalized', sa.String(length=500), nullable=False),
        sa.Column('query', sa.String(length=500), nullable=False),
        sa.Column('searches', sa.Integer(), nullable=False),
        sa.Column('zero', sa.Integer(), nullable=False),
        sa.Column('sessions', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        sa.Column('clicked', sa.Integer(), nullable=False),
        sa.Column('top3', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_search_daily_day', 'search_daily', ['day', 'team_id'])
    op.create_table(
        'freshness_daily',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('visibility', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('overdue', sa.Integer(), nullable=False),
        sa.Column('expired', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_freshness_daily_day', 'freshness_daily', ['day'])
    with op.batch_alter_table('memberships') as batch:
        batch.add_column(sa.Column('lead', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('memberships') as batch:
        batch.drop_column('lead')
    for table, index in (('freshness_daily', 'ix_freshness_daily_day'),
                         ('search_daily', 'ix_search_daily_day')):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_index('ix_usage_daily_doc_day', table_name='usage_daily')
    op.drop_index('ix_usage_daily_day_doc', table_name='usage_daily')
    op.drop_table('usage_daily')
    op.drop_index('ix_usage_events_user', table_name='usage_events')
    op.drop_index('ix_usage_events_at', table_name='usage_events')
    op.drop_table('usage_events')
