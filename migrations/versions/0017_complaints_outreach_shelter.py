"""intake and protection: complaints, outreach visits, shelter stays

Revision ID: 0017
Revises: 0021
Create Date: 2026-12-02 00:28:13.412359

Complaints (pengaduan) received by an agency and triaged before they become a case, each with its own data
key; outreach visits on a complaint or a case; a case's shelter stays. New tables only: existing data is
unchanged. The new accompaniment service codes are reference data (`flask seed`), not schema.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('data_key_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('triage_due_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reporter_name', sa.LargeBinary(), nullable=True),
    sa.Column('reporter_contact', sa.LargeBinary(), nullable=True),
    sa.Column('report', sa.LargeBinary(), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('triaged_at', sa.DateTime(), nullable=True),
    sa.Column('triaged_by_id', sa.Integer(), nullable=True),
    sa.Column('referred_agency_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.LargeBinary(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_complaint_agency_id_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_complaint_case_id_case_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_key.id'], name=op.f('fk_complaint_data_key_id_data_key')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_complaint_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['referred_agency_id'], ['agency.id'], name=op.f('fk_complaint_referred_agency_id_agency')),
    sa.ForeignKeyConstraint(['triaged_by_id'], ['user_account.id'], name=op.f('fk_complaint_triaged_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('case_id', name=op.f('uq_complaint_case_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_complaint_uuid'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_agency_decision_received', ['agency_id', 'decision', 'received_at'], unique=False)

    op.create_table('shelter_stay',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('shelter_agency_id', sa.Integer(), nullable=True),
    sa.Column('shelter_place', sa.LargeBinary(), nullable=True),
    sa.Column('admitted_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('discharge_reason', sa.String(length=30), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('discharged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_shelter_stay_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['discharged_by_id'], ['user_account.id'], name=op.f('fk_shelter_stay_discharged_by_id_user_account')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_shelter_stay_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['shelter_agency_id'], ['agency.id'], name=op.f('fk_shelter_stay_shelter_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shelter_stay')),
    sa.UniqueConstraint('uuid', name=op.f('uq_shelter_stay_uuid'))
    )
    with op.batch_alter_table('shelter_stay', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelter_stay_case_id'), ['case_id'], unique=False)

    op.create_table('outreach_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.LargeBinary(), nullable=True),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint('(complaint_id IS NULL) <> (case_id IS NULL)', name=op.f('ck_outreach_visit_complaint_or_case')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_outreach_visit_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_outreach_visit_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_outreach_visit_complaint_id_complaint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_visit')),
    sa.UniqueConstraint('uuid', name=op.f('uq_outreach_visit_uuid'))
    )
    with op.batch_alter_table('outreach_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_visit_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_visit_complaint_id'), ['complaint_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outreach_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_visit_complaint_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_visit_case_id'))

    op.drop_table('outreach_visit')
    with op.batch_alter_table('shelter_stay', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelter_stay_case_id'))

    op.drop_table('shelter_stay')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_agency_decision_received')

    op.drop_table('complaint')
