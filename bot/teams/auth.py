"""Teams credentials → the Agents SDK's connection manager and JWT configuration.

With an app id and password (the Azure Bot registration's Microsoft App ID and
a client secret) every request to /api/messages must carry a Bot Framework
token that the SDK validates, and replies are sent with a token MSAL gets for
the app. Without credentials the server runs only when ``--insecure-local``
is given: requests are not checked and replies are sent without a token —
for a local fake connector or a tunnel you control, never for Teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization.auth_types import AuthTypes

from bot.teams.guard import MICROSOFT_SERVICE_HOSTS, ServiceUrlRule
from knowledge.errors import ConfigError
from knowledge.settings import Settings

SERVICE_CONNECTION = "SERVICE_CONNECTION"
INSECURE_WARNING = (
    "Teams authentication is OFF (--insecure-local): requests to /api/messages are not verified "
    "and replies carry no token. For local testing only; never expose this port."
)


@dataclass(frozen=True)
class TeamsAuth:
    configuration: AgentAuthConfiguration
    connection_manager: MsalConnectionManager
    app_id: str
    secured: bool
    tenant_id: str | None = None
    service_urls: ServiceUrlRule = field(default_factory=lambda: ServiceUrlRule(loopback_only=True))

    def proactive_identity(self) -> ClaimsIdentity:
        """The identity proactive turns run under: the app's own, or anonymous when unsecured."""
        if not self.secured:
            return ClaimsIdentity()  # no claims → the SDK sends without a token
        return ClaimsIdentity({"aud": self.app_id, "appid": self.app_id})


def has_credentials(settings: Settings) -> bool:
    """True when any Teams credential is set (then both must be, and authentication is on)."""
    password = settings.teams_app_password.get_secret_value().strip() if settings.teams_app_password else ""
    return bool((settings.teams_app_id or "").strip() or password)


def teams_auth(settings: Settings, *, insecure_local: bool = False) -> TeamsAuth:
    """Build the authentication of the Teams endpoint, or say what is missing."""
    app_id = (settings.teams_app_id or "").strip()
    password = settings.teams_app_password.get_secret_value().strip() if settings.teams_app_password else ""
    tenant = (settings.teams_tenant_id or "").strip() or None
    if app_id and password:
        configuration = AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            client_id=app_id,
            client_secret=password,
            tenant_id=tenant,
            connection_name=SERVICE_CONNECTION,
        )
        hosts = tuple(settings.teams_service_hosts) or MICROSOFT_SERVICE_HOSTS
        return TeamsAuth(configuration, _manager(configuration), app_id, secured=True, tenant_id=tenant,
                         service_urls=ServiceUrlRule(allowed_hosts=hosts))
    if app_id or password:
        missing = "GUNMANE_TEAMS_APP_PASSWORD" if app_id else "GUNMANE_TEAMS_APP_ID"
        raise ConfigError(
            f"Teams credentials are incomplete: {missing} is not set. Set both GUNMANE_TEAMS_APP_ID and "
            "GUNMANE_TEAMS_APP_PASSWORD (the Azure Bot's Microsoft App ID and a client secret of that app)."
        )
    if not insecure_local:
        raise ConfigError(
            "No Teams credentials. Set GUNMANE_TEAMS_APP_ID, GUNMANE_TEAMS_APP_PASSWORD and GUNMANE_TEAMS_TENANT_ID "
            "from your Azure Bot registration (see README, 'Microsoft Teams'), or pass --insecure-local to run "
            "without authentication for local testing only."
        )
    configuration = AgentAuthConfiguration(anonymous_allowed=True, connection_name=SERVICE_CONNECTION)
    return TeamsAuth(configuration, _manager(configuration), app_id="", secured=False)


def _manager(configuration: AgentAuthConfiguration) -> MsalConnectionManager:
    return MsalConnectionManager(connections_configurations={SERVICE_CONNECTION: configuration})
