"""sealed quasi-identifiers

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-02 01:00:00

A stolen database kept in the clear enough to single a child out: initials, exact age, kelurahan of
residence and of the incident, exact incident date. From this revision they are encrypted under each case's
data key, like the child's name; what the statistics count stays in the clear: sex, age group, kecamatan and
the incident's month (`incident_month`, the first day of the month, filled here).

Existing rows are encrypted here, one case at a time with its own data key, so this migration needs the KEK:
`flask --app wsgi db upgrade` runs inside the application, which reads the keys from the instance files or
`CASEAPP_KEK`. Without keys it refuses (and changes nothing) unless there is no case yet. A case whose data
key was shredded keeps none of these values (its identity was destroyed on purpose; its statistics stay).

On SQLite the table is rebuilt (batch mode); migrations/env.py turns foreign-key enforcement off while
migrating (dropping the old table with it on would delete every row that cascades from a case).

Downgrade decrypts the values back into plaintext columns (it needs the KEK too).
"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLE = 'case_file'
BATCH = 500
# column: (plaintext type, text of a value, value of a text)
SEALED = {
    'child_initials': (sa.String(length=8), str, str),
    'child_age': (sa.Integer(), str, int),
    'child_kelurahan': (sa.String(length=20), str, str),
    'incident_date': (sa.Date(), datetime.date.isoformat, datetime.date.fromisoformat),
    'incident_kelurahan': (sa.String(length=20), str, str),
}
REGION_FKS = ('child_kelurahan', 'incident_kelurahan')


def _keyring():
    """Return the application's keyring, or refuse the migration when cases need it and it is missing."""
    count = op.get_bind().execute(sa.text(f'SELECT count(*) FROM {TABLE}')).scalar()
    if not count:
        return None
    try:
        from caseapp.security.keys import current_keyring

        return current_keyring()
    except RuntimeError as exc:  # KeysUnavailable, or no application context
        raise RuntimeError(
            f'revision 0019 encrypts existing case fields and needs the key-encryption key: run it as '
            f'`flask --app wsgi db upgrade` with the keys configured ({exc.__class__.__name__})'
        ) from None


class _Keys:
    """Unwrap each case's data key once (None for a shredded one)."""

    def __init__(self, ring):
        self.ring = ring

    def dek(self, row):
        from caseapp.security import crypto

        if row.wrapped is None or row.kek_id is None:
            return None
        try:
            kek = self.ring.kek(row.kek_id)
        except KeyError:
            raise RuntimeError(f'data key {row.key_id} is wrapped under an unknown KEK {row.kek_id}') from None
        return crypto.unwrap_key(kek, row.kek_id, str(row.key_uuid), bytes(row.wrapped))


def _rows(source_types, after):
    """Return the next batch of cases with their data keys and the given columns."""
    case = sa.table(
        TABLE,
        sa.column('id', sa.Integer()),
        sa.column('uuid', sa.Uuid()),
        sa.column('data_key_id', sa.Integer()),
        *(sa.column(name, type_) for name, type_ in source_types.items()),
    )
    key = sa.table(
        'data_key',
        sa.column('id', sa.Integer()),
        sa.column('uuid', sa.Uuid()),
        sa.column('kek_id', sa.String()),
        sa.column('wrapped', sa.LargeBinary()),
    )
    stmt = (
        sa.select(
            case.c.id,
            case.c.uuid,
            key.c.id.label('key_id'),
            key.c.uuid.label('key_uuid'),
            key.c.kek_id,
            key.c.wrapped,
            *(case.c[name] for name in source_types),
        )
        .join(key, key.c.id == case.c.data_key_id)
        .where(case.c.id > after)
        .order_by(case.c.id)
        .limit(BATCH)
    )
    return op.get_bind().execute(stmt).all()


def _convert(source, target, change):
    """Rewrite every case: `change(row, dek)` returns the values of the target columns."""
    ring = _keyring()
    if ring is None:
        return
    keys = _Keys(ring)
    case = sa.table(TABLE, sa.column('id', sa.Integer()), *(sa.column(n, t) for n, t in target.items()))
    update = (
        sa.update(case)
        .where(case.c.id == sa.bindparam('b_id'))
        .values({name: sa.bindparam(f'b_{name}') for name in target})
    )
    after = 0
    while True:
        rows = _rows(source, after)
        if not rows:
            return
        changes = []
        for row in rows:
            values = change(row, keys.dek(row))
            changes.append({'b_id': row.id, **{f'b_{name}': value for name, value in values.items()}})
        op.get_bind().execute(update, changes)
        after = rows[-1].id


def upgrade():
    from caseapp.security import crypto

    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name in SEALED:
            batch_op.add_column(sa.Column(f'{name}_sealed', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('incident_month', sa.Date(), nullable=True))

    def seal(row, dek):
        month = row.incident_date.replace(day=1) if row.incident_date else None
        values = {'incident_month': month}
        for name, (_type, to_text, _from_text) in SEALED.items():
            value = getattr(row, name)
            values[f'{name}_sealed'] = (
                None
                if value is None or dek is None
                else crypto.encrypt_field(dek, row.key_id, TABLE, name, str(row.uuid), to_text(value))
            )
        return values

    _convert(
        {name: type_ for name, (type_, _t, _f) in SEALED.items()},
        {'incident_month': sa.Date(), **{f'{name}_sealed': sa.LargeBinary() for name in SEALED}},
        seal,
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name in REGION_FKS:
            batch_op.drop_constraint(f'fk_{TABLE}_{name}_region', type_='foreignkey')
        for name in SEALED:
            batch_op.drop_column(name)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name in SEALED:
            batch_op.alter_column(
                f'{name}_sealed', new_column_name=name, existing_type=sa.LargeBinary(), existing_nullable=True
            )


def downgrade():
    from caseapp.security import crypto

    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name, (type_, _t, _f) in SEALED.items():
            batch_op.add_column(sa.Column(f'{name}_plain', type_, nullable=True))

    def open_(row, dek):
        values = {}
        for name, (_type, _to_text, from_text) in SEALED.items():
            blob = getattr(row, name)
            text = (
                None
                if blob is None or dek is None
                else crypto.decrypt_field(dek, row.key_id, TABLE, name, str(row.uuid), bytes(blob))
            )
            values[f'{name}_plain'] = None if text is None else from_text(text)
        if values['child_initials_plain'] is None:
            values['child_initials_plain'] = '?'  # the column was required; a shredded case has none
        return values

    _convert(
        {name: sa.LargeBinary() for name in SEALED},
        {f'{name}_plain': type_ for name, (type_, _t, _f) in SEALED.items()},
        open_,
    )
    op.execute(f"UPDATE {TABLE} SET child_initials_plain = '?' WHERE child_initials_plain IS NULL")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_column('incident_month')
        for name in SEALED:
            batch_op.drop_column(name)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for name, (type_, _t, _f) in SEALED.items():
            batch_op.alter_column(
                f'{name}_plain',
                new_column_name=name,
                existing_type=type_,
                existing_nullable=True,
                nullable=name != 'child_initials',
            )
        for name in REGION_FKS:
            batch_op.create_foreign_key(f'fk_{TABLE}_{name}_region', 'region', [name], ['code'])
