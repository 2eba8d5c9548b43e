"""The secretariat's commands through the real CLI (typer's CliRunner against the test database)."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from bot.cli import app
from bot.secretariat import curation
from bot.secretariat import introductions as intros
from knowledge.models import utcnow


def run(cli_env, *args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), env=cli_env, input=input)


def test_add_show_edit_list_with_flags(db, cli_env):
    result = run(cli_env, "advisor", "add", "--set", "id=adv-c1", "--set", "name=架空 花子", "--set",
                 "expertise=舗装の補修計画", "--set", "fields=舗装;道路", "--set", "prefecture=群馬県",
                 "--set", "contact=hanako@example.jp", "--by", "sec:bob")
    assert result.exit_code == 0, result.output
    assert "Added advisor adv-c1" in result.output
    shown = run(cli_env, "advisor", "show", "adv-c1", "--json")
    assert json.loads(shown.output)["fields"] == ["pavement", "road"]
    edited = run(cli_env, "advisor", "edit", "adv-c1", "--set", "capacity=5")
    assert edited.exit_code == 0 and "capacity" in edited.output
    listed = run(cli_env, "advisor", "list", "--field", "舗装")
    assert "adv-c1" in listed.output and "hanako@example.jp" not in listed.output   # masked in the table
    as_json = run(cli_env, "advisor", "list", "--prefecture", "群馬県", "--json")
    assert json.loads(as_json.output.splitlines()[0])["contact"] == "hanako@example.jp"
    history = run(cli_env, "audit", "--kind", "advisor", "--id", "adv-c1")
    assert "sec:bob  add" in history.output and "edit" in history.output and '"capacity": 5' in history.output


def test_interactive_add(db, cli_env):
    answers = "\n".join(["trn-c1", "橋梁点検研修(架空)", "training", "", "奈良県", "2027-06-01", "2027-06-02",
                         "点検の実習", "橋梁", "点検", ""]) + "\n"
    result = run(cli_env, "training", "add", "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "Added training trn-c1" in result.output


def test_invalid_add_lists_every_problem_and_exits_1(db, cli_env):
    result = run(cli_env, "engineer", "add", "--set", "id=e 1", "--set", "fields=宇宙")
    assert result.exit_code == 1
    assert "id:" in result.output and "fields:" in result.output and "nothing was changed" in result.output


def test_status_commands_and_unknown_id(people, cli_env):
    assert "Paused advisor adv-t1" in run(cli_env, "advisor", "pause", "adv-t1").output
    assert "already paused" in run(cli_env, "advisor", "pause", "adv-t1").output
    assert "Retired" in run(cli_env, "advisor", "retire", "adv-t1").output
    assert "Activated" in run(cli_env, "advisor", "activate", "adv-t1").output
    missing = run(cli_env, "advisor", "pause", "nobody")
    assert missing.exit_code == 1 and "gunmane advisor list" in missing.output


def test_forget_commands(people, cli_env):
    result = run(cli_env, "engineer", "forget", "eng-t1", "--yes")
    assert result.exit_code == 0 and "Erased" in result.output and "Statistics kept" in result.output
    shown = run(cli_env, "engineer", "show", "eng-t1")
    assert "(削除済み)" in shown.output and "ichiro@example.jp" not in shown.output
    assert "already erased" in run(cli_env, "engineer", "forget", "eng-t1", "--yes").output
    history = run(cli_env, "audit", "--kind", "engineer", "--id", "eng-t1")
    assert "forget" in history.output and "架空 下水一郎" not in history.output


def test_forget_purges_the_cached_vector_of_the_erased_text(people, cli_env):
    import numpy as np
    from sqlalchemy import select

    from knowledge.models import EmbeddingCacheEntry, Engineer
    from matching.documents import document_text
    from matching.embedding_cache import store_vectors, text_hash

    with people.session() as session:
        old_text = document_text("engineer", session.scalars(select(Engineer).where(Engineer.ext_id == "eng-t1")).one())
    store_vectors(people, "fake-ngram-64", [old_text, "他の人の文書"], np.ones((2, 64), dtype=np.float32))
    assert run(cli_env, "engineer", "forget", "eng-t1", "--yes").exit_code == 0
    with people.session() as session:
        left = set(session.scalars(select(EmbeddingCacheEntry.text_hash)))
    assert text_hash(old_text) not in left and text_hash("他の人の文書") in left


def test_intros_commands(people, cli_env):
    with people.session() as session:
        target = curation.find(session, "advisor", "adv-t2")
        intro = intros.request(session, requester_platform="terminal", requester_id="u1", target_kind="advisor",
                               target_id=target.id)
        intro.requested_at = utcnow() - timedelta(days=20)
        intro_id = intro.id
    listed = run(cli_env, "intros", "list", "--state", "requested", "--json")
    assert json.loads(listed.output)["target"] == "adv-t2"
    reminded = run(cli_env, "intros", "remind")
    assert "1 for the secretariat to send" in reminded.output and "michiko@example.jp" in reminded.output
    assert "0 introduction(s)" in run(cli_env, "intros", "remind").output   # only once
    assert f"Expired 1 introduction(s): {intro_id}" in run(cli_env, "intros", "expire").output
    assert "Expired 0" in run(cli_env, "intros", "expire").output
    bad = run(cli_env, "intros", "list", "--state", "lost")
    assert bad.exit_code == 1 and "state:" in bad.output


def test_accept_followup_feedback_and_reassign_commands(people, cli_env):
    with people.session() as session:
        adv1 = curation.find(session, "advisor", "adv-t1")
        first = intros.request(session, requester_platform="terminal", requester_id="u1", target_kind="advisor",
                               target_id=adv1.id).id
        second = intros.request(session, requester_platform="terminal", requester_id="u2", target_kind="advisor",
                                target_id=adv1.id).id
    assert "is now accepted" in run(cli_env, "intros", "accept", str(first)).output
    full = run(cli_env, "intros", "accept", str(second))
    assert full.exit_code == 1 and "capacity" in full.output
    moved = run(cli_env, "intros", "reassign", str(second), "--to", "adv-t2")
    assert moved.exit_code == 0 and "reassigned to advisor adv-t2" in moved.output
    with people.session() as session:
        intros.get(session, first).accepted_at = utcnow() - timedelta(days=40)
    sent = run(cli_env, "intros", "followup")
    assert "followups for 1 introduction(s)" in sent.output and "2 for the secretariat" in sent.output
    feedback = run(cli_env, "intros", "feedback", str(first), "--rating", "5", "--comment", "助かりました")
    assert feedback.exit_code == 0
    with people.session() as session:
        assert intros.get(session, first).rating == 5
    wrong = run(cli_env, "intros", "feedback", str(first), "--rating", "9")
    assert wrong.exit_code == 1 and "1 to 5" in wrong.output
    assert "is now completed" in run(cli_env, "intros", "complete", str(first)).output
