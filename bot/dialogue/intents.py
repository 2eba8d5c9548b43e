"""What a message asks for: intents measured by rules, the intake lexicon and the knowledge base.

    problem        a situation to consult on (facilities, work, pains understood)
    vague          a problem without a name: 「何が課題か分からない」, or nothing understood
    question       a question about 群マネ and its menu (answered from the knowledge base, or "I don't know")
    named_request  put me in touch with a named body, case or person (「三条市の担当者を紹介して」)
    lookup         `事例 橋梁 代行` (cleaning.quick_lookup)
    social         greeting, thanks, small talk with nothing else in it
    command        ヘルプ, やり直し … (cleaning.command_of)

One message can carry several (「包括委託って何？うちは技術職が一人で…」 → question + problem);
``Intents.labels`` lists them in the order the engine acts on them. The
embedding only helps the knowledge base recognise a paraphrased question.
Accuracy is measured on eval/counsel-own.jsonl (scripts/eval_counsel.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.dialogue import cleaning, knowledge_base
from matching.embedders.base import Embedder
from matching.intake import Extraction, extract

INTENTS = ("command", "lookup", "social", "question", "named_request", "problem", "vague")

_QUESTION = re.compile(
    r"(?:[?？]|ですか|ますか|でしょうか|とは|って何|ってなに|ってどういう|って？|どういうもの|どんなもの|どんな仕組み|"
    r"について(?:詳しく)?(?:教えて|知りたい|聞きたい|伺いたい)|を教えて|教えてください|教えてほしい|教えて欲しい|違い|"
    r"what (?:is|are|does)|how (?:do|does|can|to)|tell me (?:about|more)|explain|difference|where (?:can|do|is)|"
    r"who (?:can|do|is)|is there)",
    re.IGNORECASE,
)
# 「何センチで出動するか基準を決めてる？」 is a technical question about their own work, not about 群マネ.
_GUNMANE_TOPIC = re.compile(
    r"(群マネ|gunmane|地域インフラ群|人の群マネ|事務局|相談窓口|メンテ相談|手引き|入門超百科|モデル地域|束)",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"(?:紹介して|紹介してほしい|紹介して欲しい|紹介いただ|紹介をお願い|紹介してもら|つないで|繋いで|つなげて|つないでもら|"
    r"つながりたい|繋がりたい|お話でき|お話しでき|お話を伺|担当者を教えて|"
    r"話したい|話をしたい|話を聞きたい|話を伺いたい|お話を|聞いてみたい|連絡を取りたい|連絡したい|連絡先|会いたい|"
    r"introduce|put (?:me|us) in touch|talk (?:to|with)|speak (?:to|with)|get in touch|contact)",
    re.IGNORECASE,
)
_GENERIC_PEOPLE = re.compile(
    r"^(?:アドバイザー|専門家|詳しい人|詳しい方|近隣の技術者|技術者|誰か|だれか|an? advisor|an? expert|someone)",
    re.IGNORECASE,
)
_NAMED_TARGET = re.compile(
    r"(担当者|担当の方|事例の人|事例の方|事例の担当|の職員の方|さんと|さんに|さんを|"
    r"person in charge|people (?:at|in|from)|someone (?:at|in|from)|the case)",
    re.IGNORECASE,
)
_DONT_KNOW = re.compile(
    r"(何が課題|何が問題|なにが課題|何から(?:手を付け|手をつけ|始め|はじめ)|どこから(?:手を付け|手をつけ|始め)|"
    r"誰に(?:相談|頼|聞)[^。]{0,12}(?:分から|わから|分かん|わかん)|どうしたら(?:いい|よい)か(?:も)?(?:分から|わから)|"
    r"何もかも|全部回ってない|全然回ってない|何も回ってない|回らない[^。]{0,6}全部|整理できない|整理がつ(?:かない|いていない)|"
    r"何が(?:一番の|いちばんの)?(?:課題|問題)|"
    r"don'?t (?:even )?know (?:what|where|who)|not sure (?:what|where)|no idea (?:what|where))",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^(?:(?:どうも)?ありがとう(?:ございます|ございました)?|参考になりました|助かりました|助かります|"
    r"thanks?(?: you)?(?: very much| so much| a lot)?|"
    r"thx|了解です|了解しました|わかりました|分かりました|承知しました|お疲れ様です|お疲れさまです|"
    r"(?:いつも)?お世話になっております|お世話になります|"
    r"よろしくお願いします|よろしくお願いいたします|ok|okay|great|nice)[\s!！。.、,]*",
    re.IGNORECASE,
)
_SMALLTALK = re.compile(
    r"^(?:元気|いい天気|暑い|寒い|how are you|what's up|あなたは誰|君は誰|who are you)", re.IGNORECASE
)


# A polite opening that asks to be heard, not a question about 群マネ (「話を聞いてもらえますか」).
_OPENING = re.compile(
    r"(話を聞いて(?:もらえ|いただけ|ほしい|欲しい)|相談(?:したい|させて)[^。？?]{0,12}(?:が|けど|でしょうか|ですか)|"
    r"相談に乗って|can i ask (?:for )?(?:some )?(?:help|advice)|i need (?:some )?(?:help|advice)|"
    r"could you help)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Intents:
    labels: tuple[str, ...]
    hit: knowledge_base.Hit | None = None  # the knowledge-base entry a question asks for
    dont_know: bool = False  # they said they cannot name the problem

    def has(self, label: str) -> bool:
        return label in self.labels


def _social_only(text: str) -> bool:
    rest = unicodedata.normalize("NFKC", text).strip()
    for _ in range(4):
        before = rest
        rest = _THANKS.sub("", rest).strip()
        rest = re.sub(
            r"^(?:こんにちは|こんばんは|おはようございます|はじめまして|hello|hi|hey)(?: there)?[\s!！。.、,]*",
            "",
            rest,
            flags=re.IGNORECASE,
        ).strip()
        if rest == before:
            break
    return not rest or bool(_SMALLTALK.match(rest))


def _introduction_only(text: str) -> bool:
    """「大津市です」「宇陀市役所の者です」: who they are, and nothing else yet."""
    from bot.dialogue.titles import _parts

    said_who = re.search(r"[市町村区県都府道課係]|役場|役所|city|town|village|prefecture", text, re.IGNORECASE)
    return bool(said_who) and not _parts(text)


def said_dont_know(text: str) -> bool:
    """「何が課題か分からない」「誰に相談すればいいか分からない」: they cannot name the problem."""
    return bool(_DONT_KNOW.search(unicodedata.normalize("NFKC", text)))


def is_thanks(text: str) -> bool:
    return bool(
        re.match(r"^(?:ありがとう|助かり|thank|thx)", unicodedata.normalize("NFKC", text).strip(), re.IGNORECASE)
    )


def is_named_request(text: str, has_place: bool) -> bool:
    """A request to be put in touch with a named body, case or person (not 「アドバイザーを紹介して」)."""
    folded = unicodedata.normalize("NFKC", text)
    request = _REQUEST.search(folded)
    if request is None:
        return False
    head = folded[: request.start()]
    obj = re.split(r"[、。,.]", head)[-1]
    obj = re.sub(r"(?:を|に|と|の方|の人)$", "", obj.strip())
    if _GENERIC_PEOPLE.match(obj) and not has_place:
        return False
    if _NAMED_TARGET.search(folded):
        return True
    # 「下田市の方に話を聞きたい」: people of a named place
    return has_place and bool(
        re.search(r"事例|case|(?:の方|の人|さん)(?:に|と|から)|someone|person", folded, re.IGNORECASE)
    )


def classify(
    text: str, *, names_a_place: bool = False, extraction: Extraction | None = None, embedder: Embedder | None = None
) -> Intents:
    """The intents of one message. ``names_a_place``: a municipality or prefecture is named in it (any role)."""
    if cleaning.command_of(text) is not None:
        return Intents(("command",))
    if cleaning.quick_lookup(text) is not None:
        return Intents(("lookup",))
    if cleaning.is_greeting(text) or _social_only(text) or _introduction_only(text):
        return Intents(("social",))
    found = extraction if extraction is not None else extract(text)
    labels: list[str] = []
    hit: knowledge_base.Hit | None = None
    named = is_named_request(text, names_a_place)
    opening = bool(_OPENING.search(text)) and not found.fields and not found.processes
    asks = bool(_QUESTION.search(text)) and not opening
    if asks and not named:
        hit = knowledge_base.find(text, embedder)
        by_words = hit is not None and bool(hit.matched) and hit.score >= knowledge_base.MIN_KEY_WEIGHT
        # A paraphrase matched by meaning alone is a 群マネ question only when it is not about their own facility.
        by_meaning = hit is not None and not hit.matched and not found.fields
        about_gunmane = by_words or by_meaning or (hit is not None and bool(_GUNMANE_TOPIC.search(text)))
        if about_gunmane or (_GUNMANE_TOPIC.search(text) and not found.fields):
            labels.append("question")
        else:
            hit = None
    if named:
        labels.append("named_request")
    dont_know = bool(_DONT_KNOW.search(unicodedata.normalize("NFKC", text)))
    if asks and not named and not dont_know and "question" not in labels and not (found.fields or found.processes):
        labels.append("question")  # a question the knowledge base cannot answer: said so, with the offers
    if not named:
        if dont_know:
            labels.append("vague")
        elif (
            found.fields
            or (found.pains and found.processes)
            or ((found.processes or found.pains) and "question" not in labels)
        ):
            labels.append("problem")
        elif "question" not in labels:
            labels.append("vague")
    return Intents(tuple(labels), hit, dont_know)
