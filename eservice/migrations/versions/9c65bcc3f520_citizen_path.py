"""The citizen path: attachments kept across a refused filing form (pending_upload), tied to the form's one-time token;
the executive's title as data (organisation.executive_title_th/_en)

Revision ID: 9c65bcc3f520
Revises: a431b02ac11d
Create Date: 2026-12-02 05:10:54.290664

"""
from alembic import op
import sqlalchemy as sa

import eservice.models.base


# revision identifiers, used by Alembic.
revision = '9c65bcc3f520'
down_revision = 'a431b02ac11d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_upload_token_hash'), ['token_hash'], unique=False)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        # Filled in by `flask init` from the reference data; blank until then.
        batch_op.add_column(sa.Column('executive_title_th', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('executive_title_en', sa.String(length=200), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('executive_title_en')
        batch_op.drop_column('executive_title_th')
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_upload_token_hash'))
        batch_op.drop_index(batch_op.f('ix_pending_upload_created_at'))

    op.drop_table('pending_upload')
