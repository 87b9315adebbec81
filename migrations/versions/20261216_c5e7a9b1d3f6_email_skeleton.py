"""look-alike e-mail addresses: the skeleton of each address, indexed

Existing addresses get their skeleton here, from mimi_match/models/email_look.py (NFKC, lower case, accents
dropped, Cyrillic and Greek look-alikes mapped to Latin): the one folding every new address gets too.

Revision ID: c5e7a9b1d3f6
Revises: b4d6f8a0c2e5
Create Date: 2026-12-02 19:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e7a9b1d3f6'
down_revision = 'b4d6f8a0c2e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_skeleton', sa.String(length=254), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_email_skeleton'), ['email_skeleton'], unique=False)
    from mimi_match.models.email_look import skeleton

    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('email_skeleton', sa.String))
    bind = op.get_bind()
    for user_id, email in bind.execute(sa.select(users.c.id, users.c.email)).all():
        bind.execute(users.update().where(users.c.id == user_id).values(email_skeleton=skeleton(email)))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_email_skeleton'))
        batch_op.drop_column('email_skeleton')
