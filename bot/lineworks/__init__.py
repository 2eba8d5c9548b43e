"""LINE WORKS front end (Bot API 2.0), a thin adapter over the platform-free dialogue engine:

    server.py    aiohttp app: POST /lineworks/callback → signature check → 200 → engine turn
    events.py    reading callbacks: signature, conversation keys, what was said or pressed
    render.py    engine replies → text, button templates and flexible templates
    api.py       access tokens (service-account JWT grant) and the message endpoints
    sender.py    a turn's replies (and reminders) into a chat; lost replies are logged
    config.py    the GUNMANE_LINEWORKS_* settings, checked at start-up
    fake_api.py  a local stand-in for the LINE WORKS token and message APIs (tests, staging)

`gunmane serve lineworks` lives in bot/cli/lineworks_cmd.py.
"""
