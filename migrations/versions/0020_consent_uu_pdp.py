"""consent that fits UU PDP: the child's assent and the coded legal basis

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-02 01:00:00.000000

A referral's consent gains the child's own agreement (assent) and, when consent is not required, the
legal basis as a code (UU PDP Pasal 20 ayat 2). Referrals recorded before keep both empty: nobody recorded
them then, and the app shows none rather than a guess.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_assent', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('consent_legal_basis', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('consent_legal_basis')
        batch_op.drop_column('consent_assent')
