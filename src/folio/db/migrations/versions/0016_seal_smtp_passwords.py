"""room for sealed SMTP passwords (services.sealing)

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-21
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('smtp_password', existing_type=sa.String(length=255),
                              type_=sa.String(length=512), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('smtp_password', existing_type=sa.String(length=512),
                              type_=sa.String(length=255), existing_nullable=True)
