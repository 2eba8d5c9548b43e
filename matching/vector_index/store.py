"""``VectorStore``: one FAISS index per record kind, kept in step with the database.

An index is loaded lazily on first use and rebuilt — with a log line saying
why — when it is missing, corrupt, stale (the kind's database version moved, or
the number of rows differs) or was built by another embedder or dimension.
Rebuilding goes through the embedding cache, so after one edit one text is
embedded. On the query path the only check is one read of the kind's version
row; a worker whose version moved first tries the file another worker may have
rebuilt, and rebuilds only if that is not current either — holding a lock file
(``.<kind>.lock``) so that workers take turns: the first rebuilds, the others load.

Forgotten people are not indexed. Records that hard filters exclude (paused
advisors, undiscoverable engineers) are indexed: the ranker filters candidates
against the current rows, so a status change needs no rebuild to take effect.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.db import Database, get_version, version_key
from knowledge.errors import GunmaneError
from knowledge.models import RECORD_MODELS, Meta
from matching.documents import document_text
from matching.embedders.base import Embedder
from matching.embedding_cache import EmbedProgress, embed_documents
from matching.types import KINDS
from matching.vector_index import faiss_index
from matching.vector_index.files import (
    IndexMeta,
    IndexPaths,
    MetadataUnreadable,
    exclusive_lock,
    file_digest,
    remove_stale_temporaries,
    stream_digest,
    write_atomically,
    write_text_atomically,
)

log = logging.getLogger("matching.vector_index")

ROW_CHUNK = 2000
_MISMATCH = "corrupt: {name} does not match its metadata (size or sha256 differs)"


class VectorIndexError(GunmaneError):
    """A vector index cannot be used as asked (unknown kind, query of the wrong dimension)."""


@dataclass(frozen=True)
class IndexStatus:
    kind: str
    path: Path
    up_to_date: bool
    reason: str | None          # why it is not up to date (None when it is)
    count: int | None           # vectors in the index file (None: no usable file)
    db_count: int               # rows of this kind that belong in the index
    model_id: str | None        # embedder that built it
    index_type: str | None
    version: int | None         # database version it was built at
    db_version: int
    built_at: str | None


@dataclass
class _Loaded:
    index: Any
    meta: IndexMeta


class VectorStore:
    """FAISS indexes under ``<data_dir>/index/``; ids are database ids."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        data_dir: Path,
        approx_threshold: int = 50_000,
        *,
        search_threads: int | None = 1,
        build_threads: int | None = None,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.directory = Path(data_dir) / "index"
        self.approx_threshold = approx_threshold
        self._loaded: dict[str, _Loaded] = {}
        self._locks = {kind: threading.RLock() for kind in KINDS}
        self._search_threads = search_threads
        self._build_threads = build_threads

    # ------------------------------------------------------------ public API

    def search(self, kind: str, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` records of ``kind`` nearest to ``query_vector``: (db id, inner product), best first."""
        loaded = self._current(kind)
        query = np.ascontiguousarray(np.asarray(query_vector, dtype=np.float32).reshape(1, -1))
        if query.shape[1] != loaded.meta.dimension:
            raise VectorIndexError(
                f"query vector has dimension {query.shape[1]}, the {kind} index has {loaded.meta.dimension}: "
                "embed queries with the same embedder as the store."
            )
        faiss_index.use_threads(self._search_threads)
        return faiss_index.search(loaded.index, query, k)

    def ensure_current(self, kind: str) -> str | None:
        """Load the kind's index, rebuilding it if needed; return why it was rebuilt, or None."""
        with self._lock(kind):
            db_version = self._db_version(kind)
            loaded = self._loaded.get(kind)
            if loaded is not None and loaded.meta.db_version == db_version:
                return None
            reason = self._load_from_disk(kind, db_version)
            if reason is None:
                if loaded is not None:
                    log.info("Reloaded the %s index at database version %d (rebuilt elsewhere).", kind, db_version)
                return None
            if loaded is not None:
                reason = f"database version moved from {loaded.meta.db_version} to {db_version}"
            with exclusive_lock(self._paths(kind).lock):
                # Another worker may have rebuilt it while this one waited for the lock.
                db_version = self._db_version(kind)
                if self._load_from_disk(kind, db_version) is None:
                    log.info("Loaded the %s index another worker rebuilt (%s).", kind, reason)
                    return None
                log.info("Rebuilding the %s index: %s.", kind, reason)
                self._build(kind, None)
            return reason

    def build(self, kind: str, progress: EmbedProgress | None = None) -> IndexMeta:
        """Embed (through the cache) and index every row of ``kind``; write it atomically."""
        with self._lock(kind), exclusive_lock(self._paths(kind).lock):
            return self._build(kind, progress)

    def _build(self, kind: str, progress: EmbedProgress | None) -> IndexMeta:
        with self.db.session() as session:
            db_version = get_version(session, kind)
            ids, texts = _documents(session, kind)
        vectors = embed_documents(self.db, self.embedder, texts, progress=progress)
        index_type = faiss_index.index_type_for(len(ids), self.approx_threshold)
        faiss_index.use_threads(self._build_threads)
        index = faiss_index.build_index(
            vectors.reshape(len(ids), self.embedder.dimension), np.asarray(ids, dtype=np.int64), index_type
        )
        del vectors
        meta = self._write(kind, index, db_version, index_type)
        self._loaded[kind] = _Loaded(index, meta)
        log.info("Built the %s index: %d vectors, %s, database version %d.", kind, meta.count, index_type, db_version)
        return meta

    def build_all(self, progress: Callable[[str], EmbedProgress | None] | None = None) -> list[IndexMeta]:
        return [self.build(kind, progress(kind) if progress else None) for kind in KINDS]

    def status(self) -> list[IndexStatus]:
        """The state of each kind's index file (reads metadata and hashes files; builds nothing)."""
        return [self._status(kind) for kind in KINDS]

    def index_for(self, kind: str) -> Any:
        """The current FAISS index object of ``kind`` (for measurements and diagnostics)."""
        return self._current(kind).index

    def loaded_meta(self, kind: str) -> IndexMeta | None:
        loaded = self._loaded.get(kind)
        return loaded.meta if loaded else None

    # ------------------------------------------------------------ internals

    def _lock(self, kind: str) -> threading.RLock:
        try:
            return self._locks[kind]  # type: ignore[index]  # a wrong kind is the KeyError below
        except KeyError:
            raise VectorIndexError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}") from None

    def _current(self, kind: str) -> _Loaded:
        self.ensure_current(kind)
        return self._loaded[kind]

    def _paths(self, kind: str) -> IndexPaths:
        return IndexPaths.of(self.directory, kind)

    def _db_version(self, kind: str) -> int:
        # The hot-path check: one primary-key read on a pooled connection, no ORM session
        # (0.06 ms against 0.23 ms for get_version in a session, on SQLite).
        with self.db.engine.connect() as connection:
            value = connection.execute(select(Meta.value).where(Meta.key == version_key(kind))).scalar()
        return int(value) if value is not None else 0

    def _db_count(self, kind: str) -> int:
        with self.db.session() as session:
            return _indexable_count(session, kind)

    def _read_meta(self, kind: str) -> tuple[IndexMeta | None, str | None]:
        """The metadata, or None and the reason it cannot be used."""
        paths = self._paths(kind)
        if not paths.meta.exists() or not paths.index.exists():
            missing = paths.index if not paths.meta.exists() and not paths.index.exists() else (
                paths.meta if not paths.meta.exists() else paths.index
            )
            return None, f"no index yet ({missing.name} is missing)"
        try:
            meta = IndexMeta.from_json(paths.meta.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, MetadataUnreadable) as exc:
            return None, f"metadata {paths.meta.name} is unreadable ({exc})"
        return meta, None

    def _check_meta(self, kind: str, meta: IndexMeta, db_version: int) -> str | None:
        """Why an index with this metadata cannot serve now, or None. Cheapest checks first."""
        if meta.kind != kind:
            return f"metadata is for kind {meta.kind!r}"
        if meta.model_id != self.embedder.model_id:
            return f"built by embedder {meta.model_id!r}, the current one is {self.embedder.model_id!r}"
        if meta.dimension != self.embedder.dimension:
            return f"built with dimension {meta.dimension}, the embedder gives {self.embedder.dimension}"
        if meta.db_version != db_version:
            return f"stale: built at database version {meta.db_version}, the database is at {db_version}"
        db_count = self._db_count(kind)
        if meta.count != db_count:
            return f"stale: holds {meta.count} vectors, the database has {db_count} {kind} records"
        return None

    def _check_file(self, kind: str, meta: IndexMeta) -> str | None:
        path = self._paths(kind).index
        size, digest = file_digest(path)
        if size != meta.index_bytes or digest != meta.index_sha256:
            return _MISMATCH.format(name=path.name)
        return None

    def _load_from_disk(self, kind: str, db_version: int) -> str | None:
        """Load the file if it is current; otherwise return why it is not."""
        meta, problem = self._read_meta(kind)
        if meta is None:
            return problem
        problem = self._check_meta(kind, meta, db_version)
        if problem:
            return problem
        path = self._paths(kind).index
        # One open file for the digest and the read: a rename by another worker in between
        # cannot pair this metadata with a different file.
        try:
            with path.open("rb") as handle:
                size, digest = stream_digest(handle)
                if size != meta.index_bytes or digest != meta.index_sha256:
                    return _MISMATCH.format(name=path.name)
                handle.seek(0)
                index = faiss_index.read_index(handle)
        except OSError as exc:
            return f"cannot read {path.name} ({exc})"
        except (RuntimeError, MemoryError) as exc:
            return f"corrupt: FAISS cannot read {path.name} ({str(exc).splitlines()[0][:120]})"
        if index.ntotal != meta.count or index.d != meta.dimension:
            return (f"corrupt: file holds {index.ntotal} vectors of dimension {index.d}, "
                    f"metadata says {meta.count} of {meta.dimension}")
        self._loaded[kind] = _Loaded(index, meta)
        log.debug("Loaded the %s index: %d vectors, %s.", kind, meta.count, meta.index_type)
        return None

    def _write(self, kind: str, index: Any, db_version: int, index_type: str) -> IndexMeta:
        paths = self._paths(kind)
        remove_stale_temporaries(self.directory)
        write_atomically(paths.index, lambda temp: faiss_index.write_index(index, temp))
        size, digest = file_digest(paths.index)
        meta = IndexMeta(
            kind=kind,
            model_id=self.embedder.model_id,
            dimension=int(index.d),
            count=int(index.ntotal),
            db_version=db_version,
            index_type=index_type,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            index_bytes=size,
            index_sha256=digest,
        )
        write_text_atomically(paths.meta, meta.to_json())  # last: it vouches for the index file
        return meta

    def _status(self, kind: str) -> IndexStatus:
        with self._lock(kind):
            with self.db.session() as session:
                db_version = get_version(session, kind)
                db_count = _indexable_count(session, kind)
            meta, reason = self._read_meta(kind)
            if meta is not None:
                reason = self._check_meta(kind, meta, db_version) or self._check_file(kind, meta)
            return IndexStatus(
                kind=kind,
                path=self._paths(kind).index,
                up_to_date=reason is None,
                reason=reason,
                count=meta.count if meta else None,
                db_count=db_count,
                model_id=meta.model_id if meta else None,
                index_type=meta.index_type if meta else None,
                version=meta.db_version if meta else None,
                db_version=db_version,
                built_at=meta.built_at if meta else None,
            )


# ---------------------------------------------------------------- rows of a kind


def _indexable(kind: str) -> tuple[Any, list[Any]]:
    model = RECORD_MODELS.get(kind)
    if model is None:
        raise VectorIndexError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
    table = model.__table__
    conditions = [table.c.forgotten.is_(False)] if "forgotten" in table.c else []
    return table, conditions


def _indexable_count(session: Session, kind: str) -> int:
    table, conditions = _indexable(kind)
    return int(session.scalar(select(func.count()).select_from(table).where(*conditions)) or 0)


def _documents(session: Session, kind: str) -> tuple[list[int], list[str]]:
    """Ids and document texts of every indexable row, streamed as plain rows (no ORM objects)."""
    table, conditions = _indexable(kind)
    ids: list[int] = []
    texts: list[str] = []
    query = select(table).where(*conditions).order_by(table.c.id).execution_options(yield_per=ROW_CHUNK)
    result = session.execute(query)
    for row in _rows(result):
        ids.append(int(row.id))
        texts.append(document_text(kind, row))
    return ids, texts


def _rows(result: Any) -> Iterator[Any]:
    for partition in result.partitions():
        yield from partition
