"""The one message catalogue: every user-facing text, in Japanese and English, and the labels of codes.

Japanese is polite but warm (です・ます) and short; English when the user writes
English. ``say(lang, key, **values)`` formats one text; the engine, the
deliveries and every renderer (Slack, Teams, terminal, the CLI's labels) use it.

Each entry is ``key: (Japanese, English)``. The catalogue is written in five
tables by topic — ``TEXTS`` here (the conversation), ``NOTICE_TEXTS``
(deliveries and secretariat notes), ``PLATFORM_TEXTS`` (what the front ends
show around the conversation), ``GROUP_TEXTS`` (groups and events) and
``PORTAL_TEXTS`` (what the web portal's people are told) — and merged into
``CATALOGUE``; a key may appear only once. To add a text, add one line to the table of its topic.
"""

from __future__ import annotations

from typing import Literal

from bot.dialogue.group_texts import GROUP_TEXTS
from bot.dialogue.notice_texts import NOTICE_TEXTS
from bot.dialogue.platform_texts import PLATFORM_TEXTS
from bot.dialogue.portal_texts import PORTAL_TEXTS
from knowledge.taxonomy import get_taxonomy
from matching.intake import code_label, pain_codes, wanted_codes

TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- greeting, help
    "greeting": (
        "こんにちは、群マネ相談ボットです。インフラの維持管理で困っていることを伺って課題を整理し、"
        "アドバイザー・先行事例・近隣の技術者・研修をご紹介します。",
        "Hello, I'm the Gunmane consultation bot. Tell me what is hard about maintaining your "
        "infrastructure; I'll sort out the problem and suggest advisors, precedent cases, engineers nearby and "
        "trainings.",
    ),
    "idle_restart": (
        "前回のやり取りから時間が空いたので、新しい相談として始めますね。",
        "It has been a while since we last talked, so let's start a fresh consultation.",
    ),
    "prompt_problem": (
        "どんなことでお困りですか？ 一言でも大丈夫です（例：「橋の点検を頼める人がいない」）。",
        "What is troubling you? A sentence is enough (e.g. \"nobody can inspect our bridges\").",
    ),
    "help": (
        "使い方：お困りごとをそのまま書いてください。足りないことだけ質問し、課題カードにまとめてから候補をご紹介します。\n"
        "・「事例 橋梁 代行」「研修 点検」「近隣 除雪」で、すぐに検索できます。\n"
        "・「戻る」でひとつ前の質問へ、「やり直し」で最初から、「キャンセル」で相談を終えます。\n"
        "・「プロフィール登録」で、ご自身のプロフィールを登録・更新するページのリンクをお送りします。",
        "How to use: just write what is troubling you. I ask only for what is missing, summarise it as an issue "
        "card, then suggest people, cases and trainings.\n"
        "- \"case bridge delegation\", \"training inspection\", \"nearby snow\" search right away.\n"
        "- \"back\" returns to the previous question, \"restart\" starts over, \"cancel\" ends the consultation.\n"
        "- \"profile\" sends you a link to the page where you register or update your own profile.",
    ),
    "restarted": ("承知しました。最初からやり直しましょう。", "All right, let's start over."),
    "cancelled": (
        "相談を取り消しました。またいつでも声をかけてください。",
        "The consultation is cancelled. Talk to me again any time.",
    ),
    "back_none": ("これより前には戻れません。", "There is nothing earlier to go back to."),
    "back_done": ("ひとつ前に戻りました。", "Went back one step."),
    # ---------------------------------------------------------------- bad input
    "empty": (
        "メッセージが空のようです。お困りごとを一言で書いてください。",
        "Your message looks empty. Please write what is troubling you in a sentence.",
    ),
    "no_words": (
        "絵文字や記号だけでは内容がわかりませんでした。お困りごとを言葉で書いていただけますか？",
        "I can't read emoji or symbols alone. Could you describe the problem in words?",
    ),
    "truncated": (
        "長いメッセージでしたので、最初の{limit}文字で内容を理解しました。",
        "That was a long message, so I read its first {limit} characters.",
    ),
    "stale_choice": (
        "そのボタンは前の質問のものです。いまの質問にお答えください。",
        "That button belongs to an earlier question. Please answer the current one.",
    ),
    "expired_choice": (
        "そのボタンは以前の相談のもので、もう使えません。",
        "That button is from an earlier consultation and no longer works.",
    ),
    "foreign_choice": (
        "そのボタンは別の方（または別の会話）の相談のものです。ご自身のメッセージのボタンをお使いください。",
        "That button belongs to someone else's conversation. Please use the buttons in your own messages.",
    ),
    "unknown_choice": (
        "そのボタンは認識できませんでした。もう一度、いまの質問のボタンを押すか、文章で書いてください。",
        "I did not recognise that button. Please press one of the current buttons or type your answer.",
    ),
    "busy": (
        "ほかの操作と重なったため、処理できませんでした。お手数ですが、もう一度送ってください。",
        "That collided with another action in this conversation. Please send it again.",
    ),
    "queue_busy": (
        "混み合っています。少しお待ちください…順番にお答えします。",
        "I am busy right now. Please wait a moment — I will answer in turn.",
    ),
    "internal_error": (
        "申し訳ありません、うまく処理できませんでした。会話はそのまま残っていますので、もう一度お試しください。",
        "Sorry, something went wrong on my side. The conversation is kept; please try again.",
    ),
    # ---------------------------------------------------------------- municipality
    "ask_municipality": (
        "どちらの自治体のご担当ですか？（例：「奈良県宇陀市」。県の職員の方は「奈良県」）",
        "Which municipality do you work for? (e.g. \"奈良県宇陀市\"; "
        "prefectural staff: the prefecture, e.g. \"奈良県\")",
    ),
    "municipality_hint": ("自治体名を書いてください", "Type the municipality's name"),
    "ask_ambiguous": (
        "「{name}」は複数の都道府県にあります。どちらの{name}ですか？",
        "There is more than one \"{name}\". Which prefecture is yours?",
    ),
    "municipality_not_found": (
        "「{text}」という自治体が見つかりませんでした。",
        "I could not find a municipality called \"{text}\".",
    ),
    "municipality_suggest": ("近い名前の候補です。どちらかですか？", "Close names — is it one of these?"),
    "municipality_set": ("{place}のご担当ですね。覚えておきます。", "{place} — noted, I'll remember it."),
    "municipality_other": ("ほかの自治体（入力する）", "Another one (type it)"),
    # ---------------------------------------------------------------- missing items
    "ask_fields": ("どの施設の話ですか？", "Which kind of facility is this about?"),
    "ask_processes": ("どの業務のことですか？", "Which kind of work is it?"),
    "ask_wanted": ("どんな助けがあるとよいですか？", "What kind of help would be useful?"),
    "ask_likely_fields": (
        "どの施設の話でしょうか？近そうなものを挙げました。",
        "Which facility is it? These look closest.",
    ),
    "ask_likely_processes": (
        "どの業務のことでしょうか？近そうなものを挙げました。",
        "Which kind of work is it? These look closest.",
    ),
    "ask_also_fields": (
        "「{have}」のほかに、次の施設の話も含まれますか？",
        "Besides {have}, is it about any of these too?",
    ),
    "ask_also_processes": (
        "「{have}」のほかに、次の業務も含まれますか？",
        "Besides {have}, is any of this work part of it too?",
    ),
    "more_fields": ("ほかの施設（一覧から選ぶ）", "Another facility (full list)"),
    "more_processes": ("ほかの業務（一覧から選ぶ）", "Other work (full list)"),
    "likely_none": ("いいえ（{have}だけ）", "No, just {have}"),
    "about_sub": ("（課題{n}「{text}」について）", "(About issue {n}: \"{text}\")"),
    "free_hint": ("当てはまらなければ、文章で書いてください", "If none fits, type your own answer"),
    "skip": ("わからない・その他", "Not sure / other"),
    "skip_wanted": ("おまかせ", "Anything helpful"),
    "noted_free": ("承知しました。いただいた説明で探します。", "Noted — I'll search with your description."),
    "split_note": (
        "{n}つのお困りごとに分けて整理しますね。",
        "I'll treat this as {n} separate problems.",
    ),
    # ---------------------------------------------------------------- card
    "card_title": ("課題カード", "Issue card"),
    "card_intro": (
        "内容をまとめました。この内容で探してよろしいですか？",
        "Here is my summary. Shall I search with it?",
    ),
    "card_municipality": ("自治体", "Municipality"),
    "card_issue": ("課題{n}", "Issue {n}"),
    "card_fields": ("分野", "Field"),
    "card_processes": ("業務", "Work"),
    "card_pains": ("困りごと", "Difficulty"),
    "card_wanted": ("希望する支援", "Help wanted"),
    "card_none": ("（指定なし）", "(none)"),
    "card_unknown_place": ("（未設定）", "(not set)"),
    "accept": ("この内容で探す", "Search with this"),
    "edit": ("修正する", "Edit"),
    "restart_button": ("やり直す", "Start over"),
    "confirm_hint": (
        "よろしければ「この内容で探す」を、直すところがあれば「修正する」を押してください。",
        "Press \"Search with this\", or \"Edit\" to change something.",
    ),
    "added_details": ("いただいた内容をカードに書き加えました。", "I added that to the card."),
    "retyped": (
        "書き直した内容として受け取りました。",
        "I'll take that as a new description of the problem.",
    ),
    # ---------------------------------------------------------------- editing
    "ask_edit_pick": ("どこを直しますか？", "What would you like to change?"),
    "ask_edit_item": ("課題{n}のどこを直しますか？", "What in issue {n} would you like to change?"),
    "edit_text_item": ("課題の文章", "The description"),
    "edit_delete": ("この課題を削除", "Remove this issue"),
    "edit_retype": ("全部書き直す", "Rewrite everything"),
    "ask_edit_value_fields": ("分野を選んでください。", "Choose the field."),
    "ask_edit_value_processes": ("業務を選んでください。", "Choose the work."),
    "ask_edit_value_pains": ("困りごとを選んでください。", "Choose the difficulty."),
    "ask_edit_value_wanted": ("希望する支援を選んでください。", "Choose the help you want."),
    "clear_value": ("なし（空にする）", "None (clear)"),
    "ask_edit_text": ("課題{n}の新しい文章を書いてください。", "Type the new description of issue {n}."),
    "ask_retype": ("お困りごとを、もう一度書いてください。", "Please describe the problem again."),
    "edit_not_understood": (
        "すみません、選択肢のどれに当たるか読み取れませんでした。ボタンから選ぶか、別の言い方で書いてください。",
        "Sorry, I couldn't match that to any of the options. Pick a button or put it another way.",
    ),
    # ---------------------------------------------------------------- results
    "searching_done": (
        "課題ごとに候補をお探ししました。理由も添えています。",
        "Here are suggestions for each issue, each with the reason it was chosen.",
    ),
    "results_title": ("課題{n}「{text}」— {kind}", "Issue {n} \"{text}\" — {kind}"),
    "lookup_title": ("「{words}」の{kind}", "{kind} for \"{words}\""),
    "no_results": ("{kind}：今回は合う候補が見つかりませんでした。", "{kind}: nothing suitable this time."),
    "window_title": ("相談窓口（{prefecture}）", "Consultation window ({prefecture})"),
    "window_why": (
        "{prefecture}を担当する国土交通省の自治体メンテ相談窓口です。",
        "MLIT's municipal maintenance consultation window covering {prefecture}.",
    ),
    "window_detail": ("電話 {phone} ／ メール {email}", "Phone {phone} / email {email}"),
    "results_next": (
        "話を聞いてみたい方がいれば「紹介を依頼」を押してください。別のお困りごとがあれば、そのまま書いてください。",
        "Press \"Request introduction\" to be put in touch with someone. For another problem, just write it.",
    ),
    "more": ("もっと見る", "Show more"),
    "more_none": ("これ以上の候補はありません。", "There are no more suggestions."),
    "request_intro": ("紹介を依頼", "Request introduction"),
    "lookup_needs_words": (
        "何を探しますか？ 言葉を続けてください（例：「事例 橋梁 代行」「研修 点検」「近隣 除雪」）。",
        "What should I look for? Add some words (e.g. \"case bridge delegation\", \"training inspection\").",
    ),
    "lookup_continue": (
        "（相談の続きは、さきほどの質問にお答えください）",
        "(To continue the consultation, answer the earlier question.)",
    ),
    "lookup_place_hint": (
        "自治体を教えていただくと、近い方・近い研修を優先してご紹介できます。",
        "Tell me your municipality and I can favour people and trainings near you.",
    ),
    # ---------------------------------------------------------------- introductions (requester)
    "intro_requested": (
        "{name}さんへの紹介を依頼しました。これから{name}さんに課題カードをお送りし、お受けいただけるか伺います。"
        "連絡先は、先方が承諾したあとにお互いにお知らせします。事務局にも依頼を共有しました。",
        "I have requested an introduction to {name}. I'll send them your issue card and ask whether they can help. "
        "Contact details are shared with both of you only after they accept. The secretariat has been informed too.",
    ),
    "intro_already": (
        "{name}さんへの紹介はすでに依頼済みです（状態：{state}）。",
        "You have already requested an introduction to {name} (status: {state}).",
    ),
    "intro_unavailable": (
        "申し訳ありません、{name}さんは現在ご紹介を受け付けていません。ほかの候補をお選びください。",
        "Sorry, {name} is not taking introductions at the moment. Please choose someone else.",
    ),
    "intro_not_offered": (
        "その方は、この相談でご紹介した候補には含まれていません。",
        "That person was not among the suggestions for this consultation.",
    ),
    # ---------------------------------------------------------------- introductions (target)
    "intro_ask_target": (
        "{name}さん、群マネ相談ボットです。{place}の技術者の方から、次のご相談についてお話を伺いたいとのご依頼がありました。"
        "お受けいただけますか？（承諾いただくと、お互いの連絡先をお知らせします）",
        "Hello {name}, this is the Gunmane consultation bot. An engineer from {place} would like to talk with you "
        "about "
        "the issue below. Can you help? (If you accept, we share both contacts.)",
    ),
    "intro_request_card": ("ご相談の内容", "The consultation"),
    "intro_accept": ("お受けする", "Accept"),
    "intro_decline": ("今回は見送る", "Decline"),
    "intro_thanks_accept": (
        "ありがとうございます。依頼者にお伝えし、お互いの連絡先を共有します。",
        "Thank you. I'll tell the requester and share both contacts.",
    ),
    "intro_thanks_decline": (
        "承知しました。依頼者には別の候補をご案内します。ご回答ありがとうございました。",
        "Understood. I'll offer the requester another candidate. Thank you for answering.",
    ),
    "intro_not_target": (
        "この紹介への回答は、依頼を受けたご本人だけができます。",
        "Only the person who was asked can answer this introduction request.",
    ),
    "intro_conflict": (
        "この紹介はすでに「{state}」になっているため、変更できませんでした。",
        "This introduction is already \"{state}\", so it could not be changed.",
    ),
    "intro_capacity": (
        "現在お引き受けの件数が上限に達しているため、承諾できませんでした。事務局にご相談ください。",
        "You are at your limit of open introductions, so this could not be accepted. Please contact the secretariat.",
    ),
    "intro_missing": (
        "その紹介の記録が見つかりませんでした。",
        "I could not find that introduction.",
    ),
    # ---------------------------------------------------------------- introductions (after)
    "intro_accepted_news": (
        "紹介が成立しました。{target}さんが承諾してくださいました。以下の連絡先で直接やり取りしてください。",
        "The introduction is confirmed: {target} accepted. Please get in touch directly using the contacts below.",
    ),
    "intro_card_title": ("ご紹介", "Introduction"),
    "intro_requester": ("依頼者", "Requester"),
    "intro_requester_contact": ("依頼者の連絡先", "Requester's contact"),
    "intro_target": ("紹介先", "Introduced person"),
    "intro_target_contact": ("紹介先の連絡先", "Their contact"),
    "intro_declined_news": (
        "{target}さんは、今回はお受けできないとのことでした。",
        "{target} cannot take this request this time.",
    ),
    "intro_next_candidate": ("次の候補", "Next candidate"),
    "intro_no_next": (
        "ほかの候補は見つかりませんでした。相談窓口や事務局にもご相談いただけます。",
        "There are no other candidates; the consultation window or the secretariat can help further.",
    ),
    "contact_on": ("{platform} のユーザー {user}", "{platform} user {user}"),
    "engineer_of": ("{place}の技術者", "an engineer of {place}"),
    # ---------------------------------------------------------------- counselling (issue 10)
    "counsel_intro": (
        "状況を少しずつ伺って、課題を一緒に整理しますね。いくつか質問します（選ぶか、自由に書いてください）。",
        "Let's sort out the problem together. I'll ask a few questions — pick an answer or write freely.",
    ),
    "counsel_question": ("質問{n}：{text}", "Question {n}: {text}"),
    "counsel_free_hint": (
        "当てはまらなければ、ご自分の言葉で書いてください", "If none fits, write it in your own words",
    ),
    "counsel_noted": (
        "ありがとうございます。いただいた言葉のまま記録しました。", "Thank you — noted in your own words.",
    ),
    "counsel_assessment": (
        "伺った内容から、次のような課題ではないかと見立てました。",
        "From what you told me, this is my first assessment of the problem:",
    ),
    "counsel_reason": ("{quotes}とのことから。", "because you said {quotes}."),
    "counsel_schemes": ("合いそうな連携の型：{schemes}", "Schemes that may fit: {schemes}"),
    "card_title_row": ("件名", "Title"),
    "card_schemes": ("連携の型", "Schemes"),
    # ---------------------------------------------------------------- answers from the knowledge base
    "answer_source": ("出典：{source}", "Source: {source}"),
    "answer_unknown": (
        "申し訳ありません、そのご質問にはこのボットの知識ではお答えできません。正確なことは、地域の相談窓口か、アドバイザーにお尋ねください。",
        "Sorry, that question is beyond what this bot knows. For an accurate answer, please ask your regional "
        "consultation "
        "window or an advisor.",
    ),
    "answer_offer": ("あわせてご案内できます：", "I can also show you:"),
    "offer_cases": ("{scheme}の先行事例を見る", "Precedent cases of {scheme}"),
    "offer_advisor": ("アドバイザーに相談する", "Consult an advisor"),
    "offer_window": ("地域の相談窓口を見る", "My regional consultation window"),
    "offer_window_needs_place": (
        "どちらの自治体のご担当か教えていただければ、地域の相談窓口をご案内します（例：「奈良県宇陀市です」）。",
        "Tell me your municipality and I'll show your regional consultation window (e.g. \"Uda city, Nara\").",
    ),
    "offer_advisor_next": (
        "アドバイザーへのご相談ですね。お困りのことを一言で書いていただければ、合う方をお探しします。",
        "Happy to find an advisor: describe the problem in a sentence and I'll look for a good fit.",
    ),
    "thanks_reply": ("どういたしまして。ほかにもお困りのことがあれば、いつでも書いてください。",
                     "You're welcome. Write any time something else comes up."),
    "answer_then_counsel": ("ここからは、ご相談の内容を伺いますね。", "Now, about your own situation:"),
    # ---------------------------------------------------------------- named requests
    "named_found_cases": (
        "「{target}」に関わる先行事例です。事例の団体の方への紹介を依頼できます（連絡先は、先方が承諾してからお知らせします）。",
        "Precedent cases involving \"{target}\". You can ask to be introduced to someone at the body behind a case "
        "(contacts are shared only after they accept).",
    ),
    "named_found_people": ("「{target}」の技術者で、紹介を受けてもよいとされている方です。",
                           "Engineers of \"{target}\" who agreed to be introduced."),
    "named_body_only": (
        "「{target}」の事例や、紹介を受けてもよいとされている技術者は登録されていません。事務局に紹介先を探してもらうよう依頼できます。",
        "No case or consenting engineer of \"{target}\" is on record. I can ask the secretariat to find someone "
        "for you.",
    ),
    "named_nothing": (
        "お名前の団体や事例が見つかりませんでした。自治体名や事例の型（例：「三条市」「奈良県の代行」）で、もう一度書いていただけますか？",
        "I could not find that body or case. Could you name the municipality or the scheme (e.g. \"Sanjo\", "
        "\"delegation in Nara\")?",
    ),
    "named_broker_button": ("事務局に紹介を依頼", "Ask the secretariat"),
    "request_case_intro": ("この事例の方に紹介を依頼", "Request an introduction"),
    "intro_case_engineer": (
        "事例「{case}」に関わる{place}の技術者の方に紹介を依頼しました。先方が承諾したら、お互いの連絡先をお知らせします。",
        "I asked an engineer of {place} involved in \"{case}\" for an introduction. Contacts are shared once they "
        "accept.",
    ),
    "intro_brokered": (
        "「{case}」の団体の方への紹介を、事務局に依頼しました。事務局が担当の方を探してつなぎます（連絡先は、先方が承諾してからお知らせします）。",
        "I asked the secretariat to find someone at the body behind \"{case}\" and put you in touch (contacts are "
        "shared "
        "only after they accept).",
    ),
    "intro_brokered_already": (
        "その紹介は、すでに事務局に依頼済みです。", "You have already asked the secretariat for that.",
    ),
    # ---------------------------------------------------------------- honest results
    "below_floor": (
        "{kind}：ご相談に十分合う候補は見つかりませんでした。",
        "{kind}: nothing fits your problem well enough to suggest.",
    ),
    "unmet_all": (
        "今回は、ご相談に十分合う候補が見つかりませんでした。無理にご紹介はしません。地域の相談窓口か、アドバイザーにご相談ください。"
        "このご相談は、事務局が支援の足りない分野として把握します。",
        "This time nothing fits your problem well enough, so I won't suggest anything weak. Please ask your regional "
        "consultation window or an advisor; the secretariat records this as a need that is not yet met.",
    ),
}

