"""EN 16931 e-invoices: seller details and the e-invoicing requirement on accounts,
electronic addresses on customers, VAT exemption reasons on tax rates, and the seller
snapshot on invoices

Revision ID: 0005
Revises: 0007
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('vat_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('tax_registration_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('legal_registration_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('einvoice_address', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('iban', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('bic', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('payment_terms', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('einvoice_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('einvoice_address', sa.String(length=120), nullable=True))

    with op.batch_alter_table('tax_rates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exemption_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('exemption_reason_code', sa.String(length=30), nullable=True))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seller_snapshot', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('seller_snapshot')

    with op.batch_alter_table('tax_rates', schema=None) as batch_op:
        batch_op.drop_column('exemption_reason_code')
        batch_op.drop_column('exemption_reason')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('einvoice_address')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        for column in ('einvoice_required', 'payment_terms', 'bic', 'iban', 'einvoice_address',
                       'legal_registration_id', 'tax_registration_id', 'vat_id', 'address',
                       'legal_name'):
            batch_op.drop_column(column)
