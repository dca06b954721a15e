"""case name blind index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:00:00

Name search read and decrypted every case in the user's scope (docs/BENCHMARKS.md). This table holds keyed,
truncated tokens of each child's name (trigrams and short word prefixes, services/cases/names.py): the
search narrows to the cases holding every token of the query and decrypts only those. The tokens need the
blind-index key, which migrations never see: `flask --app wsgi setup` (or `flask --app wsgi search
reindex`) fills the table for existing cases.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_name_token',
        sa.Column('token', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ['case_id'], ['case_file.id'],
            name=op.f('fk_case_name_token_case_id_case_file'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('token', 'case_id', name=op.f('pk_case_name_token')),
    )
    with op.batch_alter_table('case_name_token', schema=None) as batch_op:
        batch_op.create_index('ix_case_name_token_case_id', ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_name_token', schema=None) as batch_op:
        batch_op.drop_index('ix_case_name_token_case_id')
    op.drop_table('case_name_token')
