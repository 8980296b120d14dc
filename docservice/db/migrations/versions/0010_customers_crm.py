"""customers: CRM source and id, other names, the sales-pipeline stages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The old stages as the pipeline names them (contact -> first contact, intent -> qualified,
# purchased -> won); negotiation keeps its name.
STAGES = {'contact': 'first_contact', 'intent': 'qualified', 'purchased': 'won'}


def upgrade() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.alter_column('stage', existing_type=sa.String(length=16), type_=sa.String(length=32),
                           existing_nullable=False)
        batch.add_column(sa.Column('crm_source', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('crm_id', sa.String(length=100), nullable=True))
        batch.create_unique_constraint('uq_customers_crm', ['crm_source', 'crm_id'])
    op.create_table(
        'customer_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('customer_id', 'name'),
    )
    op.create_index('ix_customer_aliases_customer_id', 'customer_aliases', ['customer_id'])
    customers = sa.table('customers', sa.column('stage', sa.String))
    for old, new in STAGES.items():
        op.execute(customers.update().where(customers.c.stage == old).values(stage=new))


def downgrade() -> None:
    customers = sa.table('customers', sa.column('stage', sa.String))
    for old, new in STAGES.items():
        op.execute(customers.update().where(customers.c.stage == new).values(stage=old))
    op.execute(customers.update().where(customers.c.stage.in_(['proposal', 'lost']))
               .values(stage='negotiation'))
    op.drop_index('ix_customer_aliases_customer_id', table_name='customer_aliases')
    op.drop_table('customer_aliases')
    with op.batch_alter_table('customers') as batch:
        batch.drop_constraint('uq_customers_crm', type_='unique')
        batch.drop_column('crm_id')
        batch.drop_column('crm_source')
        batch.alter_column('stage', existing_type=sa.String(length=32), type_=sa.String(length=16),
                           existing_nullable=False)
