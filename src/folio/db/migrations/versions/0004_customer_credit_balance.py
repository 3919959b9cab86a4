"""customer credit balance

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing rows: no credit applied or granted; hand-made invoices do not apply credit
    op.create_table('credit_grants',
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('remaining', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('expires_at', sa.BigInteger(), nullable=True),
    sa.Column('source_invoice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revoked_at', sa.BigInteger(), nullable=True),
    sa.Column('revoked_amount', sa.BigInteger(), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created', sa.BigInteger(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_credit_grants_account_id_accounts')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_credit_grants_customer_id_customers')),
    sa.ForeignKeyConstraint(['source_invoice_id'], ['invoices.id'], name=op.f('fk_credit_grants_source_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_grants')),
    sa.UniqueConstraint('public_id', name=op.f('uq_credit_grants_public_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_credit_grants_uuid'))
    )
    with op.batch_alter_table('credit_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_grants_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_credit_grants_balance', ['customer_id', 'currency', 'created', 'id'], unique=False)
        batch_op.create_index('ix_credit_grants_customer_list', ['customer_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_grants_source_invoice_id'), ['source_invoice_id'], unique=False)

    op.create_table('credit_applications',
    sa.Column('grant_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('invoice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('livemode', sa.Boolean(), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created', sa.BigInteger(), nullable=False),
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_credit_applications_account_id_accounts')),
    sa.ForeignKeyConstraint(['grant_id'], ['credit_grants.id'], name=op.f('fk_credit_applications_grant_id_credit_grants')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_credit_applications_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_applications')),
    sa.UniqueConstraint('grant_id', 'invoice_id', name=op.f('uq_credit_applications_grant_id_invoice_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_credit_applications_public_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_credit_applications_uuid'))
    )
    with op.batch_alter_table('credit_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_applications_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_applications_invoice_id'), ['invoice_id'], unique=False)

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_amount', sa.BigInteger(), nullable=False, server_default='0'))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('apply_credit_balance', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('credit_applied', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('credit_granted', sa.BigInteger(), nullable=False, server_default='0'))

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('credit_granted')
        batch_op.drop_column('credit_applied')
        batch_op.drop_column('apply_credit_balance')

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_column('credit_amount')

    with op.batch_alter_table('credit_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_applications_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_credit_applications_account_id'))

    op.drop_table('credit_applications')
    with op.batch_alter_table('credit_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_grants_source_invoice_id'))
        batch_op.drop_index('ix_credit_grants_customer_list')
        batch_op.drop_index('ix_credit_grants_balance')
        batch_op.drop_index(batch_op.f('ix_credit_grants_account_id'))

    op.drop_table('credit_grants')
    # ### end Alembic commands ###
