"""field balance counts in the matching state

The matching worker keeps the wishes and openings per region and field in the state row, so pages read the
field balance from one row instead of counting every wish of the installation on each request. NULL until
the worker has counted once (pages then count themselves).

Revision ID: e4a7c2b9d013
Revises: c7e1a9d24b30
Create Date: 2026-12-02 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e4a7c2b9d013'
down_revision = 'c7e1a9d24b30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('matching_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_balance', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('matching_state', schema=None) as batch_op:
        batch_op.drop_column('field_balance')
