"""survey responses: drop the segment and submitted_at indexes

With no index on a column a submit changes, PostgreSQL updates the response in place (HOT) instead of
writing every index again; these indexes helped no query. See the comment on SurveyResponse.

Revision ID: 5d2f8e61a0c7
Revises: 258aba9d3f71
Create Date: 2026-11-24 15:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2f8e61a0c7'
down_revision = '258aba9d3f71'
branch_labels = None
depends_on = None

DROPPED = ('age_band', 'district', 'household_type', 'submitted_at')


def upgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        for column in DROPPED:
            batch_op.drop_index(batch_op.f(f'ix_survey_responses_{column}'))


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        for column in DROPPED:
            batch_op.create_index(batch_op.f(f'ix_survey_responses_{column}'), [column], unique=False)
