"""retention reminder and erased candidates

Revision ID: 38e330a6d900
Revises: 578e3b80017b
Create Date: 2026-11-23 16:02:54.826728

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '38e330a6d900'
down_revision = '578e3b80017b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_reminded_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_candidates', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_column('erased_candidates')

    with op.batch_alter_table('participant_profiles', schema=None) as batch_op:
        batch_op.drop_column('retention_reminded_at')

