"""The models (knowledge/models.py) and the Alembic migrations describe the same schema.

Autogenerate against a freshly migrated database must find nothing to do: a
model changed without a migration (or a migration that differs from its
model) fails here, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from knowledge.db import make_engine
from knowledge.models import Base


def test_autogenerate_against_the_migrated_database_finds_no_difference(_migrated: str) -> None:
    engine = make_engine(_migrated)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "compare_server_default": True})
            tables = set(Base.metadata.tables)
            assert {"advisors", "introductions", "audit_log"} <= tables   # the metadata is the real one
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "models.py and the migrations disagree; write a migration:\n" + "\n".join(
        map(str, differences))
