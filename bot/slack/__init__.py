"""The Slack front end: a thin bolt adapter over the dialogue engine.

``app.build_app`` builds the one bolt ``App``; ``server`` serves it over HTTP
(``/slack/events``) or Socket Mode; ``blocks`` renders engine replies as Block
Kit; ``fake_api`` and ``fake_socket`` stand in for Slack in tests and staging.
"""
