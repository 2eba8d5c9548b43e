"""Fixtures of the groups tests (data in groups_fixtures.py, the chat stacks in chat_stacks.py)."""

from chat_stacks import chat_stacks
from groups_fixtures import imported

from tests.slack.conftest import fake_api, slack_settings

__all__ = ["chat_stacks", "fake_api", "imported", "slack_settings"]
