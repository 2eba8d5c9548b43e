"""Groups in the console, in Debian's Chromium: compute the suggestions, make a group from one, invite
its members; screenshots under ``.ci-out/screenshots/`` (skipped loudly without /usr/bin/chromium)."""

from __future__ import annotations

from typing import Any

from knowledge.db import Database
from tests.web.test_web_browser import _log_in, chromium, person  # noqa: F401  (fixtures)
from tests.web.test_web_groups import BRIDGE_BODIES, grouped  # noqa: F401  (fixture)


def test_make_a_group_from_a_suggestion_and_invite_it(person: Any, accounts: dict[str, str],  # noqa: F811
                                                       grouped: Database) -> None:  # noqa: F811
    p = person("secretariat")
    _log_in(p, accounts["secretariat"])
    p.page.get_by_role("link", name="グループ").click()
    p.page.wait_for_url("**/admin/groups")
    p.page.get_by_role("button", name="提案を計算し直す").click()
    p.page.wait_for_url("**/admin/groups?done=groups_suggested")
    assert "グループの提案を計算しました" in p.text()
    p.shot("suggestions")
    bridge = p.page.locator("section.bundle", has_text="東吉野村").filter(has_text="曽爾村").first
    bridge.get_by_label("このグループの名前").fill("宇陀エリア橋梁点検")
    bridge.get_by_role("button", name="この提案からグループを作成").click()
    p.page.wait_for_url("**/admin/groups/*?done=group_created")
    text = p.text()
    assert "宇陀エリア橋梁点検" in text and all(body in text for body in BRIDGE_BODIES)
    assert "ドローンによる橋梁点検支援(架空)" in text
    p.shot("group")
    p.page.get_by_role("button", name="まだ案内していない団体に案内を送る").click()
    p.page.wait_for_url("**done=group_invited**")
    assert "案内を送りました" in p.text() and "案内済み（返事待ち）" in p.text()
    assert "soni@example.jp" not in p.page.content()
    p.shot("invited")
