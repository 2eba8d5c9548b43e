"""What the Teams endpoint checks before the SDK sees an activity (issue 16, items 4–6).

* The body: at most ``MAX_BODY_BYTES`` (aiohttp refuses more before reading it), JSON of an activity —
  parsed in a worker thread, never on the event loop; a body nested too deep, not UTF-8, or not an
  activity is a 400 with a reason, never a 500.
* The ``serviceUrl`` the bot will POST its replies to (and save for later proactive messages): with
  credentials it must be the URL the validated token names (its ``serviceurl`` claim) and on an
  https host of the allow-list (``GUNMANE_TEAMS_SERVICE_HOSTS``: Microsoft's connector hosts by
  default); with ``--insecure-local`` only a loopback address is accepted. Anything else — ``not a
  url``, ``file:``, ``javascript:``, a port out of range, ``//host``, a private address — is refused.
* The tenant: with ``GUNMANE_TEAMS_TENANT_ID`` set, the activity's tenant and the token's ``tid`` (when
  it carries one) must be that tenant.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from microsoft_agents.activity import Activity, ActivityTypes
from pydantic import ValidationError

from bot.monitoring.logs import guarded_logger

MAX_BODY_BYTES = 256 * 1024   # a Teams activity is a few KB (a message at most ~28 KB); this is not one
_KNOWN_TYPES = {kind.value for kind in ActivityTypes}
MAX_DEPTH = 32                # activities nest a handful of levels; card data a few more
# Microsoft's Bot Connector hosts (public cloud, GCC, GCC High, DoD, and the Bot Framework channels).
MICROSOFT_SERVICE_HOSTS = (
    "smba.trafficmanager.net", "smba.infra.gcc.teams.microsoft.com", "smba.infra.gov.teams.microsoft.us",
    "smba.infra.dod.teams.microsoft.us", "*.botframework.com", "*.botframework.us",
)

guarded_logger("microsoft_agents.activity.activity")   # it logs an invalid activity's values at ERROR


class Refused(Exception):
    """A request the endpoint answers with ``status`` and ``reason`` (logged, never a reply in a chat)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _depth_ok(raw: bytes) -> bool:
    """Whether JSON brackets nest at most ``MAX_DEPTH`` deep (counted linearly, strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def parse_activity(raw: bytes) -> Activity:
    """The activity in ``raw``, or :class:`Refused` (400) saying why not. CPU work: call it in a thread."""
    if not _depth_ok(raw):
        raise Refused(400, f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise Refused(400, f"the body is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(body, dict):
        raise Refused(400, "the body is JSON but not an object")
    try:
        activity = Activity.model_validate(body)
    except (ValidationError, ValueError, TypeError, RecursionError) as exc:
        count = exc.error_count() if isinstance(exc, ValidationError) else 1
        raise Refused(400, f"the body is not a valid activity ({count} invalid field(s))") from None
    if not activity.type or activity.conversation is None or not activity.conversation.id:
        raise Refused(400, "an activity needs a type and conversation.id")
    if activity.type not in _KNOWN_TYPES:
        raise Refused(400, "an activity of an unknown type")   # not echoed: the sender wrote it
    if not activity.service_url:
        raise Refused(400, "an activity needs a serviceUrl to reply to")
    if not activity.channel_id or activity.from_property is None or not activity.from_property.id:
        raise Refused(400, "an activity needs a channelId and from.id")
    return activity


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_allowed(host: str, allowed: Sequence[str]) -> bool:
    for entry in allowed:
        entry = entry.strip().lower()
        if entry.startswith("*.") and host.endswith(entry[1:]) and len(host) > len(entry) - 1:
            return True
        if host == entry:
            return True
    return False


def _normal(url: str) -> str:
    return url.strip().rstrip("/").lower()


@dataclass(frozen=True)
class ServiceUrlRule:
    """Where replies may be posted: loopback only (``--insecure-local``), or the allow-list + the token."""

    allowed_hosts: tuple[str, ...] = MICROSOFT_SERVICE_HOSTS
    loopback_only: bool = False

    def check(self, url: str, claimed: str | None, *, stored: bool = False) -> None:
        """:class:`Refused` (400 not a URL, 403 not allowed) unless the bot may post to ``url``.
        ``claimed``: the validated token's ``serviceurl`` claim (None without credentials); ``stored``: a
        saved conversation reference's URL, whose token was checked when it was saved."""
        try:
            parts = urlsplit(url)
            port = parts.port   # ValueError when out of range or not a number
        except ValueError:
            raise Refused(400, "the serviceUrl is not a URL") from None
        host = (parts.hostname or "").lower()
        if not host or parts.scheme not in ("https", "http") or parts.username or parts.password or port == 0:
            raise Refused(400, "the serviceUrl is not an http(s) URL with a host")
        if self.loopback_only:
            if not _is_loopback(host):
                raise Refused(403, "without credentials only a loopback serviceUrl is accepted")
            return
        if not _host_allowed(host, self.allowed_hosts):
            raise Refused(403, "the serviceUrl's host is not on the allow-list (GUNMANE_TEAMS_SERVICE_HOSTS)")
        if parts.scheme != "https" and not _is_loopback(host):
            raise Refused(403, "the serviceUrl is not https")
        if not stored and (claimed is None or _normal(claimed) != _normal(url)):
            raise Refused(403, "the serviceUrl is not the one the token was issued for")


def activity_tenant(activity: Activity) -> str | None:
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return str(conversation.tenant_id)
    channel_data: Any = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    return str(tenant["id"]) if isinstance(tenant, dict) and tenant.get("id") else None


def check_tenant(expected: str | None, claims: dict[str, Any], activity: Activity | None = None) -> None:
    """With a tenant configured: :class:`Refused` (403) when the token (checked before the body is read)
    or the activity is of another tenant."""
    if not expected:
        return
    want = expected.strip().lower()
    token_tenant = claims.get("tid")
    if token_tenant is not None and str(token_tenant).lower() != want:
        raise Refused(403, "the token was issued for another tenant")
    if activity is not None and (activity_tenant(activity) or "").lower() != want:
        raise Refused(403, "the activity comes from another tenant")
