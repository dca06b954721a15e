"""practice: honest termination (explanations, overrides, cancellation requests), case notifications

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:40:00.000000

A closure with the reason `other` carries its explanation, a supervisor who closes a case over open work
says why (both encrypted under the case's data key), and a case worker's cancellation waits for a
supervisor. Notifications may announce a case's step besides a referral's. Existing rows need no change:
every new column is empty until the next step.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closure_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closure_explanation', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('closure_override', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_case_file_closure_requested_by_id_user_account'), 'user_account',
            ['closure_requested_by_id'], ['id'],
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_case_file_cancel_requested_by_id_user_account'), 'user_account',
            ['cancel_requested_by_id'], ['id'],
        )

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notification_case_id_case_file'), 'case_file', ['case_id'], ['id'],
        )

    op.create_table('case_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('perpetrator_has_access', sa.String(length=10), nullable=False),
    sa.Column('safe_tonight', sa.String(length=10), nullable=False),
    sa.Column('needs', sa.String(length=200), nullable=False),
    sa.Column('risk_level', sa.String(length=10), nullable=False),
    sa.Column('risk_reasons', sa.LargeBinary(), nullable=True),
    sa.Column('summary', sa.LargeBinary(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_case_assessment_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_assessment_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_case_assessment_reviewed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assessment')),
    sa.UniqueConstraint('uuid', name=op.f('uq_case_assessment_uuid'))
    )
    with op.batch_alter_table('case_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_assessment_case_id'), ['case_id'], unique=False)

    op.create_table('care_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('safety_plan', sa.LargeBinary(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_care_plan_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_care_plan_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_care_plan_decided_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan')),
    sa.UniqueConstraint('uuid', name=op.f('uq_care_plan_uuid'))
    )
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plan_case_id'), ['case_id'], unique=False)

    op.create_table('care_plan_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('goal', sa.LargeBinary(), nullable=True),
    sa.Column('services', sa.String(length=400), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_care_plan_goal_agency_id_agency')),
    sa.ForeignKeyConstraint(['plan_id'], ['care_plan.id'], name=op.f('fk_care_plan_goal_plan_id_care_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan_goal')),
    sa.UniqueConstraint('uuid', name=op.f('uq_care_plan_goal_uuid'))
    )
    with op.batch_alter_table('care_plan_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plan_goal_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('care_plan_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plan_goal_plan_id'))

    op.drop_table('care_plan_goal')
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plan_case_id'))

    op.drop_table('care_plan')
    with op.batch_alter_table('case_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_assessment_case_id'))

    op.drop_table('case_assessment')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_case_id_case_file'), type_='foreignkey')
        batch_op.drop_column('case_id')

    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_file_cancel_requested_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_case_file_closure_requested_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('cancel_requested_by_id')
        batch_op.drop_column('cancel_requested_reason')
        batch_op.drop_column('cancel_requested_at')
        batch_op.drop_column('closure_override')
        batch_op.drop_column('closure_explanation')
        batch_op.drop_column('closure_requested_by_id')
