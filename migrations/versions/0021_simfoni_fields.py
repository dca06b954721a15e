"""SIMFONI-PPA fields on the child and the people involved

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 01:30:00.000000

The child's education level and school status, disability types (UU 8/2016 Pasal 4), occupation, marital
status and regency of residence outside Kendari; the incident's regency; a party's NIK (encrypted under the
case's data key), education, occupation and marital status. Existing cases keep these empty (not
recorded); a case with a kelurahan lives in Kendari.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_education', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('child_school_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('child_disability_types', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('child_occupation', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('child_marital_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('child_regency', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('incident_regency', sa.String(length=20), nullable=True))
    with op.batch_alter_table('case_party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nik', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('education', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('occupation', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('marital_status', sa.String(length=12), nullable=True))
    op.execute("UPDATE case_file SET child_regency = '74.71' WHERE child_kelurahan IS NOT NULL")
    op.execute("UPDATE case_file SET incident_regency = '74.71' WHERE incident_kelurahan IS NOT NULL")


def downgrade():
    with op.batch_alter_table('case_party', schema=None) as batch_op:
        batch_op.drop_column('marital_status')
        batch_op.drop_column('occupation')
        batch_op.drop_column('education')
        batch_op.drop_column('nik')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('incident_regency')
        batch_op.drop_column('child_regency')
        batch_op.drop_column('child_marital_status')
        batch_op.drop_column('child_occupation')
        batch_op.drop_column('child_disability_types')
        batch_op.drop_column('child_school_status')
        batch_op.drop_column('child_education')
