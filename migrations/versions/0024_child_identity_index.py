"""child identity blind index: the "same child?" check by equality instead of the name tokens' aggregate

Revision ID: 0024_identity
Revises: 0023_exports
Create Date: 2026-12-03 08:00:00.000000

A registration looked for the same child (same name and birth date in the user's scope) through the name
search's tokens: an aggregate over the posting lists of every token of the name, millions of index rows for
a common name at a million cases. `case_file.child_identity_bidx` is one truncated keyed HMAC of the name's
words and the birth date (services/cases/names.py `identity_index`), looked up by equality. It needs the
blind-index key and the cases' data keys, which migrations never see: `flask --app wsgi search reindex` (run
by `flask --app wsgi setup`) fills it for existing cases, resumable; until then the check also reads the
cases without it, through the partial index `ix_case_file_identity_pending` (empty once filled).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_identity'
down_revision = '0023_exports'
branch_labels = None
depends_on = None

PENDING = "child_identity_bidx IS NULL AND child_name IS NOT NULL AND child_dob IS NOT NULL"


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_identity_bidx', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_file_child_identity_bidx'), ['child_identity_bidx'], unique=False)
        batch_op.create_index(
            'ix_case_file_identity_pending',
            ['id'],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_file_identity_pending')
        batch_op.drop_index(batch_op.f('ix_case_file_child_identity_bidx'))
        batch_op.drop_column('child_identity_bidx')
