"""FAISS vector indexes, one per record kind, stored under ``<data_dir>/index/``.

    store = VectorStore(db, embedder, settings.data_dir, settings.approx_index_threshold)
    hits = store.search("advisor", embedder.encode_queries([text])[0], k=50)  # [(db id, cosine)]
"""

from matching.vector_index.files import IndexMeta
from matching.vector_index.store import IndexStatus, VectorIndexError, VectorStore

__all__ = ["IndexMeta", "IndexStatus", "VectorIndexError", "VectorStore"]
