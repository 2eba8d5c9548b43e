"""FAISS index construction and search: exact inner product, or HNSW above a size threshold.

Vectors are L2-normalised, so inner product is cosine similarity. Ids are the
database's integer ids (``IndexIDMap``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

FLAT = "flat-ip"
HNSW = "hnsw-ip"

# Measured on the bench corpus (100k clustered 384-d vectors, docs/benchmarks.md) and on
# random vectors: M=32, efConstruction=40 gave recall@10 0.98 / recall@100 0.97 at efSearch=256
# and built in ~20 s; efConstruction=80 built slower AND reached only 0.84 / 0.79 there (its
# neighbour pruning isolates tight clusters of near-duplicates). Random vectors: 0.99+ either way.
HNSW_M = 32                # neighbours per node: recall vs. memory (~M*8 bytes per vector)
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 256       # candidates examined per query (≥ k); ~1 ms at 100k on 2 cores


def index_type_for(count: int, approx_threshold: int) -> str:
    return HNSW if count > approx_threshold else FLAT


def new_index(dimension: int, index_type: str) -> Any:
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


def read_index(path: Path) -> Any:
    """Read an index; raises RuntimeError (from FAISS) when the file is not a readable index."""
    index = faiss.read_index(str(path))
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def search(index: Any, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` nearest (db id, inner product), best first; fewer when the index is smaller."""
    if k <= 0 or index.ntotal == 0:
        return []
    scores, ids = index.search(query, min(k, index.ntotal))
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]
