"""privacy: free-text retention per organisation, and the record of erasures

Revision ID: 7c1e5a0d9b42
Revises: 5d2f8e61a0c7
Create Date: 2026-11-24 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import civic.core.db


# revision identifiers, used by Alembic.
revision = '7c1e5a0d9b42'
down_revision = '5d2f8e61a0c7'
branch_labels = None
depends_on = None


def upgrade():
    # The server default stays (the model declares it too): existing organisations get the platform default.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_text_retention_months', sa.Integer(), server_default='24', nullable=False))

    op.create_table('privacy_free_text_erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('reference_at', civic.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retention_months', sa.Integer(), nullable=False),
    sa.Column('erased_at', civic.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('survey_texts', sa.Integer(), nullable=False),
    sa.Column('hearing_texts', sa.Integer(), nullable=False),
    sa.Column('focus_group_texts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_privacy_free_text_erasures_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_free_text_erasures')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_privacy_free_text_erasures_consultation_id'))
    )


def downgrade():
    op.drop_table('privacy_free_text_erasures')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('free_text_retention_months')
