"""Console accounts: the CLI, logins, the failed-login limit, session expiry, logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.web.accounts import LoginLimits, LoginLocked, account_for, add_user, login, logout, set_disabled, set_password
from knowledge.audit import history
from knowledge.db import Database
from knowledge.errors import ConflictError, ValidationFailed
from knowledge.models import utcnow
from knowledge.web_models import WebSession, WebUser

LIMITS = LoginLimits(max_failures=3, window=timedelta(minutes=15))
PASSWORD = "correct horse battery"


def _login(db: Database, name: str, password: str = PASSWORD, address: str = "10.0.0.1", **kw: object):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return login(session, name, password, address=address, limits=LIMITS, session_hours=8, **kw)  # type: ignore[arg-type]


def test_cli_adds_lists_disables_and_changes_passwords(db: Database, cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["web", "user", "add", "kanri", "--role", "secretariat"], input=PASSWORD + "\n",
                          env=cli_env)
    assert added.exit_code == 0, added.output
    assert "Added web account kanri (secretariat)" in added.output
    with db.session() as session:
        user = session.scalar(select(WebUser).where(WebUser.name == "kanri"))
        assert user is not None and user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    listed = runner.invoke(cli, ["web", "user", "list"], env=cli_env)
    assert listed.exit_code == 0 and "kanri\tsecretariat\tactive" in listed.output
    assert _login(db, "kanri") is not None
    disabled = runner.invoke(cli, ["web", "user", "disable", "kanri"], env=cli_env)
    assert disabled.exit_code == 0 and "Disabled" in disabled.output
    assert _login(db, "kanri") is None
    enabled = runner.invoke(cli, ["web", "user", "enable", "kanri"], env=cli_env)
    assert enabled.exit_code == 0
    changed = runner.invoke(cli, ["web", "user", "passwd", "kanri"], input="another long password\n", env=cli_env)
    assert changed.exit_code == 0, changed.output
    assert _login(db, "kanri") is None
    assert _login(db, "kanri", "another long password") is not None
    with db.session() as session:
        actions = [e.action for e in history(session, kind="web_user", record_id="kanri")]
    assert actions == ["add", "status", "status", "passwd"]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "admin"], PASSWORD, "role: 'admin' is not allowed"),
    (["--role", "viewer"], "short", "at least 10 characters"),
    (["--role", "viewer"], "", "give the password on stdin"),
])
def test_cli_refuses_bad_accounts(cli_env: dict[str, str], args: list[str], stdin: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["web", "user", "add", "someone", *args], input=stdin + ("\n" if stdin else ""),
                                env=cli_env)
    assert result.exit_code == 1
    assert message in result.output


def test_cli_names_unknown_accounts(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["web", "user", "disable", "nobody"], env=cli_env)
    assert result.exit_code == 1 and "No web account 'nobody'" in result.output


def test_names_and_duplicates(db: Database) -> None:
    with db.session() as session:
        add_user(session, "a.b@c-d_e", "viewer", PASSWORD, actor="t")
        with pytest.raises(ConflictError):
            add_user(session, "a.b@c-d_e", "viewer", PASSWORD, actor="t")
        for bad in ("", "with space", "<script>", "名前", "x" * 65):
            with pytest.raises(ValidationFailed):
                add_user(session, bad, "viewer", PASSWORD, actor="t")


def test_login_makes_a_session_that_expires(db: Database) -> None:
    with db.session() as session:
        add_user(session, "kanri", "secretariat", PASSWORD, actor="t")
    result = _login(db, "kanri")
    assert result is not None
    token, account = result
    assert account.role == "secretariat" and account.can_change and account.actor == "web:kanri"
    with db.session() as session:
        stored = session.scalars(select(WebSession)).all()
        assert len(stored) == 1 and stored[0].token_hash != token   # only the hash is kept
        assert account_for(session, token) is not None
        assert account_for(session, token, now=utcnow() + timedelta(hours=9)) is None
        assert account_for(session, "forged-token") is None
        assert account_for(session, "x" * 500) is None
        logout(session, token)
    with db.session() as session:
        assert account_for(session, token) is None


def test_disabling_or_a_new_password_ends_sessions(db: Database) -> None:
    with db.session() as session:
        add_user(session, "kanri", "secretariat", PASSWORD, actor="t")
    first, second = _login(db, "kanri"), _login(db, "kanri")
    assert first is not None and second is not None
    with db.session() as session:
        set_disabled(session, "kanri", True, actor="t")
        assert account_for(session, first[0]) is None
        set_disabled(session, "kanri", False, actor="t")
    third = _login(db, "kanri")
    assert third is not None
    with db.session() as session:
        set_password(session, "kanri", "a brand new password", actor="t")
        assert account_for(session, third[0]) is None


def test_failed_logins_lock_the_account_even_for_the_right_password(db: Database) -> None:
    with db.session() as session:
        add_user(session, "kanri", "secretariat", PASSWORD, actor="t")
    for _ in range(LIMITS.max_failures):
        assert _login(db, "kanri", "wrong password!", address="10.0.0.9") is None
    with pytest.raises(LoginLocked) as locked:
        _login(db, "kanri", address="10.0.0.10")
    assert locked.value.retry_after > utcnow()
    later = utcnow() + LIMITS.window + timedelta(seconds=1)
    assert _login(db, "kanri", now=later) is not None


def test_failed_logins_lock_an_address_trying_many_names(db: Database) -> None:
    with db.session() as session:
        add_user(session, "kanri", "secretariat", PASSWORD, actor="t")
    attempts = LIMITS.max_failures * 10
    for number in range(attempts):
        assert _login(db, f"guess{number}", "wrong password!", address="203.0.113.7") is None
    with pytest.raises(LoginLocked):
        _login(db, "kanri", address="203.0.113.7")
    assert _login(db, "kanri", address="198.51.100.1") is not None
