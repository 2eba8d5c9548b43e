"""Microsoft Teams front end, on the Microsoft 365 Agents SDK.

A thin adapter over the platform-free dialogue engine:

    server.py          aiohttp app: POST /api/messages → CloudAdapter → AgentApplication
    app.py             the turn handler: activity → engine call → replies; notices to the relay
    activities.py      reading Teams activities: mentions, card submits, conversation keys
    cards.py           engine replies → Teams message activities with Adaptive Cards 1.5
    sender.py          deliveries to Teams users: in the turn, or proactively (also from the CLI)
    references.py      which conversation references are stored (1:1 chats only)
    auth.py            credentials → SDK connection manager and JWT configuration
    fake_connector.py  a local stand-in for the Bot Connector service (tests, local runs)
    cli.py             `gunmane serve teams`

Outside this package only the command line and the relay's sender registry (by module name) use it.
"""
