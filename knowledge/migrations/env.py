"""Alembic environment: the engine comes from ``knowledge.db.alembic_config``."""

from alembic import context

from knowledge.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
