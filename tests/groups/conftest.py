"""Fixtures of the groups tests (data in groups_fixtures.py)."""

from groups_fixtures import imported

__all__ = ["imported"]
