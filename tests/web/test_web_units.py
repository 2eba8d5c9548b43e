"""Small parts of the web: passwords, signed links, languages, iCalendar text, problem wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.secretariat.signed_links import BadSignature, sign, unsign
from bot.web import ics
from bot.web.i18n import TABLES, language_of, problem_text, split_problem, translate
from bot.web.security import check_password_rules, hash_password, verify_password
from bot.web.training_search import Event

NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


def test_password_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterY")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("not-a-hash", "anything")
    assert not verify_password(hashed, "x" * 5000)


def test_password_rules() -> None:
    assert check_password_rules("short") is not None
    assert check_password_rules(" " * 12) is not None
    assert check_password_rules("long enough password") is None


def test_signed_value_round_trip_and_tampering() -> None:
    value = sign("k" * 40, "engineer-profile", {"p": "slack", "u": "U123"}, expires=NOW + timedelta(days=7))
    assert unsign("k" * 40, "engineer-profile", value, now=NOW) == {"p": "slack", "u": "U123",
                                                                     "exp": int((NOW + timedelta(days=7)).timestamp())}
    payload, mac = value.split(".")
    with pytest.raises(BadSignature):
        unsign("k" * 40, "engineer-profile", payload + "." + mac[:-2] + "AA", now=NOW)
    with pytest.raises(BadSignature):
        unsign("other" * 10, "engineer-profile", value, now=NOW)
    with pytest.raises(BadSignature):
        unsign("k" * 40, "another-purpose", value, now=NOW)
    with pytest.raises(BadSignature, match="expired"):
        unsign("k" * 40, "engineer-profile", value, now=NOW + timedelta(days=8))
    for junk in ("", "no-dot", "a.b.c", "%%%.%%%", "x" * 5000):
        with pytest.raises(BadSignature):
            unsign("k" * 40, "engineer-profile", junk, now=NOW)


@pytest.mark.parametrize(("header", "expected"), [
    (None, "ja"), ("", "ja"), ("ja", "ja"), ("en", "en"), ("en-US,en;q=0.9", "en"),
    ("ja,en-US;q=0.8,en;q=0.7", "ja"), ("en;q=0.5,ja;q=0.9", "ja"), ("fr,en;q=0.8", "en"),
    ("en;q=bogus", "ja"), ("<script>", "ja"), ("x" * 10_000, "ja"),
])
def test_language_of(header: str | None, expected: str) -> None:
    assert language_of(header) == expected


def test_both_languages_have_the_same_texts() -> None:
    assert TABLES["ja"], "the Japanese table is empty"
    assert set(TABLES["ja"]) == set(TABLES["en"])
    assert translate("en", "pager.position", page=2, pages=5) == "Page 2 of 5"
    assert translate("ja", "pager.position", page=2, pages=5) == "2 / 5 ページ"


def test_importer_problems_read_in_japanese() -> None:
    assert problem_text("ja", "required field is missing or empty") == "必須の項目です。入力してください。"
    assert problem_text("ja", "is 20,001 characters long; the limit is 20,000 characters — shorten it") == (
        "20,001 文字あります。20,000 文字以内にしてください。")
    assert "2027-13-01" in problem_text("ja", "'2027-13-01' is not a date; write it as YYYY-MM-DD (e.g. 2027-04-01)")
    unknown = "a message nobody translated"
    assert problem_text("ja", unknown) == unknown
    assert problem_text("en", "required field is missing or empty") == "required field is missing or empty"


def test_split_problem() -> None:
    assert split_problem("capacity: input should be a valid integer") == ("capacity", "input should be a valid integer")
    assert split_problem("date 2: day: x") == ("date 2", "day: x")
    assert split_problem("This advisor is not available: now") == ("form", "This advisor is not available: now")


def _event(**changes: object) -> Event:
    values: dict[str, object] = dict(db_id=1, ext_id="trn-1", title="橋梁点検, 実務; 研修\\基礎", kind="training",
                                     organizer="研究会", prefecture="奈良県", start_date=date(2027, 5, 18),
                                     end_date=date(2027, 5, 19), description="一行目\n二行目", fields=("bridge",),
                                     processes=(), url="https://example.jp/x", online=False)
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def test_icalendar_file_follows_rfc5545() -> None:
    body = ics.calendar([(_event(), "http://portal.test/trainings/trn-1")], name="群マネ", uid_domain="portal.test",
                        online_label="オンライン", now=NOW)
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    lines = body.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:橋梁点検\\, 実務\\; 研修\\\\基礎\r\n" in unfolded
    assert "DESCRIPTION:一行目\\n二行目\\n\\n研究会\\nhttps://example.jp/x\r\n" in unfolded
    assert "UID:training-trn-1@portal.test\r\n" in unfolded
    assert "DTSTAMP:20270401T090000Z\r\n" in unfolded
    assert "DTSTART;VALUE=DATE:20270518\r\n" in unfolded
    assert "DTEND;VALUE=DATE:20270520\r\n" in unfolded   # the day after the last day


def test_icalendar_folding_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "橋" * 100
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_icalendar_leaves_undated_events_out_and_marks_online() -> None:
    body = ics.calendar([(_event(start_date=None, end_date=None), "u"),
                         (_event(ext_id="w", prefecture=None, online=True), "v")],
                        name="x", uid_domain="d", online_label="オンライン", now=NOW)
    assert body.count("BEGIN:VEVENT") == 1
    assert "LOCATION:オンライン" in body
