"""practice: honest termination (explanations, overrides, cancellation requests), case notifications

Revision ID: 0012
Revises: 0008
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
down_revision = '0008'
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


def downgrade():
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
