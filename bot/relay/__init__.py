"""Between the engine and the chat platforms: what every adapter shares.

    senders.py      the one sender registry: platform → sender (Slack, Teams; LINE WORKS registers the same way)
    dispatch.py     notices → the engine's deliveries → each platform's sender, or the secretariat's outbox
    jobs.py         the secretariat's scheduled sends: expiry news, reminders, follow-ups
    events.py       one de-duplication of incoming platform events (retries, redeliveries)
    references.py   stored ways to reach a chat user proactively (Teams conversation references)
    pages.py        stored pages of long messages, fetched by a "more" button
    turns.py        one turn at a time per conversation, and a "working on it" note when slow

Nothing here renders a message or knows a platform's API: adapters implement
``senders.Sender`` and render the replies themselves.
"""
