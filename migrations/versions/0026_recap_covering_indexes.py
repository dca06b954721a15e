"""recap covering indexes

Revision ID: 0026_recap_indexes
Revises: 0025_retention
Create Date: 2026-12-02 12:30:00.000000

The recap reads the period's cases a dozen times (children, incidents, forms of violence, AMPK, indicators):
on PostgreSQL `ix_case_file_created_at` now carries every column it counts, so each read is index-only
instead of a pass over the period's heap pages. The services table looks up the first case of each served
child's NIK: `ix_case_file_child_nik_bidx` becomes (child_nik_bidx, id) with the scope's columns and the
statistics key. SQLite has no INCLUDE: `ix_case_file_created_at` is rebuilt as it was and the NIK index
gains `id`. Both are built without CONCURRENTLY: writes to case_file wait for the build (seconds at 1M).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_recap_indexes'
down_revision = '0025_retention'
branch_labels = None
depends_on = None

_COUNTED = [
    'id', 'status', 'owner_agency_id', 'kecamatan', 'child_sex', 'child_age_group', 'primary_violence_type',
    'place',
]
_ADDED = ['child_nik_bidx', 'stat_key', 'child_disability', 'child_role', 'incident_id']


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_created_at')
        batch_op.create_index(
            'ix_case_file_created_at', ['created_at'], unique=False, postgresql_include=_COUNTED + _ADDED
        )
        batch_op.drop_index('ix_case_file_child_nik_bidx')
        batch_op.create_index(
            'ix_case_file_child_nik_bidx', ['child_nik_bidx', 'id'], unique=False,
            postgresql_include=['status', 'owner_agency_id', 'stat_key'],
        )


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_child_nik_bidx')
        batch_op.create_index('ix_case_file_child_nik_bidx', ['child_nik_bidx'], unique=False)
        batch_op.drop_index('ix_case_file_created_at')
        batch_op.create_index(
            'ix_case_file_created_at', ['created_at'], unique=False, postgresql_include=_COUNTED
        )
