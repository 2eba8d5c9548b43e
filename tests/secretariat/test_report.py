"""The 見える化 report: PNGs with real content, Japanese glyphs present, one self-contained HTML page."""

from __future__ import annotations

import base64
import re
import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from matplotlib import image as mpimg
from typer.testing import CliRunner

from bot.cli import app
from bot.report import build_report
from bot.report.demo_activity import seed_demo_activity
from bot.report.fonts import japanese_font_family
from bot.secretariat.report_data import collect
from bot.report.summary import summary_text

CHARTS = ["map.png", "demand_heatmap.png", "introduction_funnel.png", "unmet_needs.png", "advisor_load.png",
          "groups_map.png", "group_funnel.png"]


def _content(path):
    pixels = mpimg.imread(path)[..., :3]
    rgb = (pixels * 255).astype(np.uint32).reshape(-1, 3)
    colours = len(np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]))
    non_white = float((pixels < 0.95).any(axis=-1).mean())
    return pixels.shape, colours, non_white


@pytest.fixture
def activity(people):
    seed_demo_activity(people, consultations=40, seed=3)
    return people


def test_report_writes_every_chart_with_content(activity, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build_report(activity, tmp_path / "out")
    missing_glyphs = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing_glyphs == []   # no tofu: every Japanese glyph was in the font
    assert sorted(result.charts) == sorted(CHARTS)
    for name in CHARTS:
        (height, width, _), colours, non_white = _content(tmp_path / "out" / name)
        assert width >= 600 and height >= 350, name
        assert colours >= 20, name          # drawn, not a flat image
        assert non_white >= 0.03, name


def test_map_colours_prefectures_by_consultations(activity, tmp_path):
    build_report(activity, tmp_path)
    pixels = mpimg.imread(tmp_path / "map.png")[..., :3]
    # YlOrRd: red dominant, blue low — present for prefectures with consultations.
    reddish = ((pixels[..., 0] > 0.6) & (pixels[..., 2] < 0.35)).mean()
    assert reddish > 0.02


def test_empty_database_still_gives_a_readable_report(db, tmp_path):
    result = build_report(db, tmp_path)
    assert len(CHARTS) == 7
    for name in CHARTS:
        assert _content(tmp_path / name)[1] >= 5
    assert result.summary.consultations == 0


def test_html_is_self_contained(activity, tmp_path):
    result = build_report(activity, tmp_path)
    page = result.html.read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == len(CHARTS)
    assert all(base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n" for data in images)
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert "見える化" in page and "紹介のファネル" in page


def test_statistics_add_up(activity):
    with activity.session() as session:
        data = collect(session)
    assert data.consultations == 40
    assert sum(data.by_prefecture.values()) == 40
    assert data.funnel.requested >= data.funnel.accepted >= data.funnel.completed
    assert data.funnel.ratings and all(1 <= r <= 5 for r in data.funnel.ratings)
    assert data.unmet_total <= data.sub_issues
    assert data.advisor_load and all(a.capacity >= 0 for a in data.advisor_load)
    text = summary_text(data)
    assert "相談 40件" in text and "紹介" in text


def test_since_limits_the_period(activity):
    future = (datetime.now(timezone.utc) + timedelta(days=2)).date()
    with activity.session() as session:
        data = collect(session, since=future)
    assert data.consultations == 0 and data.funnel.requested == 0


def test_font_is_japanese():
    assert japanese_font_family() in ("IPAexGothic", "Noto Sans CJK JP", "IPAGothic", "TakaoGothic")


def test_report_command(activity, cli_env, tmp_path):
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), "--since", "2000-01-01"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "Wrote 7 charts" in result.output
    assert (tmp_path / "r" / "report.html").is_file()
    bad = CliRunner().invoke(app, ["report", "--out", str(tmp_path), "--since", "yesterday"], env=cli_env)
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output

