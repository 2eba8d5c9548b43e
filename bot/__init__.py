"""Front ends and the conversation: dialogue engine, terminal chat, Slack, Teams, CLI."""
