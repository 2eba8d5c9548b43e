"""What the Slack adapter itself says (the conversation's words come from the dialogue engine)."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> str:
    """"en" for text with Latin letters and no Japanese, else "ja" (adapter notes only)."""
    return "en" if _LATIN.search(text) and not _CJK.search(text) else "ja"


_TEXTS: dict[str, dict[str, str]] = {
    "working": {
        "ja": "確認しています。少しお待ちください…",
        "en": "Working on it, one moment…",
    },
    "edited": {
        "ja": "メッセージの編集は会話に反映されません。直した内容は新しいメッセージで送ってください。",
        "en": "Edits are not picked up. Please send the corrected text as a new message.",
    },
    "failed": {
        "ja": "申し訳ありません、うまく処理できませんでした。もう一度送ってみてください。続く場合は事務局にお知らせください。",
        "en": "Sorry, something went wrong. Please send that again; if it keeps happening, tell the secretariat.",
    },
    "help": {
        "ja": (
            "*gunmane の使い方*\n"
            "• このアプリに DM を送るか、チャンネルで @gunmane とメンションすると相談を始めます（チャンネルではスレッドでお返事します）。\n"
            "• `/gunmane 相談` … 相談を始める（困りごとを入力する画面が開きます）\n"
            "• `/gunmane 事例 <キーワード>` … 先行事例を探す（例: `/gunmane 事例 橋梁 代行`）\n"
            "• `/gunmane 研修 <キーワード>` … 研修・視察を探す\n"
            "• `/gunmane 近隣 <キーワード>` … 近くの自治体の技術者を探す\n"
            "• `/gunmane help` … この説明\n"
            "検索結果と相談は DM でお送りします。ホームタブでは相談と紹介の状況を確認できます。"
        ),
        "en": (
            "*How to use gunmane*\n"
            "• Send this app a DM, or @mention it in a channel (it answers in the thread).\n"
            "• `/gunmane consult` … start a consultation (a form opens for your problem)\n"
            "• `/gunmane cases <words>` … precedent cases\n"
            "• `/gunmane training <words>` … trainings and site visits\n"
            "• `/gunmane nearby <words>` … engineers in nearby municipalities\n"
            "• `/gunmane help` … this help\n"
            "Results and consultations come to your DM; the Home tab shows your consultations and introductions."
        ),
    },
    "unknown_subcommand": {
        "ja": "「{word}」というサブコマンドはありません。",
        "en": "There is no subcommand “{word}”.",
    },
    "searching_dm": {
        "ja": "検索して、結果を DM でお送りします。",
        "en": "Searching; the results will come to your DM.",
    },
    "searching": {
        "ja": "検索しています…",
        "en": "Searching…",
    },
    "needs_words": {
        "ja": "キーワードを続けて入力してください（例: `/gunmane {word} 橋梁 点検`）。",
        "en": "Add some words after it, e.g. `/gunmane {word} bridge inspection`.",
    },
    "consult_dm": {
        "ja": "DM で相談を続けます。",
        "en": "Let's continue in your DM.",
    },
    "admin_not_set_up": {
        "ja": "事務局向けの管理機能はまだ設定されていません。管理者にお問い合わせください。",
        "en": "The secretariat's admin tools are not set up yet. Please ask your administrator.",
    },
    "modal_title": {"ja": "gunmane に相談", "en": "Ask gunmane"},
    "modal_submit": {"ja": "相談する", "en": "Start"},
    "modal_close": {"ja": "やめる", "en": "Cancel"},
    "modal_label": {"ja": "困っていること", "en": "What is the problem?"},
    "modal_placeholder": {
        "ja": "例: 村道の橋の点検、技術職が2人しかいなくて回らない",
        "en": "e.g. our two engineers cannot keep up with bridge inspections",
    },
    "modal_hint": {
        "ja": "自治体名も書いていただけると早く進みます。送信すると DM で相談が始まります。",
        "en": "Naming your municipality speeds things up. The consultation continues in your DM.",
    },
    "modal_empty": {"ja": "困っていることを一言でも書いてください。", "en": "Please describe the problem in a few words."},
    "home_title": {"ja": "gunmane — 相談と紹介", "en": "gunmane — consultations and introductions"},
    "home_intro": {
        "ja": "土木インフラの困りごとを相談すると、アドバイザー・先行事例・近隣の技術者・研修を探してご紹介します。",
        "en": "Describe an infrastructure problem and gunmane finds advisors, precedent cases, nearby engineers and trainings.",
    },
    "home_start": {"ja": "相談を始める", "en": "Start a consultation"},
    "home_consultations": {"ja": "これまでの相談", "en": "Your consultations"},
    "home_introductions": {"ja": "紹介の状況", "en": "Your introductions"},
    "home_none": {"ja": "まだありません。", "en": "None yet."},
    "home_more": {"ja": "ほか {n} 件", "en": "{n} more"},
    "secretariat_requested": {
        "ja": "紹介依頼 #{id}: {requester} さんが{kind}「{target}」への紹介を依頼しました。{next}",
        "en": "Introduction #{id}: {requester} asked to be introduced to {kind} “{target}”. {next}",
    },
    "secretariat_requested_dm": {
        "ja": "ご本人に DM で承諾・辞退を伺っています。",
        "en": "The person was asked by DM to accept or decline.",
    },
    "secretariat_requested_mail": {
        "ja": "ご本人の連絡先が Slack ユーザーではないため、事務局からご連絡ください（`gunmane intros list` で確認できます）。",
        "en": "Their contact is not a Slack user: please reach them yourselves (`gunmane intros list`).",
    },
    "secretariat_accepted": {
        "ja": "紹介 #{id}: {kind}「{target}」が承諾しました。グループ DM で両者をおつなぎしました。",
        "en": "Introduction #{id}: {kind} “{target}” accepted; both were connected in a group DM.",
    },
    "secretariat_accepted_elsewhere": {
        "ja": "紹介 #{id}: {kind}「{target}」が承諾しました。",
        "en": "Introduction #{id}: {kind} “{target}” accepted.",
    },
    "secretariat_brokered": {
        "ja": "紹介依頼 #{id}: {requester} さんが{target}の方への紹介を希望しています。"
              "紹介を受けてもよいとされている方がいないため、事務局で担当の方を探し、"
              "`gunmane intros reassign {id} --kind engineer --to ID` で割り当ててください。",
        "en": "Introduction #{id}: {requester} would like to be put in touch with someone at {target}. "
              "Nobody on record has agreed to be introduced: please find a person and assign them with "
              "`gunmane intros reassign {id} --kind engineer --to ID`.",
    },
    "secretariat_declined": {
        "ja": "紹介 #{id}: {kind}「{target}」は辞退しました。依頼者には次の候補をご案内しました。",
        "en": "Introduction #{id}: {kind} “{target}” declined; the requester was offered the next candidate.",
    },
}

KIND_NAMES = {"ja": {"advisor": "アドバイザー", "engineer": "技術者"}, "en": {"advisor": "advisor", "engineer": "engineer"}}


def say(key: str, language: str = "ja", **values: object) -> str:
    texts = _TEXTS[key]
    return texts.get(language, texts["ja"]).format(**values)


def kind_name(kind: str, language: str = "ja") -> str:
    return KIND_NAMES.get(language, KIND_NAMES["ja"]).get(kind, kind)
