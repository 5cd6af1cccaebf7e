"""Corruption and gift reports number from a series of their own: the tracking sequence per fiscal year and
series; case numbers unique per fiscal year and series (the confidential flag)

Revision ID: 5e7a2c1d9b40
Revises: e5a7c2b94d10
Create Date: 2026-12-02 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a2c1d9b40'
down_revision = 'e5a7c2b94d10'
branch_labels = None
depends_on = None


def _rebuild_sequence(with_series: bool) -> None:
    """The sequence table is a few rows: read them, build the table again with the new key, write them back.
    (Changing a primary key in place differs between SQLite and PostgreSQL; this does not.)"""
    connection = op.get_bind()
    columns = "fiscal_year, series, last_number" if not with_series else "fiscal_year, last_number"
    rows = connection.execute(sa.text(f"SELECT {columns} FROM tracking_sequence")).all()
    if not with_series and any(row[1] for row in rows):
        # Going back to one series per year: integrity numbers would collide with the general ones.
        raise RuntimeError("integrity reports have their own tracking series; cannot go back to one series")
    op.drop_table('tracking_sequence')
    if with_series:
        table = op.create_table('tracking_sequence',
            sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
            sa.Column('series', sa.String(length=1), server_default='', nullable=False),
            sa.Column('last_number', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('fiscal_year', 'series')
        )
        op.bulk_insert(table, [{"fiscal_year": fy, "series": "", "last_number": n} for fy, n in rows])
    else:
        table = op.create_table('tracking_sequence',
            sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
            sa.Column('last_number', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('fiscal_year')
        )
        op.bulk_insert(table, [{"fiscal_year": fy, "last_number": n} for fy, _, n in rows])


def upgrade():
    _rebuild_sequence(with_series=True)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint('uq_case_fiscal_year_number', type_='unique')
        batch_op.create_unique_constraint('uq_case_series_number', ['fiscal_year', 'confidential', 'number'])


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint('uq_case_series_number', type_='unique')
        batch_op.create_unique_constraint('uq_case_fiscal_year_number', ['fiscal_year', 'number'])
    _rebuild_sequence(with_series=False)
