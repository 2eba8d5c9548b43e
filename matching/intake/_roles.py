"""The role a word plays in its clause: the thing the writer wants arranged, or only part of the story.

Some words name the work only when the clause makes them its object. 「業者」「コンサル」 "contractor" are
procurement when the writer is looking for one, lacks one, loses one or wants to hand work to one
(「頼める業者がいない」「業者が減っている」「コンサルにどこまで任せていいのか」「地元の業者にお願いしたい」
"we can't find a contractor"), and not when they are only who said or did something
(「業者さんから言われた」「業者さんに電話する」「設計はコンサルに出していますが」「コンサルに頼んでいます」
"the consultant pointed it out"). A ``RoleRule`` of the lexicon lists the words and the forms that make them
wanted; the moods are grammar and live here.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:        # the lexicon imports the rule, the matcher imports the lexicon
    from matching.intake._matcher import Analysed

_NEGATIVE = {"ない", "無い", "ず", "ぬ", "ん"}
# Right after an arranging verb: the writer wants it, asks about it, or supposes it (頼みたい, 任せていいのか,
# 出すと, 頼めるか, お願いできないか).
_WANTING = {"たい", "か", "ば", "と", "出来る", "可能", "良い", "欲しい", "う", "よう", "べし", "方"}
_QUESTION = {"何処", "どこ", "どこまで", "何処まで", "如何", "どう", "どの", "誰", "幾ら", "いくら", "何"}
_STOP = {"。", "、", "！", "？", "!", "?", "\n", ",", ".", "「", "」"}
_LOOK_AHEAD = 7


@dataclass(frozen=True)
class RoleRule:
    """``code`` from one of ``words`` counts only when its clause makes the word wanted.

    ``forms``: words that make it wanted wherever they stand in the clause (探す, 見付かる, 減る, quit, find);
    ``negated``: verbs that do when negated (来ない, やらん, いない); ``arranging``: verbs of handing work over,
    which do in a wanting mood (頼みたい, 任せていいのか) and not as what is done now or was done
    (頼んでいます, 出したので).
    """

    code: str
    words: frozenset[str]
    forms: frozenset[str] = frozenset()
    negated: frozenset[str] = frozenset()
    arranging: frozenset[str] = frozenset()


def _clause_tokens(a: Analysed, start: int, end: int) -> range:
    return range(bisect_left(a.starts, start), bisect_left(a.starts, end))


def _forms(a: Analysed, i: int) -> set[str]:
    return {a.norms[i], a.tokens[i].surface.lower()}


def _wanting_after(a: Analysed, i: int, stop: int) -> bool:
    """The verb at token ``i`` is wanted, asked about or supposed, not done or ongoing (頼んでいる, 出した)."""
    after: list[str] = []
    for j in range(i + 1, min(stop, i + 1 + _LOOK_AHEAD)):
        if a.tokens[j].surface in _STOP:
            break
        after.append(a.norms[j])
    for k, norm in enumerate(after):
        if norm in _WANTING:
            return True
        if norm == "た" or (norm in {"て", "で"} and k + 1 < len(after) and after[k + 1] in {"居る", "いる", "おる"}):
            return False
    return False


def is_wanted(a: Analysed, clause: tuple[int, int], rule: RoleRule) -> bool:
    """Whether the clause ``(start, end)`` of ``a`` makes ``rule``'s word the thing wanted."""
    tokens = _clause_tokens(a, *clause)
    asked = False
    for i in tokens:
        forms = _forms(a, i)
        if forms & rule.forms:
            return True
        auxiliary = i > tokens.start and a.norms[i - 1] in {"て", "で"}      # 分かって|いない: not 業者がいない
        if forms & rule.negated and not auxiliary and any(
            a.norms[j] in _NEGATIVE for j in range(i + 1, min(tokens.stop, i + 4))
        ):
            return True
        if forms & _QUESTION:
            asked = True
        if forms & rule.arranging and (asked or _wanting_after(a, i, tokens.stop)):
            return True
    return False
