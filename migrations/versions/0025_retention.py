"""retention: when a case's identity was shredded, and legal holds that keep a closed case from it

Revision ID: 0025_retention
Revises: 0023_exports
Create Date: 2026-12-03 09:00:00.000000

`case_file.shredded_at` marks a case whose data key the `retention.shred_due` job destroyed (its plaintext
statistics stay); `legal_hold` records holds placed and lifted on closed cases, their reasons encrypted
under the case's data key. Existing cases are not shredded and not held: nothing to fill in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_retention'
down_revision = "0024_identity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shredded_at', sa.DateTime(), nullable=True))

    op.create_table('legal_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lift_reason', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_legal_hold_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['user_account.id'], name=op.f('fk_legal_hold_lifted_by_id_user_account')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user_account.id'], name=op.f('fk_legal_hold_placed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_hold')),
    sa.UniqueConstraint('uuid', name=op.f('uq_legal_hold_uuid'))
    )
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_hold_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_hold_case_id'))

    op.drop_table('legal_hold')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('shredded_at')
