"""Fixtures of the secretariat tests: a few fictional records added through curation."""

from __future__ import annotations

from typing import Any

import pytest

from bot.secretariat import curation
from knowledge.db import Database
from knowledge.municipalities import MunicipalityDirectory

ADVISORS: list[dict[str, Any]] = [
    {"id": "adv-t1", "name": "架空 橋太郎", "affiliation": "奈良県OB(架空)", "kind": "retired_official",
     "expertise": "橋梁の定期点検と長寿命化修繕計画の策定を支援します。", "fields": ["bridge"],
     "processes": ["inspection", "planning"], "prefecture": "奈良県", "municipality": "宇陀市",
     "capacity": 1, "contact": "U0ADVT1"},
    {"id": "adv-t2", "name": "架空 道子", "affiliation": "コンサルタント(架空)", "kind": "consultant",
     "expertise": "道路の包括的民間委託と除草・除雪の発注を支援します。", "fields": ["road"],
     "processes": ["weeding", "snow_removal", "procurement"], "prefecture": "群馬県", "municipality": "前橋市",
     "capacity": 3, "contact": "michiko@example.jp"},
]
ENGINEERS: list[dict[str, Any]] = [
    {"id": "eng-t1", "name": "架空 下水一郎", "prefecture": "奈良県", "municipality": "桜井市",
     "department": "上下水道課", "years": 12, "expertise": "下水道管路のストックマネジメント計画を作りました。",
     "fields": ["sewerage"], "processes": ["planning"], "discoverable": True, "contact": "ichiro@example.jp"},
    {"id": "eng-t2", "name": "架空 公園花子", "prefecture": "岩手県", "municipality": "盛岡市",
     "expertise": "公園の遊具点検", "fields": ["park"], "processes": ["inspection"], "discoverable": False},
]
CASE = {"id": "case-t1", "title": "架空市の橋梁点検共同発注", "summary": "近隣3町村で橋梁点検をまとめて発注した(架空)。",
        "prefecture": "奈良県", "scheme": ["joint_procurement"], "fields": ["bridge"], "processes": ["inspection"]}
TRAINING = {"id": "trn-t1", "title": "橋梁点検研修(架空)", "kind": "training", "prefecture": "奈良県",
            "start_date": "2027-05-10", "end_date": "2027-05-11", "description": "近接目視の実習。",
            "fields": ["bridge"], "processes": ["inspection"]}


@pytest.fixture
def people(db: Database) -> Database:
    """The database with two advisors, two engineers, a case and a training."""
    with db.session() as session:
        directory = MunicipalityDirectory(session)
        for data in ADVISORS:
            curation.add(session, "advisor", data, actor="test", directory=directory)
        for data in ENGINEERS:
            curation.add(session, "engineer", data, actor="test", directory=directory)
        curation.add(session, "case", CASE, actor="test", directory=directory)
        curation.add(session, "training", TRAINING, actor="test", directory=directory)
    return db
