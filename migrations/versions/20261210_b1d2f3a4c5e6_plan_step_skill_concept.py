"""plan step skill and concept

A step made from a missing skill keeps the skill as the position names it and its vocabulary concept, so
the step is shown in each reader's language. Earlier steps keep their stored title.

Revision ID: b1d2f3a4c5e6
Revises: 3274e34a71a2
Create Date: 2026-12-10 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b1d2f3a4c5e6'
down_revision = '3274e34a71a2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_plan_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skill_label', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('skill_concept_uri', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('action_plan_items', schema=None) as batch_op:
        batch_op.drop_column('skill_concept_uri')
        batch_op.drop_column('skill_label')
