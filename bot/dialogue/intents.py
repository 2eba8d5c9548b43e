"""What a message asks for: intents decided per sentence from its grammar, the intake lexicon and the knowledge base.

    problem        a situation to consult on (facilities, work, pains understood)
    vague          a problem without a name: 「何が課題か分からない」, or nothing understood
    question       a question about 群マネ and its menu (answered from the knowledge base, or "I don't know")
    named_request  put me in touch with a named body, case or person (「三条市の担当者を紹介して」)
    lookup         `事例 橋梁 代行` (cleaning.quick_lookup)
    social         greeting, thanks, small talk or a self-introduction with nothing else in it
    command        ヘルプ, やり直し … (cleaning.command_of)

Each sentence is read for what it does (bot/dialogue/speech.py: asks, requests,
wishes, does not know) and what it is about: a contact verb with a person or a
named place (named request), the knowledge base's topics (keys, or the entries'
example questions by meaning with a calibrated threshold), the intake lexicon's
facilities, work and pains (the problem signal). A sentence that seeks something
and is about 群マネ is a question; one that seeks something about their own
facilities is a problem; not knowing what the problem is, or an opening that only
asks to be heard, is vague. The message's intents are the union, in the order the
engine acts on them: 「包括委託って何？うちは技術職が一人で…」 → question + problem.
Accuracy is measured on eval/counsel-*.jsonl (scripts/eval_counsel.py, docs/counselling.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.dialogue import cleaning, knowledge_base, speech
from matching.embedders.base import Embedder
from matching.intake import Extraction, extract

INTENTS = ("command", "lookup", "social", "question", "named_request", "problem", "vague")

# Lemmas (Sudachi normal forms, lower-case English words) the decision uses: small closed classes, not phrasings.
_CONTACT = {"紹介", "繋ぐ", "繋がる", "連絡", "連絡先", "会う", "意見交換", "情報交換", "取り次ぐ", "仲介", "面会",
            "introduce", "introduction", "connect", "contact", "meet", "touch", "reach"}
# (きく, はなす: how Sudachi leaves them when typed in kana)
_CONTACT_WEAK = {"話す", "話", "お話", "聞く", "伺う", "きく", "はなす", "挨拶", "面談", "訪問", "ヒアリング", "交換",
                  "talk", "speak", "chat", "hear", "learn"}
_PERSON = {"担当", "担当者", "人", "方", "職員", "さん", "様", "方々", "係", "チーム", "どなた", "者", "皆さん",
           "person", "people", "someone", "somebody", "team", "staff", "officer", "official", "officials", "engineer",
           "engineers", "colleagues"}
_IN_CHARGE = {"担当", "担当者"}
_GENERIC_PEOPLE = {"アドバイザー", "専門家", "詳しい", "技術者", "advisor", "adviser", "expert", "consultant"}
_CASE = {"事例", "例", "取り組み", "取組", "取組み", "やり方", "方式", "case", "example", "scheme"}
_CONSULT = {"相談", "助言", "アドバイス", "知恵", "困る", "悩む", "悩み", "困りごと", "手伝う", "乗る", "話", "聞く",
            "advice", "help", "talk", "consult", "assist", "support", "struggling", "overwhelmed", "behind"}
_META = {"課題", "問題", "困りごと", "何", "どこ", "どれ", "問題点", "problem", "problems", "issue", "issues", "start",
         "begin", "first", "need", "matters"}
_SOCIAL = {"有り難う", "有難う", "ありがとう", "宜しく", "よろしく", "御世話", "世話", "お疲れ様", "疲れ", "丁寧",
           "了解", "承知", "助かる", "参考", "初めまして", "今日は", "こんにちは", "今晩は", "こんばんは", "お早う",
           "おはよう", "どうも", "おおきに", "失礼", "分かる", "thanks", "thank", "hello", "hi", "hey", "cheers",
           "morning", "evening", "afternoon", "great", "ok", "okay", "nice", "helpful", "appreciate", "bye", "good",
           "there", "got", "it", "see"}
# Words of courtesy and of saying who one is: a sentence with nothing else in it says nothing to act on.
_COURTESY = {"御座る", "為る", "成る", "居る", "有る", "申す", "致す", "願う", "下さる", "頂く", "思う", "言う", "時間",
             "宜しい", "良い", "少し", "一寸", "今", "大丈夫", "名前", "課", "係", "室", "建設", "土木", "役場", "役所",
             "市役所", "町役場", "村役場", "職員", "者", "担当", "技術職", "技術", "部", "局", "建設課", "土木課",
             "道路課", "です", "ます", "本日", "今日", "大変", "また", "為さる", "致します", "様", "皆様", "皆さん",
             "お世話様", "いつも", "平素", "毎度", "日頃", "格別", "高配", "厚い", "御礼", "申し上げる", "清栄", "清祥",
             "時下", "拝啓", "謹啓", "敬具", "貴職", "慶ぶ", "益々", "ますます", "連絡",
             "thank", "you", "were", "was", "helpful", "from", "with", "city", "town", "village", "office",
             "name", "engineer", "division", "section", "department", "works", "public", "am", "i'm", "this", "here"}
_SMALLTALK = {"貴方", "あなた", "君", "元気", "天気", "暑い", "寒い", "how", "who", "doing", "what's", "up"}
# Work of the field (inspection, patrol, cleaning …): asked about, it is their own problem. Ordering, data, the
# counter, planning and training are also what 群マネ's questions are about, so they do not decide alone.
_FIELD_WORK = {"patrol", "cleaning", "weeding", "pruning", "snow_removal", "inspection", "design", "construction"}
_META_STRONG = {"課題", "問題", "問題点", "困りごと",
                "problem", "problems", "issue", "issues", "start", "begin", "first"}
_START = {"start", "begin", "first"}
_THANKS_LEMMAS = {"有り難う", "有難う", "ありがとう", "助かる", "参考", "おおきに",
                  "thanks", "thank", "cheers", "appreciate"}
# Interrogatives that ask for a fact (how much, when): 「橋梁点検の単価はいくら？」 looks a fact up, it does not
# consult on their own work.
_FACT_WH = {"幾ら", "いくら", "何時", "いつ", "どのくらい", "どれくらい", "どの位", "どれ位", "when"}
# 「大津市です」「宇陀市役所の者です」「飛騨市の田中と申します」 "Kanra town here": who they are.
_SELF_INTRO = re.compile(
    r"(?:[市町村区県都府道課係室]|役場|役所)(?:です|でございます|の者|になります)|と申します|申します"
    r"|\b(?:city|town|village|prefecture|division|section|department)\b[^.!?]{0,12}\bhere\b"
    r"|\b(?:this is|i'?m|my name is)\b",
    re.IGNORECASE,
)
_EN_SOMEONE_AT = re.compile(r"\b(?:someone|somebody|anyone|people|person|staff|officials?|engineers?)\s+"
                            r"(?:at|in|from)\s+(?:the\s+)?[A-Z]")
_SELF_WORDS = re.compile(r"うち|我が|当(?:市|町|村|県)|私|自分|\b(?:we|our|us|my)\b", re.IGNORECASE)
_THANKS = re.compile(r"^(?:(?:どうも)?ありがと|有難|助かり|thank|thx|cheers|おおきに)", re.IGNORECASE)


@dataclass(frozen=True)
class Intents:
    labels: tuple[str, ...]
    hit: knowledge_base.Hit | None = None  # the knowledge-base entry a question asks for
    dont_know: bool = False  # they said they cannot name the problem

    def has(self, label: str) -> bool:
        return label in self.labels


@dataclass
class _Reading:
    """What one sentence contributes."""

    named: bool = False
    question: bool = False
    problem: bool = False
    dont_know: bool = False     # a strong "vague": they cannot name the problem
    opening: bool = False       # a weak "vague": asks to be heard, says they are troubled, names only pains
    hit: knowledge_base.Hit | None = None


def _own_work(found: Extraction, *, asking: bool) -> bool:
    """The lexicon understood a facility or a kind of work of theirs (not only a guess by meaning).

    In a question only facilities and field work count: 「包括委託と普通の委託って何が違う」 names ordering,
    and that is 群マネ's subject, not their problem.
    """
    sure = {(t.kind, t.code) for t in found.terms if t.source == "lexicon" and t.kind in ("field", "process")}
    if asking:
        return any(kind == "field" or code in _FIELD_WORK for kind, code in sure)
    return bool(sure)


def asks_about_others(s: speech.Sentence) -> bool:
    """A question or request that names no facility or field work of the writer's, or a request to be put in
    touch with people of a place: a place named in it is the subject (「静岡県と下田市の共同発注では業者をどう
    選んだんですか」「大館市の担当につないでください」「宇陀市の方と情報交換したいです」)."""
    return (s.seeks and not _own_work(extract(s.text), asking=True)) or _named(s, True)


def _named(s: speech.Sentence, has_place: bool) -> bool:
    """A request to be put in touch with people of a named body, case or person (not 「アドバイザーを紹介して」)."""
    if not (s.requests or s.wants or s.asks):
        return False
    lemmas = s.lemmas
    strong = bool(lemmas & _CONTACT) or (bool(lemmas & _IN_CHARGE) and "教える" in lemmas)
    weak = bool(lemmas & _CONTACT_WEAK)
    person = bool(lemmas & _PERSON) or bool(re.search(r"さん|様|どなたか|誰か|だれか", s.text))
    in_charge = bool(lemmas & _IN_CHARGE) or "person in charge" in s.text.lower()
    generic = bool(lemmas & _GENERIC_PEOPLE) and not has_place
    if generic:
        return False
    if strong:
        return has_place or in_charge or (person and bool(lemmas & _CASE))
    if s.english and has_place and (s.requests or s.asks) and _EN_SOMEONE_AT.search(s.text):
        return True     # "Can someone at Nara prefecture tell us …": people of a named body asked for
    if weak:
        return person and (has_place or in_charge or bool(lemmas & _CASE))
    return False


def _kb_hits(text: str) -> knowledge_base.Hit | None:
    hits = knowledge_base.keyword_hits(text)
    if not hits:
        return None
    best = hits[0]
    if best.score >= knowledge_base.MIN_KEY_WEIGHT or any(k in knowledge_base.GENERIC_KEYS for k in best.matched):
        return best
    return None


def _says_nothing(s: speech.Sentence) -> bool:
    """Only courtesy, a greeting, thanks or who they are (「お時間よろしいでしょうか」「飛騨市の田中と申します」)."""
    return not (s.content - _SOCIAL - _COURTESY) and not s.not_knowing


def _read(s: speech.Sentence, has_place: bool, embedder: Embedder | None) -> _Reading:
    r = _Reading()
    if _named(s, has_place):
        r.named = True
        return r
    found = extract(s.text)
    hit = _kb_hits(s.text)
    if hit is None and _says_nothing(s) and found.is_empty:
        return r
    strong_topic = hit is not None and hit.score >= knowledge_base.STRONG_KEY_WEIGHT
    # 「何が課題か」 is unsure of the problem itself; 「どこから直せばいいか」 only when no facility is named (with
    # one, it is a question of priorities about that facility: their problem).
    field_named = _own_work(found, asking=True) and bool(found.fields)
    start = bool(s.lemmas & _START) or bool(re.search(r"(?:何|なに|どこ|どれ)から", s.text))
    unsure = bool(s.lemmas & (_META_STRONG - _START)) or (start and not field_named)
    helpers = bool(s.lemmas & (_CONSULT | _GENERIC_PEOPLE))
    details = knowledge_base.asked_details(s.text)
    if s.seeks:
        r = _read_seeking(s, found, hit, strong_topic, unsure, helpers, details, embedder)
        if r.question and r.hit is not None and details and not knowledge_base.holds(r.hit.entry, details):
            r.hit = None     # 「相談窓口の電話番号は？」: the base holds no such detail; it says so, nothing is made up
        return r
    own = _own_work(found, asking=False)
    # 「よくわかりません」 is itself read as the pain know_how: not a pain of their work beside the topic
    pains = set(found.pains) - ({"know_how"} if s.not_knowing else set())
    plain_topic = hit is not None and not pains and not _own_work(found, asking=True)
    if plain_topic and (not s.predicate or (s.not_knowing and not unsure and not s.wonders)):
        # 「複数年契約 メリット」 (a keyword note), 「多分野連携と広域連携の違いがよくわかりません」: a 群マネ topic
        r.question, r.hit = True, hit
        if hit is not None and details and not knowledge_base.holds(hit.entry, details):
            r.hit = None
    elif s.not_knowing and (unsure or not own or (s.wonders and not field_named)):
        r.dont_know = True   # 「うちに何が関係あるのかもわかりません」
    elif own or (found.processes and found.pains):
        r.problem = True
    elif s.wants and hit is not None and not s.lemmas & _CONSULT:
        r.problem = True     # 「三条市の包括委託みたいなことをやりたい」: a wish about their own work
    elif found.pains or helpers or found.processes:
        r.opening = True
    return r


def _read_seeking(
    s: speech.Sentence,
    found: Extraction,
    hit: knowledge_base.Hit | None,
    strong_topic: bool,
    unsure: bool,
    helpers: bool,
    details: set[str],
    embedder: Embedder | None,
) -> _Reading:
    """A sentence that asks, requests or wishes to know: a question, their problem, or not knowing."""
    r = _Reading()
    own = _own_work(found, asking=True)
    # 「橋梁点検の積算基準はどこで見られますか」: a particular fact or document, asked without 'we'
    factual = (bool(s.interrogatives) and set(s.interrogatives) <= _FACT_WH) or bool(details)
    fact = factual and not _SELF_WORDS.search(s.text)
    if s.not_knowing and unsure:
        r.dont_know = True   # 「何が課題か分からないので話を聞いてほしい」
    elif hit is not None and ((strong_topic and not (own and found.pains)) or not (own or found.pains)):
        # a 群マネ topic asked about — unless it is sought for a facility of theirs in trouble
        # (「橋の点検が人手不足で追いつかないので、使える新技術を知りたい」 is their problem)
        r.question, r.hit = True, hit
    elif own and not fact:
        r.problem = True
    elif s.not_knowing or (s.wonders and unsure):
        r.dont_know = True
    elif helpers and not fact and not set(s.interrogatives) & {"どこ", "何処", "where"}:
        r.opening = True     # 「相談に乗っていただけませんか」 "Can you suggest an advisor?" (not "where can I …")
    else:
        r.question = True
        r.hit = knowledge_base.by_meaning(s.text, embedder) if embedder is not None else None
    return r


def _only_social(sentences: list[speech.Sentence]) -> bool:
    """Greetings, thanks, small talk or a self-introduction, and nothing else."""
    for s in sentences:
        if s.not_knowing or s.wonders or (s.content - _SOCIAL - _COURTESY - _SMALLTALK):
            return False
        if _kb_hits(s.text) is not None or not extract(s.text).is_empty:
            return False
    return any(s.lemmas & (_SOCIAL | _SMALLTALK) or _SELF_INTRO.search(s.text) or "どうも" in s.text
               for s in sentences)


def said_dont_know(text: str) -> bool:
    """「何が課題か分からない」「誰に相談すればいいか分からない」: they cannot name the problem."""
    return classify(text).dont_know


def is_thanks(text: str) -> bool:
    return bool(_THANKS.match(unicodedata.normalize("NFKC", text).strip()))


def classify(
    text: str,
    *,
    names_a_place: bool | Callable[[str], bool] = False,
    extraction: Extraction | None = None,
    embedder: Embedder | None = None,
) -> Intents:
    """The intents of one message. ``names_a_place``: whether a municipality or prefecture is named (any role) —
    a function of a sentence's text (understand.names_a_place with the directory), or one answer for the message.

    ``extraction`` (the intake's reading of the whole message) is accepted for callers that have it; the
    decision reads each sentence itself.
    """
    if cleaning.command_of(text) is not None:
        return Intents(("command",))
    if cleaning.quick_lookup(text) is not None:
        return Intents(("lookup",))
    sentences = speech.read(text)
    if not sentences:
        return Intents(("vague",))
    if _only_social(sentences) or cleaning.is_greeting(text):
        return Intents(("social",))
    place_in = names_a_place if callable(names_a_place) else (lambda _text: bool(names_a_place))
    readings = [_read(s, place_in(s.text), embedder) for s in sentences]
    named = any(r.named for r in readings)
    question = any(r.question for r in readings)
    problem = any(r.problem for r in readings)
    dont_know = any(r.dont_know for r in readings)
    hit = next((r.hit for r in readings if r.question and r.hit is not None), None)
    labels: list[str] = []
    if question:
        labels.append("question")
    if named:
        labels.append("named_request")
    if dont_know and not named:
        labels.append("vague")
    elif problem:
        labels.append("problem")
    elif not (named or question):
        # an opening, only pains, or nothing understood: the counselling questions find the problem
        if any(s.lemmas & _THANKS_LEMMAS for s in sentences) and not any(
            extract(s.text).pains for s in sentences
        ):
            return Intents(("social",))    # 「ありがとうございました、また相談します」
        labels.append("vague")
    return Intents(tuple(labels), hit, dont_know)
