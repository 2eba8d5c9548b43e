"""Catalogue entries for what the web portal's people are told in chat or by mail.

Part of the one message catalogue (``bot.dialogue.messages.say``): key →
(Japanese, English). A 群マネサポーター applicant hears the secretariat's
decision; an engineer gets the link to their own profile page, from the bot
(「プロフィール登録」) or sent by the secretariat.
"""

from __future__ import annotations

PORTAL_TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- 群マネサポーター applications
    "supporter_certified": (
        "{name} 様\n\n群マネサポーターへのご応募ありがとうございます。事務局で確認し、認定しました（登録ID: {id}）。\n"
        "これから、ご専門に合う相談があると、自治体の技術者に紹介されます。紹介の依頼が届いたら、"
        "お受けになるかどうかをお知らせください。\n\n群マネ事務局",
        "Dear {name},\n\nThank you for applying to be a Gunmane supporter. The secretariat has reviewed and "
        "certified your application (registration id: {id}).\nFrom now on you may be introduced to municipal "
        "engineers whose consultations fit your expertise; when a request reaches you, please say whether you can "
        "take it.\n\nThe Gunmane secretariat",
    ),
    "supporter_rejected": (
        "{name} 様\n\n群マネサポーターへのご応募ありがとうございます。事務局で確認しましたが、"
        "次の理由により今回は認定を見送りました。\n\n{reason}\n\n群マネ事務局",
        "Dear {name},\n\nThank you for applying to be a Gunmane supporter. The secretariat has reviewed your "
        "application and will not certify it this time, for this reason:\n\n{reason}\n\nThe Gunmane secretariat",
    ),
    # ---------------------------------------------------------------- trainings submitted by organisers
    "submission_approved": (
        "{name} 様\n\nお送りいただいた「{title}」をポータルに掲載しました(掲載ID: {id})。\n"
        "内容の修正は事務局までご連絡ください。\n\n群マネ事務局",
        "Dear {name},\n\nThe training you sent, \"{title}\", is now published on the portal (id: {id}).\n"
        "Please contact the secretariat to change it.\n\nThe Gunmane secretariat",
    ),
    "submission_rejected": (
        "{name} 様\n\nお送りいただいた「{title}」は、次の理由により掲載を見送りました。\n\n{reason}\n\n"
        "内容を改めてお送りいただくこともできます。\n\n群マネ事務局",
        "Dear {name},\n\nThe training you sent, \"{title}\", is not published, for this reason:\n\n{reason}\n\n"
        "You are welcome to send it again.\n\nThe Gunmane secretariat",
    ),
    # ---------------------------------------------------------------- 視察の束: hosts and visitors
    "host_published": (
        "{name} 様\n\n視察の受け入れ「{title}」をポータルに公開しました。\n"
        "お申し込みは、お送りした管理用リンクから日程ごとにまとめて確認できます。\n\n群マネ事務局",
        "Dear {name},\n\nYour site visits \"{title}\" are now published on the portal.\n"
        "You can see the requests, bundled per date, through the management link you were sent.\n\n"
        "The Gunmane secretariat",
    ),
    "visit_confirmed": (
        "{name} 様\n\n{body}「{title}」の視察 ({day}、{place}) へのご参加が決まりました。\n"
        "受け入れ担当: {contact_name} ({contact})\n同じ日に参加する他の自治体とあわせて、一度の視察として受け入れます。"
        "\n\n群マネ事務局",
        "Dear {name},\n\nYour visit to {body}, \"{title}\" ({day}, {place}) is confirmed.\n"
        "Host contact: {contact_name} ({contact})\nThe host receives the municipalities visiting that day together, "
        "as one visit.\n\nThe Gunmane secretariat",
    ),
    "visit_declined": (
        "{name} 様\n\n{body}「{title}」の視察 ({day}) は、今回は受け入れが難しいとのことでした。"
        "ポータルの別の日程もご覧ください。\n\n群マネ事務局",
        "Dear {name},\n\nThe host of {body}, \"{title}\" cannot receive your visit on {day}. Please see the "
        "other dates on the portal.\n\nThe Gunmane secretariat",
    ),
    # ---------------------------------------------------------------- an engineer's own profile
    "profile_link": (
        "技術者プロフィールの登録・更新はこちらのページからどうぞ（{days}日間有効です）。\n{url}\n"
        "近隣の自治体に紹介してよいかどうかの同意や、登録の削除も同じページでできます。",
        "Register or update your engineer profile on this page (the link works for {days} days):\n{url}\n"
        "There you can also give or withdraw your consent to be introduced to nearby municipalities, or erase "
        "your profile.",
    ),
    "profile_link_from_secretariat": (
        "群マネ事務局です。{name}様の技術者プロフィールの確認・更新をお願いします（リンクは{days}日間有効です）。\n"
        "{url}\n近隣の自治体に紹介してよいかどうかの同意や、登録の削除も同じページでできます。",
        "This is the Gunmane secretariat. Please check and update your engineer profile, {name} (the link works "
        "for {days} days):\n{url}\nThere you can also give or withdraw your consent to be introduced to nearby "
        "municipalities, or erase your profile.",
    ),
    "profile_unavailable": (
        "技術者プロフィールの登録ページは、いまは用意されていません。登録や変更は事務局にお問い合わせください。",
        "The engineer profile page is not available at the moment. Please ask the secretariat to register or "
        "change your profile.",
    ),
}
