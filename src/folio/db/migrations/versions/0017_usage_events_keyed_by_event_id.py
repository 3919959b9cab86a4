"""usage events keyed by (account, mode, event id): no surrogate id, a narrower index

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ['account_id', 'livemode', 'event_id']
_INDEX = 'ix_usage_events_customer_feature_time'


def upgrade() -> None:
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.drop_constraint('uq_usage_events_account_id_livemode_event_id',
                                 type_='unique')
        batch_op.drop_constraint('pk_usage_events', type_='primary')
        batch_op.drop_column('id')
        batch_op.create_primary_key('pk_usage_events', _KEY)
        batch_op.create_index(_INDEX, ['customer_id', 'feature_code', 'timestamp'])


def downgrade() -> None:
    # the id of the events recorded meanwhile is drawn afresh (nothing read it)
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.drop_constraint('pk_usage_events', type_='primary')
        batch_op.create_unique_constraint('uq_usage_events_account_id_livemode_event_id',
                                          _KEY)
        batch_op.create_index(_INDEX, ['account_id', 'livemode', 'customer_id',
                                       'feature_code', 'timestamp'])
    if op.get_bind().dialect.name == 'postgresql':
        op.add_column('usage_events', sa.Column('id', sa.BigInteger(), sa.Identity(),
                                                nullable=False))
        op.create_primary_key('pk_usage_events', 'usage_events', ['id'])
        return
    with op.batch_alter_table('usage_events', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('id', sa.Integer(), nullable=False))
        batch_op.create_primary_key('pk_usage_events', ['id'])
