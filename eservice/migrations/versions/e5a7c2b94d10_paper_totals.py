"""Totals from paper records for the fiscal years before the e-Service went into use

Revision ID: e5a7c2b94d10
Revises: e7a2c4f9b1d3
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa

import eservice.models.base


revision = 'e5a7c2b94d10'
down_revision = 'e7a2c4f9b1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'paper_total',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('case_type', sa.String(length=20), nullable=False),
        sa.Column('channel_code', sa.String(length=40), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('cases >= 0', name='ck_paper_total_cases'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('fiscal_year', 'case_type', 'channel_code', name='uq_paper_total_year_type_channel'),
    )
    with op.batch_alter_table('paper_total', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_total_fiscal_year'), ['fiscal_year'], unique=False)


def downgrade():
    with op.batch_alter_table('paper_total', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_total_fiscal_year'))
    op.drop_table('paper_total')
