"""The public portal over HTTP (in process): search, filters, events, iCalendar, cases."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from knowledge.db import Database
from knowledge.models import Training
from tests.web.conftest import Browser


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/trainings/[^"]+">([^<]+)</a></h3>', html)


def _ids(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/trainings/([^"]+)">', html)


def _trainings(db: Database) -> list[Training]:
    with db.session() as session:
        return list(session.scalars(select(Training)))


def test_home_and_pages_answer(public: Browser) -> None:
    for path in ("/", "/trainings", "/cases", "/visits", "/visits/offer", "/submit", "/apply", "/login"):
        response = public.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert '<html lang="ja">' in response.text
    assert public.get("/healthz").json() == {"status": "ok"}


def test_english_when_the_browser_prefers_it(public: Browser) -> None:
    english = public.get("/trainings", headers={"Accept-Language": "en-US,en;q=0.9,ja;q=0.5"})
    assert '<html lang="en">' in english.text and "Find trainings and site visits" in english.text
    japanese = public.get("/trainings", headers={"Accept-Language": "ja,en;q=0.5"})
    assert "研修・視察を探す" in japanese.text


def test_listing_without_words_puts_upcoming_events_first_by_date(public: Browser, sample: Database) -> None:
    rows = {t.ext_id: t for t in _trainings(sample)}
    assert len(rows) >= 10
    html = public.get("/trainings").text
    shown = _ids(html)
    assert shown
    today = date.today()
    last_days = [rows[i].end_date or rows[i].start_date for i in shown]
    upcoming = [d for d in last_days if d is None or d >= today]
    assert last_days[: len(upcoming)] == upcoming       # upcoming ones come first
    starts = [rows[i].start_date for i in shown[: len(upcoming)] if rows[i].start_date]
    assert starts == sorted(starts)


def test_free_text_is_ranked_and_filters_apply(public: Browser, sample: Database) -> None:
    rows = {t.ext_id: t for t in _trainings(sample)}
    html = public.get("/trainings", params={"q": "橋梁 点検", "field": "bridge"}).text
    shown = _ids(html)
    assert shown, "a bridge search found nothing"
    assert all("bridge" in rows[i].fields for i in shown)
    assert "キーワードに合うものから順に" in html
    online = _ids(public.get("/trainings", params={"online": "1"}).text)
    assert online and all(rows[i].prefecture is None or rows[i].kind == "webinar" for i in online)
    webinars = _ids(public.get("/trainings", params={"kind": "webinar"}).text)
    assert webinars and all(rows[i].kind == "webinar" for i in webinars)


def test_prefecture_or_regional_bureau(public: Browser, sample: Database) -> None:
    rows = {t.ext_id: t for t in _trainings(sample)}
    kanto = {"茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "山梨県", "長野県"}
    by_bureau = _ids(public.get("/trainings", params={"prefecture": "関東地方整備局"}).text)
    assert by_bureau and all(rows[i].prefecture in kanto for i in by_bureau)
    one = _ids(public.get("/trainings", params={"prefecture": "岩手県"}).text)
    assert one and all(rows[i].prefecture == "岩手県" for i in one)


def test_date_range_keeps_events_that_overlap_it(public: Browser, sample: Database) -> None:
    rows = [t for t in _trainings(sample) if t.start_date]
    target = sorted(rows, key=lambda t: t.start_date)[len(rows) // 2]
    day = target.start_date.isoformat()
    shown = _ids(public.get("/trainings", params={"from": day, "to": day}).text)
    assert target.ext_id in shown
    for ext_id in shown:
        row = next(t for t in rows if t.ext_id == ext_id)
        assert row.start_date <= target.start_date <= (row.end_date or row.start_date)


@pytest.mark.parametrize(("params", "message"), [
    ({"field": "宇宙"}, "この分野はありません"),
    ({"process": "<b>"}, "この業務プロセスはありません"),
    ({"prefecture": "架空県"}, "この都道府県・地方整備局はありません"),
    ({"from": "2027-02-30"}, "日付は YYYY-MM-DD"),
    ({"to": "tomorrow"}, "日付は YYYY-MM-DD"),
    ({"kind": "party"}, "この種類はありません"),
    ({"q": "橋" * 201}, "キーワードが長すぎます"),
])
def test_bad_search_parameters_say_what_is_wrong(public: Browser, params: dict[str, str], message: str) -> None:
    response = public.get("/trainings", params=params)
    assert response.status_code == 400
    assert message in response.text


def test_event_page_and_icalendar(public: Browser, sample: Database) -> None:
    row = next(t for t in _trainings(sample) if t.start_date)
    page = public.get(f"/trainings/{row.ext_id}")
    assert page.status_code == 200 and row.title in page.text
    assert f'href="/trainings/{row.ext_id}.ics"' in page.text
    calendar = public.get(f"/trainings/{row.ext_id}.ics")
    assert calendar.status_code == 200
    assert calendar.headers["content-type"] == "text/calendar; charset=utf-8"
    body = calendar.text
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.count("BEGIN:VEVENT") == 1
    assert f"UID:training-{row.ext_id}@portal.test" in body
    assert f"DTSTART;VALUE=DATE:{row.start_date:%Y%m%d}" in body
    assert f"URL:http://portal.test/trainings/{row.ext_id}" in body.replace("\r\n ", "")


def test_feed_of_a_search(public: Browser, sample: Database) -> None:
    dated = [t for t in _trainings(sample) if t.start_date and t.prefecture == "岩手県"]
    assert dated
    body = public.get("/trainings.ics", params={"prefecture": "岩手県"}).text
    assert body.count("BEGIN:VEVENT") == len(dated)
    assert public.get("/trainings.ics", params={"from": "nonsense"}).status_code == 400
    search = public.get("/trainings", params={"prefecture": "岩手県"}).text
    assert 'href="/trainings.ics?prefecture=%E5%B2%A9%E6%89%8B%E7%9C%8C"' in search


@pytest.mark.parametrize("path", [
    "/trainings/no-such-id", "/trainings/..%2f..%2fetc%2fpasswd", "/trainings/%00", "/trainings/a%20b",
    "/trainings/" + "x" * 65, "/trainings/no-such-id.ics", "/cases/../../etc/passwd", "/cases/%2e%2e",
    "/visits/nope", "/static/../../README.md", "/admin/../etc/passwd", "/nowhere",
])
def test_path_tricks_are_not_found(public: Browser, path: str) -> None:
    response = public.get(path)
    assert response.status_code in (404, 303), path
    assert "root:" not in response.text and "[project]" not in response.text


def test_cases_catalogue_and_page(public: Browser) -> None:
    html = public.get("/cases").text
    ids = re.findall(r'<h3><a href="/cases/([^"]+)">', html)
    assert ids
    by_scheme = public.get("/cases", params={"scheme": "delegation"}).text
    assert "代行" in by_scheme
    page = public.get(f"/cases/{ids[0]}")
    assert page.status_code == 200
    assert "<dt>連携の型</dt>" in page.text or "<dt>インフラ分野</dt>" in page.text
    ranked = public.get("/cases", params={"q": "橋梁の点検を県が代行"})
    assert ranked.status_code == 200 and re.findall(r'<h3><a href="/cases/', ranked.text)
    assert public.get("/cases", params={"scheme": "magic"}).status_code == 400


def test_security_headers_on_every_page(public: Browser) -> None:
    for path in ("/", "/trainings", "/nowhere", "/static/style.css"):
        headers = public.get(path).headers
        assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
