"""counselling: sub-issue titles, schemes and the unmet-need flag; introductions about a case (brokered)

Revision ID: 0002_counselling
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_counselling'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sub_issues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('schemes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unmet', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_introductions_case_id', 'cases', ['case_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('introductions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_introductions_case_id', type_='foreignkey')
        batch_op.drop_column('case_id')
    with op.batch_alter_table('sub_issues', schema=None) as batch_op:
        batch_op.drop_column('unmet')
        batch_op.drop_column('schemes')
        batch_op.drop_column('title')
