"""Exceptions of the knowledge layer.

    GunmaneError                 base of every error the product raises on purpose
    ├── ConfigError              a setting is missing or invalid
    ├── SchemaOutOfDate          the database needs `gunmane db upgrade`
    ├── NotFound                 a record, municipality, … does not exist
    ├── ValidationFailed         import rows or edited fields are invalid (carries every problem)
    └── ConflictError            a state change is not allowed (capacity full, wrong state …)

Messages say what to do. The command line turns these into exit codes; chat
adapters turn them into polite replies.
"""

from __future__ import annotations


class GunmaneError(Exception):
    """Base of every deliberate gunmane error."""


class ConfigError(GunmaneError):
    pass


class SchemaOutOfDate(GunmaneError):
    pass


class NotFound(GunmaneError):
    pass


class ConflictError(GunmaneError):
    pass


class ValidationFailed(GunmaneError):
    """Carries every problem found, each as ``FILE:LINE: field: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
