"""position terms and listed_until for indexed search

Revision ID: 578e3b80017b
Revises: 5791b83e7090
Create Date: 2026-11-23 12:41:11.961493

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '578e3b80017b'
down_revision = '5791b83e7090'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('position_terms',
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=80).with_variant(sa.String(length=80, collation='C'), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_position_terms_position_id_positions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('position_id', 'term', name=op.f('pk_position_terms'))
    )
    with op.batch_alter_table('position_terms', schema=None) as batch_op:
        batch_op.create_index('ix_position_terms_term_position', ['term', 'position_id'], unique=False)

    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_until', sa.Date(), nullable=False, server_default='9999-12-31'))
        batch_op.drop_index(batch_op.f('ix_positions_status_deadline'))
        batch_op.drop_index(batch_op.f('ix_positions_status_published'))
        batch_op.create_index('ix_positions_status_published', ['status', 'published_at', 'id'], unique=False)
        batch_op.create_index('ix_positions_status_listed_until', ['status', 'listed_until', 'id'], unique=False)
    op.execute("UPDATE positions SET listed_until = application_deadline WHERE application_deadline IS NOT NULL")
    # search words of existing positions are written by `flask search reindex`


def downgrade():
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_index('ix_positions_status_listed_until')
        batch_op.drop_index('ix_positions_status_published')
        batch_op.create_index(batch_op.f('ix_positions_status_published'), ['status', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_positions_status_deadline'), ['status', 'application_deadline'], unique=False)
        batch_op.drop_column('listed_until')

    with op.batch_alter_table('position_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_position_terms_term_position')

    op.drop_table('position_terms')
