"""LINE Official Account: events, chats, draft photos; reporter LINE id; outbox channel

Revision ID: da1d94f0dbca
Revises: 9c65bcc3f520
Create Date: 2026-12-02 04:36:57.464251

"""
from alembic import op
import sqlalchemy as sa

import eservice.models.base


# revision identifiers, used by Alembic.
revision = 'da1d94f0dbca'
down_revision = '9c65bcc3f520'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('line_channel_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_webhook_at', eservice.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('line_chat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('followed', sa.Boolean(), nullable=False),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('updated_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line_user_id')
    )
    with op.batch_alter_table('line_chat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_chat_updated_at'), ['updated_at'], unique=False)

    op.create_table('line_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=30), nullable=False),
    sa.Column('line_user_id', sa.String(length=64), nullable=True),
    sa.Column('redelivery', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', eservice.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('received_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', eservice.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('webhook_event_id')
    )
    with op.batch_alter_table('line_event', schema=None) as batch_op:
        batch_op.create_index('ix_line_event_status_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_line_event_user_status', ['line_user_id', 'status'], unique=False)

    op.create_table('line_draft_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', eservice.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chat_id'], ['line_chat.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('line_draft_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_draft_photo_chat_id'), ['chat_id'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), server_default='mail', nullable=False))
        batch_op.create_index('ix_outbox_channel_status_due', ['channel', 'status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('reporter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_user_id', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_reporter_line_user_id'), ['line_user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reporter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporter_line_user_id'))
        batch_op.drop_column('line_user_id')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_channel_status_due')
        batch_op.drop_column('channel')

    with op.batch_alter_table('line_draft_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_draft_photo_chat_id'))

    op.drop_table('line_draft_photo')
    with op.batch_alter_table('line_event', schema=None) as batch_op:
        batch_op.drop_index('ix_line_event_user_status')
        batch_op.drop_index('ix_line_event_status_due')

    op.drop_table('line_event')
    with op.batch_alter_table('line_chat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_chat_updated_at'))

    op.drop_table('line_chat')
    op.drop_table('line_channel_state')
