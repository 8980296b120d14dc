"""lifecycle: contract start, trash (deleted_at, deleted_by), indexes on review and expiry

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('deleted_by', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_documents_deleted_by_users', 'users', ['deleted_by'],
                                 ['id'], ondelete='SET NULL')
        batch.create_index('ix_documents_review_by', ['review_by'])
        batch.create_index('ix_documents_expires_on', ['expires_on'])
        batch.create_index('ix_documents_deleted_at', ['deleted_at'])
    # A contract's status is its lifecycle now: from its subtype where that names one.
    op.execute("UPDATE documents SET status = CASE WHEN subtype IN ('draft', "
               "'pending_signature', 'signed', 'expired') THEN subtype ELSE 'draft' END "
               "WHERE category = 'contract' AND status = 'active'")


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.drop_index('ix_documents_deleted_at')
        batch.drop_index('ix_documents_expires_on')
        batch.drop_index('ix_documents_review_by')
        batch.drop_constraint('fk_documents_deleted_by_users', type_='foreignkey')
        batch.drop_column('deleted_by')
        batch.drop_column('deleted_at')
        batch.drop_column('starts_on')
