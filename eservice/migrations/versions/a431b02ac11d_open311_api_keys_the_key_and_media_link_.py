"""Open311 API keys, the key and media link of a filed case (issue 13)

Revision ID: a431b02ac11d
Revises: 7c70fdd186ba
Create Date: 2026-12-02 04:35:13.934942

"""
from alembic import op
import sqlalchemy as sa

import eservice.models.base


# revision identifiers, used by Alembic.
revision = 'a431b02ac11d'
down_revision = '7c70fdd186ba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('channel_code', sa.String(length=40), nullable=False),
    sa.Column('can_write', sa.Boolean(), nullable=False),
    sa.Column('rate_limit', sa.String(length=100), nullable=False),
    sa.Column('created_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', eservice.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', eservice.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_code'], ['channel.code'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), nullable=True))
        # Existing cases have no link: an empty default lets the column be added to a filled table.
        batch_op.add_column(sa.Column('media_url', sa.String(length=2000), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_case_api_key_id'), ['api_key_id'], unique=False)
        batch_op.create_foreign_key('fk_case_api_key_id_api_key', 'api_key', ['api_key_id'], ['id'])



def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint('fk_case_api_key_id_api_key', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_api_key_id'))
        batch_op.drop_column('media_url')
        batch_op.drop_column('api_key_id')

    op.drop_table('api_key')
