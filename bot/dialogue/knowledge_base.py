"""The 群マネ knowledge base (knowledge/data/gunmane_knowledge.json) and finding the entry a question asks for.

Each entry has words (``keys``), a short answer in Japanese and English, the
document it comes from and the schemes it is about. A question is matched by
the longest keys it contains (a long, specific key such as 「包括的民間委託」
outweighs a short one such as 「事例」); with an embedder, the entry whose
example questions are closest breaks ties and, when no key matched, answers a
paraphrase only if it stands clearly above the rest. Nothing else is ever
said: a question no entry answers gets "I don't know" and the offers.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from matching.embedders.base import Embedder
from matching.tokenize import reading

DATA_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "gunmane_knowledge.json"
MIN_KEY_WEIGHT = 2.0  # a matched key of at least two characters
# A key of three characters or more (包括委託, 共同発注, 事務局) is the topic even beside their own facilities.
STRONG_KEY_WEIGHT = 3.0
# The topic word itself: 「群マネを導入する手順」 is about the steps, not about what 群マネ is.
GENERIC_KEYS = {"群マネ", "gunmane"}
GENERIC_WEIGHT = 1.5
# A key read in kana (ぐんまね, じむきょく) counts when its reading has at least this many kana.
MIN_READING = 4
# Particular details the entries do not hold unless their answer names them: a question about 群マネ that asks
# for a form, a phone number, a date or an amount is not answered by the entry's general text.
DETAIL_FACETS: dict[str, tuple[str, ...]] = {
    "document": ("様式", "書式", "雛形", "ひな形", "ひながた", "テンプレート", "申請書", "契約書", "ダウンロード",
                 "積算基準", "template", "download", "sample contract", "application form"),
    "contact": ("電話番号", "電話", "メールアドレス", "メアド", "fax", "住所", "phone", "e-mail", "email address"),
    "date": ("締切", "締め切り", "〆切", "期限", "日程", "日時", "開催日", "何月", "何日", "いつまで", "いつから",
             "曜日",
             "土日", "祝日", "受付時間", "営業時間", "deadline", "schedule", "opening hours", "weekend", "what date"),
    "money": ("いくら", "幾ら", "なんぼ", "費用", "料金", "金額", "単価", "補助率", "何円", "万円", "有料", "無料",
              "how much", "cost", "fee", "price", "charge"),
}
# What an answer must say to hold the detail: an amount is a figure (30 %, 500万円), a date a day or a month,
# not the word 費用 or "cost" in a general sentence.
DETAIL_HELD: dict[str, re.Pattern[str]] = {
    "document": re.compile(r"様式|書式|ひな形|雛形|テンプレート|ダウンロード|template|download", re.IGNORECASE),
    "contact": re.compile(r"電話|メールアドレス|住所|phone|e-mail|email|address", re.IGNORECASE),
    # a schedule, a deadline or opening hours (the date something happened, 2023年3月, is none of them)
    "date": re.compile(r"[月火水木金土日]曜|土日|平日|締切|締め切り|期限|受付時間|開催予定|deadline|opening hours|"
                       r"\b(?:monday|weekday|weekend)s?\b", re.IGNORECASE),
    "money": re.compile(r"\d[\d,.]*\s*(?:円|万円|億円|%|％|割|yen)|無料|有料|free of charge", re.IGNORECASE),
}
EMBEDDING_MIN_Z = 3.0  # a paraphrase with no key: the closest entry must stand out this far (z over all entries)


@dataclass(frozen=True)
class Entry:
    id: str
    keys: tuple[str, ...]
    answer: tuple[str, str]
    source: str
    schemes: tuple[str, ...]
    examples: tuple[str, ...]

    def text(self, lang: str) -> str:
        return self.answer[1 if lang == "en" else 0]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    matched: tuple[str, ...]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        Entry(
            e["id"],
            tuple(e["keys"]),
            (e["answer"][0], e["answer"][1]),
            e["source"],
            tuple(e["schemes"]),
            tuple(e["examples"]),
        )
        for e in raw["entries"]
    )


def entry(entry_id: str) -> Entry | None:
    return next((e for e in entries() if e.id == entry_id), None)


@lru_cache(maxsize=1)
def _key_readings() -> dict[str, str]:
    """The kana reading of every key written with kanji whose reading is long enough to be told apart."""
    out = {}
    for e in entries():
        for k in e.keys:
            if re.search(r"[\u4e00-\u9fff]", k):
                r = reading(k)
                if len(r) >= MIN_READING:
                    out[k] = r
    return out


def _has_key(key: str, folded: str, read: str) -> bool:
    if _fold(key) in folded:
        return True
    r = _key_readings().get(key)
    return r is not None and r in read


def keyword_hits(text: str) -> list[Hit]:
    """Entries whose keys occur in ``text``, best first (longest key, then number of keys).

    A key also counts when the message writes it in kana (ひとのぐんまね, じむきょく): keys and message are
    compared by their readings too.
    """
    folded = _fold(text)
    read = reading(text) if re.search(r"[\u3040-\u30ff]{4,}", folded) else ""
    hits = []
    for e in entries():
        matched = tuple(k for k in e.keys if _has_key(k, folded, read))
        # A key inside a longer matched key of the same entry adds nothing (包括 within 包括的民間委託).
        matched = tuple(k for k in matched if not any(k != o and _fold(k) in _fold(o) for o in matched))
        if matched:
            weight = max(GENERIC_WEIGHT if k in GENERIC_KEYS else len(k) for k in matched) + 0.5 * (len(matched) - 1)
            hits.append(Hit(e, weight, matched))
    hits.sort(key=lambda h: -h.score)
    strong = [h for h in hits if h.score >= MIN_KEY_WEIGHT]
    return strong or hits[:1]


class _Examples:
    """Entry example questions embedded once per embedder."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    def matrix(self, embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            cached = self._cache.get(embedder.model_id)
            if cached is None:
                texts, owner = [], []
                for i, e in enumerate(entries()):
                    for t in (*e.examples, e.answer[0].split("。")[0]):
                        texts.append(t)
                        owner.append(i)
                cached = (np.asarray(embedder.encode_documents(texts), dtype=np.float32), np.asarray(owner))
                self._cache[embedder.model_id] = cached
            return cached


