"""e-mail verification: when an account proved its address

Accounts that exist before this revision count as verified (they were created by an administrator, by the
demo seed, or registered before verification existed); new self-registrations start unverified.

Revision ID: f2b8d4e6a1c3
Revises: e4a7c2b9d013
Create Date: 2026-12-02 18:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2b8d4e6a1c3'
down_revision = 'e4a7c2b9d013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
