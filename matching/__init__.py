"""Retrieval: embedders, FAISS and BM25 indexes, fusion, filters, geography, explanations.

Depends on ``knowledge`` only; never imports ``bot`` or any chat SDK.
"""
