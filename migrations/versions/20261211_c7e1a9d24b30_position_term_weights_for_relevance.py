"""position term weights for relevance; positions without search_text

Each search word of a position says where it stands (title, skills, description), and the index carries
it, so a search is ranked by relevance from the index alone. ``positions.search_text`` goes: nothing
read it, and with every label of every skill concept in it, it made each row long enough to slow down
every list (SQLite reads past it to the columns behind). Existing terms get weight 1 until
`flask search reindex` rewrites them (with every label of every skill concept).

Revision ID: c7e1a9d24b30
Revises: b1d2f3a4c5e6
Create Date: 2026-12-02 06:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7e1a9d24b30'
down_revision = 'b1d2f3a4c5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('position_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.drop_index('ix_position_terms_term_position')
        batch_op.create_index('ix_position_terms_term_position_weight', ['term', 'position_id', 'weight'],
                              unique=False)
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_column('search_text')


def downgrade():
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    op.execute("UPDATE positions SET search_text = lower(title || ' ' || description)")
    with op.batch_alter_table('position_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_position_terms_term_position_weight')
        batch_op.create_index('ix_position_terms_term_position', ['term', 'position_id'], unique=False)
        batch_op.drop_column('weight')
