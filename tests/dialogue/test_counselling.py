"""Scripted counselling: a simulated engineer answers from a hidden profile; the card must hold it.

The simulated user knows only its profile (facilities, work, staff, what is
coming, what troubles them, what they tried) and answers each question the bot
asks — by pressing the option that fits, or by typing — without knowing the
question order. After the questions (at most four), the 課題カード must hold the
profile's fields and processes and at least one scheme that fits the situation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.dialogue.counsel import MAX_QUESTIONS
from bot.dialogue.counsel_data import counsel_data
from bot.dialogue.replies import Card, Question
from tests.dialogue.conversation import Conversation, texts


@dataclass
class Profile:
    name: str
    first: str
    fields: list[str]
    processes: list[str]
    staff: str
    coming: str
    pains: list[str]
    tried: str
    fitting: set[str]
    typed: dict[str, str] = field(default_factory=dict)  # question id → what they type instead of pressing
    lang: str = "ja"


PROFILES = [
    Profile(
        "one_engineer_bridges",
        "正直、何が課題なのかもよく分からない。技術職は私一人で、何もかも回ってない",
        ["bridge"],
        ["inspection"],
        "1",
        "cycle",
        ["staff_shortage"],
        "nothing",
        {"delegation", "joint_procurement"},
    ),
    Profile(
        "no_engineer_bridges",
        "何から手をつければいいか分からなくて",
        ["bridge"],
        ["inspection"],
        "0",
        "cycle",
        ["staff_shortage"],
        "prefecture",
        {"delegation", "joint_procurement", "wide_area"},
    ),
    Profile(
        "daily_roads",
        "毎日バタバタで、何が問題なのか整理できない",
        ["road"],
        ["patrol", "weeding", "cleaning"],
        "2-5",
        "nothing",
        ["staff_shortage"],
        "nothing",
        {"comprehensive_outsourcing", "multi_field", "joint_procurement"},
    ),
    Profile(
        "park_weeding_typed",
        "相談したいことがあるのですが、うまく言えません",
        ["park"],
        ["weeding"],
        "2-5",
        "renewal",
        ["contracting"],
        "outsourced",
        {"comprehensive_outsourcing", "multi_year", "jv_cooperative"},
        typed={"assets": "公園です", "time": "公園の草刈りです"},
    ),
    Profile(
        "snow",
        "誰に相談したらいいかも分からない状態です",
        ["road"],
        ["snow_removal"],
        "2-5",
        "renewal",
        ["contracting"],
        "outsourced",
        {"jv_cooperative", "comprehensive_outsourcing", "multi_year"},
    ),
    Profile(
        "repairs",
        "何が課題なのか自分でもよくわからない",
        ["bridge"],
        ["design", "construction"],
        "1",
        "nothing",
        ["budget"],
        "prefecture",
        {"delegation", "multi_year", "joint_procurement"},
    ),
    Profile(
        "plan",
        "何が課題か分からないので話を聞いてほしい",
        ["bridge"],
        ["planning"],
        "1",
        "plan",
        ["know_how"],
        "nothing",
        {"delegation", "council", "wide_area"},
    ),
    Profile(
        "records",
        "何が課題なのかもよく分からない",
        ["road"],
        ["planning", "data"],
        "2-5",
        "plan",
        ["records"],
        "nothing",
        {"wide_area", "multi_field", "comprehensive_outsourcing", "council", "delegation"},
    ),
    Profile(
        "complaints",
        "何もかも回ってない感じです",
        ["road"],
        ["counter"],
        "1",
        "nothing",
        ["residents"],
        "nothing",
        {"comprehensive_outsourcing", "multi_field"},
    ),
    Profile(
        "retirement",
        "何が問題なのかはっきりしないのですが不安です",
        ["bridge"],
        ["inspection"],
        "2-5",
        "retire",
        ["know_how"],
        "neighbours",
        {"council", "delegation", "wide_area", "joint_procurement"},
    ),
    Profile(
        "sewer",
        "何が課題なのかもよく分からない",
        ["sewerage"],
        ["inspection"],
        "6+",
        "nothing",
        ["aging"],
        "outsourced",
        {"wide_area", "comprehensive_outsourcing", "multi_year"},
        typed={"assets": "下水道の管路です"},
    ),
    Profile(
        "new_tech",
        "どこから手をつけていいかわからない",
        ["bridge"],
        ["inspection"],
        "2-5",
        "tech",
        ["know_how"],
        "neighbours",
        {"council", "wide_area", "delegation", "joint_procurement"},
    ),
    Profile(
        "river_disaster",
        "何が課題なのかよくわからない",
        ["river"],
        ["patrol", "weeding", "cleaning"],
        "2-5",
        "nothing",
        ["disaster"],
        "nothing",
        {"jv_cooperative", "comprehensive_outsourcing", "wide_area", "multi_field"},
    ),
    Profile(
        "ordering_know_how",
        "何から始めたらいいかわからない。技術職がいない",
        ["park"],
        ["procurement"],
        "0",
        "renewal",
        ["know_how"],
        "nothing",
        {"joint_procurement", "delegation", "council", "multi_year"},
    ),
    Profile(
        "contract_renewal",
        "何が課題なのかも分からない",
        ["road"],
        ["procurement"],
        "2-5",
        "renewal",
        ["contracting"],
        "outsourced",
        {"multi_year", "jv_cooperative", "comprehensive_outsourcing"},
    ),
    Profile(
        "english_one_engineer",
        "Honestly I don't know what the problem is. I'm the only engineer and nothing gets done.",
        ["bridge"],
        ["inspection"],
        "1",
        "cycle",
        ["staff_shortage"],
        "nothing",
        {"delegation", "joint_procurement"},
        lang="en",
    ),
]


def _pick(profile: Profile, question_id: str, options: list[Any]) -> str | None:
    """The option id this profile chooses (None: わからない)."""
    spec = counsel_data().question(question_id)
    assert spec is not None
    for option in spec.options:
        facts = option.facts
        if question_id == "assets" and set(facts.get("fields", [])) & set(profile.fields):
            return option.id
        if question_id == "time" and set(facts.get("processes", [])) & set(profile.processes):
            return option.id
        if question_id == "staff" and facts.get("staff") == profile.staff:
            return option.id
        if question_id == "pain" and set(facts.get("pains", [])) & set(profile.pains):
            return option.id
        if question_id == "coming" and option.id == profile.coming:
            return option.id
        if question_id == "tried" and option.id == profile.tried:
            return option.id
    return None


def _run(conv: Conversation, profile: Profile) -> tuple[dict[str, Any], int]:
    from bot.dialogue.state import StateStore

    turn = conv.say(profile.first)
    asked = 0
    for _ in range(MAX_QUESTIONS + 1):
        if any(isinstance(r, Card) for r in turn.replies):
            break
        with conv.engine.db.session() as session:
            _, state = StateStore.load(session, conv.key)
        assert state is not None and state.step == "counsel", conv.transcript()
        question_id = state.ask["q"]
        asked += 1
        if question_id in profile.typed:
            turn = conv.say(profile.typed[question_id])
            continue
        question = next(r for r in turn.replies if isinstance(r, Question))
        chosen = _pick(profile, question_id, list(question.choices))
        value = next(c.value for c in question.choices if c.value.endswith("|" + (chosen or "skip")))
        turn = conv.press_value(value)
    assert any(isinstance(r, Card) for r in turn.replies), conv.transcript()
    assert turn.card is not None
    return turn.card, asked


@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_counselling_finds_the_hidden_profile(engine, profile: Profile) -> None:
    from knowledge.db import Database  # noqa: F401  (engine fixture seeds the database)

    conv = Conversation(engine, f"U_{profile.name}")
    with engine.db.session() as s:
        from bot.dialogue import profiles as user_profiles

        user_profiles.set_place(s, "slack", f"U_{profile.name}", "奈良県", "曽爾村")
    card, asked = _run(conv, profile)
    assert 1 <= asked <= MAX_QUESTIONS
    subs = card["sub_issues"]
    assert 1 <= len(subs) <= 3
    fields = {f for s in subs for f in s["fields"]}
    processes = {p for s in subs for p in s["processes"]}
    schemes = {x["code"] for s in subs for x in s["schemes"]}
    assert set(profile.fields) <= fields, (fields, conv.transcript())
    assert set(profile.processes) <= processes, (processes, conv.transcript())
    assert schemes & profile.fitting, (schemes, conv.transcript())
    assert all(s["title"] and len(s["title"]) <= 40 for s in subs)
    assessment = texts(conv.last) if profile.lang == "en" else conv.transcript()
    assert ("見立て" in assessment) if profile.lang == "ja" else ("assessment" in assessment)


def test_the_next_question_is_the_one_that_separates_the_candidates_best() -> None:
    """Not a fixed order: which question comes next depends on which problems are still in play."""
    from bot.dialogue.counsel import next_question

    data = counsel_data()
    uniform = {p.id: 1.0 / len(data.problems) for p in data.problems}

    def between(a: str, b: str) -> dict[str, float]:
        return {h: (0.49 if h in (a, b) else 0.02 / (len(uniform) - 2)) for h in uniform}

    facts = {"fields": ["bridge"], "processes": ["inspection"]}
    first = next_question(
        data,
        {
            "belief": between("maintenance_plan", "skills_succession"),
            "asked": ["time"],
            "settled": ["assets"],
            "facts": facts,
        },
    )
    second = next_question(
        data,
        {
            "belief": between("contractor_shortage", "procurement_know_how"),
            "asked": ["time"],
            "settled": ["assets"],
            "facts": facts,
        },
    )
    assert first is not None and second is not None
    assert first.id == "coming"  # 計画の見直し vs ベテランの退職: what is coming tells them apart
    assert second.id in ("pain", "staff")  # 入札不調 vs やり方がわからない: the pain, or how many engineers
    assert (
        next_question(
            data, {"belief": uniform, "asked": ["time", "assets", "pain", "coming"], "settled": [], "facts": facts}
        )
        is None
    )  # never more than four questions


def test_what_the_first_message_says_is_not_asked_again(engine) -> None:
    conv = Conversation(engine, "U_STAFF")
    conv.say("何が課題か分からない。技術職は私一人です")
    from bot.dialogue.state import StateStore

    with engine.db.session() as session:
        _, state = StateStore.load(session, conv.key)
    assert state is not None and "staff" in state.counsel["settled"]
    assert state.counsel["facts"]["staff"] == "1"


def test_the_assessment_quotes_the_users_own_words(engine) -> None:
    conv = Conversation(engine, "U_QUOTE")
    turn = conv.say("何が課題なのかもよく分からない")
    for _ in range(MAX_QUESTIONS):
        if any(isinstance(r, Card) for r in turn.replies):
            break
        turn = conv.say("橋の点検が追いつかない、定期点検の時期なので")
    assert "「橋の点検が追いつかない、定期点検の時期なので」" in texts(turn)


@pytest.mark.parametrize(
    "answer", ["", "🙂🙂🙂", "x" * 5000, "<@U123> <!channel> <script>alert(1)</script>", "\u0000\u200b橋"]
)
def test_odd_answers_to_a_counselling_question_never_fail(engine, answer: str) -> None:
    conv = Conversation(engine, "U_ODD")
    conv.say("何が課題なのかもよく分からない")
    turn = conv.say(answer)
    said = texts(turn)
    assert turn.replies and "うまく処理できませんでした" not in said
    assert "<!channel>" not in said and "<script>" not in said


def test_forged_or_stale_counselling_buttons_are_refused(engine) -> None:
    conv = Conversation(engine, "U_FORGE")
    turn = conv.say("何が課題なのかもよく分からない")
    question = next(r for r in turn.replies if isinstance(r, Question))
    nonce, qid = question.choices[0].value.split("|")[1:3]
    for value in (f"q|{nonce}|{qid}|no_such_option", f"q|{nonce}|{qid}|" + "a" * 130, f"q|{nonce}|999|inspection"):
        turn = conv.press_value(value)
        assert turn.replies and "質問" in texts(turn)


@pytest.mark.parametrize(("text", "title"), [
    ("奈良県宇陀市の建設課です。技術職員が2人しかいなくて、市道の橋の定期点検をどこにどう発注すればいいか分からないので、"
     "詳しい人に相談したいです", "市道の橋の定期点検をどこにどう発注すればいいか分からない"),
    ("下水道のマンホールの点検を委託したいが、予算が足りなくて、どこから手をつけたらいいか", "下水道のマンホールの点検を委託したい"),
    ("お疲れ様です、五城目町の建設課です。町内にある公園の遊具が古くなってきて、点検をどこに頼めばいいのか分からず困っています。",
     "町内にある公園の遊具が古くなってきて、点検をどこに頼めばいいのか分からず"),
])
def test_a_long_sentence_is_titled_by_the_clauses_about_the_facility_and_the_work(text: str, title: str) -> None:
    from bot.dialogue.titles import make_title
    from matching.intake import extract

    assert make_title(text, extract(text)) == title
