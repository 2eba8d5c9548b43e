"""Kept for the imports that predate the shared module: ``ThreadedSite`` lives in bot/threaded_site.py."""

from bot.threaded_site import ThreadedSite

__all__ = ["ThreadedSite"]
