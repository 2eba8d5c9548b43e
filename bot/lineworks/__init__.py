"""LINE WORKS front end (Bot API 2.0), a thin adapter over the dialogue engine: ``server`` (POST
/lineworks/callback), ``events`` (reading callbacks), ``render`` (replies → templates), ``api`` (tokens and
sending), ``sender``, ``config`` (the settings), and ``fake_api``, a local LINE WORKS for tests and staging.
`gunmane serve lineworks` lives in bot/cli/lineworks_cmd.py.
"""
