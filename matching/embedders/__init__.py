"""Embedder backends behind one small interface (see ``base.Embedder``)."""

from matching.embedders.base import Embedder, EmbedderError
from matching.embedders.fake import FakeEmbedder

__all__ = ["Embedder", "EmbedderError", "FakeEmbedder"]
