"""What every command shares: settings, the database, logging, error → exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from bot.terminal import printable
from knowledge.db import Database, open_database
from knowledge.errors import ConfigError, GunmaneError, ValidationFailed
from knowledge.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    try:
        return load_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{_variable(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"Invalid settings: {problems}. Fix the environment variable or .env entry.") from exc


def _variable(loc: tuple[int | str, ...]) -> str:
    """The environment variable a settings error is about (the alias already carries GUNMANE_ or SLACK_)."""
    name = "_".join(str(part) for part in loc).upper()
    return name if name.startswith(("GUNMANE_", "SLACK_")) else f"GUNMANE_{name}"


@contextmanager
def database(command_name: str) -> Iterator[tuple[Settings, Database]]:
    """Settings and an up-to-date database for ``command_name``; disposed afterwards."""
    cfg = settings()
    db = open_database(cfg, command_name)
    try:
        yield cfg, db
    finally:
        db.dispose()


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn gunmane's own errors into a message on stderr and a non-zero exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationFailed as exc:
            for problem in exc.problems:
                typer.echo(printable(problem), err=True)
            typer.echo(f"{len(exc.problems)} problem(s); nothing was changed.", err=True)
            raise typer.Exit(1) from exc
        except GunmaneError as exc:
            typer.echo(printable(f"error: {exc}"), err=True)
            raise typer.Exit(1) from exc

    return wrapper  # type: ignore[return-value]
