"""The organisation's go-live date: statistics say "no data" before it

Revision ID: b3f1c0de2a77
Revises: da1d94f0dbca
Create Date: 2026-12-02 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b3f1c0de2a77'
down_revision = 'da1d94f0dbca'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_use_since', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('in_use_since')
