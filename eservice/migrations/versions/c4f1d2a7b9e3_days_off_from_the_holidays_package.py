"""Days off from the holidays package: where each day comes from, its English name, the years loaded

Revision ID: c4f1d2a7b9e3
Revises: b3f1c0de2a77
Create Date: 2026-12-02 10:40:00

Existing rows were typed by hand: those on the dates of the reference file that shipped with the
application become ``package`` days (the next sync replaces them with the package's own, names included);
any other row was added by an administrator and stays theirs through every sync.
"""
from alembic import op
import sqlalchemy as sa

import eservice.models.base


# revision identifiers, used by Alembic.
revision = 'c4f1d2a7b9e3'
down_revision = 'b3f1c0de2a77'
branch_labels = None
depends_on = None

# The days of the hand-typed list in eservice/reference_data/borplathong.toml before this revision.
SHIPPED_DAYS = (
    "2025-01-01", "2025-02-12", "2025-04-07", "2025-04-14", "2025-04-15", "2025-05-01", "2025-05-05",
    "2025-05-12", "2025-06-03", "2025-07-10", "2025-07-11", "2025-07-28", "2025-08-12", "2025-10-13",
    "2025-10-23", "2025-12-05", "2025-12-10", "2025-12-31", "2026-01-01", "2026-04-06", "2026-04-13",
    "2026-04-14", "2026-04-15", "2026-05-01", "2026-05-04", "2026-06-03", "2026-07-28", "2026-08-12",
    "2026-10-13", "2026-10-23", "2026-12-07", "2026-12-10", "2026-12-31",
)


def upgrade():
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('loaded_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('package_version', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('source', sa.String(length=20), server_default='package', nullable=False))

    holiday = sa.table('holiday', sa.column('day', sa.Date()), sa.column('source', sa.String()))
    from datetime import date

    shipped = [date.fromisoformat(d) for d in SHIPPED_DAYS]
    op.execute(holiday.update().where(holiday.c.day.notin_(shipped)).values(source='admin_added'))


def downgrade():
    holiday = sa.table('holiday', sa.column('source', sa.String()))
    op.execute(holiday.delete().where(holiday.c.source == 'admin_removed'))
    with op.batch_alter_table('holiday', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('name_en')
    op.drop_table('calendar_year')
