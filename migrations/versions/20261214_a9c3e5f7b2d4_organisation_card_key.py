"""anonymous talent cards: a reference per organisation that it can rotate

Revision ID: a9c3e5f7b2d4
Revises: f2b8d4e6a1c3
Create Date: 2026-12-02 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9c3e5f7b2d4'
down_revision = 'f2b8d4e6a1c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_key', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('card_key')
