"""position search text

Revision ID: 5791b83e7090
Revises: 0fcbdb692671
Create Date: 2026-11-23 12:28:49.499594

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5791b83e7090'
down_revision = '0fcbdb692671'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    # Existing rows get a rough text now; the application rewrites it (with skills in every
    # language) the next time a position is saved.
    op.execute("UPDATE positions SET search_text = lower(title || ' ' || description)")


def downgrade():
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_column('search_text')
