"""two-factor sign-in, step-up and the two-person rule

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-01 22:40:00.000000

A user's TOTP secret (sealed under the KEK), its enrolment time and last accepted time step; single-use
recovery codes stored hashed; a session's second-factor and step-up times; the approval state of an
account an administrator gave a role that reads cases.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_secret', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('mfa_kek_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('mfa_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('mfa_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('approval_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('approval_requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_approval_requested_by_id_user_account'), 'user_account', ['approval_requested_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_account_approved_by_id_user_account'), 'user_account', ['approved_by_id'], ['id'])
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('approval_pending', server_default=None)

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reauth_at', sa.DateTime(), nullable=True))

    op.create_table('mfa_recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mfa_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_recovery_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_mfa_recovery_code_code_hash'))
    )
    with op.batch_alter_table('mfa_recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mfa_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mfa_recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mfa_recovery_code_user_id'))

    op.drop_table('mfa_recovery_code')

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('reauth_at')
        batch_op.drop_column('mfa_verified_at')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_user_account_approval_requested_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approval_requested_by_id')
        batch_op.drop_column('approval_pending')
        batch_op.drop_column('mfa_last_step')
        batch_op.drop_column('mfa_enabled_at')
        batch_op.drop_column('mfa_kek_id')
        batch_op.drop_column('mfa_secret')
