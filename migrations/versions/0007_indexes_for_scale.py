"""indexes for scale: an agency's open cases by status, its closures, recent notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 23:40:00

Found by the load benchmark at 1,000,000 cases (docs/BENCHMARKS.md): the supervisor dashboard read every
case of the agency to count its open ones, and every note to find the cases without a recent one.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(
            'ix_case_file_owner_status_created', ['owner_agency_id', 'status', 'created_at'], unique=False,
            postgresql_include=['id', 'risk_level', 'case_manager_id', 'first_contact_at', 'first_contact_due_at'],
        )
        batch_op.create_index(
            'ix_case_file_owner_closed', ['owner_agency_id', 'closed_at'], unique=False,
            postgresql_include=['created_at'],
        )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_created_at'))
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_owner_closed')
        batch_op.drop_index('ix_case_file_owner_status_created')