# One label per kind of record (the same codes as ``wanted``), used for headings and in every renderer.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "advisor": ("アドバイザー", "Advisor"),
    "case": ("先行事例", "Precedent case"),
    "engineer": ("近隣の技術者", "Nearby engineer"),
    "training": ("研修・視察", "Training / site visit"),
    "technology": ("新技術", "New technology"),
    "window": ("相談窓口", "Consultation window"),
}

STATE_LABELS: dict[str, tuple[str, str]] = {
    "requested": ("返事待ち", "waiting for an answer"),
    "accepted": ("成立", "accepted"),
    "declined": ("見送り", "declined"),
    "expired": ("期限切れ", "expired"),
    "completed": ("完了", "completed"),
}

PLATFORM_LABELS: dict[str, tuple[str, str]] = {
    "slack": ("Slack", "Slack"),
    "teams": ("Teams", "Teams"),
    "lineworks": ("LINE WORKS", "LINE WORKS"),
    "terminal": ("端末", "the terminal"),
}


_INTAKE_KINDS: dict[str, Literal["field", "process", "pain", "wanted"]] = {
    "fields": "field", "processes": "process", "pains": "pain", "wanted": "wanted"}


def _merged(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        twice = merged.keys() & table.keys()
        if twice:
            raise ValueError(f"message keys defined twice in the catalogue: {', '.join(sorted(twice))}")
        merged.update(table)
    return merged


CATALOGUE = _merged(TEXTS, NOTICE_TEXTS, PLATFORM_TEXTS, GROUP_TEXTS, PORTAL_TEXTS)


def say(lang: str, key: str, **values: object) -> str:
    ja, en = CATALOGUE[key]
    text = en if lang == "en" else ja
    return text.format(**values) if values else text


def _pair(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    if code in table:
        return table[code][1 if lang == "en" else 0]
    return code


def label(kind: str, code: str, lang: str) -> str:
    """Display label of a code of ``kind``: fields, processes, pains, wanted (the intake's labels), state, kind,
    platform."""
    if kind == "state":
        return _pair(STATE_LABELS, code, lang)
    if kind == "kind":
        return _pair(KIND_LABELS, code, lang)
    if kind == "platform":
        return _pair(PLATFORM_LABELS, code, lang)
    return code_label(_INTAKE_KINDS[kind], code, "en" if lang == "en" else "ja")


def labels(kind: str, codes: list[str], lang: str) -> str:
    if not codes:
        return say(lang, "card_none")
    return ("、" if lang != "en" else ", ").join(label(kind, c, lang) for c in codes)


def scheme_labels(codes: list[str], lang: str) -> str:
    """「代行、共同発注」 — the taxonomy labels of scheme codes."""
    tax = get_taxonomy()
    return ("、" if lang != "en" else ", ").join(tax.english(c) if lang == "en" else tax.label(c) for c in codes)


def choice_codes(kind: str) -> list[str]:
    """The codes offered as choices for one card item."""
    if kind in ("fields", "processes"):
        return get_taxonomy().codes(kind)
    if kind == "pains":
        return pain_codes()
    return wanted_codes()


def shorten(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
