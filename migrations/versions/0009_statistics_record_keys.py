"""statistics record keys

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:40:00

Each case gets a fixed random key: the published recap rounds every count by the keys of the records it
counts (caseapp/reports/disclosure.py). Existing cases get theirs here.

Ages: from this revision the age of a child is the age at the incident. Ages already stored were computed at
registration from the date of birth (encrypted, so this migration cannot recompute them);
editing a case writes the age at the incident.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stat_key', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE case_file SET stat_key = floor(random() * 2147483648)::integer")
    else:
        op.execute("UPDATE case_file SET stat_key = abs(random()) % 2147483648")
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.alter_column('stat_key', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('stat_key')
