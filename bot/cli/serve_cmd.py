"""Commands of this area register themselves here (owned by one workstream)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
