"""matching state, snapshots, changes and failed jobs

The one writer's lease and the current model version (matching_state), immutable model snapshots that web
processes serve, the outbox of changes waiting for the matching worker, and failed background jobs.

Revision ID: 3274e34a71a2
Revises: 38e330a6d900
Create Date: 2026-12-01 22:21:29.740302

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3274e34a71a2'
down_revision = '38e330a6d900'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('task', sa.String(length=80), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs'))
    )
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_jobs_failed_at'), ['failed_at'], unique=False)

    op.create_table('matching_changes',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('other_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('token', sa.BigInteger(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'record_id', 'other_id', name=op.f('pk_matching_changes'))
    )
    with op.batch_alter_table('matching_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_changes_changed_at'), ['changed_at'], unique=False)

    op.create_table('model_snapshots',
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('fit_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_model_snapshots'))
    )
    with op.batch_alter_table('model_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_snapshots_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_snapshots_fit_version'), ['fit_version'], unique=False)

    op.create_table('matching_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.String(length=40), nullable=True),
    sa.Column('lease_holder', sa.String(length=160), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('worker_seen_at', sa.DateTime(), nullable=True),
    sa.Column('refit_due_at', sa.DateTime(), nullable=True),
    sa.Column('refit_reason', sa.String(length=40), nullable=False),
    sa.Column('rebuild_requested_at', sa.DateTime(), nullable=True),
    sa.Column('rebuild_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('job_stage', sa.String(length=40), nullable=False),
    sa.Column('job_done', sa.Integer(), nullable=False),
    sa.Column('job_total', sa.Integer(), nullable=False),
    sa.Column('job_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_fit_at', sa.DateTime(), nullable=True),
    sa.Column('last_fit_seconds', sa.Double(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['rebuild_requested_by_id'], ['users.id'], name=op.f('fk_matching_state_rebuild_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_state'))
    )


def downgrade():
    op.drop_table('matching_state')
    with op.batch_alter_table('model_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_snapshots_fit_version'))
        batch_op.drop_index(batch_op.f('ix_model_snapshots_created_at'))

    op.drop_table('model_snapshots')
    with op.batch_alter_table('matching_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_changes_changed_at'))

    op.drop_table('matching_changes')
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_jobs_failed_at'))

    op.drop_table('failed_jobs')
