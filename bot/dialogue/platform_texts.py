"""Catalogue entries for what the chat front ends show around the conversation.

Part of the one message catalogue (``bot.dialogue.messages.say``): key →
(Japanese, English). The adapters render these (a "working on it" note, the
slash command's help, the consultation form, the home tab, the secretariat's
admin tools); they write no user-facing text of their own.
"""

from __future__ import annotations

PLATFORM_TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- around a turn
    "working": ("確認しています。少しお待ちください…", "Working on it, one moment…"),
    "edited": (
        "メッセージの編集は会話に反映されません。直した内容は新しいメッセージで送ってください。",
        "Edits are not picked up. Please send the corrected text as a new message.",
    ),
    "failed": (
        "申し訳ありません、うまく処理できませんでした。もう一度送ってみてください。続く場合は事務局にお知らせください。",
        "Sorry, something went wrong. Please send that again; if it keeps happening, tell the secretariat.",
    ),
    "pick_first": ("選択肢を選んでから送信してください。", "Pick an option before sending."),
    "mention_in_channel": ("チャネルでは @gunmane を付けて話しかけてください。",
                           "In a channel, @mention gunmane to talk to me."),
    "mention_in_group": ("グループでは「@{name}」を付けて話しかけてください。",
                         "In a group chat, write @{name} to talk to me."),
    # ---------------------------------------------------------------- rendering replies
    "distance": ("約{km} km", "about {km} km"),
    "why_label": ("理由", "Why"),
    "more_pages": ("続きを見る", "Show more"),
    "select": ("選んでください", "Choose one"),
    "page_of": ("（続き {n}/{total}）", "(continued {n}/{total})"),
    "chose": ("選択: {label}", "Chosen: {label}"),
    "shown_below": ("続きを表示しました", "Shown below"),
    "choose": ("選択", "Choose"),
    # ---------------------------------------------------------------- the slash command and the consultation form
    "slash_help": (
        "*gunmane の使い方*\n"
        "• このアプリに DM を送るか、チャンネルで @gunmane とメンションすると相談を始めます"
        "（チャンネルではスレッドでお返事します）。\n"
        "• `/gunmane 相談` … 相談を始める（困りごとを入力する画面が開きます）\n"
        "• `/gunmane 事例 <キーワード>` … 先行事例を探す（例: `/gunmane 事例 橋梁 代行`）\n"
        "• `/gunmane 研修 <キーワード>` … 研修・視察を探す\n"
        "• `/gunmane 近隣 <キーワード>` … 近くの自治体の技術者を探す\n"
        "• `/gunmane help` … この説明\n"
        "検索結果と相談は DM でお送りします。ホームタブでは相談と紹介の状況を確認できます。",
        "*How to use gunmane*\n"
        "• Send this app a DM, or @mention it in a channel (it answers in the thread).\n"
        "• `/gunmane consult` … start a consultation (a form opens for your problem)\n"
        "• `/gunmane cases <words>` … precedent cases\n"
        "• `/gunmane training <words>` … trainings and site visits\n"
        "• `/gunmane nearby <words>` … engineers in nearby municipalities\n"
        "• `/gunmane help` … this help\n"
        "Results and consultations come to your DM; the Home tab shows your consultations and introductions.",
    ),
    "unknown_subcommand": ("「{word}」というサブコマンドはありません。", "There is no subcommand “{word}”."),
    "searching_dm": ("検索して、結果を DM でお送りします。", "Searching; the results will come to your DM."),
    "searching": ("検索しています…", "Searching…"),
    "consult_dm": ("DM で相談を続けます。", "Let's continue in your DM."),
    "admin_not_set_up": (
        "事務局向けの管理機能はまだ設定されていません。管理者にお問い合わせください。",
        "The secretariat's admin tools are not set up yet. Please ask your administrator.",
    ),
    "consult_form_title": ("gunmane に相談", "Ask gunmane"),
    "form_submit": ("送信", "Send"),
    "consult_form_submit": ("相談する", "Start"),
    "form_close": ("閉じる", "Close"),
    "consult_form_label": ("困っていること", "What is the problem?"),
    "consult_form_placeholder": (
        "例: 村道の橋の点検、技術職が2人しかいなくて回らない",
        "e.g. our two engineers cannot keep up with bridge inspections",
    ),
    "consult_form_hint": (
        "自治体名も書いていただけると早く進みます。送信すると DM で相談が始まります。",
        "Naming your municipality speeds things up. The consultation continues in your DM.",
    ),
    "consult_form_empty": ("困っていることを一言でも書いてください。", "Please describe the problem in a few words."),
    # ---------------------------------------------------------------- the home tab
    "home_title": ("gunmane — 相談と紹介", "gunmane — consultations and introductions"),
    "home_intro": (
        "土木インフラの困りごとを相談すると、アドバイザー・先行事例・近隣の技術者・研修を探してご紹介します。",
        "Describe an infrastructure problem and gunmane finds advisors, precedent cases, nearby engineers and "
        "trainings.",
    ),
    "home_start": ("相談を始める", "Start a consultation"),
    "home_consultations": ("これまでの相談", "Your consultations"),
    "home_introductions": ("紹介の状況", "Your introductions"),
    "home_none": ("まだありません。", "None yet."),
    "home_more": ("ほか {n} 件", "{n} more"),
    "home_no_place": ("（自治体未設定）", "(no municipality)"),
    "role_requester": ("依頼", "you asked"),
    "role_target": ("依頼を受けた", "asked of you"),
    # ---------------------------------------------------------------- the secretariat's admin tools in chat
    "admin_refusal": (
        "申し訳ありません。この操作は事務局のメンバーだけが使えます。必要な場合は事務局にお問い合わせください。",
        "Sorry — this is only available to the secretariat. Please contact the secretariat if you need it.",
    ),
    "admin_help": (
        "事務局メニュー: `/gunmane admin add` アドバイザー追加 ・ `/gunmane admin edit ID` 編集 ・ "
        "`/gunmane admin intros` 保留中の紹介 ・ `/gunmane admin summary` 週次サマリー ・ "
        "`/gunmane admin post` 地図とサマリーを事務局チャンネルに投稿",
        "Secretariat menu: `/gunmane admin add` add an advisor ・ `/gunmane admin edit ID` edit ・ "
        "`/gunmane admin intros` pending introductions ・ `/gunmane admin summary` weekly summary ・ "
        "`/gunmane admin post` post the map and summary to the secretariat channel",
    ),
    "admin_add_button": ("アドバイザーを追加", "Add an advisor"),
    "admin_intros_button": ("保留中の紹介", "Pending introductions"),
    "admin_summary_button": ("週次サマリー", "Weekly summary"),
    "admin_post_button": ("地図とサマリーを投稿", "Post the map and summary"),
    "admin_not_found": (
        "アドバイザー「{id}」が見つかりません。`gunmane advisor list` で ID を確認できます。",
        "There is no advisor “{id}”. `gunmane advisor list` shows the ids.",
    ),
    "admin_no_channel": (
        "事務局チャンネルが設定されていません (GUNMANE_SLACK_SECRETARIAT_CHANNEL)。",
        "No secretariat channel is set (GUNMANE_SLACK_SECRETARIAT_CHANNEL).",
    ),
    "admin_posting": ("地図とサマリーを事務局チャンネルに投稿します。",
                      "Posting the map and summary to the secretariat channel."),
    "admin_posted": ("投稿しました。", "Posted."),
    "admin_pending_title": ("*保留中の紹介: {n}件*", "*Pending introductions: {n}*"),
    "admin_pending_oldest": (" (古い順に {n}件を表示)", " (the oldest {n} shown)"),
    "admin_pending_none": ("保留中の紹介はありません。", "There are no pending introductions."),
    "admin_pending_item": ("#{id} {kind} {target} ← {requester} ・ {days}日経過",
                           "#{id} {kind} {target} ← {requester} · {days} days"),
    "admin_reminded": (" ・ リマインド済み", " · reminded"),
    "admin_approve": ("承認 (承諾として記録)", "Approve (record as accepted)"),
    "admin_reassign": ("別の人に再割当", "Reassign to someone else"),
    "admin_approved": ("紹介 #{id} を承諾として記録しました。", "Introduction #{id} is recorded as accepted."),
    "admin_approve_failed": ("紹介 #{id} を承認できませんでした: {reason}",
                             "Introduction #{id} could not be approved: {reason}"),
    "admin_reassign_title": ("紹介 #{id} の再割当", "Reassign #{id}"),
    "admin_reassign_submit": ("再割当", "Reassign"),
    "admin_reassign_label": ("新しいアドバイザー", "New advisor"),
    "admin_reassign_none": ("再割当できる、受け付け中のアドバイザーがいません。",
                            "No active advisor is available to take it."),
    "admin_reassign_pick": ("アドバイザーを選んでください。", "Choose an advisor."),
    "admin_reassigned": ("紹介 #{id} を {target} に再割当しました (新しい紹介 #{new})。",
                         "Introduction #{id} was reassigned to {target} (new introduction #{new})."),
    "admin_advisor_add_title": ("アドバイザーの追加", "Add an advisor"),
    "admin_advisor_edit_title": ("アドバイザーの編集", "Edit an advisor"),
    "admin_save": ("保存", "Save"),
    "admin_saved_added": ("アドバイザー {id} を追加しました。", "Advisor {id} was added."),
    "admin_saved_edited": ("アドバイザー {id} を更新しました。", "Advisor {id} was updated."),
    "admin_map_title": ("都道府県別の相談件数", "Consultations by prefecture"),
    "admin_funnel_title": ("紹介のファネル", "Introduction funnel"),
    # the advisor form: one label per field of the data-format contract
    "field_id": ("ID (英数字と _ . -)", "ID (letters, digits, _ . -)"),
    "field_name": ("氏名", "Name"),
    "field_affiliation": ("所属", "Affiliation"),
    "field_kind": ("区分", "Kind"),
    "field_expertise": ("専門・支援できること", "Expertise: what they can help with"),
    "field_fields": ("インフラ分野", "Infrastructure fields"),
    "field_processes": ("業務プロセス", "Business processes"),
    "field_prefecture": ("拠点の都道府県", "Prefecture of their base"),
    "field_municipality": ("拠点の市区町村", "Municipality of their base"),
    "field_regions": ("対応する都道府県(空欄は全国)", "Prefectures served (empty: all of Japan)"),
    "field_capacity": ("同時に受けられる相談数", "Open introductions at a time"),
    "field_status": ("状態", "Status"),
    "field_contact": ("連絡先 (メールまたはチャットのユーザー ID)", "Contact (e-mail or chat user id)"),
    # ---------------------------------------------------------------- the weekly summary (secretariat)
    "summary_title": ("見える化サマリー ({period}、{today} 時点)", "Demand summary ({period}, as of {today})"),
    "summary_since": ("{since} 以降", "since {since}"),
    "summary_all": ("全期間", "all time"),
    "summary_consultations": ("・相談 {n}件 (小課題 {subs}件)", "- {n} consultations ({subs} sub-issues)"),
    "summary_prefectures": ("・相談の多い都道府県: {items}", "- Prefectures with the most consultations: {items}"),
    "summary_demand": ("・多い分野×業務: {items}", "- Most asked field × process: {items}"),
    "summary_item": ("{name} {n}件", "{name} {n}"),
    "summary_funnel": (
        "・紹介: 依頼 {requested}件 → 承諾 {accepted}件 → 完了 {completed}件{rating}"
        " (辞退 {declined}、期限切れ {expired}、回答待ち {open})",
        "- Introductions: {requested} requested → {accepted} accepted → {completed} completed{rating}"
        " ({declined} declined, {expired} expired, {open} waiting)",
    ),
    "summary_rating": ("、平均評価 {rating}/5", ", average rating {rating}/5"),
    "summary_unmet": ("・満たされていないニーズ {n}件: {items}", "- {n} unmet needs: {items}"),
    "summary_full": ("・受け入れ上限に達したアドバイザー: {full}人 / {all}人",
                     "- Advisors at capacity: {full} of {all}"),
    "unspecified": ("未指定", "unspecified"),
}
