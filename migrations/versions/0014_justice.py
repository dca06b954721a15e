"""justice track: the child's role and legal milestones

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-01 22:30:00.000000

The child's role on a case (victim, witness, in conflict with the law; existing cases are victims) and
the legal milestones and SPPA diversions of a case, with their reference, investigator and outcome encrypted under the case's
data key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_role', sa.String(length=24), nullable=False, server_default='victim'))
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.alter_column('child_role', server_default=None)

    op.create_table('legal_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.LargeBinary(), nullable=True),
    sa.Column('investigator', sa.LargeBinary(), nullable=True),
    sa.Column('outcome', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_legal_event_agency_id_agency')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_legal_event_attachment_id_attachment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_legal_event_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_legal_event_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_event')),
    sa.UniqueConstraint('uuid', name=op.f('uq_legal_event_uuid'))
    )
    with op.batch_alter_table('legal_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_event_case_id'), ['case_id'], unique=False)

    op.create_table('diversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('victim_agreed', sa.Boolean(), nullable=False),
    sa.Column('agreement_on', sa.Date(), nullable=True),
    sa.Column('court_approved_on', sa.Date(), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_diversion_agency_id_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_diversion_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_diversion_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diversion')),
    sa.UniqueConstraint('uuid', name=op.f('uq_diversion_uuid'))
    )
    with op.batch_alter_table('diversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diversion_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('diversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diversion_case_id'))

    op.drop_table('diversion')
    with op.batch_alter_table('legal_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_event_case_id'))

    op.drop_table('legal_event')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('child_role')
