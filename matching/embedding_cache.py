"""Document embeddings cached in the database, keyed by (embedder model id, sha256 of the text).

Re-indexing after one record changed embeds that one text; everything else
comes back from the ``embedding_cache`` table. Vectors are stored as
little-endian float32 bytes. Queries are never cached (they are rarely repeated
and must stay fast).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from knowledge.db import Database
from knowledge.models import EmbeddingCacheEntry
from matching.embedders.base import Embedder

# (texts embedded so far, texts to embed) — called before the first batch and after each.
EmbedProgress = Callable[[int, int], None]

LOOKUP_CHUNK = 500
DEFAULT_BATCH_SIZE = 64
_VECTOR_DTYPE = np.dtype("<f4")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_documents(
    db: Database,
    embedder: Embedder,
    texts: Sequence[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: EmbedProgress | None = None,
) -> np.ndarray:
    """Embeddings of ``texts`` (rows in the same order), embedding only what the cache lacks.

    Each batch is stored as soon as it is embedded, so an interrupted build
    resumes where it stopped.
    """
    dimension = embedder.dimension
    out = np.empty((len(texts), dimension), dtype=np.float32)
    hashes = [text_hash(text) for text in texts]
    positions: dict[str, list[int]] = {}
    for position, digest in enumerate(hashes):
        positions.setdefault(digest, []).append(position)

    def place(digest: str, vector: np.ndarray) -> None:
        out[positions[digest]] = vector

    cached = _lookup(db, embedder.model_id, dimension, positions.keys(), place)
    missing = [digest for digest in positions if digest not in cached]
    if progress is not None:
        progress(0, len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        vectors = embedder.encode_documents([texts[positions[digest][0]] for digest in batch])
        _store(db, embedder.model_id, batch, vectors)
        for digest, vector in zip(batch, vectors, strict=True):
            out[positions[digest]] = vector
        if progress is not None:
            progress(min(start + batch_size, len(missing)), len(missing))
    return out


def cached_vectors(db: Database, embedder: Embedder, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The cached vectors among ``texts`` for this embedder, keyed by text (missing ones left out)."""
    by_hash = {text_hash(text): text for text in texts}
    found: dict[str, np.ndarray] = {}
    _lookup(db, embedder.model_id, embedder.dimension, by_hash,
            lambda digest, vector: found.__setitem__(by_hash[digest], vector))
    return found


def store_vectors(db: Database, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
    """Put vectors made elsewhere (another machine, a precomputed export) into the cache."""
    if len(texts) != len(vectors):
        raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
    for start in range(0, len(texts), LOOKUP_CHUNK):
        chunk = texts[start : start + LOOKUP_CHUNK]
        _store(db, model_id, [text_hash(text) for text in chunk], np.asarray(vectors[start : start + LOOKUP_CHUNK]))


def _lookup(
    db: Database, model_id: str, dimension: int, hashes: Iterable[str], found: Callable[[str, np.ndarray], None]
) -> set[str]:
    """Hand each cached vector to ``found`` as it is read (no second copy of them all); return the hashes found."""
    wanted = list(hashes)
    seen: set[str] = set()
    with db.session() as session:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            rows = session.execute(
                select(EmbeddingCacheEntry.text_hash, EmbeddingCacheEntry.dim, EmbeddingCacheEntry.vector).where(
                    EmbeddingCacheEntry.model_id == model_id, EmbeddingCacheEntry.text_hash.in_(chunk)
                )
            )
            for digest, dim, blob in rows:
                # A row of another size cannot be right for this model: treat it as missing.
                if dim == dimension and len(blob) == dimension * _VECTOR_DTYPE.itemsize:
                    found(digest, np.frombuffer(blob, dtype=_VECTOR_DTYPE))
                    seen.add(digest)
    return seen


def _store(db: Database, model_id: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
    rows = [
        {"model_id": model_id, "text_hash": digest, "dim": int(vector.shape[0]),
         "vector": vector.astype(_VECTOR_DTYPE).tobytes()}
        for digest, vector in zip(hashes, vectors, strict=True)
    ]
    if not rows:
        return
    with db.session() as session:
        _upsert(session, rows)


def _upsert(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert, replacing a row of the same key: two workers embedding the same text both succeed."""
    dialect = session.get_bind().dialect.name
    stmt: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(EmbeddingCacheEntry)
    elif dialect == "sqlite":
        stmt = sqlite.insert(EmbeddingCacheEntry)
    else:  # other databases: plain merge, one row at a time
        for row in rows:
            session.merge(EmbeddingCacheEntry(**row))
        return
    stmt = stmt.on_conflict_do_update(
        index_elements=["model_id", "text_hash"], set_={"dim": stmt.excluded.dim, "vector": stmt.excluded.vector}
    )
    session.execute(stmt, rows)


def cached_count(db: Database, model_id: str) -> int:
    """How many document vectors the cache holds for ``model_id``."""
    with db.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(EmbeddingCacheEntry)
                           .where(EmbeddingCacheEntry.model_id == model_id))
            or 0
        )


class CachedEmbedder:
    """An ``Embedder`` whose document encodings go through the database cache."""

    def __init__(self, db: Database, embedder: Embedder, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.db = db
        self.inner = embedder
        self._batch_size = batch_size

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return embed_documents(self.db, self.inner, texts, batch_size=self._batch_size)


def purge_texts(session: Session, texts: Iterable[str]) -> int:
    """Delete the cached vectors of ``texts`` under every model (used when a person is forgotten)."""
    hashes = [text_hash(t) for t in texts]
    if not hashes:
        return 0
    rows = session.scalars(select(EmbeddingCacheEntry).where(EmbeddingCacheEntry.text_hash.in_(hashes))).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)
