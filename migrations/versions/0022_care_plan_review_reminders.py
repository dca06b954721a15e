"""care plan review reminders: when the overdue review was last reminded

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-02 01:10:00.000000

The job `care_plans.remind` notifies the case manager and supervisors of an approved care plan past its
review date once a day; `review_reminded_on` remembers the day (empty on existing plans: reminded next run).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_reminded_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('care_plan', schema=None) as batch_op:
        batch_op.drop_column('review_reminded_on')
