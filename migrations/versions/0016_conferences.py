"""case conferences and their follow-up tasks

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-02 01:00:00.000000

A case conference (date, agencies' codes, people and decisions encrypted under the case's data key) and
its follow-up tasks (description and completion note encrypted; owner, due date and status plaintext for
the work queue and the closure check). New tables only: existing data needs no change.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_conference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('agencies', sa.String(length=400), nullable=False),
    sa.Column('people', sa.LargeBinary(), nullable=True),
    sa.Column('decisions', sa.LargeBinary(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_case_conference_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_conference_case_id_case_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_conference')),
    sa.UniqueConstraint('uuid', name=op.f('uq_case_conference_uuid'))
    )
    with op.batch_alter_table('case_conference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_conference_case_id'), ['case_id'], unique=False)

    op.create_table('case_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.LargeBinary(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completion_note', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_task_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user_account.id'], name=op.f('fk_case_task_completed_by_id_user_account')),
    sa.ForeignKeyConstraint(['conference_id'], ['case_conference.id'], name=op.f('fk_case_task_conference_id_case_conference'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_case_task_owner_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_case_task_referral_id_referral'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_task')),
    sa.UniqueConstraint('uuid', name=op.f('uq_case_task_uuid'))
    )
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_task_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_task_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_task_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_task_owner_id'))
        batch_op.drop_index(batch_op.f('ix_case_task_conference_id'))
        batch_op.drop_index(batch_op.f('ix_case_task_case_id'))

    op.drop_table('case_task')
    with op.batch_alter_table('case_conference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_conference_case_id'))

    op.drop_table('case_conference')
