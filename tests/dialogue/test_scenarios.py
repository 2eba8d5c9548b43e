"""Scripted conversations through DialogueEngine.handle (real analyze + Matcher, fake embedder)."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.replies import Card, Question, ResultList
from knowledge.models import Consultation, SubIssue, UserProfile
from matching.embedders.fake import FakeEmbedder
from tests.dialogue.conversation import Conversation, all_choices, results, texts


def _answer_until_card(conv: Conversation, *, wanted: str = "アドバイザー", limit: int = 8) -> None:
    """Answer the missing-item questions (first choice, or the wanted kind) until the card shows."""
    for _ in range(limit):
        if any(isinstance(r, Card) for r in conv.last.replies):
            return
        question = next(r for r in conv.last.replies if isinstance(r, Question))
        labels = [c.label for c in question.choices]
        conv.press(wanted if wanted in labels else labels[0])
    raise AssertionError("the card never appeared:\n" + conv.transcript())


def test_full_consultation_greets_asks_missing_shows_card_and_recommends(alice, seeded):
    first = alice.say("奈良県宇陀市の者です。橋の点検を頼める人がいなくて困っています")
    assert "群マネ相談ボット" in texts(first)
    assert "宇陀市" in texts(first)
    _answer_until_card(alice)
    card = next(r for r in alice.last.replies if isinstance(r, Card))
    assert card.title == "課題カード"
    assert ("自治体", "奈良県宇陀市") in card.fields
    assert any(label == "分野" and "橋梁" in value for label, value in card.fields)
    done = alice.press("この内容で探す")
    lists = results(done)
    kinds = {item.kind for r in lists for item in r.items}
    assert {"advisor", "case", "engineer", "training", "window"} <= kinds
    assert all(item.why for r in lists for item in r.items)
    window = next(item for r in lists for item in r.items if item.kind == "window")
    assert "06-6942-1141" in window.detail and "近畿地方整備局" in window.title
    assert "dlg-adv-3" not in {item.id for r in lists for item in r.items}   # paused advisor never shown
    assert "dlg-eng-2" not in {item.id for r in lists for item in r.items}   # not discoverable
    assert alice.step() == "results"
    with seeded.session() as s:
        consultation = s.scalars(select(Consultation)).one()
        sub = s.scalars(select(SubIssue)).one()
        assert consultation.card["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}
        assert consultation.status == "recommended"
        assert sub.best_score is not None and sub.best_score == max(
            r["score"] for recs in sub.recommendations.values() for r in recs)
        assert {"advisor", "case", "engineer", "training"} <= set(sub.recommendations)
        assert sum(len(recs) for recs in sub.recommendations.values()) > 0
        assert all("contact" not in r for recs in sub.recommendations.values() for r in recs)


def test_municipality_is_asked_when_missing_then_saved_to_the_profile(alice, engine, seeded):
    turn = alice.say("橋の点検を外注したいのですが、アドバイザーを紹介してほしい")
    assert "どちらの自治体" in texts(turn)
    turn = alice.say("奈良県宇陀市です")
    assert "宇陀市" in texts(turn)
    with seeded.session() as s:
        profile = s.scalars(select(UserProfile)).one()
        assert (profile.prefecture, profile.municipality) == ("奈良県", "宇陀市")
    # Another conversation of the same user (another channel) does not ask again.
    other = Conversation(engine, "U_ALICE", channel="D2")
    turn = other.say("舗装の穴の補修で住民の苦情が多い。事例を知りたい")
    assert "どちらの自治体" not in texts(turn)
    assert other.step() in ("missing", "confirm")


def test_ambiguous_municipality_asks_for_the_prefecture(alice):
    turn = alice.say("府中市の建設課です。公園の草刈りの発注をどうするか悩んでいます")
    question = next(r for r in turn.replies if isinstance(r, Question))
    assert "府中市" in question.text
    labels = [c.label for c in question.choices]
    assert "東京都 府中市" in labels and "広島県 府中市" in labels
    turn = alice.press("広島県 府中市")
    assert "広島県府中市" in texts(turn)
    _answer_until_card(alice)
    card = next(r for r in alice.last.replies if isinstance(r, Card))
    assert ("自治体", "広島県府中市") in card.fields


def test_ambiguous_municipality_answered_by_typing_the_prefecture(alice):
    alice.say("伊達市です。橋の点検の事例を知りたい")
    assert alice.step() == "municipality_pick"
    turn = alice.say("福島県です")
    assert "福島県伊達市" in texts(turn)


def test_prefectural_staff_are_allowed(alice):
    alice.say("橋の点検の発注について相談したい。アドバイザーを紹介してほしい")
    turn = alice.say("奈良県の道路課の職員です")
    assert "奈良県のご担当" in texts(turn)
    _answer_until_card(alice)
    card = next(r for r in alice.last.replies if isinstance(r, Card))
    assert ("自治体", "奈良県") in card.fields
    done = alice.press("この内容で探す")
    assert any(item.kind == "window" for r in results(done) for item in r.items)


def test_unknown_municipality_offers_close_names(alice):
    alice.say("橋の点検の発注で困っています。アドバイザーを紹介してほしい")
    turn = alice.say("宇陀氏")
    assert "見つかりませんでした" in texts(turn)
    labels = [c.label for c in all_choices(turn)]
    assert "奈良県 宇陀市" in labels
    turn = alice.press("奈良県 宇陀市")
    assert "奈良県宇陀市" in texts(turn)


def test_two_problems_in_one_message_become_two_sub_issues(alice, seeded):
    alice.say("奈良県宇陀市です。除雪の出動基準の件と、橋の点検を誰に頼むかの件で相談したい")
    card_turn = alice.last
    assert "2つ" in texts(card_turn)
    _answer_until_card(alice)
    card = next(r for r in alice.last.replies if isinstance(r, Card))
    assert ("課題1" in dict(card.fields)) and ("課題2" in dict(card.fields))
    done = alice.press("この内容で探す")
    titles = [r.title for r in results(done)]
    assert any(t.startswith("課題1") for t in titles) and any(t.startswith("課題2") for t in titles)
    with seeded.session() as s:
        subs = s.scalars(select(SubIssue).order_by(SubIssue.position)).all()
        assert len(subs) == 2 and all(sub.best_score is not None for sub in subs)
        assert subs[0].consultation_id == subs[1].consultation_id


def test_english_messages_get_english_replies(engine):
    conv = Conversation(engine, "U_EN")
    turn = conv.say("Hello, our town has no engineers to inspect its bridges. Can you suggest an advisor?")
    assert "Gunmane consultation bot" in texts(turn)
    assert "Which municipality" in texts(turn)
    assert turn.language == "en"
    turn = conv.say("奈良県宇陀市")
    assert turn.language == "en"
    _answer_until_card(conv, wanted="Advisor")
    card = next(r for r in conv.last.replies if isinstance(r, Card))
    assert card.title == "Issue card" and ("Municipality", "奈良県宇陀市") in card.fields
    done = conv.press("Search with this")
    assert "suggestions for each issue" in texts(done)
    assert any(r.title.endswith("Advisor") for r in results(done))


def test_cancel_mid_way_forgets_the_consultation(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    turn = alice.say("キャンセル")
    assert "取り消しました" in texts(turn)
    assert turn.card is None and alice.step() == "idle"
    turn = alice.say("公園の除草の発注方法を知りたい。事例が見たい")
    assert "課題" in texts(turn) or any(isinstance(r, Question) for r in turn.replies)


def test_restart_mid_way_starts_over_and_old_buttons_expire(alice):
    first = alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    old_question = first
    turn = alice.say("やり直し")
    assert "最初から" in texts(turn) and alice.step() == "idle"
    turn = alice.press(all_choices(old_question)[0].label, old_question)
    assert "以前の相談" in texts(turn)
    assert alice.step() == "idle"


def test_back_returns_to_the_previous_question(alice):
    # Issue 10: a first message that names no problem now gets counselling questions (was: "which facility?").
    alice.say("奈良県宇陀市です。困っていることがあって相談したいのですが")
    assert alice.step() == "counsel"
    first_question = next(r for r in alice.last.replies if isinstance(r, Question))
    assert first_question.text.startswith("質問1")
    alice.press_value(first_question.choices[0].value)
    assert "質問2" in texts(alice.last)
    turn = alice.say("戻る")
    assert "戻りました" in texts(turn)
    assert first_question.text in texts(turn)
    assert alice.step() == "counsel"
    again = next(r for r in turn.replies if isinstance(r, Question))
    turn = alice.press_value(again.choices[1].value)
    assert "質問2" in texts(turn)


def test_stale_choice_from_an_earlier_question_is_refused_politely(alice):
    alice.say("奈良県宇陀市です。困っていることがあって相談したいのですが")
    first = alice.last
    question = next(r for r in first.replies if isinstance(r, Question))
    alice.press_value(question.choices[0].value)
    before = alice.last.card
    turn = alice.press_value(question.choices[1].value)
    assert "前の質問" in texts(turn)
    assert turn.card == before        # nothing changed
    assert "質問2" in texts(turn)     # the current question is asked again


def test_idle_for_a_day_starts_afresh_politely(alice, clock):
    first = alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    clock.advance(hours=25)
    turn = alice.say("こんにちは")
    assert "時間が空いた" in texts(turn)
    assert alice.step() == "idle" and turn.card is None
    stale = alice.press(all_choices(first)[0].label, first)
    assert "以前の相談" in texts(stale)


def test_within_the_idle_window_the_conversation_continues(alice, clock):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    clock.advance(hours=23)
    turn = alice.press("アドバイザー")
    assert "時間が空いた" not in texts(turn)
    assert any(isinstance(r, Card) for r in turn.replies)


def test_quick_case_lookup_needs_no_intake(alice, seeded):
    turn = alice.say("事例 橋梁 代行")
    lists = results(turn)
    assert lists and lists[0].items and all(item.kind == "case" for item in lists[0].items)
    assert any("代行" in item.title for item in lists[0].items)
    assert alice.step() == "idle"
    with seeded.session() as s:
        consultation = s.scalars(select(Consultation)).one()
        assert consultation.status == "lookup"
        assert consultation.sub_issues[0].fields == ["bridge"]   # counted in the secretariat's demand


def test_quick_training_and_neighbour_lookups(alice):
    turn = alice.say("研修 点検")
    assert results(turn) and results(turn)[0].items
    assert all(i.kind == "training" for i in results(turn)[0].items)
    turn = alice.say("近隣 橋梁 点検")
    items = results(turn)[0].items
    assert items and all(i.kind == "engineer" for i in items)
    assert all(i.actions for i in items) and all(a.label == "紹介を依頼" for i in items for a in i.actions)


def test_lookup_mid_intake_keeps_the_current_question(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    turn = alice.say("事例 橋梁 点検")
    assert results(turn)
    assert "さきほどの質問" in texts(turn)
    assert alice.step() == "missing"
    turn = alice.press("アドバイザー")
    assert any(isinstance(r, Card) for r in turn.replies)


def test_new_engine_instance_carries_on_the_same_conversation(alice, seeded, settings, clock):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    question = alice.last
    restarted = DialogueEngine(seeded, settings, embedder=FakeEmbedder(), clock=clock)
    again = Conversation(restarted, "U_ALICE")
    turn = again.press(all_choices(question)[0].label, question)
    assert any(isinstance(r, Card) for r in turn.replies)
    done = again.press("この内容で探す")
    assert results(done)


def test_two_users_in_one_channel_have_separate_conversations(engine):
    alice = Conversation(engine, "U_ALICE", channel="C_SHARED")
    bob = Conversation(engine, "U_BOB", channel="C_SHARED")
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    bob.say("広島県府中市です。公園の除草の委託をどうするか")
    assert "橋梁" in str(alice.last.card) or alice.last.card["sub_issues"][0]["fields"] == ["bridge"]
    # Bob presses Alice's button: refused, and neither conversation changes.
    alice_card = alice.last.card
    turn = bob.press(all_choices(alice.last)[0].label, alice.last)
    assert "別の方" in texts(turn)
    assert bob.last.card["municipality"] == {"prefecture": "広島県", "name": "府中市"}
    turn = alice.press("アドバイザー")
    assert turn.card["municipality"] == alice_card["municipality"]
    assert any(isinstance(r, Card) for r in turn.replies)


def test_edit_the_card_field_and_text(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    _answer_until_card(alice)
    alice.press("修正する")
    turn = alice.press("分野")
    assert "分野を選んで" in texts(turn)
    turn = alice.press("トンネル")
    card = next(r for r in turn.replies if isinstance(r, Card))
    assert ("分野", "トンネル") in card.fields
    alice.press("修正する")
    alice.press("課題の文章")
    turn = alice.say("トンネルの点検を外注したいが仕様書の書き方がわからない")
    card = next(r for r in turn.replies if isinstance(r, Card))
    assert ("課題", "トンネルの点検を外注したいが仕様書の書き方がわからない") in card.fields


def test_edit_the_municipality_from_the_card(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    _answer_until_card(alice)
    alice.press("修正する")
    alice.press("自治体")
    turn = alice.say("奈良県曽爾村")
    card = next(r for r in turn.replies if isinstance(r, Card))
    assert ("自治体", "奈良県曽爾村") in card.fields


def test_help_explains_and_asks_the_current_question_again(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    turn = alice.say("ヘルプ")
    assert "使い方" in texts(turn) and "事例 橋梁 代行" in texts(turn)
    assert "どんな助け" in texts(turn)
    turn = alice.press("アドバイザー")
    assert any(isinstance(r, Card) for r in turn.replies)


def test_results_offer_more_and_a_new_problem_starts_a_new_intake(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    _answer_until_card(alice)
    done = alice.press("この内容で探す")
    more = next((r.more for r in results(done) if r.more is not None), None)
    if more is not None:
        turn = alice.press_value(more.value)
        assert results(turn) or "これ以上" in texts(turn)
    turn = alice.say("公園の遊具の点検も人が足りない")
    assert alice.step() in ("missing", "confirm")
    assert turn.card is not None and turn.card["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}


def test_results_lists_stay_within_limits(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない。事例も研修も知りたい")
    _answer_until_card(alice)
    done = alice.press("この内容で探す")
    assert results(done), "the consultation ended with results"
    for r in results(done):
        assert isinstance(r, ResultList) and len(r.items) <= 3


def test_details_typed_at_the_card_are_added_to_it(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    _answer_until_card(alice)
    turn = alice.say("予算もなくて、近くの自治体の事例も知りたい")
    assert "書き加えました" in texts(turn)
    card = next(r for r in turn.replies if isinstance(r, Card))
    assert "予算" in dict(card.fields)["困りごと"] and "先行事例" in dict(card.fields)["希望する支援"]
    assert alice.step() == "confirm"
    turn = alice.say("お願いします")
    assert results(turn) and alice.step() == "results"


def test_a_new_facility_typed_at_the_card_is_a_new_description(alice):
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    _answer_until_card(alice)
    turn = alice.say("やっぱり公園の遊具の点検の話です")
    assert "書き直した内容" in texts(turn)
    assert turn.card["sub_issues"][0]["fields"] == ["park"]
