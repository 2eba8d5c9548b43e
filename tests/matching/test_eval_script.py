"""scripts/eval.py on a tiny labelled dataset (fake embedder): metrics, modes, forbidden count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval.py"

ADVISORS = [
    {"id": "a-bridge", "name": "甲", "expertise": "橋梁の定期点検の発注と結果の評価", "fields": ["bridge"],
     "processes": ["inspection"], "regions": []},
    {"id": "a-snow", "name": "乙", "expertise": "除雪業務の委託と除雪費の見積もり", "fields": ["road"],
     "processes": ["snow_removal"], "regions": ["北海道"]},
    {"id": "a-paused", "name": "丙", "expertise": "橋梁の定期点検の発注と結果の評価", "status": "paused"},
]
ENGINEERS = [
    {"id": "e-near", "name": "丁", "prefecture": "奈良県", "municipality": "桜井市", "expertise": "橋梁点検の発注",
     "discoverable": True},
    {"id": "e-hidden", "name": "戊", "prefecture": "奈良県", "municipality": "桜井市", "expertise": "橋梁点検の発注",
     "discoverable": False},
]
QUERIES = [
    {"qid": "q1", "kind": "advisor", "text": "橋梁の定期点検の発注", "prefecture": "奈良県", "municipality": "宇陀市",
     "relevant": {"a-bridge": 2}, "forbidden": ["a-paused"]},
    {"qid": "q2", "kind": "advisor", "text": "除雪費の見積もり", "prefecture": "北海道", "municipality": "中札内村",
     "relevant": {"a-snow": 2}, "forbidden": []},
    {"qid": "q3", "kind": "engineer", "text": "橋梁点検の発注", "prefecture": "奈良県", "municipality": "宇陀市",
     "relevant": {"e-near": 2}, "forbidden": ["e-hidden"]},
]


def write_jsonl(path: Path, rows: list[dict]) -> None:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    directory = tmp_path / "ds"
    directory.mkdir()
    write_jsonl(directory / "advisors.jsonl", ADVISORS)
    write_jsonl(directory / "engineers.jsonl", ENGINEERS)
    write_jsonl(directory / "queries.jsonl", QUERIES)
    return directory


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=240)


def test_eval_json_report(dataset: Path) -> None:
    done = run(str(dataset), "--embedder", "fake", "--json", "--today", "2026-11-24")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["modes"]) == {"hybrid", "dense", "lexical"}
    hybrid = report["modes"]["hybrid"]
    assert hybrid["overall"]["queries"] == 3
    assert hybrid["overall"]["ndcg@5"] == 1.0 and hybrid["overall"]["recall@5"] == 1.0 and hybrid["overall"]["mrr"] == 1.0
    assert set(hybrid["per_kind"]) == {"advisor", "engineer"}
    assert all(m["overall"]["forbidden_returned"] == 0 for m in report["modes"].values())


def test_eval_table_output(dataset: Path) -> None:
    done = run(str(dataset), "--embedder", "fake", "--modes", "hybrid,lexical")
    assert done.returncode == 0, done.stderr
    assert "nDCG@5" in done.stdout and "hybrid   overall" in done.stdout and "lexical  engineer" in done.stdout


def test_eval_needs_queries(tmp_path: Path) -> None:
    done = run(str(tmp_path), "--embedder", "fake")
    assert done.returncode == 2 and "queries.jsonl" in done.stderr


def test_metrics() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import eval as ev  # noqa: PLC0415
    finally:
        sys.path.pop(0)
    relevant = {"a": 2, "b": 1}
    assert ev.ndcg_at(["a", "b"], relevant) == pytest.approx(1.0)
    assert ev.ndcg_at(["b", "a"], relevant) < 1.0
    assert ev.ndcg_at(["x", "y"], relevant) == 0.0
    assert ev.recall_at(["x", "b"], relevant) == 0.5
    assert ev.reciprocal_rank(["x", "b"], relevant) == 0.5
