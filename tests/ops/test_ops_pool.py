"""Turns in a pool of processes (GUNMANE_TURN_PROCESSES): the pool process's engine answers, on the same
database, and the conversation continues where the server process can see it."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.dialogue.replies import ConversationKey, IncomingMessage, Text
from bot.monitoring import Metrics
from bot.runtime import TurnPool, busy_reply
from knowledge.db import Database
from knowledge.models import ConversationState
from knowledge.settings import Settings


def test_a_turn_runs_in_a_pool_process_and_its_state_is_saved(seeded_people: Database, settings: Settings) -> None:
    pooled = settings.model_copy(update={"turn_processes": 1})
    pool = TurnPool.for_settings(pooled, seeded_people)
    pool.metrics = metrics = Metrics(seeded_people)
    assert pool.processes == 1
    try:
        pool.start()
        key = ConversationKey("slack", "T0POOL", "D0POOL", "U0POOL")
        turn = pool.handle(key, IncomingMessage("奈良県宇陀市です。村道の橋の点検が技術職2人で回りません。"))
        texts = [r.text for r in turn.replies if isinstance(r, Text)]
        assert texts and not any("申し訳ありません" in t for t in texts), texts
        with seeded_people.session() as session:
            stored = session.scalar(select(func.count()).select_from(ConversationState)
                                    .where(ConversationState.user_id == "U0POOL"))
        assert stored == 1
        assert pool.backlog == 0 and busy_reply(pool, "ja") is None
        assert 'gunmane_turns_total{outcome="ok",platform="slack"} 1.0' in metrics.render().decode()
    finally:
        pool.shutdown()


def test_the_warm_up_builds_the_caches_and_writes_no_conversation(seeded_people: Database,
                                                                  settings: Settings) -> None:
    from bot.dialogue.engine import DialogueEngine
    from knowledge.models import Consultation, EmbeddingCacheEntry

    steps = DialogueEngine(seeded_people, settings).warm_up()
    assert {"embedder", "intake prototypes", "knowledge base", "lexical indexes", "schemes", "ranking"} <= set(steps)
    with seeded_people.session() as session:
        cached = session.scalar(select(func.count()).select_from(EmbeddingCacheEntry))
        written = [session.scalar(select(func.count()).select_from(model))
                   for model in (ConversationState, Consultation)]
    assert cached and cached > 0   # the prototypes', questions' and schemes' vectors: the next start reads them
    assert written == [0, 0]
