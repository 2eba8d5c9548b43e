"""The report's groups map (members coloured by group) and the funnel groups → events → participants → adoption."""

from __future__ import annotations

from datetime import date

import matplotlib
import matplotlib.image as mpimg
import numpy as np

from bot.report import build_report
from bot.report.summary import summary_text
from bot.secretariat import events, groups
from bot.secretariat import group_consent as consent
from bot.secretariat.report_data import collect
from matching.embedders.fake import FakeEmbedder
from matching.groups import Params

DAY = date(2027, 6, 1)
AFTER = date(2027, 6, 2)


def _two_groups_one_event(db):
    suggestions = groups.suggest(db, FakeEmbedder(), Params())
    bridge = next(s for s in suggestions if s.fields == ("bridge",))
    pavement = next(s for s in suggestions if s.fields == ("pavement",))
    with db.session() as session:
        gid = groups.create_group(session, bridge.id, name="宇陀エリア橋梁点検", actor="tester").id
        groups.create_group(session, pavement.id, name="舗装パトロール", actor="tester")
        consent.invite(session, gid, actor="tester")
        for body, answer in (("曽爾村", "accept"), ("御杖村", "accept"), ("宇陀市", "accept"), ("東吉野村", "decline")):
            consent.answer_invitation(session, gid, body, answer, actor="tester")
        event_id = events.create_event(session, gid, ["KT-190018-A", "tech-002"], DAY, venue="宇陀市役所",
                                       actor="tester").id
        events.event_invitations(session, event_id, actor="tester")
        events.record_rsvp(session, event_id, "曽爾村", attending=True, actor="tester")
        events.record_rsvp(session, event_id, "御杖村", attending=True, actor="tester")
        events.record_rsvp(session, event_id, "宇陀市", attending=False, actor="tester")
        for body, tech, answer in (("曽爾村", "KT-190018-A", "consider"), ("曽爾村", "tech-002", "pass"),
                                   ("御杖村", "KT-190018-A", "pass")):
            events.record_adoption(session, event_id, body, tech, answer, actor="tester", today=AFTER)
    return gid


def test_funnel_and_map_members_counted(imported):
    bridge = _two_groups_one_event(imported)
    with imported.session() as session:
        data = collect(session)
    funnel = data.groups.funnel
    assert (funnel.groups, funnel.bodies_invited, funnel.bodies_accepted) == (2, 4, 3)
    assert (funnel.groups_with_event, funnel.events, funnel.invited) == (1, 1, 3)   # accepted members only
    assert (funnel.participants, funnel.interested, funnel.consider, funnel.passed) == (2, 1, 1, 2)
    by_group: dict[int, list[str]] = {}
    for member in data.groups.members:
        by_group.setdefault(member.group_id, []).append(member.municipality)
    assert sorted(by_group[bridge]) == ["宇陀市", "御杖村", "曽爾村", "東吉野村"]
    assert sorted(next(v for k, v in by_group.items() if k != bridge)) == ["名張市", "宇陀市", "桜井市"]
    assert data.groups.unplaced == 0
    assert all(34.0 < m.lat < 35.0 and 135.5 < m.lng < 136.5 for m in data.groups.members)   # 奈良・三重 east
    states = {m.municipality: m.state for m in data.groups.members if m.group_id == bridge}
    assert states == {"曽爾村": "accepted", "御杖村": "accepted", "宇陀市": "accepted", "東吉野村": "declined"}
    text = summary_text(data)
    assert "グループ: 2件（参加を希望した団体 3 / 案内した団体 4）、説明会 1件、参加 2団体、共同導入を検討したい 1団体" in text


def test_funnel_of_a_later_period_is_empty(imported):
    _two_groups_one_event(imported)
    with imported.session() as session:
        data = collect(session, since=date(2999, 1, 1))
    assert data.groups.funnel.groups == 0 and data.groups.members == ()
    assert "グループ:" not in summary_text(data)


def _share_of(pixels: np.ndarray, colour: tuple[float, float, float]) -> float:
    return float((np.abs(pixels - np.array(colour)) < 0.04).all(axis=-1).mean())


def test_groups_map_colours_members_by_group(imported, tmp_path):
    _two_groups_one_event(imported)
    result = build_report(imported, tmp_path)
    assert "groups_map.png" in result.charts and "group_funnel.png" in result.charts
    pixels = mpimg.imread(tmp_path / "groups_map.png")[..., :3]
    palette = matplotlib.colormaps["tab10"]
    first, second, third = (palette(i)[:3] for i in range(3))
    assert _share_of(pixels, first) > 0.0005 and _share_of(pixels, second) > 0.0005   # one colour per group
    assert _share_of(pixels, third) == 0.0                                          # and no third group
    page = result.html.read_text(encoding="utf-8")
    assert "群の地図" in page and "群と新技術説明会のファネル" in page


def test_empty_groups_map_has_no_group_colours(db, tmp_path):
    build_report(db, tmp_path)
    pixels = mpimg.imread(tmp_path / "groups_map.png")[..., :3]
    assert _share_of(pixels, matplotlib.colormaps["tab10"](0)[:3]) == 0.0
