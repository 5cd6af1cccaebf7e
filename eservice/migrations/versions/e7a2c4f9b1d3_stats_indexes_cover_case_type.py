"""The statistics' village and clock indexes also cover the case type

Someone outside the integrity unit gets the statistics without corruption and gift reports
(eservice.domain.integrity_figures): each GROUP BY then filters on the case type, which these two
covering indexes lacked, so SQLite read the table for every case of the year.

Revision ID: e7a2c4f9b1d3
Revises: e5a7c2b91f04
Create Date: 2026-12-02 10:55:00

"""
from alembic import op


revision = 'e7a2c4f9b1d3'
down_revision = 'e5a7c2b91f04'
branch_labels = None
depends_on = None

CLOCK = ['fiscal_year', 'ack_working_days', 'resolve_working_days', 'acknowledged_on_time', 'reopen_count',
         'rating_score', 'received_month']
VILLAGES = ['fiscal_year', 'village_id', 'status', 'resolved_on_time', 'received_month']


def upgrade():
    op.drop_index('ix_case_stats_clock', table_name='case')
    op.drop_index('ix_case_stats_villages', table_name='case')
    op.create_index('ix_case_stats_clock', 'case', [*CLOCK, 'case_type'], unique=False)
    op.create_index('ix_case_stats_villages', 'case', [*VILLAGES, 'case_type'], unique=False)


def downgrade():
    op.drop_index('ix_case_stats_clock', table_name='case')
    op.drop_index('ix_case_stats_villages', table_name='case')
    op.create_index('ix_case_stats_clock', 'case', CLOCK, unique=False)
    op.create_index('ix_case_stats_villages', 'case', VILLAGES, unique=False)
