"""Catalogue entries for deliveries: what people and the secretariat are told outside a conversation.

Part of the one message catalogue (``bot.dialogue.messages.say``): key →
(Japanese, English). Secretariat notes never hold a contact or a chat id: they
name the record (name and id) and the requester's place.
"""

from __future__ import annotations

NOTICE_TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- shown in the requester's own conversation
    "notice_intro_requested": ("紹介依頼 #{id} を送りました（相手の方と事務局に届きます）",
                               "introduction request #{id} sent (to the person and the secretariat)"),
    "notice_intro_accepted": ("紹介 #{id} が成立しました（連絡先を共有します）",
                              "introduction #{id} accepted (contacts shared)"),
    "notice_intro_declined": ("紹介 #{id} は見送られました", "introduction #{id} declined"),
    "notice_intro_brokered": ("紹介依頼 #{id} を事務局に送りました（事務局が紹介先を探します）",
                              "introduction request #{id} sent to the secretariat (they will find someone)"),
    "intro_unreachable": (
        "ご依頼は記録しました。ただ、相手の方にチャットで直接お知らせできませんでした"
        "（{platform} でこのボットとの 1 対 1 のチャットがまだない可能性があります）。事務局が確認してご連絡します。",
        "Your request is recorded, but I could not tell the person directly in chat (they may not have a 1:1 chat "
        "with this bot in {platform} yet); the secretariat will follow up.",
    ),
    # ---------------------------------------------------------------- expiry, reminders
    "intro_expired_news": (
        "{target}さんへの紹介依頼は、{days}日のあいだにお返事がなかったため締め切りました。",
        "Your introduction request to {target} closed: there was no answer within {days} days.",
    ),
    "intro_reminder": (
        "【リマインド】{place}からの紹介依頼 (#{id}) に、まだお返事をいただいていません。"
        "依頼から{days}日以上たっています。お引き受けいただけるか、難しい場合はお断りをお知らせください。",
        "[Reminder] The introduction request (#{id}) from {place} is still waiting for your answer; it was sent "
        "{days} or more days ago. Please accept it, or decline if you cannot help.",
    ),
    # ---------------------------------------------------------------- follow-ups
    "followup_ask": (
        "紹介 (#{id}) から{days}日ほどたちました。{who}とのやり取りはお役に立ちましたか？",
        "It has been about {days} days since introduction #{id}. Did talking with {who} help?",
    ),
    "followup_scale": (
        "5段階でお答えください（5: とても役に立った 〜 1: 役に立たなかった）。",
        "Please answer from 5 (very helpful) to 1 (not helpful).",
    ),
    "followup_hint": ("選んだあとに、ひとことコメントも書いていただけます", "After choosing you can add a comment"),
    "followup_who_target": ("ご紹介した方", "the person introduced to you"),
    "followup_who_requester": ("{place}の方", "the engineer from {place}"),
    "followup_thanks_rating": (
        "ご回答ありがとうございます（評価 {rating}）。ひとことコメントがあれば、このまま書いて送ってください。",
        "Thank you for your answer (rating {rating}). If you have a comment, just type it now.",
    ),
    "followup_no_comment": ("コメントはありません", "No comment"),
    "followup_thanks": ("ありがとうございました。事務局で今後の改善に役立てます。",
                        "Thank you. The secretariat will use it to improve."),
    "followup_not_yours": ("このフォローアップには回答できません（依頼を受けたご本人だけが回答できます）。",
                           "You cannot answer this follow-up (only the person it was sent to can)."),
    "followup_closed": ("このフォローアップへの回答は、いまは受け付けていません。事務局にお知らせください。",
                        "This follow-up cannot be answered now; please tell the secretariat."),
    # ---------------------------------------------------------------- secretariat notes (no contacts, no chat ids)
    "note_requested": ("【事務局】紹介依頼 #{id}: {requester}から{kind}「{target}」への紹介依頼がありました。",
                       "[Secretariat] Introduction #{id}: {requester} asked to be introduced to {kind} “{target}”."),
    "note_brokered": (
        "【事務局】紹介依頼 #{id}: {requester}から{target}の方への紹介依頼がありました。"
        "紹介を受けてもよいとされている方がいないため、担当の方を探して "
        "`gunmane intros reassign {id} --kind engineer --to ID` で割り当ててください。",
        "[Secretariat] Introduction #{id}: {requester} would like to be put in touch with someone at {target}. "
        "Nobody on record has agreed to be introduced: please find a person and assign them with "
        "`gunmane intros reassign {id} --kind engineer --to ID`.",
    ),
    "note_reached": ("ご本人に {platform} で依頼を届けました。", "The person was asked in {platform}."),
    "note_not_reached": (
        "ご本人にチャットで届けられなかったため、メール等でのご連絡をお願いします（`gunmane intros list`）。",
        "The person could not be reached in chat: please contact them by mail (`gunmane intros list`).",
    ),
    "note_by_mail": (
        "ご本人の連絡先がチャットのユーザーではないため、事務局からご連絡ください（`gunmane intros list`）。",
        "Their contact is not a chat user: please reach them yourselves (`gunmane intros list`).",
    ),
    "note_accepted": ("【事務局】紹介 #{id}: {kind}「{target}」が承諾しました。双方に連絡先をお知らせしました。",
                      "[Secretariat] Introduction #{id}: {kind} “{target}” accepted; both sides have the contacts."),
    "note_accepted_by_mail": (
        "【事務局】紹介 #{id}: {kind}「{target}」が承諾しました。チャットで届かなかった方には、"
        "メール等で連絡先をお知らせください。",
        "[Secretariat] Introduction #{id}: {kind} “{target}” accepted. Please send the contacts by mail to whoever "
        "chat could not reach.",
    ),
    "note_declined": (
        "【事務局】紹介 #{id}: {kind}「{target}」は辞退しました（今回は見送り）。依頼者には次の候補をご案内しました。",
        "[Secretariat] Introduction #{id}: {kind} “{target}” declined; the requester was offered the next candidate.",
    ),
    "note_expired": (
        "【事務局】紹介 #{id}: {kind}「{target}」への依頼は、お返事がないまま期限切れになりました。",
        "[Secretariat] Introduction #{id} to {kind} “{target}” expired without an answer.",
    ),
    "note_requester_unknown": ("利用者", "a user"),
    "note_requester_from": ("{place}の方", "someone from {place}"),
}
