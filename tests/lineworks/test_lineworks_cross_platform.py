"""A Slack requester and a LINE WORKS advisor: each talks to their own platform's real server.

The Slack server (bolt under waitress, the fake Slack Web API) and the LINE WORKS server (the fake LINE
WORKS API) run side by side over one database, each with the other platform's sender in its relay, as
`gunmane serve slack` and `gunmane serve lineworks` do when both platforms are configured.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from aiohttp import web
from lineworks_stack import SECRETARIAT_MEMBER, Stack, buttons, texts, until
from pydantic import SecretStr
from sqlalchemy import select
from test_lineworks_introductions import ACCEPT, CARD_TITLE, DECLINE, everyone_is

from bot.cli.lineworks_cmd import lineworks_app
from bot.dialogue import messages
from bot.dialogue.engine import DialogueEngine
from bot.lineworks.config import lineworks_config
from bot.lineworks.fake_api import FakeLineWorks
from bot.lineworks.server import CALLBACK_PATH
from bot.secretariat import introductions
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI, RecordedCall
from bot.slack.server import HttpServer
from bot.threaded_site import ThreadedSite
from knowledge.db import Database
from knowledge.models import Introduction
from knowledge.settings import Settings
from tests.slack.conftest import BOT_TOKEN, SECRETARIAT, SIGNING_SECRET, TEAM, SlackSender, texts_of
from tests.slack.test_flow import PROBLEM, answer_until_card, labels, wait_message

ENGINEER = "U0ENGINEER"   # the Slack requester


@dataclass
class BothPlatforms:
    slack: SlackSender
    slack_api: FakeSlackAPI
    lineworks: Stack


@pytest.fixture
def both(sample_db: Database, lw_settings: Settings, fake: FakeLineWorks) -> Iterator[BothPlatforms]:
    with FakeSlackAPI(team_id=TEAM) as slack_api:
        settings = lw_settings.model_copy(update={
            "slack_bot_token": SecretStr(BOT_TOKEN), "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": slack_api.url, "slack_secretariat_channel": SECRETARIAT,
        })
        engine = DialogueEngine(sample_db, settings)
        executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-slack")
        slack = HttpServer(build_app(settings, sample_db, engine=engine, working_notice_after=0,
                                     listener_executor=executor), settings, host="127.0.0.1", port=0, threads=4)
        made: list[web.Application] = []

        def make_app() -> web.Application:
            made.append(lineworks_app(settings, sample_db, engine, lineworks_config(settings)))
            return made[0]

        site = ThreadedSite(make_app).start()
        slack.start()
        try:
            yield BothPlatforms(SlackSender(slack.url, slack_api), slack_api,
                                Stack(site.url + CALLBACK_PATH, fake, made[0], site))
        finally:
            slack.stop()
            executor.shutdown(wait=True)
            site.stop()


def slack_results(both: BothPlatforms) -> RecordedCall:
    assert both.slack.dm(PROBLEM, user=ENGINEER, channel="D0ENGINEER").status == 200
    card = answer_until_card(both.slack_api, both.slack)
    assert both.slack.click(card, "この内容で探す").status == 200
    return wait_message(both.slack_api, lambda c: "紹介を依頼" in labels(c))


def test_a_slack_requester_is_introduced_to_a_lineworks_advisor_who_accepts_in_lineworks(
    both: BothPlatforms, sample_db: Database
) -> None:
    target = both.lineworks.user("lw-bridge-advisor")
    secretariat = both.lineworks.user(SECRETARIAT_MEMBER)
    everyone_is(sample_db, f"lineworks:{target.user_id}")
    results = slack_results(both)
    assert both.slack.click(results, "紹介を依頼").status == 200

    until(lambda: DECLINE in buttons(target.received()))           # the Slack server reached LINE WORKS
    offered = buttons(target.new())
    assert ACCEPT in offered and DECLINE in offered
    assert ENGINEER not in texts(target.received())                # no contact before acceptance
    slack_said = json.dumps([c.params for c in both.slack_api.calls], ensure_ascii=False)
    assert target.user_id not in slack_said

    assert target.presses(offered[ACCEPT], ACCEPT) == 200
    to_target = texts(target.new())
    opened = both.slack_api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ENGINEER)
    dms = {call.response["channel"]["id"] for call in opened}
    to_requester = wait_message(both.slack_api, lambda c: c.params["channel"] in dms and CARD_TITLE in texts_of(c))
    for card in (to_target, texts_of(to_requester)):               # both contacts, across the platforms
        assert f"lineworks:{target.user_id}" in card and ENGINEER in card
    with sample_db.session() as session:
        intro = session.scalars(select(Introduction)).one()
        assert (intro.state, intro.requester_platform, intro.requester_id) == ("accepted", "slack", ENGINEER)

    # the fixed end of the secretariat's "accepted" note
    accepted_note = messages.say("ja", "note_accepted", id=intro.id, kind="", target="").split("」")[-1]
    slack_note = wait_message(both.slack_api, lambda c: c.params["channel"] == SECRETARIAT
                              and f"#{intro.id}" in texts_of(c) and accepted_note in texts_of(c))
    lineworks_notes = texts(secretariat.received())
    assert accepted_note in lineworks_notes                       # the secretariat on both platforms
    for note in (texts_of(slack_note), lineworks_notes):
        assert ENGINEER not in note and target.user_id not in note


def test_a_lineworks_advisor_declining_sends_the_slack_requester_the_next_candidate(
    both: BothPlatforms, sample_db: Database
) -> None:
    target = both.lineworks.user("lw-busy-advisor")
    everyone_is(sample_db, f"lineworks:{target.user_id}")
    assert both.slack.click(slack_results(both), "紹介を依頼").status == 200
    until(lambda: DECLINE in buttons(target.received()))
    before = {id(call) for call in both.slack_api.calls}

    assert target.presses(buttons(target.new())[DECLINE], DECLINE) == 200
    news = wait_message(both.slack_api, lambda c: id(c) not in before and c.params["channel"] != SECRETARIAT
                        and "紹介を依頼" in labels(c))          # the next candidate, ready to ask
    told = "\n".join(texts_of(c) for c in both.slack_api.calls
                     if id(c) not in before and c.params.get("channel") == news.params["channel"])
    with sample_db.session() as session:
        asked = introductions.target_of(session, session.scalars(select(Introduction)).one())
        assert asked is not None
        declined = messages.say("ja", "intro_declined_news", target=asked.name)
    assert declined in told and target.user_id not in told
