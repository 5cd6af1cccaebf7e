"""The measures report's sign-off block per year, and the complaint-handling summary's texts per period

Revision ID: e5a7c2b91f04
Revises: 5e7c0a9d2b41
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa

import eservice.models.base


revision = 'e5a7c2b91f04'
down_revision = '5e7c0a9d2b41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_sign_off',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('prepared_name', sa.String(length=200), nullable=False),
        sa.Column('prepared_position', sa.String(length=300), nullable=False),
        sa.Column('approved_name', sa.String(length=200), nullable=False),
        sa.Column('approved_position', sa.String(length=300), nullable=False),
        sa.Column('updated_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('fiscal_year', name='uq_report_sign_off_fiscal_year'),
    )
    op.create_table(
        'complaint_summary_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=8), nullable=False),
        sa.Column('problems', sa.Text(), nullable=False),
        sa.Column('improvements', sa.Text(), nullable=False),
        sa.Column('updated_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('fiscal_year', 'part', name='uq_complaint_summary_note_period'),
    )


def downgrade():
    op.drop_table('complaint_summary_note')
    op.drop_table('report_sign_off')