_examples = _Examples()


def closest_by_meaning(text: str, embedder: Embedder) -> tuple[Entry, float] | None:
    """The entry closest in meaning, with its z-score over all entries (None when nothing stands out)."""
    matrix, owner = _examples.matrix(embedder)
    query = np.asarray(embedder.encode_queries([text]), dtype=np.float32)
    scores = (query @ matrix.T)[0]
    per_entry = np.array([scores[owner == i].max() for i in range(len(entries()))])
    spread = float(per_entry.std())
    if spread <= 1e-9:
        return None
    best = int(per_entry.argmax())
    return entries()[best], (float(per_entry[best]) - float(per_entry.mean())) / spread


def asked_details(text: str) -> set[str]:
    """The particular details (DETAIL_FACETS) a question asks for."""
    folded = _fold(text)
    out = set()
    for facet, words in DETAIL_FACETS.items():
        for w in words:
            w = _fold(w)
            found = re.search(rf"\b{re.escape(w)}\b", folded) if w.isascii() else w in folded
            if found:
                out.add(facet)
                break
    return out


def holds(entry: Entry, details: set[str]) -> bool:
    """Whether the entry's answer says every detail asked (DETAIL_HELD: a figure for an amount, a day for a date)."""
    said = _fold(entry.answer[0] + " " + entry.answer[1])
    return all(DETAIL_HELD[facet].search(said) for facet in details)


def by_meaning(text: str, embedder: Embedder) -> Hit | None:
    """The entry a question with no key asks for, by meaning; None when no entry stands out."""
    near = closest_by_meaning(text, embedder)
    if near is not None and near[1] >= EMBEDDING_MIN_Z:
        return Hit(near[0], near[1], ())
    return None


def find(text: str, embedder: Embedder | None = None) -> Hit | None:
    """The entry that answers ``text``, or None: the base does not know."""
    hits = keyword_hits(text)
    if hits:
        if embedder is not None and len(hits) > 1 and hits[0].score == hits[1].score:
            near = closest_by_meaning(text, embedder)
            tied = [h for h in hits if h.score == hits[0].score]
            if near is not None:
                for h in tied:
                    if h.entry.id == near[0].id:
                        return h
        return hits[0]
    if embedder is not None:
        near = closest_by_meaning(text, embedder)
        if near is not None and near[1] >= EMBEDDING_MIN_Z:
            return Hit(near[0], near[1], ())
    return None
