"""A municipality directory over the test database's reference data."""

from __future__ import annotations

import pytest

from knowledge.db import Database
from knowledge.municipalities import MunicipalityDirectory


@pytest.fixture
def directory(db: Database) -> MunicipalityDirectory:
    with db.session() as session:
        return MunicipalityDirectory(session)
