"""one incident with several children; the litmas request time

Revision ID: 0018
Revises: 0022
Create Date: 2026-12-02 01:00:00.000000

An `incident` row shared by the cases of the children of one incident (each keeps their own case), the
shared identity of an alleged perpetrator copied onto those cases (`case_party.incident_person`), and the
time a litmas was requested from Bapas (`legal_event.requested_at`, UTC), from which its 3x24-hour deadline
runs. Existing cases are each an incident of their own (no row), existing parties are not shared.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('uuid', name=op.f('uq_incident_uuid'))
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_file_incident_id'), ['incident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_file_incident_id_incident'), 'incident', ['incident_id'], ['id'])

    with op.batch_alter_table('case_party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_person', sa.Uuid(), nullable=True))

    with op.batch_alter_table('legal_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('legal_event', schema=None) as batch_op:
        batch_op.drop_column('requested_at')

    with op.batch_alter_table('case_party', schema=None) as batch_op:
        batch_op.drop_column('incident_person')

    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_file_incident_id_incident'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_file_incident_id'))
        batch_op.drop_column('incident_id')

    op.drop_table('incident')
