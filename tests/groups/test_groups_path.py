"""The whole path through the command line, and bad input on every new command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from groups_fixtures import CONSULTATIONS, TECHNOLOGIES, invoke, write_jsonl

from bot.report import build_report


def ok(cli_env, *args):
    result = invoke(cli_env, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def test_consultations_to_adoption_answers_and_the_report(db, cli_env, tmp_path):
    """The whole path through `gunmane`: consultations in, a suggested group, the secretariat's group, invitations,
    consented members only, a technology ranking, an event with RSVPs, adoption answers, the report's funnel."""
    imported = ok(cli_env, "import", "consultation", str(write_jsonl(tmp_path / "c.jsonl", CONSULTATIONS)))
    assert "8 were created" in imported
    ok(cli_env, "import", "technology", str(write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES)))
    suggestions = [json.loads(line) for line in ok(cli_env, "groups", "suggest", "--json").splitlines()]
    assert [len(s["members"]) for s in suggestions] == [4, 3]
    bridge = suggestions[0]
    assert bridge["fields"] == ["bridge"] and bridge["max_distance_km"] <= 60
    assert set(bridge) == {"id", "members", "fields", "processes", "max_distance_km", "why", "schemes"}
    assert "足寄町" not in json.dumps(suggestions, ensure_ascii=False)      # the same need, far away
    created = ok(cli_env, "groups", "create", "--from", bridge["id"], "--name", "宇陀エリア橋梁点検")
    group = re.search(r"Created group (\d+) ", created).group(1)      # ids are the database's (PostgreSQL: sequences)
    invited = [json.loads(line) for line in ok(cli_env, "groups", "invite", group, "--json").splitlines()]
    assert len(invited) == 4 and all("紹介してよろしいでしょうか" in i["text"] for i in invited)
    assert all("@" not in i["text"] for i in invited)                  # bodies, never people or contacts

    # Consent decides who is shown: the roster goes to those who accepted, and names only them.
    first = ok(cli_env, "groups", "answer", group, "曽爾村", "--accept")
    assert "御杖村" not in first and "東吉野村" not in first
    assert "ほかの団体から参加のお返事があり次第" in first                # alone: nobody to show yet
    second = ok(cli_env, "groups", "answer", group, "御杖村", "--accept")
    roster = second[second.index("の参加団体"):]
    assert "御杖村" in roster and "曽爾村: ご担当者（soni@example.jp）" in roster
    assert "東吉野村" not in roster and "宇陀市" not in roster and "higashi@" not in second
    declined = ok(cli_env, "groups", "answer", group, "東吉野村", "--decline")
    assert "0 for the secretariat to send by mail" in declined         # a decline tells no member anything
    shown = json.loads(ok(cli_env, "groups", "show", group, "--json"))
    assert [m["state"] for m in shown["members"]] == ["invited", "accepted", "accepted", "declined"]
    assert "@" not in json.dumps(shown)                              # the secretariat's view has no contacts

    techs = json.loads(ok(cli_env, "groups", "techs", group, "--json", "--top", "3"))
    assert techs["kind"] == "technology" and techs["query"] == group
    assert techs["results"][0]["id"] == "KT-190018-A" and "tech-003" not in [r["id"] for r in techs["results"]]
    assert techs["results"][0]["why"]
    same = json.loads(ok(cli_env, "groups", "techs", bridge["id"], "--json", "--top", "3"))
    assert same["results"][0]["id"] == "KT-190018-A"

    made = ok(cli_env, "events", "create", "--group", group, "--tech", "KT-190018-A", "--date", "2026-01-15",
              "--venue", "宇陀市役所")
    event = re.search(r"Created event (\d+) ", made).group(1)
    sent = [json.loads(line) for line in ok(cli_env, "events", "invite", event, "--json").splitlines()]
    assert sorted(s.get("body", "vendor") for s in sent) == ["vendor", "御杖村", "曽爾村"]   # consented members only
    ok(cli_env, "events", "rsvp", event, "曽爾村", "--attend")
    ok(cli_env, "events", "rsvp", event, "御杖村", "--decline")
    refused = invoke(cli_env, "events", "rsvp", event, "東吉野村", "--attend")         # declined the group
    assert refused.exit_code == 1 and "has not been invited" in refused.stderr
    ok(cli_env, "events", "vendor", event, "KT-190018-A", "--accept")
    ok(cli_env, "events", "adoption", event, "曽爾村", "KT-190018-A", "--consider")
    absent = invoke(cli_env, "events", "adoption", event, "御杖村", "KT-190018-A", "--pass")
    assert absent.exit_code == 1 and "attended" in absent.stderr
    view = json.loads(ok(cli_env, "events", "show", event, "--json"))
    assert view["technologies"][0]["consider"] == 1 and view["technologies"][0]["contact"] == "sales@drone.example.jp"
    assert sorted((p["body"], p["rsvp"]) for p in view["participants"]) == [("御杖村", "not_attending"),
                                                                              ("曽爾村", "attending")]
    assert len(ok(cli_env, "audit", "--kind", "event", "--json").splitlines()) == 6

    wrote = ok(cli_env, "report", "--out", str(tmp_path / "report"))
    assert "8 consultations" in wrote and "1 groups, 1 events" in wrote     # imported ones count like chat ones
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "グループ: 1件（参加を希望した団体 2 / 案内した団体 4）、説明会 1件、参加 1団体、共同導入を検討したい 1団体" in page
    assert (tmp_path / "report" / "groups_map.png").stat().st_size > 10_000
    report = build_report(db, tmp_path / "again")
    funnel = report.summary.groups.funnel
    assert (funnel.groups, funnel.events, funnel.invited, funnel.participants, funnel.interested) == (1, 1, 2, 1, 1)
    assert sorted(m.municipality for m in report.summary.groups.members) == ["宇陀市", "御杖村", "曽爾村", "東吉野村"]
    assert report.summary.consultations == len(CONSULTATIONS)


