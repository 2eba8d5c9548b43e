"""Japanese (and English) tokenisation with SudachiPy, shared by BM25 and intake.

Split mode B; tokens are Sudachi's ``normalized_form`` (spelling variants folded:
"追いつか" → "追い付く"), lower-cased; only content words (nouns, verbs,
adjectives, prefixes of nouns, alphabetic and numeric tokens) are kept.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import dictionary, tokenizer

_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞"}
_STOP = {"する", "ある", "いる", "なる", "できる", "こと", "もの", "よう", "ため", "とき", "ところ", "の", "ん",
         "さん", "くん", "これ", "それ", "あれ", "どれ", "ここ", "そこ", "いう", "思う", "れる", "られる"}
_local = threading.local()


@dataclass(frozen=True)
class Token:
    surface: str
    normalized: str
    pos: str          # first level part of speech (名詞, 動詞 …)
    pos2: str         # second level (普通名詞, 固有名詞 …)


def _tokenizer() -> tokenizer.Tokenizer:
    # Sudachi tokenizers are not thread-safe: one per thread.
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = dictionary.Dictionary().tokenizer()
        _local.tokenizer = tok
    return tok


def normalize_text(text: str) -> str:
    """NFKC (full-width ASCII → half-width, half-width kana → full-width)."""
    return unicodedata.normalize("NFKC", text)


def analyse(text: str) -> list[Token]:
    """Every morpheme of ``text`` (after NFKC), in order."""
    text = normalize_text(text)
    if not text.strip():
        return []
    # Sudachi rejects inputs over ~49,149 bytes: tokenise long text in chunks.
    out: list[Token] = []
    for start in range(0, len(text), 4000):
        for m in _tokenizer().tokenize(text[start : start + 4000], tokenizer.Tokenizer.SplitMode.B):
            pos = m.part_of_speech()
            out.append(Token(m.surface(), m.normalized_form().lower(), pos[0], pos[1]))
    return out


@lru_cache(maxsize=4096)
def _content_tokens(text: str) -> tuple[str, ...]:
    return tuple(
        t.normalized
        for t in analyse(text)
        if t.pos in _CONTENT_POS and t.normalized not in _STOP and t.pos2 not in {"数詞"} and t.normalized.strip()
    )


def content_tokens(text: str) -> list[str]:
    """Normalised content words: what BM25 indexes and intake matches against."""
    return list(_content_tokens(text))


def reading(text: str) -> str:
    """The katakana reading of ``text`` (Sudachi's reading forms): 群マネ → グンマネ, ひとの → ヒトノ."""
    text = normalize_text(text)
    if not text.strip():
        return ""
    return "".join(
        m.reading_form() for m in _tokenizer().tokenize(text[:4000], tokenizer.Tokenizer.SplitMode.B)
    )
