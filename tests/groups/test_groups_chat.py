"""Group invitations in chat: Slack and Teams (real servers on loopback), the outbox, consent and the roster."""

from __future__ import annotations

from pathlib import Path

from chat_stacks import ChatStacks, has_button, slack_text, teams_buttons, teams_text
from groups_fixtures import CONSULTATIONS, write_jsonl

from bot.relay.group_jobs import answer_group_invitation, send_group_invitations
from bot.secretariat import group_consent, groups
from bot.secretariat.consultations import import_consultations
from knowledge.models import GroupMember
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder
from matching.groups import Params
from tests.slack.conftest import SECRETARIAT

SONI, UDA = "U0SONI", "U0UDA"                 # Slack engineers of 曽爾村 and 宇陀市
MITSUE = "aad-mitsue"                         # the Teams engineer of 御杖村
CONTACTS = {"hc-001": f"slack:{SONI}", "hc-002": f"teams:{MITSUE}", "hc-003": "higashi@example.jp",
            "hc-004": f"slack:{UDA}"}


def chat_consultations() -> list[dict[str, object]]:
    """The groups fixtures, with the bridge group's engineers reachable in chat (and 東吉野村 by mail)."""
    return [{**row, "contact": CONTACTS[str(row["id"])]} if row["id"] in CONTACTS else dict(row)
            for row in CONSULTATIONS]


def bridge_group(stacks: ChatStacks, settings: Settings, tmp_path: Path) -> int:
    import_consultations(stacks.db, write_jsonl(tmp_path / "c.jsonl", chat_consultations()), actor="test",
                         settings=settings, embedder=FakeEmbedder())
    suggestion = next(s for s in groups.suggest(stacks.db, FakeEmbedder(), Params()) if s.fields == ("bridge",))
    with stacks.db.session() as session:
        return groups.create_group(session, suggestion.id, name="宇陀エリア橋梁点検", actor="test").id


def member_id(stacks: ChatStacks, body: str) -> int:
    with stacks.db.session() as session:
        return session.query(GroupMember).filter_by(municipality=body).one().id


def press_slack(stacks: ChatStacks, user: str, label: str, answer: str) -> None:
    """Press ``label`` on the last message to ``user`` that has it, and wait for the bot's answer there."""
    calls = [c for c in stacks.slack_messages_to(user) if has_button(c, label)]
    assert calls, f"{user} has no message with {label!r}"
    before = stacks.posted()
    assert stacks.slack.click(calls[-1], label, user=user).status == 200
    stacks.wait_posted(lambda c: c not in before and answer in slack_text([c]))


def state(stacks: ChatStacks, body: str) -> str:
    with stacks.db.session() as session:
        return session.query(GroupMember).filter_by(municipality=body).one().state


def test_invitations_reach_slack_teams_and_the_outbox_and_consent_decides_the_roster(
    chat_stacks: ChatStacks, slack_settings: Settings, tmp_path: Path
) -> None:
    stacks = chat_stacks
    mitsue = stacks.teams.user(MITSUE, "御杖 三郎")
    assert mitsue.says("こんにちは") == 202                  # the bot knows their 1:1 chat from now on
    group_id = bridge_group(stacks, slack_settings, tmp_path)
    invitations, report = send_group_invitations(stacks.db, stacks.senders, group_id, actor="cli:test")
    assert sorted(i.body for i in invitations) == ["宇陀市", "御杖村", "曽爾村", "東吉野村"]

    # Slack and Teams got theirs in chat; 東吉野村 (e-mail) waits in the outbox for the secretariat.
    soni = slack_text(stacks.slack_messages_to(SONI))
    assert "グループ「宇陀エリア橋梁点検」" in soni and "宇陀市、御杖村、東吉野村" in soni and "参加したい" in soni
    for private in (UDA, MITSUE, "higashi@", "soni"):          # bodies, never people or contacts
        assert private not in soni
    seen = teams_text(stacks.teams.messages_to(mitsue))
    assert "曽爾村" in seen and SONI not in seen
    assert {"参加したい", "今回は見送る"} <= set(teams_buttons(stacks.teams.messages_to(mitsue)))
    (mail,) = report.outbox
    assert [r.contact for r in mail.recipients] == ["higashi@example.jp"] and "東吉野村" in mail.delivery.text

    # Someone else's button is refused politely and changes nothing.
    others = [c for c in stacks.slack_messages_to(SONI) if has_button(c, "参加したい")]
    assert stacks.slack.click(others[-1], "参加したい", user=UDA).status == 200
    refusal = stacks.wait_posted(lambda c: "お答えいただけません" in slack_text([c]))
    assert refusal and state(stacks, "曽爾村") == "invited"

    press_slack(stacks, SONI, "参加したい", "参加を承りました")   # the first to accept: told the others will follow
    assert state(stacks, "曽爾村") == "accepted"
    stacks.wait_posted(lambda c: "お返事があり次第" in slack_text([c]))

    _, declined = answer_group_invitation(stacks.db, stacks.senders, group_id, "東吉野村", "decline",
                                          actor="cli:test")        # by mail, recorded by the secretariat
    assert state(stacks, "東吉野村") == "declined"
    first_after_decline = len(stacks.posted())
    teams_seen = len(stacks.teams.messages_to(mitsue))

    buttons = teams_buttons(stacks.teams.messages_to(mitsue))
    assert mitsue.clicks(buttons["参加したい"]) == 202          # Teams: the roster reaches Slack too
    roster_teams = teams_text(stacks.teams.messages_to(mitsue)[teams_seen:])
    assert "参加を承りました" in roster_teams and "曽爾村" in roster_teams and SONI in roster_teams
    stacks.wait_posted(lambda c: "の参加団体" in slack_text([c]))
    roster_slack = slack_text(stacks.slack_messages_to(SONI))
    assert "御杖村" in roster_slack and MITSUE in roster_slack

    press_slack(stacks, UDA, "参加したい", "参加を承りました")     # Slack: one group conversation for the Slack members
    group_dm = stacks.wait_posted(lambda c: c in stacks.slack_group_messages({SONI, UDA}))
    together = slack_text(group_dm)
    assert "宇陀市" in together and "曽爾村" in together and "御杖村" in together
    # The Teams member is not reachable from the Slack process here: the secretariat is told to mail the list.
    stacks.wait_posted(lambda c: c.params.get("channel") == SECRETARIAT and "名簿" in slack_text([c]))

    posted_later = stacks.posted()[first_after_decline:]
    new = {c.response.get("ts") for c in posted_later if c.method == "chat.postMessage"}
    later = [c for c in posted_later if c.method == "chat.postMessage" or c.params.get("ts") in new]
    assert later, "deliveries were made after the decline"   # (old messages' updates only echo what they said)
    for text in (slack_text(later), teams_text(stacks.teams.messages_to(mitsue)[teams_seen:])):
        assert "東吉野村" not in text and "higashi" not in text    # a member who declined never appears again
    notes = slack_text([c for c in stacks.posted() if c.params.get("channel") == SECRETARIAT])
    for private in (SONI, UDA, MITSUE, "higashi@"):
        assert private not in notes                               # notes name bodies, never people or contacts
    with stacks.db.session() as session:
        shown = group_consent.members_visible_to(session, group_id, "宇陀市")
    assert sorted(m.municipality for m in shown) == ["御杖村", "曽爾村"]
