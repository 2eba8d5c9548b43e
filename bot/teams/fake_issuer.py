"""A local stand-in for the Bot Framework token issuer, for tests and scripts/fuzz.py.

It makes an RSA key pair, serves its OpenID metadata
(``/.well-known/openid-configuration``) and JWKS (``/keys``) on 127.0.0.1 and
signs tokens the way the Bot Connector does (RS256, a ``kid``, ``aud`` = the
app id, ``iss``, ``serviceurl``, optionally ``tid``).

Pointing the Agents SDK at it: SDK 1.x reads no OpenID metadata URL and has
no setting for one. ``JwtTokenValidator`` picks the JWKS URL from the token's
(unverified) ``iss`` — a fixed map of the Bot Framework issuers to their JWKS
URLs (``_entra_issuers.BOTFRAMEWORK_JWKS_URIS``), else
``login.microsoftonline.com/{tenant}/discovery/v2.0/keys`` — then verifies
signature, expiry and audience. :meth:`FakeIssuer.trusted` adds this issuer
to that map, with the ``jwks_uri`` read from the metadata it serves, for as
long as the ``with`` block lasts; everything after the JWKS lookup is the
SDK's own code, unchanged.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from microsoft_agents.hosting.core.authorization import _entra_issuers

from bot.teams.threaded import ThreadedSite

KEY_ID = "gunmane-local-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeIssuer:
    """``with FakeIssuer() as issuer, issuer.trusted(): token = issuer.token(app_id, service_url)``."""

    def __init__(self) -> None:
        self.key = new_key()
        self._site = ThreadedSite(self._app)

    @property
    def url(self) -> str:
        return self._site.url + "/"

    def _app(self) -> web.Application:
        async def metadata(_: web.Request) -> web.Response:
            return web.json_response({"issuer": self.url, "jwks_uri": self.url + "keys",
                                      "id_token_signing_alg_values_supported": ["RS256"]})

        async def keys(_: web.Request) -> web.Response:
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            return web.json_response({"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]})

        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", metadata)
        app.router.add_get("/keys", keys)
        return app

    def token(self, app_id: str, service_url: str, *, tenant: str | None = None, expires_in: int = 3600,
              key: rsa.RSAPrivateKey | None = None, kid: str = KEY_ID, **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {"aud": app_id, "iss": self.url, "serviceurl": service_url, "iat": now - 10,
                                "nbf": now - 10, "exp": now + expires_in, **claims}
        if tenant is not None:
            body["tid"] = tenant
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})

    @contextmanager
    def trusted(self) -> Iterator[FakeIssuer]:
        """Let the SDK find this issuer's JWKS (see the module docstring), read from its OpenID metadata."""
        with urllib.request.urlopen(self.url + ".well-known/openid-configuration", timeout=10) as answer:
            jwks_uri = json.load(answer)["jwks_uri"]
        known = _entra_issuers.BOTFRAMEWORK_JWKS_URIS
        known[self.url] = jwks_uri
        try:
            yield self
        finally:
            known.pop(self.url, None)

    def __enter__(self) -> FakeIssuer:
        self._site.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._site.stop()
