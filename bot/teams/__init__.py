"""Microsoft Teams front end, on the Microsoft 365 Agents SDK.

A thin adapter over the platform-free dialogue engine:

    server.py          aiohttp app: POST /api/messages → CloudAdapter → AgentApplication
    app.py             the turn handler: activity → engine call → replies (and proactive intros)
    activities.py      reading Teams activities: mentions, card submits, conversation keys
    cards.py           engine replies → Teams message activities with Adaptive Cards 1.5
    references.py      stored conversation references (how to reach a user proactively)
    auth.py            credentials → SDK connection manager and JWT configuration
    fake_connector.py  a local stand-in for the Bot Connector service (tests, local runs)
    cli.py             `gunmane serve teams`

Nothing outside this package imports it except the command line.
"""
