"""The web application: the 研修・視察 portal (public) and the secretariat's console (login).

One Starlette app, server-rendered Jinja2 pages, plain forms (no script), served by uvicorn
through ``gunmane serve web``. ``create_app(settings, db)`` builds it; the route modules in
``bot/web/routes`` are thin callers of the secretariat service and the matcher.
"""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    from bot.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