@pytest.mark.parametrize("args, message", [
    (("groups", "suggest", "--max-km", "-5"), "--max-km"),
    (("groups", "suggest", "--min-size", "1"), "--min-size"),
    (("groups", "suggest", "--min-size", "5", "--max-size", "3"), "--max-size"),
    (("groups", "suggest", "--since", "2027/04/01"), "--since"),
    (("groups", "suggest", "--method", "kmeans"), "--method"),
    (("groups", "create", "--from", "sg-ffffff", "--name", "x"), "No group suggestion"),
    (("groups", "show", "999999"), "No group 999999"),
    (("groups", "show", "'; drop table municipal_groups; --"), "not a group id"),
    (("groups", "techs", "nope"), "neither a group id"),
    (("groups", "techs", "sg-000000"), "No group suggestion"),
    (("groups", "answer", "999999", "曽爾村", "--accept"), "No group 999999"),
    (("events", "create", "--group", "1", "--tech", "x", "--date", "2027-13-01", "--venue", "v"), "--date"),
    (("events", "show", "x" * 5000), "No event"),
    (("events", "rsvp", "999999", "曽爾村", "--attend"), "No event"),
])
def test_bad_input_on_every_new_command(db, cli_env, args, message):
    result = invoke(cli_env, *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr


def test_eval_script_drives_the_commands(cli_env, tmp_path):
    directory = tmp_path / "set"
    directory.mkdir()
    write_jsonl(directory / "consultations.jsonl", CONSULTATIONS)
    write_jsonl(directory / "technologies.jsonl", TECHNOLOGIES)
    labels = [{"group": "bridge", "consultations": ["hc-001", "hc-002", "hc-003", "hc-004"],
               "technologies": {"KT-190018-A": 2}},
              {"group": "pavement", "consultations": ["hc-004", "hc-005", "hc-006"], "technologies": {"tech-002": 2}}]
    write_jsonl(directory / "labels.jsonl", labels)
    script = Path(__file__).resolve().parents[2] / "scripts" / "eval_groups.py"
    env = {"PATH": "/usr/bin:/bin", "GUNMANE_EMBEDDER": "fake", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, str(script), str(directory), "--json"], env=env, capture_output=True,
                          text=True, timeout=280, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["pairs"]["f1"] == 1.0 and report["pairs"]["pairs_true"] == 9
    assert report["techs_ndcg@5"] == 1.0 and [g["jaccard"] for g in report["groups"]] == [1.0, 1.0]
