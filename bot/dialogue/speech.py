"""What each sentence of a message does: asks, requests, wishes, does not know — read from its grammar.

The intent decision (bot/dialogue/intents.py) needs to know, per sentence, whether
the writer asks something (「〜ですか」「〜でしょうか」「〜とは」「どういうこと」, "what is …?"),
asks someone to do something (「〜てください」「〜てもらえませんか」「〜ていただけると幸い
です」「ご紹介願えますか」, "could you …"), wishes to do something (「〜たい」, "we want to"),
or says they do not know (「分からない」「判断がつかない」「整理できない」, "no idea"), and
whether what they do not know is an embedded question (「何が課題か」「誰に頼めばいいか」).

Japanese is read through Sudachi (matching.tokenize: normal forms fold 分かんない/わからん/
分かりません into 分かる + negation, and tell a sentence-final か from the か of an embedded
question), so the forms are grammatical categories, not phrase lists; English through a
few sentence patterns. ``Sentence.lemmas`` are the normal forms of its words, for the
small lemma sets the intents use (contact verbs, person nouns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogue import kana_places
from matching.intake import clean_text, detect_language
from matching.tokenize import Token, analyse

_SPLIT = re.compile(r"[^。！？!?\n]+[。！？!?\n]*")
_EN_SPLIT = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")

# Interrogatives (normal forms). 何も/何か/誰か are "nothing/something/someone", not questions.
_WH = {"何", "誰", "どなた", "何処", "どこ", "何れ", "どれ", "何時", "いつ", "どの", "どんな", "どういう",
       "どう", "幾ら", "いくら", "何故", "なぜ", "何で", "なんで", "どうして", "如何", "いかが", "どのくらい",
       "どれくらい", "どれ位", "どの位", "どうやって", "どちら", "何方"}
_FINAL_QUESTION = {"か", "かな", "かしら", "っけ", "かね", "の"}
# 〜てください / 〜てもらえますか / 〜ていただけると / 〜てくれ / 〜てほしい: the helper verbs of a request.
_REQUEST_HELPERS = {"下さる", "貰う", "頂く", "呉れる", "欲しい", "頂ける", "貰える"}
# 〜ていただけると幸いです / 〜てもらえたら助かります: a polite request by its hoped-for result.
_GLAD = {"幸い", "幸甚", "有り難い", "助かる", "嬉しい", "有難い"}
# Verbs often typed in kana that the analysis may split (にもつないで → 荷 + 持つ + ない): found by their stems.
_KANA_STEMS = ((re.compile(r"つな[いぎぐげが]|繋"), "繋ぐ"), (re.compile(r"しょうかい"), "紹介"),
               (re.compile(r"そうだん"), "相談"), (re.compile(r"はな(?:し|さ|せ|す)"), "話す"))
_LEARN = {"知る", "聞く", "伺う", "教わる", "きく"}   # 〜を知りたい, 〜について聞きたい: wishing to learn
_KNOW = {"分かる", "判る", "解る", "知る", "存じる"}
# 判断がつかない / 整理できない / 見当もつかない / 整理すらままならない: cannot make out.
_MAKE_OUT = {"判断", "整理", "見当", "区別", "把握", "理解"}
_NEGATION = {"ない", "ず", "ぬ", "無い"}

_EN_WH = re.compile(r"^\s*(?:what|how|why|where|who|whom|which|when|whose)\b", re.IGNORECASE)
_EN_AUX = re.compile(r"^\s*(?:is|are|was|were|do|does|did|can|could|would|will|should|may|might|have|has)\b",
                     re.IGNORECASE)
_EN_REQUEST = re.compile(r"\b(?:please|could you|can you|would you|will you|could i|can i|may i|would it be possible|"
                         r"is it possible|i'd like to know|tell me|let me know|help me)\b", re.IGNORECASE)
_EN_WANT = re.compile(r"\b(?:i'd like|i would like|i'd love|i want|we want|we'd like|we would like|we hope|i hope|"
                      r"we plan|we are planning|we're planning|wish)\b", re.IGNORECASE)
_EN_NOT_KNOW = re.compile(r"\b(?:(?:do not|don't|dont|didn't) (?:even |really )?know|not (?:really )?sure|no idea|"
                          r"can't tell|cannot tell|unsure|no clue|at a loss)\b", re.IGNORECASE)
_EN_WONDER = re.compile(r"\b(?:what|where|who|which|how|whether)\b", re.IGNORECASE)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_EN_STOP = {"a", "an", "the", "i", "i'm", "we", "we're", "you", "it", "that", "this", "is", "are", "was", "be", "so",
            "very", "much", "really", "lot", "there", "all", "for", "to", "of", "and", "again", "me", "my", "your",
            "am", "do", "just", "too", "everyone"}


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int                 # offset in the cleaned message
    asks: bool                 # a question
    requests: bool             # asks someone to do something
    wants: bool                # the writer wishes to do something
    not_knowing: bool          # says they do not know / cannot make out
    wonders: bool              # an embedded question (何が課題か, 誰に頼めばいいか, where to start)
    interrogatives: tuple[str, ...]
    lemmas: frozenset[str]     # normal forms of its words (Japanese) or lower-case words (English)
    content: frozenset[str]    # its content words: common nouns, independent verbs and adjectives (no names)
    english: bool
    # it has a verb, adjective or auxiliary (「複数年契約 メリット」 has none: a keyword note)
    predicate: bool = True

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def seeks(self) -> bool:
        """It wants something from the reader: a question, a request, or 〜を知りたい/教わりたい."""
        return self.asks or self.requests or (self.wants and bool(self.lemmas & _LEARN))


def _meaningful(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.pos not in ("補助記号", "空白")]


def _interrogatives(tokens: list[Token]) -> list[str]:
    out = []
    for i, t in enumerate(tokens):
        if t.normalized in _WH or t.surface in _WH:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            # 何も, 何もかも, 何か, 誰か, どなたか: nothing, everything, something, someone
            if nxt is not None and nxt.surface in ("も", "か") and t.surface not in ("どう", "いくら"):
                continue
            out.append(t.normalized)
    return out


def _negated(tokens: list[Token], i: int, span: int = 4) -> bool:
    return any(t.normalized in _NEGATION or t.surface in ("ん", "へん", "ねえ", "ねぇ")
               for t in tokens[i + 1 : i + 1 + span])


def _wish_by_thought(words: list[Token], i: int) -> bool:
    """〜できればと思っております, 〜しようと考えている: a wish by a conditional or a volitional form + と思う."""
    if words[i].surface != "と" or i == 0 or i + 1 >= len(words):
        return False
    before = words[i - 1]
    volitional = before.surface.endswith("う") and before.pos in ("動詞", "助動詞")
    wished = before.surface in ("ば", "れば", "たら") or volitional
    return wished and words[i + 1].normalized in ("思う", "考える", "存じる")


def _japanese(text: str, start: int) -> Sentence:
    tokens = analyse(kana_places.restore(text))
    words = _meaningful(tokens)
    wh = _interrogatives(words)
    lemmas = frozenset(t.normalized for t in words) | {lemma for stem, lemma in _KANA_STEMS if stem.search(text)}
    ends_with_mark = bool(re.search(r"[?？]\s*$", text))
    last = words[-1] if words else None
    final_particle = last is not None and last.pos == "助詞" and (
        (last.normalized in _FINAL_QUESTION and last.pos2 == "終助詞")
        or (last.surface == "の" and bool(wh))
        or (last.surface in ("とは", "って", "は") and len(words) <= 6)
    )
    # 「とは」 at the end: 性能規定とは
    if len(words) >= 2 and words[-2].surface == "と" and words[-1].surface == "は":
        final_particle = True
    # 「代行パターン どういうこと」「どうしたら」: an interrogative with no statement after it
    bare_wh = bool(wh) and last is not None and (
        last.pos in ("名詞", "代名詞", "副詞", "連体詞") or last.surface in ("たら", "ば", "れば", "と")
        or (last.pos == "助動詞" and last.normalized == "た" and last.surface == "たら")
    )
    embedded = any(t.surface == "か" and t.pos2 == "副助詞" for t in words[:-1]) or any(
        t.surface in ("ば", "たら") and i + 1 < len(words) and words[i + 1].normalized == "良い"
        for i, t in enumerate(words)
    )
    wonders = bool(wh) and embedded or bool(re.search(r"(?:どこ|何|なに|どれ)から", text))
    # 〜でしょう / 〜だろう at the end ask (何が違うんでしょう); 〜ますかね, 〜ですかな fold into 終助詞 above.
    conjecture = last is not None and last.surface in ("でしょう", "だろう", "でしょ", "だろ")
    asks = ends_with_mark or final_particle or (bare_wh and not embedded) or conjecture
    requests = bool(words) and words[-1].surface in ("て", "で") and len(words) >= 2 and words[-2].pos == "動詞"
    for i, t in enumerate(words):
        prev = words[i - 1] if i else None
        if t.normalized in _REQUEST_HELPERS and prev is not None and prev.surface in ("て", "で"):
            requests = True
        elif t.normalized == "願う" and (prev is None or prev.normalized == "御" or prev.pos == "名詞"):
            requests = True   # お願いします, ご紹介願えますか
        elif t.normalized == "賜る" or (t.normalized == "下さる" and prev is not None and prev.pos == "名詞"):
            requests = True   # ご教示賜りたく, ご紹介ください
        elif t.normalized in _GLAD and prev is not None and prev.surface in ("ば", "たら", "と", "れば"):
            requests = True   # いただけると幸いです, つないでもらえたら助かります
    wants = any(t.normalized == "たい" and t.pos == "助動詞" for t in words) or any(
        t.normalized == "欲しい" and i > 0 and words[i - 1].surface in ("が", "を", "も") for i, t in enumerate(words)
    ) or any(_wish_by_thought(words, i) for i in range(len(words)))
    not_knowing = False
    for i, t in enumerate(words):
        if t.normalized in _KNOW and _negated(words, i):
            not_knowing = True
        elif t.normalized in _MAKE_OUT:
            rest = words[i + 1 : i + 5]
            if any(r.normalized in ("付く", "出来る", "成る", "為る") for r in rest) and _negated(words, i, 5):
                not_knowing = True
    content = frozenset(
        t.normalized for t in words
        if (t.pos == "名詞" and t.pos2 == "普通名詞") or (t.pos in ("動詞", "形容詞", "形状詞") and t.pos2 == "一般")
    )
    predicate = any(t.pos in ("動詞", "形容詞", "助動詞") for t in words)
    return Sentence(text, start, asks, requests, wants, not_knowing, wonders, tuple(wh), lemmas, content, False,
                    predicate)


def _english(text: str, start: int) -> Sentence:
    stripped = text.strip()
    asks = stripped.endswith("?") or bool(_EN_WH.match(stripped)) or bool(_EN_AUX.match(stripped))
    requests = bool(_EN_REQUEST.search(stripped))
    wants = bool(_EN_WANT.search(stripped))
    not_knowing = bool(_EN_NOT_KNOW.search(stripped))
    wonders = not_knowing and bool(_EN_WONDER.search(stripped))
    lemmas = frozenset(w.lower() for w in _EN_WORD.findall(stripped))
    wh = tuple(w for w in ("what", "how", "why", "where", "who", "which", "when") if w in lemmas)
    return Sentence(text, start, asks, requests, wants, not_knowing, wonders, wh, lemmas, lemmas - _EN_STOP, True)


def read(text: str) -> list[Sentence]:
    """The sentences of a message (after cleaning), each with what it does."""
    return read_cleaned(clean_text(text))


def read_cleaned(cleaned: str) -> list[Sentence]:
    """The sentences of an already cleaned text; ``Sentence.start`` are offsets into it."""
    if not cleaned:
        return []
    english = detect_language(cleaned) == "en"
    splitter = _EN_SPLIT if english else _SPLIT
    out = []
    for m in splitter.finditer(cleaned):
        part = m.group(0)
        if not part.strip():
            continue
        out.append(_english(part, m.start()) if english else _japanese(part, m.start()))
    return out
