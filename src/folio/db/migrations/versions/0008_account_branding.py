"""account branding on PDFs: logo and brand colour

Revision ID: 0008
Revises: 0011
Create Date: 2026-11-21
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_media_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('brand_color', sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('brand_color')
        batch_op.drop_column('logo_media_type')
        batch_op.drop_column('logo')
