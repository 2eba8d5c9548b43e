"""Catalogue entries for groups (群) and new-technology events (新技術の束): invitations, answers, notes.

Part of the one message catalogue (``bot.dialogue.messages.say``): key → (Japanese, English).
An invitation names bodies, never people; names and contacts appear only in the roster that
members who all accepted receive. Secretariat notes name the group or event and the body,
never a person, a contact or a chat id.
"""

from __future__ import annotations

GROUP_TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- group invitations
    "group_invite_text": (
        "人の群マネ事務局です。{body}からいただいたご相談と同じく、近隣の{nearby}も「{need}」について相談を寄せて"
        "います。共通の課題を持つ団体どうしのグループ「{group}」にご紹介してもよろしいでしょうか。\n"
        "参加を希望された団体どうしにだけ、お互いの団体名と担当者名・連絡先をお知らせします。見送られても、"
        "貴団体が他の団体に知らされることはありません。",
        "This is the Gunmane secretariat. Like {body}, the nearby {nearby} have asked about “{need}”. May we "
        "introduce you to “{group}”, a group of bodies that share this problem?\n"
        "Only bodies that say yes see each other's names, engineers and contacts. If you pass, no other body is told "
        "about yours.",
    ),
    "group_invite_title": ("グループへのご案内", "An invitation to a group"),
    "group_row_group": ("グループ", "Group"),
    "group_row_need": ("共通の課題", "Shared need"),
    "group_row_nearby": ("同じ課題の近隣の団体", "Nearby bodies with the same need"),
    "group_nearby_none": ("近隣の団体", "bodies"),
    "group_need_none": ("共通の課題", "a shared problem"),
    "group_join": ("参加したい", "I'd like to join"),
    "group_pass": ("今回は見送る", "Not this time"),
    "group_thanks_accept": (
        "ありがとうございます。グループ「{group}」への参加を承りました。参加を希望された団体どうしで、"
        "団体名と担当者名・連絡先をお知らせします。",
        "Thank you: you are in “{group}”. The bodies that said yes get each other's names and contacts.",
    ),
    "group_thanks_decline": (
        "承知しました。今回は見送りと承りました。貴団体がグループの他の団体に知らされることはありません。",
        "Understood: you pass this time. No other body of the group is told about yours.",
    ),
    "group_already": ("すでに「{answer}」とお返事いただいています。", "You already answered “{answer}”."),
    "group_answer_gone": (
        "このご案内はもう有効ではありません（グループの構成が変わりました）。事務局にお問い合わせください。",
        "This invitation is no longer valid (the group has changed). Please ask the secretariat.",
    ),
    "group_not_yours": (
        "このご案内にはお答えいただけません（ご案内を受けた団体のご担当者だけが回答できます）。",
        "You cannot answer this invitation (only the engineers it was sent to can).",
    ),
    # ---------------------------------------------------------------- the roster (everyone in it accepted)
    "group_joined_news": (
        "グループ「{group}」に{body}が参加されました。参加を希望された団体どうしの名簿をお送りします"
        "（お送りしている皆さまは全員、参加を希望されています）。",
        "{body} joined “{group}”. Here is the list of the bodies that said yes (everyone receiving this said yes).",
    ),
    "group_roster_title": ("「{group}」の参加団体", "Members of “{group}”"),
    "group_roster_person": ("{names}（{contacts}）", "{names} ({contacts})"),
    "group_roster_unnamed": ("ご担当者", "the engineer"),
    "group_contact_none": ("連絡先は事務局にお問い合わせください", "ask the secretariat for the contact"),
    "group_waiting": (
        "参加のお返事ありがとうございます。ほかの団体から参加のお返事があり次第、こちらでお知らせします。",
        "Thank you for saying yes. As soon as another body joins, you will hear here.",
    ),
    # ---------------------------------------------------------------- event invitations and answers
    "event_invite_text": (
        "グループ「{group}」向けの新技術説明会のご案内です。ご参加いただけますか。",
        "An invitation to a new-technology session for “{group}”. Will you attend?",
    ),
    "event_invite_title": ("新技術説明会のご案内", "New-technology session"),
    "event_row_date": ("日時", "Date"),
    "event_row_place": ("場所", "Where"),
    "event_row_techs": ("紹介する技術", "Technologies"),
    "event_row_presenters": ("発表する企業", "Presenting"),
    "event_online": ("オンライン（{url}）", "online ({url})"),
    "event_attend": ("参加", "Attend"),
    "event_decline": ("不参加", "Not attending"),
    "event_thanks_attend": ("ありがとうございます。{date}の説明会にご参加と承りました。前日にもご案内します。",
                            "Thank you: you attend the session on {date}. You will hear again the day before."),
    "event_thanks_decline": ("承知しました。{date}の説明会は不参加と承りました。",
                             "Understood: you will not attend the session on {date}."),
    "event_not_yours": (
        "この説明会のご案内にはお答えいただけません（グループへの参加を希望された団体のご担当者だけが回答できます）。",
        "You cannot answer this invitation (only the engineers of bodies that joined the group can).",
    ),
    "event_gone": ("この説明会のご案内はもう有効ではありません。事務局にお問い合わせください。",
                   "This session invitation is no longer valid. Please ask the secretariat."),
    "event_over": ("{date}の説明会はすでに終わっています。", "The session on {date} is already over."),
    "event_reminder_text": (
        "【説明会のご案内】{date}に、グループ「{group}」向けの新技術説明会があります。ご参加をお待ちしています。",
        "[Reminder] The new-technology session for “{group}” is on {date}. We look forward to seeing you.",
    ),
    # ---------------------------------------------------------------- after the event: adopting together
    "adoption_ask": (
        "{date}の説明会にご参加いただきありがとうございました。紹介した技術ごとに、グループで共同導入を"
        "検討したいかお聞かせください。",
        "Thank you for attending the session on {date}. For each technology, would you like the group to consider "
        "adopting it together?",
    ),
    "adoption_consider": ("共同導入を検討したい", "Consider adopting together"),
    "adoption_pass": ("見送る", "Pass"),
    "adoption_row_vendor": ("企業", "Vendor"),
    "adoption_row_contact": ("企業の連絡先", "Vendor contact"),
    "adoption_thanks_consider": (
        "ありがとうございます。「{tech}」を共同導入を検討したいと承りました。事務局からグループの皆さまにご相談します。",
        "Thank you: you would consider adopting “{tech}” together. The secretariat will talk it over with the group.",
    ),
    "adoption_thanks_pass": ("承知しました。「{tech}」は見送りと承りました。", "Understood: you pass on “{tech}”."),
    "adoption_not_yet": ("「{tech}」へのご回答は、説明会（{date}）のあとにお願いします。",
                         "Please answer about “{tech}” after the session ({date})."),
    "adoption_not_attended": ("共同導入のご意向は、説明会に参加された団体にだけお伺いしています。",
                              "Only bodies that attended the session are asked about adopting together."),
    # ---------------------------------------------------------------- vendors (by mail, from the outbox)
    "vendor_mail": (
        "{vendor} 様\n人の群マネ事務局です。{prefectures}の{n}団体が「{need}」について共通の課題を持っています。"
        "{date} {place} の説明会で「{tech}」をご紹介いただけませんか。"
        "参加の可否をこのメールへの返信でお知らせください。",
        "Dear {vendor},\nThis is the Gunmane secretariat. {n} bodies in {prefectures} share a problem with “{need}”. "
        "Would you present “{tech}” at the session on {date} ({place})? Please reply to this mail.",
    ),
    "vendor_unnamed": ("ご担当者", "Sir or Madam"),
    "vendor_nearby": ("近隣", "the region"),
    # ---------------------------------------------------------------- secretariat notes (no people, no contacts)
    "note_group_by_mail": (
        "【事務局】グループ #{id}「{group}」: {body}のご担当者にチャットで{what}を届けられませんでした。"
        "メール等でお知らせください（`gunmane groups invite` と同じ内容です）。",
        "[Secretariat] Group #{id} “{group}”: the {what} did not reach {body}'s engineer in chat; please send it by "
        "mail.",
    ),
    "note_what_invitation": ("ご案内", "invitation"),
    "note_what_roster": ("参加団体の名簿", "list of members"),
    "note_group_joined": ("【事務局】グループ #{id}「{group}」: {body}が参加を希望しました"
                          "（参加 {n}団体 / {total}団体）。",
                          "[Secretariat] Group #{id} “{group}”: {body} joined ({n} of {total} bodies)."),
    "note_group_declined": ("【事務局】グループ #{id}「{group}」: {body}は今回は見送りました。",
                            "[Secretariat] Group #{id} “{group}”: {body} passed this time."),
    "note_group_no_answer": (
        "【事務局】グループ #{id}「{group}」: {body}からは{days}日間お返事がなかったため、"
        "返事なし（不参加）として扱います。",
        "[Secretariat] Group #{id} “{group}”: no answer from {body} in {days} days; it is left out (no answer).",
    ),
    "note_event_by_mail": (
        "【事務局】説明会 #{id}（{date}）: {body}のご担当者にチャットで{what}を届けられませんでした。"
        "メール等でお知らせください。",
        "[Secretariat] Session #{id} ({date}): the {what} did not reach {body}'s engineer in chat; please send it by "
        "mail.",
    ),
    "note_what_event_invitation": ("説明会のご案内", "invitation"),
    "note_what_reminder": ("前日のご案内", "reminder"),
    "note_what_adoption": ("共同導入のご意向の確認", "adoption question"),
    "note_event_rsvp": ("【事務局】説明会 #{id}（{date}）: {body}は{answer}です（参加 {n}団体）。",
                        "[Secretariat] Session #{id} ({date}): {body} — {answer} ({n} attending)."),
    "note_adoption": ("【事務局】説明会 #{id}: {body}は「{tech}」について「{answer}」と回答しました。",
                      "[Secretariat] Session #{id}: {body} answered “{answer}” about “{tech}”."),
    # ---------------------------------------------------------------- the report's summary
    "summary_groups": (
        "・グループ: {groups}件（参加を希望した団体 {accepted} / 案内した団体 {invited}）、説明会 {events}件、"
        "参加 {attending}団体、共同導入を検討したい {interested}団体",
        "- Groups: {groups} ({accepted} of {invited} invited bodies joined), sessions {events}, {attending} bodies "
        "attended, {interested} would consider adopting together",
    ),
    # ---------------------------------------------------------------- technologies in the dialogue's results
    "catalogue_netis": ("NETIS登録", "NETIS"),
    "catalogue_inspection_catalogue": ("点検支援技術性能カタログ掲載", "MLIT inspection-support catalogue"),
    "technology_note": (
        "新技術の事業者の連絡先は、事務局が説明会やご紹介を調整し、事業者が応じてからお知らせします。"
        "同じ課題の近隣の団体とまとめて説明を聞く場（新技術の束）も事務局が用意します。",
        "The vendors' contacts are shared once the secretariat has arranged a session or an introduction and the "
        "vendor has agreed. The secretariat also arranges sessions for nearby bodies with the same need.",
    ),
}
