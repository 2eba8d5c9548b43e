"""Fixtures of the groups tests: consultation and technology files, and an imported database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.secretariat.consultations import import_consultations
from knowledge.db import Database
from knowledge.io import import_records
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder

# Three bodies within ~20 km share bridge inspection; 宇陀市 (also near) asks about pavement as
# well; 足寄町 (Hokkaido) has the same need far away; 山添村 (near) has another need.
CONSULTATIONS: list[dict[str, Any]] = [
    {"id": "hc-001", "prefecture": "奈良県", "municipality": "曽爾村", "date": "2027-04-08",
     "text": "村道の橋が30橋あるけど技術職が自分ひとりで、橋の定期点検が回りません。", "contact": "soni@example.jp"},
    {"id": "hc-002", "prefecture": "奈良県", "municipality": "御杖村", "date": "2027-04-12",
     "text": "橋梁点検の委託先が見つからない。職員も足りない。"},
    {"id": "hc-003", "prefecture": "奈良県", "municipality": "東吉野村", "date": "2027-04-15",
     "text": "うちも橋の点検が追いついてない。職員が足りなくて困ってます。", "contact": "higashi@example.jp"},
    {"id": "hc-004", "prefecture": "奈良県", "municipality": "宇陀市", "date": "2027-04-20",
     "text": "市内の橋梁の点検が人手不足で遅れています。"
             "それと、市道の舗装の穴ぼこが多くてパトロールが追いつかない件も相談したいです。"},
    {"id": "hc-005", "prefecture": "奈良県", "municipality": "桜井市", "date": "2027-04-22",
     "text": "市道の舗装の損傷が多く、パトロールで見つけきれません"},
    {"id": "hc-006", "prefecture": "三重県", "municipality": "名張市", "date": "2027-04-27",
     "text": "舗装の穴ぼこの通報が増えて、道路パトロールが追いつかない状況です。"},
    {"id": "hc-007", "prefecture": "北海道", "municipality": "足寄町", "date": "2027-04-14",
     "text": "町の橋の点検が追いつかない。技術職が足りない"},
    {"id": "hc-008", "prefecture": "奈良県", "municipality": "山添村", "date": "2027-04-16",
     "text": "村の公園遊具が古くなってきた。点検はどうすれば"},
]
TECHNOLOGIES: list[dict[str, Any]] = [
    {"id": "KT-190018-A", "name": "ドローンによる橋梁点検支援(架空)", "vendor": "架空ドローン株式会社",
     "description": "足場なしで橋梁の近接目視を補助する撮影と損傷図の作成。点検の外注費を減らします。",
     "fields": ["bridge"], "processes": ["inspection"], "catalogue": "inspection_catalogue",
     "contact": "sales@drone.example.jp"},
    {"id": "tech-002", "name": "舗装のAI路面診断(架空)", "vendor": "架空路面",
     "description": "パトロール車のカメラで舗装のひび割れと穴を自動検出します。", "fields": ["pavement"],
     "processes": ["patrol"], "catalogue": "netis", "contact": "road@example.jp"},
    {"id": "tech-003", "name": "旧式の橋梁点検車(架空)", "description": "販売終了した橋梁点検車。",
     "fields": ["bridge"], "processes": ["inspection"], "status": "retired", "contact": "old@example.jp"},
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def invoke(cli_env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=cli_env)


@pytest.fixture
def imported(db: Database, settings: Settings, tmp_path: Path) -> Database:
    """The test database with the consultations and technologies above imported."""
    with db.session() as session:
        import_records(session, "technology", write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES), actor="test")
    import_consultations(db, write_jsonl(tmp_path / "c.jsonl", CONSULTATIONS), actor="test", settings=settings,
                         embedder=FakeEmbedder())
    return db
