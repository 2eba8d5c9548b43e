"""groups in chat: who of a body accepted, event reminders and adoption questions sent

Revision ID: 0006_groups2
Revises: 0005_jobs
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_groups2"
down_revision = "0005_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accepted_by", sa.JSON(), nullable=True))
    with op.batch_alter_table("event_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("adoption_asked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_participants", schema=None) as batch_op:
        batch_op.drop_column("adoption_asked_at")
        batch_op.drop_column("reminded_at")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_column("accepted_by")
