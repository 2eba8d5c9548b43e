"""Questions about 群マネ, named requests, whose municipality, honest results — through DialogueEngine.handle."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dialogue import relevance
from bot.dialogue.deliveries import compose
from bot.dialogue.replies import ChatUser, Question
from knowledge.models import Consultation, Engineer, Introduction, SubIssue, UserProfile
from tests.dialogue.conversation import Conversation, all_choices, notices, results, texts


def _set_profile(engine, user: str, prefecture: str, municipality: str) -> None:
    from bot.dialogue import profiles

    with engine.db.session() as s:
        profiles.set_place(s, "slack", user, prefecture, municipality)


def _profile(engine, user: str) -> tuple[str | None, str | None]:
    with engine.db.session() as s:
        row = s.scalars(select(UserProfile).where(UserProfile.user_id == user)).one()
        return row.prefecture, row.municipality


# ---------------------------------------------------------------- questions


def test_a_question_about_gunmane_gets_a_sourced_answer_and_offers(alice):
    turn = alice.say("地域インフラ群再生戦略マネジメントについて詳しく教えて欲しい。")
    said = texts(turn)
    assert "複数の自治体" in said and "出典：" in said and "地域インフラ群再生戦略マネジメントについて" in said
    assert "どの施設" not in said  # not the old facility question
    labels = [c.label for c in all_choices(turn)]
    assert "アドバイザーに相談する" in labels and "地域の相談窓口を見る" in labels
    assert alice.step() == "answered"


def test_an_answer_offers_precedent_cases_of_its_scheme(alice):
    turn = alice.say("包括的民間委託って何ですか？")
    assert "三条市" in texts(turn)
    turn = alice.press("包括的民間委託の先行事例を見る")
    items = [i for r in results(turn) for i in r.items]
    assert items and all(i.kind == "case" for i in items)


def test_the_window_offer_uses_the_profile(engine):
    _set_profile(engine, "U_W", "奈良県", "曽爾村")
    conv = Conversation(engine, "U_W")
    conv.say("相談窓口では何を相談できますか？")
    turn = conv.press("地域の相談窓口を見る")
    assert any(i.kind == "window" and "近畿地方整備局" in i.title for r in results(turn) for i in r.items)


def test_a_question_the_base_cannot_answer_says_so(alice):
    turn = alice.say("補助金の申請書の締め切りはいつですか？")
    said = texts(turn)
    assert "お答えできません" in said and "相談窓口" in said
    assert "出典" not in said


def test_english_question_gets_an_english_answer(engine):
    conv = Conversation(engine, "U_EN_Q")
    turn = conv.say("What is gunmane?")
    assert turn.language == "en" and "Source:" in texts(turn) and "group" in texts(turn)


def test_a_question_and_a_problem_in_one_message_answer_then_counsel(alice):
    turn = alice.say("包括委託って何？うちは技術職が一人で、何から手をつければいいか分からない")
    said = texts(turn)
    assert "出典：" in said and "質問1" in said
    assert alice.step() == "counsel"


def test_a_question_mid_intake_is_answered_and_the_question_asked_again(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    turn = alice.say("共同発注とは何ですか？")
    assert "出典：" in texts(turn) and "どんな助け" in texts(turn)
    assert alice.step() == "missing"


def test_thanks_get_a_short_reply(alice):
    alice.say("こんにちは")
    turn = alice.say("ありがとうございました")
    assert "どういたしまして" in texts(turn)


# ---------------------------------------------------------------- whose municipality


def test_a_municipality_named_in_a_request_never_replaces_the_users(engine):
    _set_profile(engine, "U_SONI", "奈良県", "曽爾村")
    conv = Conversation(engine, "U_SONI")
    turn = conv.say("包括的民間委託の事例に載っている三条市の担当者を紹介してほしい。")
    assert _profile(engine, "U_SONI") == ("奈良県", "曽爾村")
    assert "どの施設" not in texts(turn)
    assert any("三条市" in i.title or "三条市" in i.detail for r in results(turn) for i in r.items)


def test_a_self_reference_sets_the_municipality(engine):
    _set_profile(engine, "U_MOVE", "奈良県", "曽爾村")
    conv = Conversation(engine, "U_MOVE")
    conv.say("五城目町の建設課です。町内の橋の点検が追いつかない")
    assert _profile(engine, "U_MOVE") == ("秋田県", "五城目町")


def test_a_plain_mention_does_not_replace_the_profile(engine):
    _set_profile(engine, "U_PLAIN", "奈良県", "曽爾村")
    conv = Conversation(engine, "U_PLAIN")
    turn = conv.say("宇陀市との境の村道の橋の点検が追いつかない")
    assert turn.card is not None and turn.card["municipality"] == {"prefecture": "奈良県", "name": "曽爾村"}


def test_romanised_municipality_in_english(engine):
    conv = Conversation(engine, "U_SAKAI")
    turn = conv.say("Hi, I work for the road department of Sakai city in Osaka. Our potholes are endless.")
    assert turn.language == "en" and "Which municipality" not in texts(turn)
    assert _profile(engine, "U_SAKAI") == ("大阪府", "堺市")


def test_ambiguous_romanised_name_is_asked(engine):
    conv = Conversation(engine, "U_SAKAI2")
    turn = conv.say("I'm an engineer in Sakai city. Our bridges need inspection.")
    question = next(r for r in turn.replies if isinstance(r, Question))
    assert {"大阪府 堺市", "福井県 坂井市"} <= {c.label for c in question.choices}


# ---------------------------------------------------------------- named requests


def test_named_request_for_a_case_is_brokered_without_a_consenting_engineer(engine):
    _set_profile(engine, "U_N1", "奈良県", "曽爾村")
    conv = Conversation(engine, "U_N1")
    conv.say("三条市の担当者を紹介してほしい")
    turn = conv.press("この事例の方に紹介を依頼")
    assert "事務局に依頼しました" in texts(turn)
    (notice,) = notices(turn)
    assert notice.event == "intro_brokered"
    with engine.db.session() as s:
        intro = s.get(Introduction, notice.subject_id)
        assert intro.state == "brokered" and intro.target_kind == "case" and intro.case_id is not None
        consultation = s.scalars(select(Consultation).where(Consultation.status == "named")).one()
        assert consultation.municipality == "曽爾村"
    again = conv.press("この事例の方に紹介を依頼", conv.turns[-2])
    assert "依頼済み" in texts(again) and not notices(again)


def test_named_request_goes_to_a_consenting_engineer_of_the_case(engine, seeded):
    with seeded.session() as s:
        s.add(
            Engineer(
                ext_id="eng-sanjo",
                name="三条 太郎（架空）",
                prefecture="新潟県",
                municipality="三条市",
                expertise="包括的民間委託の運用。",
                discoverable=True,
                contact="UENGSANJO1",
            )
        )
    conv = Conversation(engine, "U_N2")
    turn = conv.say("三条市の包括委託の事例の人と話したい")
    assert "UENGSANJO1" not in str(turn.replies)  # no contact before acceptance
    turn = conv.press("この事例の方に紹介を依頼")
    (notice,) = notices(turn)
    assert notice.event == "intro_requested"
    with engine.db.session() as s:
        (asked,) = [d for d in compose(s, notice) if d.role == "target"]
    assert asked.recipients == (ChatUser("slack", "UENGSANJO1"),)
    with engine.db.session() as s:
        intro = s.get(Introduction, notice.subject_id)
        assert intro.target_kind == "engineer" and intro.case_id is not None


def test_named_request_for_a_prefecture_and_scheme(alice):
    turn = alice.say("奈良県の代行の事例の人と話したい")
    items = [i for r in results(turn) for i in r.items]
    assert items and all(i.kind == "case" for i in items)
    assert all("奈良県" in i.detail for i in items)


def test_named_request_for_a_body_without_cases_offers_the_secretariat(engine):
    conv = Conversation(engine, "U_N3")
    turn = conv.say("五城目町の担当者を紹介してほしい")
    assert "事務局" in texts(turn)
    turn = conv.press("事務局に紹介を依頼")
    (notice,) = notices(turn)
    with engine.db.session() as s:
        intro = s.get(Introduction, notice.subject_id)
        assert intro.target_kind == "body" and intro.extra["body"] == {"prefecture": "秋田県", "name": "五城目町"}


def test_a_foreign_or_forged_case_button_is_refused(engine):
    a, b = Conversation(engine, "U_A1"), Conversation(engine, "U_B1")
    turn = a.say("三条市の担当者を紹介してほしい")
    value = next(c.value for c in all_choices(turn) if c.label.startswith("この事例"))
    assert "別の方" in texts(b.press_value(value))
    sub_id = value.split("|")[1]
    for forged in (f"ic|{sub_id}|999999", f"ic|{sub_id}|-1", "ic|x|1", "ic|1", f"ic|{sub_id}|1|2", "ic|" + "9" * 200):
        turn = a.press_value(forged)
        assert turn.replies and not notices(turn)


# ---------------------------------------------------------------- honest results


def test_nothing_above_the_floor_is_said_and_recorded_as_unmet(alice, seeded, monkeypatch):
    monkeypatch.setattr(
        relevance, "floors", lambda model_id: {k: 99.0 for k in ("advisor", "case", "engineer", "training")}
    )
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    alice.press("アドバイザー")
    turn = alice.press("この内容で探す")
    said = texts(turn)
    assert "十分合う候補が見つかりませんでした" in said
    assert not [i for r in results(turn) for i in r.items if i.kind != "window"]
    assert any(i.kind == "window" for r in results(turn) for i in r.items)
    with seeded.session() as s:
        assert s.scalars(select(SubIssue)).one().unmet is True


def test_results_below_a_kinds_floor_are_not_shown(alice, monkeypatch):
    monkeypatch.setattr(relevance, "floors", lambda model_id: {"training": 99.0})
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    alice.press("アドバイザー")
    turn = alice.press("この内容で探す")
    kinds = {i.kind for r in results(turn) for i in r.items}
    assert "training" not in kinds and "advisor" in kinds
    assert "研修・視察：ご相談に十分合う候補は見つかりませんでした" in texts(turn)


@pytest.mark.parametrize("text", ["", "？", "紹介して", "三条市" * 400, "<@U1> 三条市の担当者を紹介して <!channel>"])
def test_odd_requests_never_fail(alice, text):
    turn = alice.say(text)
    assert turn.replies and "うまく処理できませんでした" not in texts(turn)
